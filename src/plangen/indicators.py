"""Indicator arithmetic: the RAG a value earns under an indicator's thresholds, and month-on-month change."""

from __future__ import annotations

from plangen.model import Indicator

PRINTED_RAG = {"red": "red", "amber": "amber", "yellow": "amber", "green": "green"}


def normalise_code(code: str) -> str:
    """'FD 8' and 'FD8' are one code; 'W1 a' is W1a."""
    return "".join(str(code).split())


def rag_for(indicator: Indicator, value) -> str | None:
    """The RAG band of `value`. Bands are inclusive; a value in a gap between bands (17.5 when green
    is "17 or below" and amber "18.1-20") falls in the worse band, judged by polarity."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not indicator.thresholds:
        return None
    bands = indicator.thresholds
    if indicator.polarity == "smaller-is-better":
        ordered = sorted(bands, key=lambda band: float("inf") if band.max is None else band.max)
        for band in ordered:
            if band.max is None or value <= band.max:
                return band.rag
    elif indicator.polarity == "bigger-is-better":
        ordered = sorted(bands, key=lambda band: float("-inf") if band.min is None else band.min, reverse=True)
        for band in ordered:
            if band.min is None or value >= band.min:
                return band.rag
    else:
        for band in bands:
            if (band.min is None or value >= band.min) and (band.max is None or value <= band.max):
                return band.rag
    return None


def latest_value(indicator: Indicator, months: list[str]):
    """(month, value) of the most recent month with a numeric value, or (None, None)."""
    for month in reversed(months):
        value = indicator.values.get(month)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return month, value
    return None, None


def change(indicator: Indicator, months: list[str]):
    """Change between the last two consecutive months that both have numeric values, or None."""
    numeric = [(month, indicator.values.get(month)) for month in months]
    numeric = [(month, value) for month, value in numeric
               if isinstance(value, (int, float)) and not isinstance(value, bool)]
    if len(numeric) < 2:
        return None
    return numeric[-1][1] - numeric[-2][1]


def improving(indicator: Indicator, delta) -> bool | None:
    if delta is None or delta == 0 or indicator.polarity is None:
        return None
    return (delta < 0) == (indicator.polarity == "smaller-is-better")
