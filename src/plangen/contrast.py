"""Legible text on coloured cells: WCAG 2.1 contrast, with the text colour chosen for each fill.

Fills come from the plan's data (status and work-stream colours), so no template can know them in
advance: after rendering, every run in a shaded table cell whose colour has less than 4.5:1 contrast
with the fill gets black or white, whichever contrasts more (one of the two always reaches 4.5:1).
"""

from __future__ import annotations

import re
from functools import lru_cache

MINIMUM_RATIO = 4.5
BLACK, WHITE = "000000", "FFFFFF"


def luminance(colour: str) -> float:
    """Relative luminance of an RRGGBB colour (WCAG 2.1)."""
    channels = []
    for index in (0, 2, 4):
        value = int(colour[index:index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@lru_cache(maxsize=4096)
def ratio(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@lru_cache(maxsize=4096)
def text_colour_for(fill: str) -> str:
    return BLACK if ratio(BLACK, fill) >= ratio(WHITE, fill) else WHITE


HEX_COLOUR = re.compile(r"[0-9A-Fa-f]{6}")


def is_colour(value: str | None) -> bool:
    return bool(value) and HEX_COLOUR.fullmatch(value) is not None


def legible_cells(element) -> int:
    """Give every run in a shaded cell within an lxml element (a document's body, a table) a colour
    readable on that fill. Returns how many runs were changed."""
    from plangen.wordxml import RUN_PROPERTY_ORDER, W, child_in_order, run_properties_of

    changed = 0
    cell_properties, fill_attribute, value_attribute = W + "tcPr", W + "fill", W + "val"
    run_tag, text_tag, properties_tag, colour_tag = W + "r", W + "t", W + "rPr", W + "color"
    wanted_for: dict = {}  # fill -> the text colour for it, "" for what is not a colour
    # from each shading to its cell: lxml finds the shadings in C, where a look at every cell of a
    # large plan cost more than the changes; most runs already have the colour wanted (a template's
    # runs get it before rendering, see render.py), so that is looked at first
    for shading in list(element.iter(W + "shd")):
        properties = shading.getparent()
        if properties.tag != cell_properties:
            continue  # a paragraph's or a run's shading
        fill = shading.get(fill_attribute)
        wanted = wanted_for.get(fill)
        if wanted is None:
            wanted = wanted_for[fill] = text_colour_for(fill) if is_colour(fill) else ""
        if not wanted:
            continue
        for run in properties.getparent().iter(run_tag):
            first = run[0] if len(run) else None
            colour = (first.find(colour_tag) if first is not None and first.tag == properties_tag
                      else run.find(f"{properties_tag}/{colour_tag}"))
            current = colour.get(value_attribute) if colour is not None else None
            if current == wanted or run.find(text_tag) is None:
                continue
            if is_colour(current) and ratio(current, fill) >= MINIMUM_RATIO:
                continue
            if colour is None:
                colour = child_in_order(run_properties_of(run), "color", RUN_PROPERTY_ORDER)
            colour.set(value_attribute, wanted)
            changed += 1
    return changed
