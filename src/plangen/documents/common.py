"""Pieces every document's context uses: people shown as name and role, blocks, raw fields."""

from __future__ import annotations

import re

from plangen import text as narrative, wordxml
from plangen.model import Plan
from plangen.wordxml import RawXml, bookmark, page_reference  # noqa: F401 (the context builders' vocabulary)


def blocks(markdown: str, references: bool = True) -> list[dict]:
    """Template-ready blocks: {kind, text: RichText}. Tables are flattened to paragraphs of cells."""
    ready = []
    for block in narrative.parse(markdown, references=references):
        if block["kind"] == "table":
            for row in block["rows"]:
                ready.append({"kind": "paragraph", "text": narrative.Inline(
                    [run for cell in row for run in cell.runs + [(" | ", False, False)]][:-1]).rich()})
        else:
            ready.append({"kind": block["kind"], "text": block["inline"].rich()})
    if not ready and markdown and markdown.strip():
        # text Markdown reads as nothing ("0." is an empty numbered item) is printed as written
        from docxtpl import RichText

        ready.append({"kind": "paragraph", "text": RichText(" ".join(markdown.split()))})
    return ready


def person_display(plan: Plan, person_id: str | None) -> str:
    """'Philip Segurolo, Interim Director, … (PS)'; an unknown id is shown as printed."""
    if not person_id:
        return ""
    person = plan.person(person_id)
    if person is None:
        return person_id
    return f"{person.display} ({person_id})" if person.kind == "person" else person.display


def leads_text(leads) -> str:
    return " / ".join(leads)


def lines(items: list[str]):
    """Several short lines in one table-cell paragraph, separated by line breaks (a cell is never left empty)."""
    text = "\n".join(items)
    rich = narrative.rich_text_class()()
    rich.xml = wordxml.run(text) if text else ""
    if not any(character in rich.xml for character in "\t\a\f"):
        # the break docxtpl's listing pass would make of each newline, made here: the rendered
        # document is then scanned for nothing (the pass rewrote a large plan paragraph by paragraph)
        rich.xml = rich.xml.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return rich


def cell_blocks(markdown_blocks: list[dict]) -> list[dict]:
    """Blocks for a table cell: at least one paragraph, because Word requires one in every cell."""
    if markdown_blocks:
        return markdown_blocks
    return [{"kind": "paragraph", "text": narrative.rich_text_class()("")}]


def table_caption(table) -> str:
    """A table's caption (its alt-text title), from python-docx's Table or its w:tbl element."""
    from docx.oxml.ns import qn

    element = getattr(table, "_tbl", table)
    caption = element.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}")
    return caption.get(qn("w:val"), "") if caption is not None else ""


ROW_TAG = re.compile(r"\{%-?\s*tr\s")


def _cell_text(cell_element) -> str:
    from docx.oxml.ns import qn

    return "".join(node.text or "" for node in cell_element.iter(qn("w:t")))


def span_milestone_rows(table, spanning: list[int], number_column: int) -> None:
    """Rows without a number continue the action above (its milestones): its cells in `spanning`
    columns are merged down over them, so the action reads once beside all its milestones.
    `table` is a w:tbl element."""
    from docx.oxml.ns import qn

    from plangen.wordxml import CELL_PROPERTY_ORDER, child_in_order

    row_tag, cell_tag, properties_tag = qn("w:tr"), qn("w:tc"), qn("w:tcPr")
    merge_path, value_attribute = f"{properties_tag}/{qn('w:vMerge')}", qn("w:val")

    def set_merge(cell, value):
        properties = cell.find(properties_tag)
        if properties is None:
            properties = cell.get_or_add_tcPr()
        # in the schema's place among the cell's properties: before a shading {% cellbg %} gave it
        child_in_order(properties, "vMerge", CELL_PROPERTY_ORDER).set(value_attribute, value)

    width = len(table.tblGrid.findall(qn("w:gridCol")))
    previous = None
    for row in table.findall(row_tag)[1:]:
        cells = row.findall(cell_tag)
        if len(cells) != width:  # a group row
            previous = None
            continue
        if _cell_text(cells[number_column]).strip():
            previous = cells
            continue
        if previous is None:
            continue
        for column in spanning:
            if previous[column].find(merge_path) is None:
                set_merge(previous[column], "restart")
            set_merge(cells[column], "continue")


def keep_columns(table, columns: list[int], widths_cm: list[float]) -> None:
    """Keep only the given columns of a template's table, in the given order and widths (a cell merged
    across the whole row, such as a group heading, still spans it). Rows holding a `{%tr %}` tag are
    left whole: docxtpl replaces such a row by its tag, whichever cell holds it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    twips = [str(int(width * 567)) for width in widths_cm]
    as_written = [str(Cm(width).twips) for width in widths_cm]  # a cell's width as python-docx writes it
    grid = table._tbl.tblGrid
    old_columns = grid.findall(qn("w:gridCol"))
    for column in old_columns:
        grid.remove(column)
    for width in twips:
        column = OxmlElement("w:gridCol")
        column.set(qn("w:w"), width)
        grid.append(column)
    for row in table._tbl.tr_lst:
        cells = row.tc_lst
        if ROW_TAG.search(_cell_text(row)):
            continue
        if len(cells) != len(old_columns):
            if len(cells) == 1:
                cells[0].grid_span = len(columns)
                cells[0].width = Cm(sum(widths_cm))
            continue
        for cell in cells:
            row.remove(cell)
        for index, width, written in zip(columns, widths_cm, as_written):
            cell = cells[index]
            row.append(cell)
            set_width(cell, width, written)
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    if table_width is not None:
        table_width.set(qn("w:w"), str(sum(int(width) for width in twips)))
        table_width.set(qn("w:type"), "dxa")


def set_width(cell, width_cm: float, written: str | None = None) -> None:
    """A cell's width in twips: set on the template's own w:tcW where it has one (python-docx's
    setter looks up its place among the cell properties each time, a third of a large plan's
    post-processing), else through python-docx."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    properties = cell.find(qn("w:tcPr"))
    width = properties.find(qn("w:tcW")) if properties is not None else None
    if width is None:
        cell.width = Cm(width_cm)
        return
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), written or str(Cm(width_cm).twips))  # as python-docx writes it


class TableSpec:
    """A table a context builder computes (its columns vary with the plan); the renderer turns it into
    a Word table styled by the template's 'Table Grid' style, with a repeating header row."""

    def __init__(self, headers: list[str], rows: list[list[str]], fills: list[list[str | None]] | None = None,
                 widths_cm: list[float] | None = None, bold_first_column: bool = False, font_size: float = 9):
        self.headers = headers
        self.rows = rows
        self.fills = fills
        self.widths_cm = widths_cm
        self.bold_first_column = bold_first_column
        self.font_size = font_size

    def as_data(self) -> dict:
        return {"headers": self.headers, "rows": self.rows}
