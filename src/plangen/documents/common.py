"""Pieces every document's context uses: people shown as name and role, blocks, raw fields."""

from __future__ import annotations

from plangen import text as narrative
from plangen.model import Plan


class RawXml(str):
    """WordprocessingML placed as-is by a {{r …}} tag (fields, bookmarks). Built only by plangen."""

    def __html__(self):
        return str(self)


def bookmark(name: str, number: int) -> RawXml:
    return RawXml(f'<w:bookmarkStart w:id="{number}" w:name="{name}"/><w:bookmarkEnd w:id="{number}"/>')


def page_reference(bookmark_name: str, cached: str = "") -> RawXml:
    """A PAGEREF field; its cached result is refreshed by LibreOffice during build, or by Word on open."""
    return RawXml(
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> PAGEREF {bookmark_name} \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>{cached}</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


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
