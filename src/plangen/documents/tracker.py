"""The Improvement Board performance tracker (report kind `board-tracker`).

Per priority, one landscape table: Improvement Action, Improvement Measure, Lead Accountability,
Progress to Date, Action Progress RAG, Next Steps — from the actions' measures and their latest
progress entries. The report file's `tracker:` filters by work stream, by priorities, or to
actions that are off track (status ranked worse than "on track", or a date — the action's or a step's —
passed and the action not complete). The action cell opens with each dated part: "6.1a: due Oct 17, past due".
"""

from __future__ import annotations

from plangen import progress
from plangen import text as narrative
from plangen.documents import report as cover
from plangen.documents.common import blocks, lines
from plangen.model import Action, Plan
from plangen.yamlio import SourceFile

NAME = "board-tracker"
TEMPLATE = "tracker.docx"
DESCRIPTION = "Improvement Board performance tracker"


def title(plan: Plan, report: SourceFile) -> str:
    return report.data["subject"]


def off_track(plan: Plan, action: Action, as_of) -> bool:
    standing = progress.standing(plan, action, as_of)
    on_track_rank = min((item.rank for item in plan.statuses if not item.complete), default=0)
    if standing.past_due:
        return True
    return bool(standing.status and standing.status.rank > on_track_rank and not standing.complete)


def selected(plan: Plan, report: SourceFile) -> list[tuple]:
    """[(priority, [actions])] after the report's filters; priorities left with no action are dropped."""
    filters = report.data.get("tracker") or {}
    as_of = cover.as_of(report)
    chosen = []
    for priority in plan.priorities:
        if filters.get("work_stream") and priority.work_stream != filters["work_stream"]:
            continue
        if filters.get("priorities") and priority.number not in filters["priorities"]:
            continue
        actions = [action for action in priority.actions
                   if not filters.get("off_track_only") or off_track(plan, action, as_of)]
        if actions:
            chosen.append((priority, actions))
    return chosen


def when_lines(plan: Plan, action: Action, standing: progress.Standing) -> list[str]:
    """'6.1a: due Oct 17, past due', '6.3: ongoing from Oct 17', '6.9: review in May 18'; 'no date' when none."""
    lines_ = []
    for milestone in progress.milestones(action):
        late = ", past due" if milestone in standing.past_due else ""
        when = milestone.when()
        lines_.append(f"{milestone.label}: {when}{late}" if milestone.step else f"{when[:1].upper()}{when[1:]}{late}")
    return lines_ or ["No date set"]


def row(plan: Plan, action: Action, as_of) -> dict:
    from docxtpl import RichText

    latest = action.progress_at(as_of)
    standing = progress.standing(plan, action, as_of)
    status = standing.status
    leads = [plan.person(lead).name if plan.person(lead) else lead for lead in action.all_leads]
    text_blocks = blocks(action.text) + [item for step in action.steps for item in blocks(f"{step.letter}. {step.text}")]
    dates = {"kind": "paragraph", "text": RichText("\n".join(when_lines(plan, action, standing)), italic=True)}
    return {
        "number": action.number,
        "action": [dates] + text_blocks,
        # an empty cell reads as a rendering fault to a Board member; say what is missing
        "measures": lines(action.measures or ["None set yet"]),
        "lead": lines(leads),
        "progress": lines([f"{latest.date.short() if latest.date else ''}: {' '.join(latest.note.split())}".strip(": ")]
                          if latest and latest.note else ["No progress reported yet"]),
        "status_label": standing.label,
        "status_colour": status.colour if status else "FFFFFF",
        "next_steps": lines([" ".join(latest.next_steps.split())] if latest and latest.next_steps else ["None recorded"]),
        "stale": standing.stale,
    }


def _long(day) -> str:
    from plangen.dates import PlanDate

    return PlanDate(day.year, day.month, day.day).long()


def build_context(plan: Plan, report: SourceFile) -> dict:
    data = report.data
    filters = data.get("tracker") or {}
    streams = plan.work_stream_by_id
    described = []
    if filters.get("work_stream"):
        stream = streams.get(filters["work_stream"])
        described.append(f"work stream {stream.name if stream else filters['work_stream']}")
    if filters.get("priorities"):
        described.append("priorities " + ", ".join(filters["priorities"]))
    if filters.get("off_track_only"):
        described.append("actions off track only")
    introduction = [block["inline"].plain for section in data.get("sections") or []
                    for block in narrative.parse(section.get("body", "")) if "inline" in block]
    return {
        "title": data["subject"],
        "subtitle": f"{data['meeting']['committee']}, {cover.meeting_date(report).long()}",
        "introduction": introduction,
        # the date the statuses are true at, where a Board member looks before reading the tables
        "filter_line": f"Progress as at {_long(cover.as_of(report))}" + ("; showing " + "; ".join(described) if described else ""),
        "priorities": [{
            "heading": f"{priority.number}. {priority.title}",
            "banner": streams[priority.work_stream].name if priority.work_stream in streams else "",
            "rows": [row(plan, action, cover.as_of(report)) for action in actions],
        } for priority, actions in selected(plan, report)],
        "empty_message": "No action matches the tracker's filters.",
        "draft_mark": "",
        "footer_note": "",
        "council": plan.council,
    }
