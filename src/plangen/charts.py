"""Charts from the plan's data, as PNG bytes for a figure (markdown_word.figure).

matplotlib (PSF-style licence, BSD-compatible) draws them: print-quality output at any DPI, no
browser or system library beyond its wheel, and its Agg backend needs no display. It is imported
only here, and this module only when a paper has a chart: `plangen validate` never loads it (a test
checks), and a paper without charts pays nothing (matplotlib's import is about 0.3 s).

Colours are the RAG colours the papers already use; every chart also gets alt text and a data table
from its caller, so nothing is shown by colour alone.
"""

from __future__ import annotations

import io

RAG_COLOURS = {"red": "#FF0000", "amber": "#FFC000", "green": "#00B050"}
LINE = "#1F3A5F"
DPI = 200


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    pyplot.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8, "axes.spines.top": False,
                            "axes.spines.right": False, "svg.hashsalt": "plangen", "figure.dpi": DPI})
    return pyplot


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    # no timestamp or software version in the file, so the same data makes the same bytes
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def trend(labels: list[str], values: list[float | None], target: float | None, bands: list[tuple],
          title: str, unit: str = "") -> bytes:
    """Monthly values as a line against the target (dashed), over the RAG bands shaded lightly.
    bands: (rag, low, high) with None for an open end. The title is the figure's caption, not drawn."""
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6.0, 2.4))
    try:
        known = [value for value in values if value is not None]
        span = known + ([target] if target is not None else [])
        low = min(span) if span else 0
        high = max(span) if span else 1
        margin = max((high - low) * 0.25, abs(high) * 0.05, 1)
        bottom, top = low - margin, high + margin
        if unit == "%":
            bottom, top = max(bottom, 0), min(top, 100) if high <= 100 else top
        for rag, band_low, band_high in bands:
            axes.axhspan(bottom if band_low is None else band_low, top if band_high is None else band_high,
                         color=RAG_COLOURS.get(rag, "#DDDDDD"), alpha=0.15, linewidth=0)
        positions = list(range(len(labels)))
        axes.plot([p for p, v in zip(positions, values) if v is not None], known, marker="o", color=LINE,
                  linewidth=1.6, markersize=3.5, label="Value")
        if target is not None:
            axes.axhline(target, color="#333333", linestyle="--", linewidth=1, label=f"Target {target:g}{unit}")
        axes.set_ylim(bottom, top)
        axes.set_xticks(positions, labels)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
        axes.grid(axis="y", color="#DDDDDD", linewidth=0.5)
        if unit:
            axes.yaxis.set_major_formatter(lambda value, _: f"{value:g}{unit}")
        return _png(figure)
    finally:
        pyplot.close(figure)


def stacked_counts(categories: list[str], series: list[tuple[str, str, list[int]]], title: str) -> bytes:
    """Horizontal stacked bars: one bar per category, one segment per (label, colour, counts) series.
    The title is the figure's caption, not drawn."""
    pyplot = _pyplot()
    height = 0.9 + 0.32 * len(categories)
    figure, axes = pyplot.subplots(figsize=(6.0, height))
    try:
        positions = list(range(len(categories)))[::-1]
        left = [0] * len(categories)
        for label, colour, counts in series:
            axes.barh(positions, counts, left=left, color=f"#{colour}" if colour and not colour.startswith("#") else colour,
                      edgecolor="white", linewidth=0.5, label=label)
            left = [a + b for a, b in zip(left, counts)]
        axes.set_yticks(positions, categories)
        axes.set_xlabel("Actions")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
        axes.grid(axis="x", color="#DDDDDD", linewidth=0.5)
        return _png(figure)
    finally:
        pyplot.close(figure)
