"""The Scrutiny & Overview update on the improvement plan (report kind `scrutiny-update`).

Generated tables, placed by `[generated: NAME]` in the narrative or a section's `generated:` list:
  work-stream-status     work stream, SRO, progress status (roll-up of actions; the report's
                         officer judgement where set, with both shown when they disagree)
  status-counts          actions by status per priority
  due-next               actions due after the as-of date and up to next_period_end (default +1 month)
  past-due               actions past their date and not complete at the as-of date
  changes                what changed in the plan since the report's `compare_with` git revision
  indicator-performance  areas of strength and of underperformance computed from the indicators
Appendix: the priority indicators table, grouped as in the source.
"""

from __future__ import annotations

import datetime

from plangen import indicators as indicator_maths
from plangen import progress
from plangen.dates import PlanDate
from plangen.documents import report as cover
from plangen.documents.common import TableSpec
from plangen.model import Plan
from plangen.yamlio import SourceFile

NAME = "scrutiny-update"
TEMPLATE = "report.docx"
DESCRIPTION = "Scrutiny & Overview update on the improvement plan"


def title(plan: Plan, report: SourceFile) -> str:
    return report.data["subject"]


def _table(spec: TableSpec) -> list[dict]:
    return [{"kind": "table", "number": "", "table": spec}]


def _note(text: str) -> list[dict]:
    from docxtpl import RichText

    return [{"kind": "paragraph", "number": "", "text": RichText(text, italic=True)}]


def work_stream_status(plan: Plan, report: SourceFile) -> list[dict]:
    overrides = report.data.get("work_stream_status") or {}
    statuses = plan.status_by_id
    rows, fills = [], []
    for stream in plan.work_streams:
        computed = progress.roll_up(plan, progress.work_stream_actions(plan, stream.id), cover.as_of(report))
        judged = statuses.get(overrides.get(stream.id, ""))
        shown = judged or computed
        text = shown.label if shown else progress.NOT_RATED
        if judged and computed and judged.id != computed.id:
            text = f"{judged.label} (officers' judgement; the actions roll up to {computed.label})"
        elif judged and not computed:
            text = f"{judged.label} (officers' judgement; no action rated yet)"
        person = plan.person(stream.sro) if stream.sro else None
        rows.append([stream.name, person.name if person else (stream.sro or ""), text])
        fills.append([None, None, shown.colour if shown else None])
    return _table(TableSpec(["Work stream", "SRO", "Progress RAG"], rows, fills, [5.0, 4.5, 7.9]))


def status_counts(plan: Plan, report: SourceFile) -> list[dict]:
    headers = [plan.labels["priority"]] + [status.label for status in plan.statuses] + [progress.NOT_RATED, "Total"]
    rows = []
    totals = [0] * (len(plan.statuses) + 2)
    for entry in progress.status_counts(plan, cover.as_of(report)):
        values = [entry["counts"][status.id] for status in plan.statuses] + [entry["not_rated"], entry["total"]]
        totals = [total + value for total, value in zip(totals, values)]
        rows.append([f"{entry['priority'].number}. {entry['priority'].title}"] + [str(value) for value in values])
    rows.append(["Total"] + [str(value) for value in totals])
    first = 6.0  # the priority's title; the counts share the rest, wide enough for "Complete" on one line
    return _table(TableSpec(headers, rows, None, [first] + [(17.4 - first) / (len(headers) - 1)] * (len(headers) - 1)))


def action_list(plan: Plan, actions, as_of: datetime.date) -> TableSpec:
    rows = []
    for action in actions:
        first_line = " ".join(action.text.split())[:160] or (action.steps[0].text if action.steps else "")
        status = plan.status_by_id.get(action.status_at(as_of) or "")
        rows.append([action.number, first_line, " / ".join(action.all_leads),
                     action.deadline.short() if action.deadline else "", status.label if status else progress.NOT_RATED])
    return TableSpec(["No.", "Action", "Lead", "Due", "Status"], rows, None, [1.3, 9.8, 2.0, 1.8, 2.5])


def due_next(plan: Plan, report: SourceFile) -> list[dict]:
    start = cover.as_of(report)
    end = _next_period_end(report, start)
    actions = progress.due_between(plan, start, end)
    heading = _note(f"Actions due from {_long(start)} to {_long(end)}, not complete: {len(actions)}.")
    return heading + (_table(action_list(plan, actions, start)) if actions else [])


def past_due(plan: Plan, report: SourceFile) -> list[dict]:
    day = cover.as_of(report)
    actions = progress.past_due(plan, day)
    heading = _note(f"Actions past their date and not complete at {_long(day)}: {len(actions)}.")
    return heading + (_table(action_list(plan, actions, day)) if actions else [])


def _long(day: datetime.date) -> str:
    return PlanDate(day.year, day.month, day.day).long()


def _next_period_end(report: SourceFile, start: datetime.date) -> datetime.date:
    value = report.data.get("next_period_end")
    if value:
        return PlanDate.parse(value).last_day
    return progress.add_months(start, 1)


