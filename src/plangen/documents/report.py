"""The council's cover-report format, shared by the Scrutiny update and the Cabinet report.

A report file holds what is particular to one paper; this module numbers its sections and
paragraphs (1.1, 2.1.1 — never typed by hand), places generated tables where the narrative asks
for them with a `[generated: NAME]` paragraph (or after a section's body via `generated:`), and
repeats the recommendations as the last section, as the council does.

Context (`plangen context report FILE` prints it):
  general_release, agenda_item, title, header_rows: [{label, value: blocks}], recommendations_intro,
  recommendations: [{number: 'i)', text}], items: [{kind, number, text, table, xml}], contact_lines,
  background_documents, appendix_lines, appendix_items, footer_note, meeting_date, extra (the report
  file's x- values, without the x-)
  item kinds: heading, subheading, minor_heading, numbered, paragraph, bullet, bullet2, table, xml
  (finished Word XML: tables, figures, numbered list items, section breaks), appendix, signoff
"""

from __future__ import annotations

import datetime
import re

from plangen import markdown_word
from plangen import text as narrative
from plangen.dates import PlanDate
from plangen.documents.common import TableSpec, person_display
from plangen.wordxml import RawXml
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


def styled_date(date: PlanDate, style: str | None) -> str:
    """A date in the report's `date_style`: long (default), ordinal, numeric or iso."""
    if style == "iso":
        return date.iso()
    if style == "numeric":
        return f"{date.day:02d}/{date.month:02d}/{date.year}" if date.day else f"{date.month:02d}/{date.year}"
    if style == "ordinal" and date.day:
        suffix = "th" if 10 <= date.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(date.day % 10, "th")
        return f"{date.day}{suffix} {date.long().split(' ', 1)[1]}"
    return date.long()


def meeting_long(report: SourceFile) -> str:
    return styled_date(meeting_date(report), report.data.get("date_style"))


def extra_values(data: dict) -> dict:
    """The report file's own `x-` values, for a clerk's template: `extra.NAME` (without the x-)."""
    return {str(key)[2:]: value for key, value in data.items() if str(key).startswith("x-")}


def meeting_date(report: SourceFile) -> PlanDate:
    return PlanDate.parse(report.data["meeting"]["date"])


def as_of(report: SourceFile) -> datetime.date:
    from plangen.progress import report_as_of

    return report_as_of(report.data)


def document_title(report: SourceFile) -> str:
    """The .docx title: the subject, with the meeting, so a paper is never titled like the plan itself."""
    meeting = report.data["meeting"]
    return f"{report.data['subject']} – {meeting['committee']}, {meeting_long(report)}"


def person_line(plan: Plan, person_id: str | None, day: datetime.date | None = None) -> str:
    """'Councillor Alisa Flemming, Cabinet Member for …': title, name and the role held on `day`
    (the meeting date) from the register."""
    person = plan.person(person_id) if person_id else None
    return person.display_on(day) if person else (person_id or "")


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


class Narrative:
    """Where a report's narrative lives: figures are found relative to its file, inside the repository."""

    def __init__(self, report: SourceFile, plan: Plan):
        self.base = report.path.resolve().parent
        self.repository = plan.root.resolve().parent

    def figure(self, block: dict) -> dict:
        from plangen.errors import RenderError

        problem = markdown_word.image_problem(block["src"], self.base, self.repository)
        if problem:
            raise RenderError(problem[0], hint=problem[1] + " ('plangen validate' shows where)")
        image = (self.base / block["src"]).resolve().read_bytes()
        return {"kind": "xml", "number": "", "xml": markdown_word.figure(image, block["alt"], block["caption"])}


