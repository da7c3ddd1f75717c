"""The improvement plan itself, as the council publishes it (templates/plan.docx).

Context (also printed by `plangen context plan`):
  council, title, date_long, version_line, approval_lines, draft_mark, footer_note, labels
  introduction, our_plan, conditions, governance, status_introduction, sro_introduction,
  lead_officers_introduction: lists of blocks {kind, text}
  vision: {introduction: blocks, statement, what_we_will_do: [str]} or None
  overview_rows: [{work_stream, work_stream_colour, priority, recommendations, page}]   ("Our plan" table;
    overview_columns names the columns kept, the others are dropped after rendering)
  plan_figure: {heading, table} or None   the plan on a page, a one-page figure with alt text
  show_status_key, show_lead_officers: whether those parts print (plan.yaml layout, status scale)
  statuses: [{label, colour, meaning, swatch_text}]
  sro_rows: [{work_stream, priority, sro}]
  action_columns: the action table's column headings, as printed (the layout's, less empty ones)
  sections: [{name, priorities: [priority]}]   one per work stream (name None without work streams)
    priority: {number (as printed), heading, bookmark, new_page, banner, banner_colour, sro, labels, rows,
               sections: [part]}   parts in the layout's order
    part: {kind: 'list', heading, blocks} or {kind: 'actions', heading: '', rows}
    rows: group rows {group, note} and action rows {number, issue, blocks, milestone, due, lead, partners,
          status_label, status_colour, progress, merge}; a milestone row (steps: rows) has no number and
          continues the action above; due, lead and partners are lines in one paragraph; merge is the
          Word XML merging the action's own cells down over its milestone rows, which `prepare` places
          in those cells' properties (a template of your own may place {{ row.merge }} there too)
  lead_officers: [{id, name, role}]
  success_measures: {heading, introduction, tables: [{title, entries: [{heading, measures}]}]} or None
  plan_on_a_page: {heading, work_streams, vision, priorities: [{title, including}], actions, success_measures} or None
"""

from __future__ import annotations

from plangen import progress
from plangen.dates import PlanDate
from plangen.documents.common import keep_columns, span_milestone_rows, table_caption
from plangen.documents.common import blocks, bookmark, cell_blocks, leads_text, lines, page_reference, person_display
from plangen.model import COLUMNS, Action, Column, Plan, Priority
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


def lead_name(plan: Plan, lead_id: str) -> str:
    """A lead as the plan's layout prints people: name, role, 'name (role)' or the register id."""
    style = plan.layout.people
    person = plan.person(lead_id)
    if style == "id" or person is None:
        return lead_id
    if person.kind != "person" or not person.role or style == "name":
        return person.name
    if style == "role":
        return person.role
    return f"{person.name} ({person.role})"


def leads_display(plan: Plan, leads) -> str:
    return leads_text([lead_name(plan, lead) for lead in leads])


def action_columns(plan: Plan) -> list[Column]:
    """The action table's columns: the layout's, less those empty in every row of the whole plan
    (decided from all the data, never an as-of date, so the columns do not change between papers)."""
    actions = plan.actions
    rows_style = plan.layout.steps == "rows"
    holds = {
        "number": True,
        "refs": any(action.issue_lines() for action in actions),
        "action": True,
        "milestones": rows_style and any(action.steps for action in actions),
        "due": any(action.dues for action in actions),
        "lead": True,  # an action without a lead says 'Not named': that must show
        "partners": any(action.partners is not None for action in actions),
        "status": any(action.status or any(entry.status for entry in action.progress) for action in actions),
        "progress": any(entry.note for action in actions for entry in action.progress),
    }
    if not rows_style:
        holds["milestones"] = False
    chosen = [column for column in plan.layout.columns if holds[column.key] or column.always]
    if not plan.statuses:
        chosen = [column for column in chosen if column.key != "status"]
    # every action, milestone, date and lead in the data is printed, whatever the layout leaves out
    order = list(COLUMNS)
    for key in ("number", "action", "milestones", "due", "lead"):
        if holds[key] and key not in [column.key for column in chosen]:
            position = sum(order.index(column.key) < order.index(key) for column in chosen)
            chosen.insert(position, Column(key, COLUMNS[key][1]))
    return chosen


