"""Where actions stand at a date: what is due, what is past due, counts and roll-ups.

Every paper and `validate` ask `standing()` (one action) or `standings()` (the plan): the status
counts, the past-due tables and the work-stream roll-ups all come from it, so they cannot disagree.

Dates: an action's own date and each step's date are milestones; each counts on its own ("6.1a
Interim arrangements: due Oct 17"). A milestone is past due when its deadline (a month-precision
date is met by the month's last day; a range by its end; an ongoing action's review point) is before
the as-of date and the action is not complete. "Due next" runs from the as-of date (inclusive) to
the end of the period.

Status: an action's recorded status is its latest progress entry's reported by the as-of date, or
the status printed in the plan (recorded when the plan was approved). When a date has passed and the
action is not complete, papers show the scale's `past_due` status (if it has one). A recorded status
older than the plan's `stale_after_months` (default 3) at the as-of date is stale and says when it
was last updated.

Roll-up rule (documented in the README): a work stream's status is the worst status (highest
`rank` in the plan's status scale) among its actions' statuses as above; unrated actions are left
out; a work stream with no rated action is "Not rated".
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from plangen.dates import Due, PlanDate
from plangen.model import Action, Plan, Status, Step
from plangen.text import shorten

NOT_RATED = "Not rated"


@dataclass(frozen=True)
class Milestone:
    """A dated part of an action: one of its steps, or the action itself when the date is on the action."""

    action: Action
    step: Step | None
    due: Due

    @property
    def label(self) -> str:
        """'6.1a' for a step, '6.1' for the action."""
        return self.action.number + (self.step.letter if self.step else "")

    @property
    def text(self) -> str:
        return " ".join((self.step.text if self.step else self.action.text).split())

    @property
    def leads(self) -> list[str]:
        if self.step and self.step.lead:
            return list(self.step.lead)
        return list(self.action.lead) if self.step else self.action.all_leads

    @property
    def deadline(self) -> PlanDate | None:
        return self.due.deadline

    def when(self) -> str:
        """'due Oct 17', 'review in May 18', 'ongoing from Oct 17'."""
        display = self.due.display()
        if self.due.date and not self.due.note:
            return f"due {display}"
        return display[:1].lower() + display[1:]


def milestones(action: Action) -> list[Milestone]:
    """The action's own date (when it has one) and each dated step, in the plan's order."""
    own = [Milestone(action, None, action.due)] if action.due.is_set else []
    return own + [Milestone(action, step, step.due) for step in action.steps if step.due.is_set]


@dataclass
class Standing:
    """Where one action stands at `as_of`."""

    action: Action
    as_of: datetime.date
    recorded: Status | None  # the status last recorded by as_of
    recorded_on: PlanDate | None  # when (None: printed in the plan with no approval date known)
    status: Status | None  # what papers show and count
    past_due: list[Milestone] = field(default_factory=list)
    stale: bool = False

    @property
    def complete(self) -> bool:
        return bool(self.recorded and self.recorded.complete)

    @property
    def label(self) -> str:
        """'On track', 'On track, last updated 12 Dec 17', 'Overdue (date passed; last rated On track, 12 Dec 17)'."""
        if self.status is None:
            return NOT_RATED
        when = self.recorded_on.short() if self.recorded_on else ""
        if self.status is not self.recorded:
            rated = f"last rated {self.recorded.label}" + (f", {when}" if when else "") if self.recorded else "not rated"
            return f"{self.status.label} (date passed; {rated})"
        if self.stale:
            return f"{self.status.label}, last updated {when}"
        return self.status.label


def standing(plan: Plan, action: Action, as_of: datetime.date) -> Standing:
    entry = action.progress_at(as_of)
    recorded = plan.status_by_id.get(action.status_at(as_of) or "")
    recorded_on = entry.date if entry and entry.date else None
    if recorded and not entry and plan.approved_on:
        approved = plan.approved_on
        recorded_on = PlanDate(approved.year, approved.month, approved.day)
    done = bool(recorded and recorded.complete)
    late = [] if done else [milestone for milestone in milestones(action)
                            if milestone.deadline and milestone.deadline.last_day < as_of]
    stale = bool(recorded and not done and recorded_on
                 and recorded_on.first_day < add_months(as_of, -plan.stale_after_months))
    shown = plan.past_due_status if late and plan.past_due_status else recorded
    return Standing(action, as_of, recorded, recorded_on, shown, late, stale)


def standings(plan: Plan, as_of: datetime.date) -> dict[str, Standing]:
    """Every action's standing at `as_of`, by action number (the first action of a repeated number)."""
    found: dict[str, Standing] = {}
    for action in plan.actions:
        if action.number not in found:
            found[action.number] = standing(plan, action, as_of)
    return found


