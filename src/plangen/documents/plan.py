"""The improvement plan itself, as the council publishes it (templates/plan.docx).

Context (also printed by `plangen context plan`):
  council, title, date_long, version_line, approval_lines, draft_mark, footer_note, labels
  introduction, our_plan, conditions, governance, status_introduction, sro_introduction,
  lead_officers_introduction: lists of blocks {kind, text}
  vision: {introduction: blocks, statement, what_we_will_do: [str]} or None
  overview_rows: [{work_stream, work_stream_colour, priority, recommendations, page}]   ("Our plan" table)
  plan_figure: {heading, table} or None   the plan on a page, a one-page figure with alt text
  statuses: [{label, colour, meaning, swatch_text}]
  sro_rows: [{work_stream, priority, sro}]
  sections: [{name, priorities: [priority]}]   one per work stream (name None without work streams)
    priority: {number, heading, bookmark, new_page, banner, banner_colour, sro, introduction,
               recommendations_heading, recommendations: [rich], issues, objectives, outcomes,
               measured_by, rows, what_good_looks_like, voices: [{heading, statements}]}
    rows: group rows {group, note} and action rows {number, issue, blocks, lead, partners, due,
          status_label, status_colour}; lead, partners and due are lines ("a. Dec 17") in one paragraph
  lead_officers: [{id, name, role}]
  success_measures: {heading, introduction, tables: [{title, entries: [{heading, measures}]}]} or None
  plan_on_a_page: {heading, work_streams, vision, priorities: [{title, including}], actions, success_measures} or None
"""

from __future__ import annotations

from plangen import progress
from plangen.dates import PlanDate
from plangen.documents.common import remove_last_column
from plangen.documents.common import blocks, bookmark, cell_blocks, leads_text, lines, page_reference, person_display
from plangen.model import Action, Plan, Priority
from plangen.contrast import is_colour, text_colour_for
from plangen.wordxml import RawXml, figure_table, run

NAME = "plan"
TEMPLATE = "plan.docx"
OUTPUT = "improvement-plan.docx"
DESCRIPTION = "The improvement plan, as the council publishes it"


def title(plan: Plan) -> str:
    return plan.title


def bookmark_name(priority: Priority) -> str:
    return "priority_" + "".join(character if character.isalnum() else "_" for character in priority.number)


def _date_long(plan: Plan) -> str:
    return plan.date.long() if plan.date else ""


def _recommendations_text(priority: Priority) -> str:
    if priority.recommendations_as_printed:
        return priority.recommendations_as_printed
    numbers = priority.recommendations
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"Recommendation {numbers[0]}"
    return "Recommendations " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _lines_with_letters(action: Action, values_for_action: list[str], values_for_steps: list[str]) -> list[str]:
    """One line per value: the action's own, then 'a. …' for each step that has its own."""
    lines = [value for value in values_for_action if value]
    for step, value in zip(action.steps, values_for_steps):
        if value:
            lines.append(f"{step.letter}. {value}" if len(action.steps) > 1 or lines else value)
    return lines


def rating(plan: Plan, action: Action) -> tuple[str, str]:
    """(label, colour) of the action's rating as recorded by the document's as-of date: the plan shows
    ratings, not the papers' overdue reckoning; a rating older than the plan's stale period says when
    it was last updated."""
    as_of = plan.document_as_of
    if as_of is None:
        status = plan.status_by_id.get(action.current_status or "")
        return (status.label, status.colour) if status else ("", "FFFFFF")
    standing = progress.standing(plan, action, as_of)
    if standing.recorded is None:
        return "", "FFFFFF"
    label = standing.recorded.label
    if standing.stale and standing.recorded_on:
        label += f", last updated {standing.recorded_on.short()}"
    return label, standing.recorded.colour


def as_of_line(plan: Plan) -> str:
    """Where the reader looks for what the ratings mean: 'Progress ratings as at 12 December 2017'."""
    as_of = plan.document_as_of
    if as_of is None or not plan.statuses:
        return ""
    day = PlanDate(as_of.year, as_of.month, as_of.day).long()
    if not any(plan.status_by_id.get(action.status_at(as_of) or "") for action in plan.actions):
        return f"Progress ratings as at {day}: none recorded yet"
    return f"Progress ratings as at {day}"