def overview_columns(plan: Plan) -> list[str]:
    """The 'Our plan' table's columns that hold something."""
    columns = ["work_stream"] if plan.work_streams else []
    columns.append("priority")
    if any(priority.recommendations or priority.recommendations_as_printed for priority in plan.priorities):
        columns.append("recommendations")
    return columns + ["page"]


def _action_blocks(plan: Plan, action: Action, lettered: bool) -> list[dict]:
    from docxtpl import RichText

    action_blocks = blocks(action.text)
    if lettered:
        for step in action.steps:
            step_blocks = blocks(step.text)
            if step_blocks and step_blocks[0]["kind"] == "paragraph":
                first = step_blocks.pop(0)
                text = RichText(f"{step.letter}. ")
                text.xml += first["text"].xml
                action_blocks.append({"kind": "step", "text": text})
            else:
                action_blocks.append({"kind": "step", "text": RichText(f"{step.letter}.")})
            action_blocks.extend(step_blocks)
        action_blocks.extend(blocks(action.after_steps))
    if action.placeholder and plan.layout.placeholder:
        action_blocks.append({"kind": "paragraph", "text": RichText(plan.layout.placeholder, italic=True)})
    return action_blocks


def _progress_blocks(plan: Plan, action: Action) -> list[dict]:
    latest = action.latest_progress
    if latest is None or not latest.note:
        return []
    dated = blocks(latest.note)
    if latest.date and dated and dated[0]["kind"] == "paragraph":
        from docxtpl import RichText

        text = RichText(latest.date.display(plan.layout.dates) + ": ", bold=True)
        text.xml += dated[0]["text"].xml
        dated[0] = {"kind": "paragraph", "text": text}
    return dated


def action_rows(plan: Plan, action: Action) -> list[dict]:
    """The action's rows of the table: one (steps lettered inside it), or one per milestone with the
    milestone's own date and lead beside it (steps: rows). Every cell of the full set of columns is
    filled; postprocess keeps the layout's columns, in its order."""
    style = plan.layout.dates
    lettered = plan.layout.steps == "lettered"
    status_label, status_colour = rating(plan, action)
    if action.partners is None:
        partner_lines = []
    elif not action.partners:
        partner_lines = ["N/A"]
    else:
        partner_lines = list(action.partners)
    first = {
        "group": None,
        "merge": NO_MERGE,
        "number": action.number,
        # one line per issue, each with its own references (a paragraph cited for one issue is not the other's)
        "issue": "\n".join(action.issue_lines(as_printed=plan.meta.get("refs_style") == "as-printed")),
        "blocks": cell_blocks(_action_blocks(plan, action, lettered)),
        "milestone": cell_blocks([]),
        "partners": lines(partner_lines),
        "status_label": status_label,
        "status_colour": status_colour,
        "progress": cell_blocks(_progress_blocks(plan, action)),
    }
    if lettered or not action.steps:
        due_lines = _lines_with_letters(action, [action.due.display(style)], [step.due.display(style) for step in action.steps])
        lead_lines = _lines_with_letters(action, [leads_display(plan, action.lead)],
                                         [leads_display(plan, step.lead) for step in action.steps])
        first["due"] = lines(due_lines)
        first["lead"] = lines(lead_lines or ["Not named"])  # a blank cell hides that nobody is accountable
        return [first]
    empty = {key: "" for key in ("number", "issue")}
    empty.update({"group": None, "merge": MERGE_CONTINUES, "blocks": cell_blocks([]), "partners": lines([]),
                  "status_label": "", "status_colour": "FFFFFF", "progress": cell_blocks([])})
    rows = []
    if action.due.is_set or action.lead:
        first["due"] = lines([action.due.display(style)])
        first["lead"] = lines([leads_display(plan, action.lead)] if action.lead else [])
        rows.append(first)
    for step in action.steps:
        row = dict(empty) if rows else first
        row["milestone"] = cell_blocks(blocks(step.text))
        row["due"] = lines([step.due.display(style)])
        # a milestone without its own lead is led by the action's lead
        leads = step.lead or action.lead
        row["lead"] = lines([leads_display(plan, leads)] if leads else ["Not named"])
        rows.append(row)
    if len(rows) > 1:
        rows[0]["merge"] = MERGE_STARTS  # the action's own cells run down beside its milestones
    return rows