def report_as_of(data: dict) -> datetime.date | None:
    """A paper's as-of date: its `as_of`, else its meeting date (a month means its last day); None when unreadable."""
    value = data.get("as_of") or (data.get("meeting") or {}).get("date")
    try:
        date = PlanDate.parse(str(value))
    except ValueError:
        return None
    return date.first_day if date.day else date.last_day


def progress_after(plan: Plan, as_of: datetime.date) -> list:
    """Progress entries dated after `as_of`: what a document as at that date leaves out."""
    return [entry for action in plan.actions for entry in action.progress if entry.date and entry.date.first_day > as_of]


def complete(plan: Plan, action: Action, as_of: datetime.date | None = None) -> bool:
    status = plan.status_by_id.get(action.status_at(as_of) or "")
    return bool(status and status.complete)


def roll_up(plan: Plan, actions: list[Action], as_of: datetime.date) -> Status | None:
    rated = [standing(plan, action, as_of).status for action in actions]
    rated = [status for status in rated if status]
    return max(rated, key=lambda status: status.rank) if rated else None


def work_stream_actions(plan: Plan, stream_id: str) -> list[Action]:
    return [action for priority in plan.priorities if priority.work_stream == stream_id for action in priority.actions]


def status_counts(plan: Plan, as_of: datetime.date) -> list[dict]:
    """Per priority at `as_of`: {priority, counts: {status id: n}, not_rated, total}."""
    rows = []
    for priority in plan.priorities:
        counts = {status.id: 0 for status in plan.statuses}
        not_rated = 0
        for action in priority.actions:
            status = standing(plan, action, as_of).status
            if status and status.id in counts:
                counts[status.id] += 1
            else:
                not_rated += 1
        rows.append({"priority": priority, "counts": counts, "not_rated": not_rated, "total": len(priority.actions)})
    return rows


def due_between(plan: Plan, start: datetime.date, until: datetime.date) -> list[Milestone]:
    """Dated parts of actions not complete at `start` whose deadline falls from `start` to `until`, both included."""
    return [milestone for action in plan.actions if not complete(plan, action, start)
            for milestone in milestones(action)
            if milestone.deadline and start <= milestone.deadline.last_day <= until]


def past_due(plan: Plan, as_of: datetime.date) -> list[Milestone]:
    """Dated parts of actions whose deadline passed before `as_of`, the action not complete."""
    return [milestone for action in plan.actions for milestone in standing(plan, action, as_of).past_due]


def describe(milestone: Milestone, limit: int = 160) -> str:
    """A table's Action cell: the step's words with the action they belong to, or the action's words."""
    action_text = " ".join(milestone.action.text.split())
    if milestone.step is None:
        return shorten(action_text or (milestone.action.steps[0].text if milestone.action.steps else ""), limit)
    step_text = shorten(milestone.text, limit)
    return f"{step_text} (in {milestone.action.number}: {shorten(action_text, 70)})" if action_text else step_text


def count_phrase(milestones: list[Milestone]) -> str:
    """'13 actions (14 dates)', '1 action'."""
    actions = len({id(milestone.action) for milestone in milestones})
    text = f"{actions} action{'s' * (actions != 1)}"
    if len(milestones) != actions:
        text += f" ({len(milestones)} dates, counting each step)"
    return text


def roll_up_label(plan: Plan, actions: list[Action], as_of: datetime.date) -> str:
    """The roll-up's label, saying when it was last updated if every action carrying it is stale."""
    found = [standing(plan, action, as_of) for action in actions]
    worst = roll_up(plan, actions, as_of)
    if worst is None:
        return NOT_RATED
    carrying = [item for item in found if item.status is worst]
    if all(item.stale and item.status is item.recorded for item in carrying):
        latest = max((item.recorded_on for item in carrying if item.recorded_on), default=None)
        return f"{worst.label}, last updated {latest.short()}" if latest else worst.label
    return worst.label


def counts_note(plan: Plan, as_of: datetime.date) -> str:
    found = standings(plan, as_of).values()
    late = sum(1 for item in found if item.past_due)
    stale = sum(1 for item in found if item.stale)
    parts = []
    if plan.past_due_status and late:
        parts.append(f"{late} action{'s are' if late != 1 else ' is'} counted as {plan.past_due_status.label} "
                     "because a date has passed and the action is not complete")
    if stale:
        parts.append(f"{stale} status{'es were' if stale != 1 else ' was'} last updated more than "
                     f"{plan.stale_after_months} months before {as_of.day} {calendar.month_name[as_of.month]} {as_of.year}")
    return ("; ".join(parts) + ".") if parts else f"Statuses as recorded by {as_of.day} {calendar.month_name[as_of.month]} {as_of.year}."


def add_months(day: datetime.date, months: int) -> datetime.date:
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
