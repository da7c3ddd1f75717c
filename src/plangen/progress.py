"""Progress arithmetic for the papers: roll-ups, counts, what is due next and what is past due.

Roll-up rule (documented in the README): a work stream's status is the worst status (highest
`rank` in the plan's status scale) among its actions' current statuses; unrated actions are left
out; a work stream with no rated action is "Not rated". An action's current status is its latest
progress entry's status reported by the paper's as-of date, or the status printed in the plan.
"Due next" runs from the as-of date (inclusive) to the end of the period; "past due" is before the
as-of date; a month-precision date is due by the month's last day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from plangen.model import Action, Plan, Status

NOT_RATED = "Not rated"


def complete(plan: Plan, action: Action, as_of: datetime.date | None = None) -> bool:
    status = plan.status_by_id.get(action.status_at(as_of) or "")
    return bool(status and status.complete)


def roll_up(plan: Plan, actions: list[Action], as_of: datetime.date | None = None) -> Status | None:
    statuses = plan.status_by_id
    current = [action.status_at(as_of) for action in actions]
    rated = [statuses[status] for status in current if status in statuses]
    return max(rated, key=lambda status: status.rank) if rated else None


def work_stream_actions(plan: Plan, stream_id: str) -> list[Action]:
    return [action for priority in plan.priorities if priority.work_stream == stream_id for action in priority.actions]


def status_counts(plan: Plan, as_of: datetime.date | None = None) -> list[dict]:
    """Per priority at `as_of`: {priority, counts: {status id: n}, not_rated, total}."""
    rows = []
    for priority in plan.priorities:
        counts = {status.id: 0 for status in plan.statuses}
        not_rated = 0
        for action in priority.actions:
            status = action.status_at(as_of)
            if status in counts:
                counts[status] += 1
            else:
                not_rated += 1
        rows.append({"priority": priority, "counts": counts, "not_rated": not_rated, "total": len(priority.actions)})
    return rows


def due_between(plan: Plan, start: datetime.date, until: datetime.date) -> list[Action]:
    """Actions not complete at `start` whose deadline falls from `start` to `until`, both included."""
    return [action for action in plan.actions
            if action.deadline and start <= action.deadline.last_day <= until and not complete(plan, action, start)]


def past_due(plan: Plan, as_of: datetime.date) -> list[Action]:
    """Actions whose deadline passed before `as_of` and that are not complete."""
    return [action for action in plan.actions
            if action.deadline and action.deadline.last_day < as_of and not complete(plan, action, as_of)]


def add_months(day: datetime.date, months: int) -> datetime.date:
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Quarter:
    """A financial-year quarter, as councils count them (April to March)."""

    year: int  # the financial year's first calendar year: 2017 for 2017/18
    number: int

    @classmethod
    def of(cls, day: datetime.date) -> "Quarter":
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    def label(self) -> str:
        first_month = (self.number - 1) * 3 + 4
        start_year = self.year if first_month <= 12 else self.year + 1
        first_month = first_month if first_month <= 12 else first_month - 12
        months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        last_month = first_month + 2
        return f"Q{self.number} {self.year}/{(self.year + 1) % 100:02d} ({months[first_month - 1]}–{months[last_month - 1]} {start_year})"