# how an action row's action-level cells (ACTION_LEVEL) merge down over its milestone rows, placed in
# those cells' properties by the `{{ row.merge }}` that `prepare` puts in the template
NO_MERGE = RawXml("")
MERGE_STARTS = RawXml('<w:vMerge w:val="restart"/>')
MERGE_CONTINUES = RawXml('<w:vMerge w:val="continue"/>')


def priority_labels(plan: Plan, priority: Priority) -> dict:
    return {**plan.labels, **priority.labels}


def priority_heading(plan: Plan, priority: Priority) -> str:
    labels = priority_labels(plan, priority)
    number = priority.printed_number or priority.number
    # plain replacement: a layout's heading pattern is data, and str.format would run it
    return (plan.layout.priority_heading.replace("{label}", labels["priority"])
            .replace("{number}", number).replace("{title}", priority.title))


def _list_blocks(items: list[str], style: str, level: int = 1) -> list[dict]:
    from docxtpl import RichText

    kind = ("bullet" if level == 1 else "bullet2") if style == "bullets" else "paragraph"
    return [{"kind": kind, "text": RichText(item)} for item in items]


def priority_sections(plan: Plan, priority: Priority, labels: dict, rows: list[dict]) -> list[dict]:
    """The priority's parts in the layout's order; a part with nothing in it is left out."""
    from docxtpl import RichText

    sections = []
    by_number = {recommendation.number: recommendation for recommendation in plan.recommendations}
    for name, style in plan.layout.sections:
        heading, content = labels.get(name, ""), []
        if name == "introduction":
            heading, content = "", blocks(priority.introduction)
        elif name == "recommendations":
            heading = f"{priority_heading(plan, priority)} – {labels['recommendations']}"
            for number in priority.recommendations:
                recommendation = by_number.get(number)
                rich = RichText(f"Recommendation {number}", bold=True)
                if recommendation and recommendation.text:
                    rich.add(f" – {recommendation.text}")
                content.append({"kind": "paragraph", "text": rich})
            content += _list_blocks(priority.issues, style)
        elif name in ("objectives", "measured_by", "what_good_looks_like"):
            content = _list_blocks(getattr(priority, name), style)
        elif name == "outcomes":
            for outcome in priority.outcomes:
                content += _list_blocks([outcome.text], style) + _list_blocks(outcome.outcomes, style, level=2)
        elif name == "actions":
            if rows:
                sections.append({"kind": "actions", "heading": "", "blocks": [], "rows": rows})
            continue
        elif name == "voices":
            for voice in priority.voices:
                if voice.statements:
                    sections.append({"kind": "list", "heading": f"What we hope {voice.who} will say",
                                     "blocks": _list_blocks(voice.statements, style), "rows": []})
            continue
        if content:
            sections.append({"kind": "list", "heading": heading, "blocks": content, "rows": []})
    return sections