def action_row(plan: Plan, action: Action) -> dict:
    status_label, status_colour = rating(plan, action)
    action_blocks = blocks(action.text)
    for step in action.steps:
        step_blocks = blocks(step.text)
        if step_blocks and step_blocks[0]["kind"] == "paragraph":
            first = step_blocks.pop(0)
            from docxtpl import RichText

            lettered = RichText(f"{step.letter}. ")
            lettered.xml += first["text"].xml
            action_blocks.append({"kind": "step", "text": lettered})
        else:
            from docxtpl import RichText

            action_blocks.append({"kind": "step", "text": RichText(f"{step.letter}.")})
        action_blocks.extend(step_blocks)
    action_blocks.extend(blocks(action.after_steps))
    if action.placeholder:
        from docxtpl import RichText

        action_blocks.append({"kind": "paragraph", "text": RichText("(placeholder)", italic=True)})
    due_lines = _lines_with_letters(action, [action.due.display()], [step.due.display() for step in action.steps])
    lead_lines = _lines_with_letters(action, [leads_text(action.lead)], [leads_text(step.lead) for step in action.steps])
    if not lead_lines:
        lead_lines = ["Not named"]  # a blank cell hides that nobody is accountable
    if action.partners is None:
        partner_lines = []
    elif not action.partners:
        partner_lines = ["N/A"]
    else:
        partner_lines = list(action.partners)
    return {
        "group": None,
        "number": action.number,
        # one line per issue, each with its own references (a paragraph cited for one issue is not the other's)
        "issue": "\n".join(action.issue_lines(as_printed=plan.meta.get("refs_style") == "as-printed")),
        "blocks": cell_blocks(action_blocks),
        "lead": lines(lead_lines),
        "partners": lines(partner_lines),
        "due": lines(due_lines),
        "status_label": status_label,
        "status_colour": status_colour,
    }


def priority_context(plan: Plan, priority: Priority, index: int, new_page: bool) -> dict:
    labels = plan.labels
    stream = plan.work_stream_by_id.get(priority.work_stream or "")
    rows = []
    for group in priority.groups:
        if group.title:
            rows.append({"group": group.title, "note": blocks(group.note)})
        rows.extend(action_row(plan, action) for action in group.actions)
    recommendations = []
    by_number = {recommendation.number: recommendation for recommendation in plan.recommendations}
    from docxtpl import RichText

    for number in priority.recommendations:
        recommendation = by_number.get(number)
        rich = RichText(f"Recommendation {number}", bold=True)
        if recommendation and recommendation.text:
            rich.add(f" – {recommendation.text}")
        recommendations.append(rich)
    return {
        "number": priority.number,
        "heading": f"{priority.number}. {priority.title}",
        "bookmark": bookmark(bookmark_name(priority), index + 1),
        "new_page": new_page,
        "banner": stream.label if stream else "",
        "banner_colour": (stream.colour or "1F3A5F") if stream else "FFFFFF",
        "sro": person_display(plan, priority.sro),
        "introduction": blocks(priority.introduction),
        "recommendations_heading": f"{priority.number}. {priority.title} – {labels['recommendations']}",
        "recommendations": recommendations,
        "issues": priority.issues,
        "objectives": priority.objectives,
        "outcomes": [{"text": outcome.text, "outcomes": outcome.outcomes} for outcome in priority.outcomes],
        "measured_by": priority.measured_by,
        "rows": rows,
        "what_good_looks_like": priority.what_good_looks_like,
        "voices": [{"heading": f"What we hope {voice.who} will say", "statements": voice.statements}
                   for voice in priority.voices if voice.statements],
    }


def _colour(value: str | None, default: str) -> str:
    return value.upper() if is_colour(value) else default


def _coloured_text(text: str, fill: str | None) -> RawXml:
    """A run readable on its cell's fill: black or white, whichever contrasts more."""
    return RawXml(run(text, bold=True, colour=text_colour_for(_colour(fill, "FFFFFF"))) if text else "")


def plan_figure(plan: Plan) -> dict | None:
    """'Our plan on a page': the vision over one column per work stream, in its colour, with its
    priorities; drawn from the data as a table with alt text, so it fits a page and reads aloud."""
    on_a_page = plan.meta.get("plan_on_a_page")
    if not on_a_page or not plan.priorities:
        return None
    vision = on_a_page.get("vision") or (plan.meta.get("vision") or {}).get("statement") or plan.title
    columns = []
    for stream in plan.work_streams or [None]:
        priorities = [priority for priority in plan.priorities
                      if stream is None or priority.work_stream == stream.id]
        if stream is not None and not priorities:
            continue
        columns.append({"title": stream.name if stream else plan.labels["priorities"],
                        "subtitle": stream.colour_name or "" if stream else "",
                        "colour": _colour(stream.colour if stream else None, "1F3A5F"),
                        "items": [f"{priority.number}. {priority.title}" for priority in priorities]})
    heading = "Our plan on a page"
    description = (f"{heading}. Vision: {vision}. " + " ".join(
        f"{column['title']}" + (f" ({column['subtitle']})" if column["subtitle"] else "") + ": "
        + "; ".join(column["items"]) + "." for column in columns))
    return {"heading": heading, "table": figure_table(columns, vision, heading, description)}