def body_items(markdown: str, numberer: Numberer, generated, where: Narrative | None = None,
               numbered: bool = True) -> list[dict]:
    """Narrative -> items. Each paragraph gets the next number unless it ends with `{-}` (or the
    body is unnumbered, as an appendix's is); lists, tables and figures follow their paragraph."""
    items = []
    for block in markdown_word.parse(markdown, references=True):
        kind = block["kind"]
        if kind == "table":
            items.append({"kind": "xml", "number": "", "xml": markdown_word.table(block)})
        elif kind == "figure":
            if where is None:
                items.append({"kind": "paragraph", "number": "", "text": markdown_word.runs_xml(
                    [("text", f"[{block['alt']}]", False, True)])})
            else:
                items.append(where.figure(block))
        elif kind == "heading":
            text = markdown_word.runs(block["inline"])
            number = ""
            if numbered and not block["unnumbered"]:
                number = numberer.next_subsection()
                text = markdown_word.run(f"{number} ") + text
            items.append({"kind": "subheading" if block["level"] <= 2 else "minor_heading", "number": number,
                          "text": RawXml(text)})
        elif kind == "item":
            if not block["ordered"] and block["first"] and block["depth"] <= 2:
                items.append({"kind": "bullet" if block["depth"] == 1 else "bullet2", "number": "",
                              "text": markdown_word.runs_xml(block["inline"])})
            else:
                items.append({"kind": "xml", "number": "", "xml": RawXml(markdown_word.list_item(block))})
        elif kind == "code":
            items.append({"kind": "paragraph", "number": "", "text": RawXml(markdown_word.run(block["text"]))})
        elif kind == "rule":
            items.append({"kind": "xml", "number": "", "xml": RawXml(
                '<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr></w:pPr></w:p>')})
        else:
            marker = GENERATED.match(markdown_word.plain(block["inline"]).strip())
            if marker:
                items.extend(generated(marker.group(1)))
            elif block.get("quote"):
                items.append({"kind": "xml", "number": "", "xml": RawXml(markdown_word.paragraph(
                    markdown_word.runs(block["inline"]), indent_cm=1.9))})
            elif numbered and not block["unnumbered"]:
                items.append({"kind": "numbered", "number": numberer.next_paragraph(),
                              "text": markdown_word.runs_xml(block["inline"])})
            else:
                items.append({"kind": "paragraph", "number": "", "text": markdown_word.runs_xml(block["inline"])})
    return items


def is_table(item: dict) -> bool:
    return item.get("kind") == "table" or (item.get("kind") == "xml" and str(item.get("xml", "")).startswith("<w:tbl"))


ITEM_KEYS = ("kind", "number", "text", "table", "xml")


def tables_kept_apart(items: list[dict]) -> list[dict]:
    """Word and LibreOffice merge tables that touch into one, under the first one's header row:
    a small empty paragraph goes between any two tables that follow each other. Every item gets
    every key (empty where it does not apply), so a template's tags hold for any paper's data and
    `plangen check-template` can check them."""
    result = []
    for item in items:
        if result and is_table(item) and is_table(result[-1]):
            result.append({"kind": "xml", "number": "", "xml": markdown_word.separator()})
        result.append(item)
    return [{key: item.get(key, "") for key in ITEM_KEYS} | item for item in result]


def section_items(section: dict, numberer: Numberer, generated, depth: int = 0, where: Narrative | None = None) -> list[dict]:
    from docxtpl import RichText

    number = numberer.next_section() if depth == 0 else numberer.next_subsection()
    items = [{"kind": "heading" if depth == 0 else "subheading", "number": number,
              "text": RichText(f"{number}. {section['title']}" if depth == 0 else f"{number} {section['title']}")}]
    items += body_items(section.get("body", ""), numberer, generated, where)
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
        items += section_items(subsection, numberer, generated, depth + 1, where)
    return landscape(items) if section.get("landscape") else items


def landscape(items: list[dict]) -> list[dict]:
    """Items on landscape pages: a section break before them ends the pages as the template sets
    them, and one after them ends the landscape pages."""
    return ([{"kind": "xml", "number": "", "xml": markdown_word.section_break("template")}] + items
            + [{"kind": "xml", "number": "", "xml": markdown_word.section_break("landscape")}])


def free_section_items(section: dict, generated, where: Narrative, depth: int = 0) -> list[dict]:
    """An appendix's own section: an unnumbered heading, unnumbered paragraphs."""
    from docxtpl import RichText

    items = [{"kind": "subheading" if depth == 0 else "minor_heading", "number": "", "text": RichText(section["title"])}]
    items += body_items(section.get("body", ""), Numberer(), generated, where, numbered=False)
    for name in section.get("generated") or []:
        items += generated(name)
    for subsection in section.get("sections") or []:
        items += free_section_items(subsection, generated, where, depth + 1)
    return landscape(items) if section.get("landscape") else items


