"""WordprocessingML that plangen builds itself: fields, bookmarks, generated tables, text runs.

Everything here returns `RawXml`, a plain string a template places with {{r …}} or {{p …}}. Templates
receive these finished strings, never an object that could render or write (see sandbox.py).
Text is escaped here, once; a character XML forbids is refused rather than silently dropped.
"""

from __future__ import annotations

from functools import lru_cache

import re

from plangen.contrast import text_colour_for
from plangen.errors import RenderError

TWIPS_PER_CM = 567
# A portrait A4 page's text width with 2 cm margins, for tables whose columns are not given.
DEFAULT_TABLE_WIDTH_CM = 17.0
HEADER_FILL = "1F3A5F"
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(value: str) -> str:
    """&, < and > as XML character data needs them (xml.sax.saxutils would import urllib on every build)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RawXml(str):
    """WordprocessingML placed as-is by a {{r …}} or {{p …}} tag. Built only by plangen."""

    __slots__ = ()

    def __html__(self):
        return str(self)


class UnsafeText(RenderError):
    """Text holding a character Word XML cannot carry (validation reports these at their line)."""


def text(value) -> str:
    """Escaped character data for a <w:t>."""
    value = "" if value is None else str(value)
    found = XML_FORBIDDEN.search(value)
    if found:
        raise UnsafeText(f"text contains the control character U+{ord(found.group()):04X}: {value[:60]!r}")
    return escape(value)


def run_properties(bold: bool = False, italic: bool = False, size_points: float | None = None,
                   colour: str | None = None, underline: bool = False) -> str:
    """A run's w:rPr, its children in the schema's order (b, i, color, sz, szCs, u); "" for none."""
    properties = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    if colour:
        properties += f'<w:color w:val="{colour}"/>'
    if size_points:
        properties += f'<w:sz w:val="{round(size_points * 2)}"/><w:szCs w:val="{round(size_points * 2)}"/>'
    if underline:
        properties += '<w:u w:val="single"/>'
    return f"<w:rPr>{properties}</w:rPr>" if properties else ""


def run(value: str, bold: bool = False, italic: bool = False, size_points: float | None = None,
        colour: str | None = None) -> str:
    properties = run_properties(bold, italic, size_points, colour)
    return f'<w:r>{properties}<w:t xml:space="preserve">{text(value)}</w:t></w:r>'


def lines_paragraph(value, bold: bool = False, size_points: float | None = None, colour: str | None = None) -> str:
    """One paragraph; each line of value after the first starts after a line break."""
    runs = []
    for index, line in enumerate(str(value).split("\n")):
        if index:
            runs.append("<w:r><w:br/></w:r>")
        runs.append(run(line, bold=bold, size_points=size_points, colour=colour))
    return "<w:p>" + "".join(runs) + "</w:p>"


def bookmark(name: str, number: int) -> RawXml:
    return RawXml(f'<w:bookmarkStart w:id="{number}" w:name="{escape(name)}"/><w:bookmarkEnd w:id="{number}"/>')


def contents_entry(style_id: str, words: str, page, anchor: str | None) -> RawXml:
    """One table-of-contents entry as Word writes it: the heading's words, a tab, its page, all a
    link to the bookmark `anchor` on the heading (no link when the heading was not found)."""
    runs = (f'<w:r><w:t xml:space="preserve">{text(words)}</w:t></w:r><w:r><w:tab/></w:r>'
            f'<w:r><w:t>{escape(str(page))}</w:t></w:r>')
    if anchor:
        runs = f'<w:hyperlink w:anchor="{_attribute(anchor)}" w:history="1">{runs}</w:hyperlink>'
    return RawXml(f'<w:p><w:pPr><w:pStyle w:val="{_attribute(style_id)}"/></w:pPr>{runs}</w:p>')


def page_reference(bookmark_name: str, cached: str = "") -> RawXml:
    """A PAGEREF field; its cached result is refreshed by LibreOffice during build, or by Word on open."""
    return RawXml(
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> PAGEREF {escape(bookmark_name)} \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>{escape(cached)}</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _cell(content: str, width_twips: int | None, fill: str | None) -> str:
    properties = ""
    if width_twips:
        properties += f'<w:tcW w:w="{width_twips}" w:type="dxa"/>'
    if fill:
        properties += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{content}</w:tc>" if properties else f"<w:tc>{content}</w:tc>"


def table_xml(spec) -> RawXml:
    """A documents.common.TableSpec as a Word table in the template's 'Table Grid' style: header row
    marked and repeated on every page, rows kept whole where they fit."""
    columns = len(spec.headers)
    widths_cm = spec.widths_cm or [DEFAULT_TABLE_WIDTH_CM / max(columns, 1)] * columns
    widths = [int(width * TWIPS_PER_CM) for width in widths_cm]
    layout = '<w:tblLayout w:type="fixed"/>' if spec.widths_cm else ""
    parts = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>' + layout
        + '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0"'
          ' w:noHBand="0" w:noVBand="1"/></w:tblPr>',
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{width}"/>' for width in widths) + "</w:tblGrid>",
        '<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>',
    ]
    for header, width in zip(spec.headers, widths):
        parts.append(_cell(lines_paragraph(header, bold=True, size_points=spec.font_size, colour="FFFFFF"),
                           width if spec.widths_cm else None, HEADER_FILL))
    parts.append("</w:tr>")
    for row_index, values in enumerate(spec.rows):
        values = list(values) + [""] * (columns - len(values))
        parts.append('<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>')
        for column, (value, width) in enumerate(zip(values, widths)):
            fill = spec.fills[row_index][column] if spec.fills else None
            content = lines_paragraph(value, bold=spec.bold_first_column and column == 0, size_points=spec.font_size)
            parts.append(_cell(content, width if spec.widths_cm else None, fill))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return RawXml("".join(parts))


def _attribute(value: str) -> str:
    return text(value).replace('"', "&quot;")


def figure_table(columns: list[dict], banner: str, caption: str, description: str) -> RawXml:
    """A one-page visual drawn as a table: a banner across the top, then one coloured column per
    group ({title, subtitle, colour, items}). Its caption and description are the table's alt text,
    so a screen reader announces what the picture shows."""
    count = max(len(columns), 1)
    width = int(DEFAULT_TABLE_WIDTH_CM * TWIPS_PER_CM / count)  # the grid's nominal widths; the table fills the page
    parts = [
        "<w:tbl><w:tblPr>",
        '<w:tblStyle w:val="TableGrid"/>',
        '<w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/>',
        f'<w:tblCaption w:val="{_attribute(caption)}"/><w:tblDescription w:val="{_attribute(description)}"/>',
        "</w:tblPr>",
        "<w:tblGrid>" + f'<w:gridCol w:w="{width}"/>' * count + "</w:tblGrid>",
        '<w:tr><w:trPr><w:cantSplit w:val="true"/><w:tblHeader w:val="true"/></w:trPr>'
        f'<w:tc><w:tcPr><w:tcW w:w="5000" w:type="pct"/><w:gridSpan w:val="{count}"/>'
        '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr>'
        f'<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:before="120" w:after="120"/></w:pPr>'
        f'{run(banner, bold=True, italic=True, size_points=12)}</w:p></w:tc></w:tr>',
        '<w:tr><w:trPr><w:cantSplit w:val="true"/><w:tblHeader w:val="true"/></w:trPr>',
    ]
    for column in columns:
        fill = column.get("colour") or "1F3A5F"
        ink = text_colour_for(fill)
        heading = run(column["title"], bold=True, size_points=11, colour=ink)
        if column.get("subtitle"):
            heading += "<w:r><w:br/></w:r>" + run(column["subtitle"], size_points=9, colour=ink)
        parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>'
                     f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/></w:tcPr>'
                     f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{heading}</w:p></w:tc>')
    parts.append("</w:tr>")
    parts.append('<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>')
    for column in columns:
        fill = column.get("colour") or "1F3A5F"
        items = "".join(f'<w:p><w:pPr><w:spacing w:after="80"/></w:pPr>{run(item, size_points=9)}</w:p>'
                        for item in column.get("items") or []) or "<w:p/>"
        parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:tcBorders>'
                     f'<w:left w:val="single" w:sz="24" w:color="{fill}"/><w:right w:val="single" w:sz="24" w:color="{fill}"/>'
                     f'<w:bottom w:val="single" w:sz="24" w:color="{fill}"/></w:tcBorders></w:tcPr>{items}</w:tc>')
    parts.append("</w:tr></w:tbl>")
    return RawXml("".join(parts))


# ECMA-376 CT_TcPr: a cell's properties in the order the schema (and Word) require
CELL_PROPERTY_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
                       "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel",
                       "cellMerge", "tcPrChange")


# ECMA-376 CT_RPr: a run's properties in the schema's order (as python-docx's CT_RPr has them)
RUN_PROPERTY_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
                      "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color",
                      "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd",
                      "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@lru_cache(maxsize=None)
def _later_tags(name: str, order: tuple[str, ...]) -> frozenset:
    return frozenset(W + later for later in order[order.index(name) + 1:])


def child_in_order(parent, name: str, order: tuple[str, ...]):
    """parent's w:NAME child; made where the schema's `order` puts it when there is none (python-docx's
    own get_or_add does the same through a generic look-up that cost seconds on a large plan)."""
    found = parent.find(W + name)
    if found is not None:
        return found
    element = parent.makeelement(W + name)  # in the parent's document: no namespace of its own to reconcile
    later = _later_tags(name, order)
    for child in parent:
        if child.tag in later:
            child.addprevious(element)
            return element
    parent.append(element)
    return element


def run_properties_of(run):
    """A w:r's w:rPr, made as its first child when it has none."""
    found = run.find(W + "rPr")
    if found is None:
        found = run.makeelement(W + "rPr")
        run.insert(0, found)
    return found


def order_cell_properties(body) -> int:
    """docxtpl's {% cellbg %} puts w:shd first among a cell's properties, before the width Word
    expects to come first; Word may refuse a part whose elements are out of the schema's order.
    Puts the properties of every shaded cell in order; returns how many cells it changed."""
    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    rank = {namespace + name: index for index, name in enumerate(CELL_PROPERTY_ORDER)}
    changed = 0
    for shading in list(body.iter(namespace + "shd")):
        properties = shading.getparent()
        if properties.tag != namespace + "tcPr":
            continue
        children = list(properties)
        ordered = sorted(children, key=lambda child: rank.get(child.tag, len(rank)))
        if ordered != children:
            for child in ordered:
                properties.append(child)
            changed += 1
    return changed