def priority_context(plan: Plan, priority: Priority, index: int, new_page: bool) -> dict:
    labels = priority_labels(plan, priority)
    stream = plan.work_stream_by_id.get(priority.work_stream or "")
    rows = []
    for group in priority.groups:
        if group.title:
            rows.append({"group": group.title, "note": blocks(group.note), "merge": NO_MERGE})
        for action in group.actions:
            rows.extend(action_rows(plan, action))
    return {
        "number": priority.printed_number or priority.number,
        "heading": priority_heading(plan, priority),
        "bookmark": bookmark(bookmark_name(priority), index + 1),
        "new_page": new_page,
        "banner": stream.label if stream else "",
        "banner_colour": (stream.colour or "1F3A5F") if stream else "FFFFFF",
        "sro": person_display(plan, priority.sro),
        "labels": labels,
        "rows": rows,  # also in its 'actions' part; kept here for templates that place the table themselves
        "sections": priority_sections(plan, priority, labels, rows),
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
            "priority": f"{priority.printed_number or priority.number}. {priority.title}",
            "recommendations": _recommendations_text(priority),
            "page": page_reference(bookmark_name(priority)),
        })
        if priority.sro:
            sro_rows.append({"work_stream": stream_name,
                             "priority": f"{priority.printed_number or priority.number}. {priority.title}",
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
        "action_columns": [plan.labels[COLUMNS[column.key][0]] for column in action_columns(plan)],
        "overview_columns": overview_columns(plan),
        "show_status_key": plan.layout.status_key and bool(plan.statuses),
        "status_introduction": blocks((meta.get("status_scale") or {}).get("introduction", ""))
        + (blocks(f"*{ratings_line}.*") if ratings_line else []),
        "statuses": [{"label": status.label, "colour": status.colour, "meaning": status.meaning,
                      "swatch_text": status.label} for status in plan.statuses],
        "sro_introduction": blocks(meta.get("sro_introduction", "")),
        "sro_rows": sro_rows,
        "overview_rows": overview_rows,
        "plan_figure": plan_figure(plan),
        "sections": sections,
        "show_lead_officers": plan.layout.lead_officers and any(person.lead_officer for person in plan.people),
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


ACTION_TABLE_CAPTION = "Action table"  # the captions tools/make_templates.py gives these tables
OVERVIEW_TABLE_CAPTION = "Our plan"
OVERVIEW_WIDTHS = {"work_stream": 4.5, "priority": 13.5, "recommendations": 6.0, "page": 2.0}
PAGE_WIDTH_CM = 26.1  # landscape A4 less the template's margins
ACTION_LEVEL = ("number", "refs", "action", "partners", "status", "progress")  # span an action's milestone rows


def prepare(template, plan: Plan) -> None:
    """Before rendering: the template's action tables keep the layout's columns, in its order and
    proportions, and the 'Our plan' table its columns that hold something. Done on the template's
    rows, so each rendered row is born with its columns (pruning 10,000 rendered rows took seconds)."""
    columns = action_columns(plan)
    template_order = list(COLUMNS)
    action_widths = _scaled([column.width for column in columns])
    kept = [template_order.index(column.key) for column in columns]
    overview = overview_columns(plan)
    overview_order = list(OVERVIEW_WIDTHS)
    for table in template.tables:
        caption = table_caption(table)
        if caption == ACTION_TABLE_CAPTION:
            keep_columns(table, kept, action_widths)
            place_merges(table, [index for index, column in enumerate(columns) if column.key in ACTION_LEVEL])
        elif caption == OVERVIEW_TABLE_CAPTION:
            keep_columns(table, [overview_order.index(key) for key in overview],
                         _scaled([OVERVIEW_WIDTHS[key] for key in overview], sum(OVERVIEW_WIDTHS.values())))


MERGE_TAG = "{{ row.merge }}"


def place_merges(table, spanning: list[int]) -> None:
    """Put `{{ row.merge }}` in the cell properties of the template's action rows' action-level
    cells, where a vertical merge goes (after the width): each rendered row is born merged as its
    action needs, instead of 60,000 cells of a large plan being merged one by one afterwards."""
    from docx.oxml.ns import qn

    from plangen.documents.common import ROW_TAG, _cell_text
    from plangen.wordxml import CELL_PROPERTY_ORDER

    before_merge = {qn(f"w:{name}") for name in CELL_PROPERTY_ORDER[:CELL_PROPERTY_ORDER.index("vMerge")]}
    width = len(table._tbl.tblGrid.findall(qn("w:gridCol")))
    for row in table._tbl.tr_lst:
        cells = row.tc_lst
        text = _cell_text(row)
        if len(cells) != width or ROW_TAG.search(text) or "row." not in text or MERGE_TAG in text:
            continue  # the header, a loop's tags, a group row: only the action rows
        for index in spanning:
            properties = cells[index].get_or_add_tcPr()
            earlier = [child for child in properties if child.tag in before_merge]
            if earlier:
                earlier[-1].tail = (earlier[-1].tail or "") + MERGE_TAG
            else:
                properties.text = MERGE_TAG + (properties.text or "")


def postprocess_table(table, plan: Plan) -> None:
    """In an action table whose template does not place `{{ row.merge }}` (see place_merges), an
    action's cells span its milestone rows (columns as `prepare` left them)."""
    if table_caption(table) != ACTION_TABLE_CAPTION:
        return
    if next(table.iter(VERTICAL_MERGE), None) is not None:
        return  # merged as rendered
    if getattr(plan, "_action_keys", None) is None:  # one look at every action, not one per table
        plan._action_keys = [column.key for column in action_columns(plan)]
    keys = plan._action_keys
    spanning = [keys.index(key) for key in ACTION_LEVEL if key in keys]
    span_milestone_rows(table, spanning, keys.index("number"))


VERTICAL_MERGE = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}vMerge"


def _scaled(widths: list[float], total: float = PAGE_WIDTH_CM) -> list[float]:
    """Relative widths as centimetres sharing `total`."""
    return [total * width / sum(widths) for width in widths]