# The text width of the report template's A4 pages (1.8 cm margins), upright and turned
PORTRAIT_WIDTH_CM = 17.4
LANDSCAPE_WIDTH_CM = 26.1


def appendix_items(plan: Plan, report: SourceFile, generated, generated_content,
                   wide_contents: tuple[str, ...] = ()) -> list[dict]:
    """Each appendix under its own 'Appendix N: title' heading (numbered as the APPENDICES list is):
    generated content (`generated_content(content, heading, width_cm)` returns its items laid out
    for that text width, or None for a kind of content this paper does not generate), or the
    appendix's own body and sections. Content in `wide_contents` goes on landscape pages unless
    the appendix says `landscape: false`."""
    from docxtpl import RichText

    where = Narrative(report, plan)
    items = []
    for number, appendix in enumerate(report.data.get("appendices") or [], start=1):
        heading = {"kind": "appendix", "number": str(number), "text": RichText(f"Appendix {number}: {appendix['title']}")}
        content = appendix.get("content")
        turned = appendix.get("landscape", content in wide_contents)
        width = LANDSCAPE_WIDTH_CM if turned else PORTRAIT_WIDTH_CM
        made = generated_content(content, heading, width) if content else None
        if made is None:
            made = [heading]
            if appendix.get("body") or appendix.get("sections"):
                made += body_items(appendix.get("body", ""), Numberer(), generated, where, numbered=False)
                for section in appendix.get("sections") or []:
                    made += free_section_items(section, generated, where)
            elif content == "plan":
                made.append(note(f"The {plan.title} is published with this report as a separate document, "
                                 "made from the same plan files."))
            else:
                made.append(note("Published with this report as a separate document."))
        items += landscape(made) if turned else made
    return tables_kept_apart(items)


def note(text: str) -> dict:
    from docxtpl import RichText

    return {"kind": "paragraph", "number": "", "text": RichText(text, italic=True)}


def header_value(plan: Plan, report: SourceFile, key: str, recommendations) -> list[dict]:
    from docxtpl import RichText

    data = report.data
    header = data.get("header") or {}
    meeting = data["meeting"]
    if key == "report_to":
        return [{"kind": "paragraph", "text": RichText(f"{meeting['committee']} {meeting_long(report)}", bold=True)}]
    if key == "subject":
        return [{"kind": "paragraph", "text": RichText(data["subject"], bold=True)}]
    if key in ("lead_officer", "cabinet_member", "person_leading"):
        if not header.get(key):
            return []
        return [{"kind": "paragraph", "text": RichText(person_line(plan, header[key], meeting_date(report).first_day), bold=True)}]
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
    labels = dict(HEADER_ROWS)
    # the report file's header_rows, when given, are the rows in its order with its labels
    chosen = data.get("header_rows") or [{"field": key, "label": label} for key, label in HEADER_ROWS]
    for row in chosen:
        if row.get("field"):
            value = header_value(plan, report, row["field"], recommendations)
        else:
            value = [{"kind": block["kind"], "text": block["inline"].rich()}
                     for block in narrative.parse(str(row.get("text") or ""), references=True) if "inline" in block]
        if value:
            header_rows.append({"label": row.get("label") or labels.get(row.get("field"), ""), "value": value})

    numberer = Numberer()
    items: list[dict] = []
    for section in data.get("sections") or []:
        items += section_items(section, numberer, generated, where=Narrative(report, plan))
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
        name = contact.get("name") or ((f"{person.title} {person.name}" if person.title else person.name) if person else "")
        title = contact.get("title") or (person.role_on(meeting_date(report).first_day) if person else "")
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
        "items": tables_kept_apart(items),
        "contact_lines": contact_lines,
        "background_documents": data.get("background_documents") or ["None"],
        "appendix_lines": [f"Appendix {index + 1}: {appendix['title']}" for index, appendix in enumerate(appendices)],
        "footer_note": f"{data['meeting']['committee']}, {meeting_long(report)}",
        "meeting_date": meeting_long(report),
        "extra": extra_values(data),
        "draft_mark": "",
    }