def build_context(plan: Plan, report=None) -> dict:
    meta = plan.meta
    labels = dict(plan.labels)
    labels.setdefault("contents", "Contents")
    labels.setdefault("status_heading", "Progress RAG ratings" if labels["status"] == "Progress RAG" else labels["status"])
    streams = plan.work_stream_by_id

    sections: list[dict] = []
    for index, priority in enumerate(plan.priorities):
        stream = streams.get(priority.work_stream or "")
        name = stream.name if stream else None
        starts_section = not sections or sections[-1]["key"] != (priority.work_stream or None)
        if starts_section:
            sections.append({"key": priority.work_stream or None, "name": name, "priorities": []})
        new_page = not (starts_section and name)
        sections[-1]["priorities"].append(priority_context(plan, priority, index, new_page))
    for section in sections:
        section.pop("key")

    overview_rows, sro_rows = [], []
    previous_stream = object()
    for priority in plan.priorities:
        stream = streams.get(priority.work_stream or "")
        stream_name = stream.name if stream and priority.work_stream != previous_stream else ""
        previous_stream = priority.work_stream
        overview_rows.append({
            # the work stream's cells carry its colour, named in the first for readers who cannot see it
            "work_stream": _coloured_text(stream.label if stream_name else "", stream.colour if stream else None),
            "work_stream_colour": _colour(stream.colour if stream else None, "FFFFFF"),
            "priority": f"{priority.number}. {priority.title}",
            "recommendations": _recommendations_text(priority),
            "page": page_reference(bookmark_name(priority)),
        })
        if priority.sro:
            sro_rows.append({"work_stream": stream_name, "priority": f"{priority.number}. {priority.title}",
                             "sro": person_display(plan, priority.sro)})

    vision = meta.get("vision")
    version_bits = [meta.get("version", ""), "DRAFT" if plan.is_draft else ""]
    approvals = []
    for approval in meta.get("approvals") or []:
        try:
            when = PlanDate.parse(approval.get("date")).long()
        except ValueError:
            when = str(approval.get("date"))
        approvals.append(f"{(approval.get('decision') or 'Approved').capitalize()} by {approval.get('body')} on {when}")
    ratings_line = as_of_line(plan)

    success = meta.get("success_measures")
    on_a_page = meta.get("plan_on_a_page")
    return {
        "council": plan.council,
        "title": plan.title,
        "date_long": _date_long(plan),
        "version_line": " – ".join(bit for bit in version_bits if bit),
        "approval_lines": approvals + ([ratings_line] if ratings_line else []),
        "draft_mark": " – DRAFT" if plan.is_draft else "",
        "footer_note": " – DRAFT" if plan.is_draft else "",
        "labels": labels,
        "introduction": blocks(meta.get("introduction", "")),
        "our_plan": blocks(meta.get("our_plan", "")),
        "vision": {
            "introduction": blocks(vision.get("introduction", "")),
            "statement": vision.get("statement", ""),
            "what_we_will_do": vision.get("what_we_will_do") or [],
        } if vision else None,
        "conditions": blocks(meta.get("conditions", "")),
        "governance": blocks(meta.get("governance", "")),
        "status_introduction": blocks((meta.get("status_scale") or {}).get("introduction", ""))
        + (blocks(f"*{ratings_line}.*") if ratings_line else []),
        "statuses": [{"label": status.label, "colour": status.colour, "meaning": status.meaning,
                      "swatch_text": status.label} for status in plan.statuses],
        "sro_introduction": blocks(meta.get("sro_introduction", "")),
        "sro_rows": sro_rows,
        "overview_rows": overview_rows,
        "plan_figure": plan_figure(plan),
        "sections": sections,
        "lead_officers_introduction": blocks(meta.get("lead_officers_introduction", "")),
        "lead_officers": [{"id": person.id or "", "name": person.name, "role": person.role}
                          for person in plan.people if person.lead_officer],
        "success_measures": {
            "heading": "Appendix 1: Our success measures",
            "introduction": blocks(success.get("introduction", "")),
            "tables": [{"title": table.get("title", ""),
                        "entries": [{"heading": entry.get("heading", ""), "measures": entry.get("measures") or []}
                                    for entry in table.get("entries") or []]}
                       for table in success.get("tables") or []],
        } if success else None,
        "plan_on_a_page": {
            "heading": "Appendix 2: Plan on a page",
            "work_streams": ", ".join(stream.name for stream in plan.work_streams),
            "vision": on_a_page.get("vision", ""),
            "priorities": [{"title": f"{item.get('priority')}. {item.get('title', '')}".strip(),
                            "including": item.get("including") or []} for item in on_a_page.get("priorities") or []],
            "actions": on_a_page.get("actions") or [],
            "success_measures": on_a_page.get("success_measures") or [],
        } if on_a_page else None,
    }


def postprocess(document, plan: Plan) -> None:
    """A plan with no status scale gets no status column in its action tables."""
    if plan.statuses:
        return
    status_label = plan.labels["status"]
    number_label = plan.labels["number"]
    for table in document.tables:
        header = table.rows[0].cells
        if header[0].text == number_label and header[-1].text == status_label:
            remove_last_column(table)
