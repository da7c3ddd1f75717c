"""Pieces every document's context uses: people shown as name and role, blocks, raw fields."""

from __future__ import annotations

from plangen import text as narrative
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
    from docxtpl import RichText

    return RichText("\n".join(items))


def cell_blocks(markdown_blocks: list[dict]) -> list[dict]:
    """Blocks for a table cell: at least one paragraph, because Word requires one in every cell."""
    if markdown_blocks:
        return markdown_blocks
    from docxtpl import RichText

    return [{"kind": "paragraph", "text": RichText("")}]


def remove_last_column(table) -> None:
    """Drop a table's last column (cells, widths, and the span of cells merged across it)."""
    from docx.oxml.ns import qn

    grid = table._tbl.tblGrid
    columns = grid.findall(qn("w:gridCol"))
    if len(columns) < 2:
        return
    grid.remove(columns[-1])
    for row in table._tbl.tr_lst:
        last = row.tc_lst[-1]
        if last.grid_span > 1:
            last.grid_span = last.grid_span - 1
        else:
            row.remove(last)


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