def indicator_performance(plan: Plan) -> list[dict]:
    """Strengths: green, or improving without being red. Underperformance: red, or worsening."""
    from docxtpl import RichText

    months = (plan.indicators or {}).get("months") or []
    strengths, concerns = [], []
    for indicator in plan.indicator_list:
        month, value = indicator_maths.latest_value(indicator, months)
        if value is None:
            continue
        rag = indicator_maths.rag_for(indicator, value)
        delta = indicator_maths.change(indicator, months)
        better = indicator_maths.improving(indicator, delta)
        unit = "%" if indicator.unit == "percent" else ""
        movement = ""
        if delta is not None and delta != 0:
            movement = f", {'up' if delta > 0 else 'down'} {abs(round(delta, 1)):g}{' points' if unit else ''} on the month"
        line = f"{indicator.code} {indicator.title}: {value:g}{unit}{movement}" + (f" (RAG {rag})" if rag else "")
        if rag == "red" or (better is False and rag != "green"):
            concerns.append(line)
        elif rag == "green" or (better and rag != "red"):
            strengths.append(line)
    items = [{"kind": "paragraph", "number": "", "text": RichText("Areas of strength", bold=True)}]
    items += [{"kind": "bullet", "number": "", "text": RichText(line)} for line in strengths] or _note("None this month.")
    items += [{"kind": "paragraph", "number": "", "text": RichText("Areas of underperformance", bold=True)}]
    items += [{"kind": "bullet", "number": "", "text": RichText(line)} for line in concerns] or _note("None this month.")
    return items


def changes_since(plan: Plan, report: SourceFile) -> list[dict]:
    revision = report.data.get("compare_with")
    if not revision:
        return _note("No earlier version of the plan was named to compare with.")
    from plangen import diff, gitplan

    old = gitplan.plan_at(revision, plan.root)
    changes = diff.compare(old, plan)
    rows = [[change["what"], change["detail"]] for change in diff.summary_rows(changes)]
    note = _note(f"Changes to the plan since {revision}: {len(rows)}.")
    return note + (_table(TableSpec(["Change", "Detail"], rows, None, [4.5, 12.9])) if rows else [])


def indicator_appendix(plan: Plan) -> list[dict]:
    from docxtpl import RichText

    data = plan.indicators or {}
    months = data.get("months") or []
    month_labels = [PlanDate.parse(month).short().replace(" ", "-") for month in months]
    items = [{"kind": "appendix", "number": "", "text": RichText(data.get("title") or "Priority performance indicators")}]
    groups: list[tuple[str, list]] = []
    for indicator in plan.indicator_list:
        if not groups or groups[-1][0] != indicator.group:
            groups.append((indicator.group, []))
        groups[-1][1].append(indicator)
    polarity = {"smaller-is-better": "SIB", "bigger-is-better": "BIB"}
    headers = ["Code", "Indicator", "Polarity"] + month_labels + [data.get("target_label") or "Target", "Owner", "RAG"]
    for group, members in groups:
        items.append({"kind": "subheading", "number": "", "text": RichText(group)})
        rows, fills = [], []
        for indicator in members:
            values = [_value(indicator.values.get(month), indicator.unit) for month in months]
            rag = indicator.rag or ""
            rows.append([indicator.printed_code or indicator.code, indicator.title, polarity.get(indicator.polarity, "")]
                        + values + [_value(indicator.target, indicator.unit), indicator.owner or "", rag])
            fill = {"red": "FF0000", "amber": "FFC000", "green": "00B050"}.get(indicator_maths.PRINTED_RAG.get(rag.lower(), ""))
            fills.append([None] * (len(headers) - 1) + [fill])
        # fit a portrait page: the monthly columns take what they need ("71.3%"), the title the rest
        month_width = 1.1
        title_width = max(2.5, 17.4 - (1.1 + 1.5 + month_width * len(months) + 1.3 + 1.4 + 1.5))
        widths = [1.1, title_width, 1.5] + [month_width] * len(months) + [1.3, 1.4, 1.5]
        items.append({"kind": "table", "number": "", "table": TableSpec(headers, rows, fills, widths, font_size=7.5)})
    return items


def _value(value, unit) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}%" if unit == "percent" else f"{value:g}"
    return str(value)


def build_context(plan: Plan, report: SourceFile) -> dict:
    def generated(name: str) -> list[dict]:
        makers = {
            "work-stream-status": lambda: work_stream_status(plan, report),
            "status-counts": lambda: status_counts(plan, report),
            "due-next": lambda: due_next(plan, report),
            "past-due": lambda: past_due(plan, report),
            "changes": lambda: changes_since(plan, report),
            "indicator-performance": lambda: indicator_performance(plan),
        }
        return makers[name]() if name in makers else _note(f"({name} is not generated in this kind of report)")

    context = cover.build(plan, report, generated)
    context["heading"] = f"Agenda Item {context['agenda_item']}" if context["agenda_item"] else context["title"]
    appendix_items = []
    for appendix in report.data.get("appendices") or []:
        if appendix.get("content") == "indicators" and plan.indicator_list:
            appendix_items += indicator_appendix(plan)
    context["appendix_items"] = appendix_items
    return context
