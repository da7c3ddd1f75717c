"""A Cabinet decision report on the improvement plan (report kind `cabinet`).

The statutory sections come from the report file, in its order, each with its "Approved by"
sign-off. Generated tables, placed by `[generated: NAME]`:
  plan-summary            work streams and priorities with their SROs and number of actions
  recommendations-matrix  every inspection recommendation against the priorities and actions that address it
  actions-by-quarter      how many actions fall due in each financial quarter
"""

from __future__ import annotations

from collections import Counter

from plangen.documents import report as cover
from plangen.documents.common import TableSpec
from plangen.model import Plan
from plangen.progress import Quarter
from plangen.text import shorten
from plangen.yamlio import SourceFile

NAME = "cabinet"
TEMPLATE = "report.docx"
DESCRIPTION = "Cabinet decision report on the improvement plan"
DELEGATION = ("The Leader of the Council has delegated to the Cabinet the power to make the decisions "
              "set out in the recommendations below")


def title(plan: Plan, report: SourceFile) -> str:
    return cover.document_title(report)


def caption(text: str) -> dict:
    """A table's title. It also keeps consecutive generated tables apart: Word and LibreOffice
    merge tables that touch into one, under the first table's header row."""
    from docxtpl import RichText

    return {"kind": "paragraph", "number": "", "text": RichText(text, bold=True)}


def plan_summary(plan: Plan) -> list[dict]:
    streams = plan.work_stream_by_id
    rows = []
    previous = None
    for priority in plan.priorities:
        stream = streams.get(priority.work_stream or "")
        name = stream.name if stream and priority.work_stream != previous else ""
        previous = priority.work_stream
        person = plan.person(priority.sro) if priority.sro else None
        rows.append([name, f"{priority.number}. {priority.title}", person.name if person else (priority.sro or ""),
                     str(len(priority.actions))])
    rows.append(["", "Total", "", str(len(plan.actions))])
    return [caption(f"{plan.labels['priorities']}, their Senior Responsible Officers and number of actions"),
            {"kind": "table", "number": "",
             "table": TableSpec([plan.labels["work_stream"], plan.labels["priority"], "SRO", "Actions"], rows, None,
                                [3.6, 8.6, 3.4, 1.8])}]


def recommendations_matrix(plan: Plan) -> list[dict]:
    rows = []
    for recommendation in plan.recommendations:
        priorities = [priority.number for priority in plan.priorities if recommendation.number in priority.recommendations]
        actions = [action.number for action in plan.actions if recommendation.number in action.refs.recommendations]
        text = " ".join(recommendation.text.split()) or (
            f"(to the {recommendation.to}; the plan cites it without quoting it)" if recommendation.to
            else "(the plan cites it without quoting it)")
        rows.append([recommendation.number, shorten(text, 180),
                     ", ".join(priorities) or "–", ", ".join(actions) or "–"])
    return [caption("Inspection recommendations and the actions that address them"),
            {"kind": "table", "number": "",
             "table": TableSpec(["No.", "Recommendation", plan.labels["priorities"], "Actions"], rows, None,
                                [1.3, 9.9, 2.6, 3.6])}]


def actions_by_quarter(plan: Plan) -> list[dict]:
    counts: Counter = Counter()
    open_ended = 0
    for action in plan.actions:
        if action.deadline:
            counts[Quarter.of(action.deadline.last_day)] += 1
        else:
            open_ended += 1
    rows = [[quarter.label(), str(counts[quarter])] for quarter in sorted(counts, key=lambda q: (q.year, q.number))]
    if open_ended:
        rows.append(["Ongoing, or no date yet", str(open_ended)])
    rows.append(["Total", str(len(plan.actions))])
    return [caption("Actions by the quarter in which they fall due"),
            {"kind": "table", "number": "", "table": TableSpec(["Quarter due", "Actions"], rows, None, [8.0, 3.0])}]


def build_context(plan: Plan, report: SourceFile) -> dict:
    from docxtpl import RichText

    def generated(name: str) -> list[dict]:
        makers = {"plan-summary": plan_summary, "recommendations-matrix": recommendations_matrix,
                  "actions-by-quarter": actions_by_quarter}
        if name in makers:
            return makers[name](plan)
        return [{"kind": "paragraph", "number": "", "text": RichText(f"({name} is not generated in a Cabinet report)", italic=True)}]

    context = cover.build(plan, report, generated)
    context["heading"] = context["title"]
    delegation = {"kind": "paragraph", "number": "", "text": RichText(DELEGATION, bold=True)}
    context["items"] = [delegation] + context["items"]
    context["appendix_items"] = cover.appendix_items(plan, report, generated, lambda content, heading, width: None)
    return context
