"""The council's cover-report format, shared by the Scrutiny update and the Cabinet report.

A report file holds what is particular to one paper; this module numbers its sections and
paragraphs (1.1, 2.1.1 — never typed by hand), places generated tables where the narrative asks
for them with a `[generated: NAME]` paragraph (or after a section's body via `generated:`), and
repeats the recommendations as the last section, as the council does.

Context (`plangen context report FILE` prints it):
  general_release, agenda_item, title, header_rows: [{label, value: blocks}], recommendations_intro,
  recommendations: [{number: 'i)', text}], items: [{kind, number, text, table}], contact_lines,
  background_documents, appendix_lines, appendix_sections: [{title, items}], footer_note
  item kinds: heading, subheading, numbered, paragraph, bullet, bullet2, table, signoff
"""

from __future__ import annotations

import datetime
import re

from plangen import text as narrative
from plangen.dates import PlanDate
from plangen.documents.common import TableSpec, person_display
from plangen.model import Plan
from plangen.yamlio import SourceFile

GENERATED = re.compile(r"^\[generated:\s*([a-z-]+)\]$")
HEADER_ROWS = [
    ("report_to", "REPORT TO:"),
    ("subject", "SUBJECT:"),
    ("lead_officer", "LEAD OFFICER:"),
    ("cabinet_member", "CABINET MEMBER:"),
    ("person_leading", "PERSON LEADING AT SCRUTINY COMMITTEE MEETING:"),
    ("wards", "WARDS:"),
    ("key_decision", "KEY DECISION REFERENCE NO.:"),
    ("corporate_priority", "CORPORATE PRIORITY/POLICY CONTEXT:"),
    ("financial_impact", "FINANCIAL IMPACT:"),
    ("origin", "ORIGIN OF ITEM:"),
    ("brief", "BRIEF FOR THE COMMITTEE:"),
    ("recommendations", "RECOMMENDATIONS:"),
]
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]


def roman(index: int) -> str:
    return f"{ROMAN[index]})" if index < len(ROMAN) else f"{index + 1})"


def meeting_date(report: SourceFile) -> PlanDate:
    return PlanDate.parse(report.data["meeting"]["date"])


def as_of(report: SourceFile) -> datetime.date:
    value = report.data.get("as_of") or report.data["meeting"]["date"]
    date = PlanDate.parse(value)
    return date.first_day if date.day else date.last_day


def document_title(report: SourceFile) -> str:
    """The .docx title: the subject, with the meeting, so a paper is never titled like the plan itself."""
    meeting = report.data["meeting"]
    return f"{report.data['subject']} – {meeting['committee']}, {meeting_date(report).long()}"


def person_line(plan: Plan, person_id: str | None) -> str:
    """'Barbara Peacock, Executive Director (People)' — name and role from the register."""
    person = plan.person(person_id) if person_id else None
    return person.display if person else (person_id or "")


class Numberer:
    """Hierarchical paragraph numbers: sections 1, 2; subsections 2.1; paragraphs 2.1.1."""

    def __init__(self):
        self.section = 0
        self.subsection = 0
        self.paragraph = 0

    def next_section(self) -> str:
        self.section += 1
        self.subsection = 0
        self.paragraph = 0
        return str(self.section)

    def next_subsection(self) -> str:
        self.subsection += 1
        self.paragraph = 0
        return f"{self.section}.{self.subsection}"

    def next_paragraph(self) -> str:
        self.paragraph += 1
        prefix = f"{self.section}.{self.subsection}" if self.subsection else f"{self.section}"
        return f"{prefix}.{self.paragraph}"


def body_items(markdown: str, numberer: Numberer, generated) -> list[dict]:
    """Narrative -> items. Each paragraph gets the next number; lists and tables follow their paragraph."""
    items = []
    for block in narrative.parse(markdown, references=True):
        if block["kind"] == "table":
            rows = [[cell.plain for cell in row] for row in block["rows"]]
            items.append({"kind": "table", "number": "", "table": TableSpec(rows[0] if rows else [], rows[1:])})
            continue
        inline = block["inline"]
        marker = GENERATED.match(inline.plain.strip())
        if marker:
            items.extend(generated(marker.group(1)))
            continue
        if block["kind"] == "paragraph":
            items.append({"kind": "numbered", "number": numberer.next_paragraph(), "text": inline.rich()})
        else:
            items.append({"kind": block["kind"], "number": "", "text": inline.rich()})
    return items


def section_items(section: dict, numberer: Numberer, generated, depth: int = 0) -> list[dict]:
    from docxtpl import RichText

    number = numberer.next_section() if depth == 0 else numberer.next_subsection()
    items = [{"kind": "heading" if depth == 0 else "subheading", "number": number,
              "text": RichText(f"{number}. {section['title']}" if depth == 0 else f"{number} {section['title']}")}]
    items += body_items(section.get("body", ""), numberer, generated)
    for name in section.get("generated") or []:
        items += generated(name)
    sign_off = section.get("approved_by")
    if sign_off:
        line = f"Approved by: {sign_off['name']}"
        if sign_off.get("on_behalf_of"):
            line += f" on behalf of {sign_off['on_behalf_of']}"
        items.append({"kind": "signoff", "number": "", "text": RichText(line, italic=True)})
    if not (section.get("body") or section.get("generated") or section.get("sections")):
        # a heading standing alone reads as a mistake; say plainly that the text is still to come
        items.append({"kind": "paragraph", "number": "",
                      "text": RichText("No text has been provided for this section yet.", italic=True)})
    for subsection in section.get("sections") or []:
        items += section_items(subsection, numberer, generated, depth + 1)
    return items


def header_value(plan: Plan, report: SourceFile, key: str, recommendations) -> list[dict]:
    from docxtpl import RichText

    data = report.data
    header = data.get("header") or {}
    meeting = data["meeting"]
    if key == "report_to":
        return [{"kind": "paragraph", "text": RichText(f"{meeting['committee']} {PlanDate.parse(meeting['date']).long()}", bold=True)}]
    if key == "subject":
        return [{"kind": "paragraph", "text": RichText(data["subject"], bold=True)}]
    if key in ("lead_officer", "cabinet_member", "person_leading"):
        if not header.get(key):
            return []
        return [{"kind": "paragraph", "text": RichText(person_line(plan, header[key]), bold=True)}]
    if key == "recommendations":
        if not recommendations:
            return []
        lines = []
        if data.get("recommendations_introduction"):
            lines.append({"kind": "paragraph", "text": RichText(data["recommendations_introduction"])})
        for item in recommendations:
            lines.append({"kind": "paragraph", "text": narrative.Inline(
                [(f"{item['number']} ", False, False)] + item["inline"].runs).rich()})
        return lines
    value = header.get(key)
    if not value:
        return []
    return [{"kind": block["kind"], "text": block["inline"].rich()}
            for block in narrative.parse(str(value), references=True) if "inline" in block]


def meeting_body(data: dict) -> str:
    """'Cabinet' for a Cabinet paper, 'committee' otherwise, as the council writes it."""
    committee = data["meeting"]["committee"]
    return committee if committee.lower() == "cabinet" else "committee"


def build(plan: Plan, report: SourceFile, generated) -> dict:
    """The cover-report context; `generated(name)` returns items for a generated table."""
    from docxtpl import RichText

    data = report.data
    recommendations = []
    for index, text in enumerate(data.get("recommendations") or []):
        blocks = [block for block in narrative.parse(text, references=True) if "inline" in block]
        inline = narrative.Inline([run for block in blocks for run in block["inline"].runs])
        recommendations.append({"number": roman(index), "inline": inline, "text": inline.rich()})
    header_rows = []
    for key, label in HEADER_ROWS:
        value = header_value(plan, report, key, recommendations)
        if value:
            header_rows.append({"label": label, "value": value})

    numberer = Numberer()
    items: list[dict] = []
    for section in data.get("sections") or []:
        items += section_items(section, numberer, generated)
    if recommendations:
        number = numberer.next_section()
        items.append({"kind": "heading", "number": number, "text": RichText(f"{number}. RECOMMENDATIONS")})
        intro = data.get("recommendations_introduction") or f"The {meeting_body(data)} is asked:"
        items.append({"kind": "numbered", "number": numberer.next_paragraph(), "text": RichText(intro)})
        for item in recommendations:
            items.append({"kind": "paragraph", "number": "",
                          "text": narrative.Inline([(f"{item['number']} ", False, False)] + item["inline"].runs).rich()})

    contact = data.get("contact") or {}
    contact_lines = []
    if contact:
        person = plan.person(contact.get("person")) if contact.get("person") else None
        name = contact.get("name") or (person.name if person else "")
        title = contact.get("title") or (person.role if person else "")
        phone = contact.get("phone") or (person.phone if person else "")
        email = contact.get("email") or (person.email if person else "")
        contact_lines = [", ".join(part for part in (name, title) if part)]
        contact_lines += [line for line in (f"Telephone: {phone}" if phone else "", f"Email: {email}" if email else "") if line]
    appendices = data.get("appendices") or []
    return {
        "general_release": bool(data.get("general_release")),
        "agenda_item": data.get("agenda_item", ""),
        "title": data["subject"],
        "header_rows": header_rows,
        "recommendations": [{"number": item["number"], "text": item["text"]} for item in recommendations],
        "items": items,
        "contact_lines": contact_lines,
        "background_documents": data.get("background_documents") or ["None"],
        "appendix_lines": [f"Appendix {index + 1}: {appendix['title']}" for index, appendix in enumerate(appendices)],
        "appendix_sections": [],
        "footer_note": f"{data['meeting']['committee']}, {meeting_date(report).long()}",
        "draft_mark": "",
    }
