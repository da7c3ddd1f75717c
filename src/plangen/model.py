"""The typed plan every document is built from. Built once from validated YAML; never written back.

Each object remembers where it came from (`source`, `path`) so semantic rules can point at the line.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plangen.dates import Due, PlanDate
from plangen.yamlio import SourceFile

DEFAULT_LABELS = {
    "work_stream": "Work stream",
    "priority": "Priority",
    "priorities": "Priorities",
    "action": "Actions",
    "number": "No.",
    "issue": "Issue [Ofsted Ref]",
    "lead": "Lead",
    "partners": "Partner involvement",
    "due": "By when",
    "status": "Progress RAG",
    "step": "Step",
    "sro": "Senior Responsible Officer (SRO)",
    "recommendations": "Ofsted recommendations and identified issues",
    "what_good_looks_like": "What good looks like",
    "objectives": "Objectives",
    "outcomes": "Outcomes",
    "measured_by": "Measured by",
    "lead_officers": "Lead Officers",
    "progress": "Latest progress",
}

# The action table's columns: label key and default relative width (a landscape A4 page is 26.1 cm)
COLUMNS = {
    "number": ("number", 1.3),
    "refs": ("issue", 4.0),
    "action": ("action", 10.6),
    "milestones": ("step", 7.0),
    "due": ("due", 2.6),
    "lead": ("lead", 3.2),
    "partners": ("partners", 3.2),
    "status": ("status", 2.5),
    "progress": ("progress", 7.0),
}
SECTIONS = ("introduction", "recommendations", "objectives", "measured_by", "outcomes", "actions",
            "what_good_looks_like", "voices")


@dataclass
class Column:
    key: str
    width: float
    always: bool = False


@dataclass
class Layout:
    """How the plan document prints the plan (plan.yaml `layout`); defaults suit a plan that sets nothing."""

    columns: list[Column] = field(default_factory=lambda: [Column(key, width) for key, (_, width) in COLUMNS.items()])
    steps: str = "rows"
    priority_heading: str = "{label} {number}: {title}"
    sections: list[tuple[str, str]] = field(default_factory=lambda: [(name, "bullets") for name in SECTIONS])
    people: str = "name"
    dates: str = "month-year"
    placeholder: str = "(placeholder)"
    lead_officers: bool = False
    status_key: bool = True

    @classmethod
    def from_data(cls, data) -> "Layout":
        data = data if isinstance(data, dict) else {}
        layout = cls()
        if isinstance(data.get("columns"), list):
            layout.columns = []
            for item in data["columns"]:
                item = item if isinstance(item, dict) else {"column": item}
                key = item.get("column")
                if key in COLUMNS:
                    width = item.get("width")
                    width = float(width) if isinstance(width, (int, float)) and width > 0 else COLUMNS[key][1]
                    layout.columns.append(Column(key, width, bool(item.get("always"))))
        if isinstance(data.get("sections"), list):
            layout.sections = []
            for item in data["sections"]:
                item = item if isinstance(item, dict) else {"section": item}
                if item.get("section") in SECTIONS:
                    layout.sections.append((item["section"], item.get("style") or "bullets"))
        for key in ("steps", "priority_heading", "people", "dates"):
            if isinstance(data.get(key), str):
                setattr(layout, key, data[key])
        if "placeholder" in data:
            layout.placeholder = data["placeholder"] or ""
        for key in ("lead_officers", "status_key"):
            if isinstance(data.get(key), bool):
                setattr(layout, key, data[key])
        return layout


@dataclass
class Where:
    source: SourceFile | None
    path: tuple = ()


@dataclass
class Person:
    id: str | None
    name: str
    role: str = ""
    kind: str = "person"
    lead_officer: bool = True
    email: str = ""
    phone: str = ""
    where: Where = field(default_factory=lambda: Where(None))
    title: str = ""
    roles: tuple = ()  # (role, from datetime.date | None, until datetime.date | None)

    @property
    def display(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name

    def role_on(self, day) -> str:
        """The role held on `day` (from `roles`), else the register's `role`."""
        for role, start, end in self.roles:
            if (start is None or start <= day) and (end is None or day <= end):
                return role
        return self.role

    def display_on(self, day) -> str:
        """'Councillor Alisa Flemming, Cabinet Member for …' as at a meeting date."""
        name = f"{self.title} {self.name}" if self.title else self.name
        role = self.role_on(day) if day else self.role
        return f"{name}, {role}" if role else name


@dataclass
class Refs:
    recommendations: tuple[str, ...] = ()
    paragraphs: tuple[str, ...] = ()
    summary: bool = False
    as_printed: str = ""  # the references exactly as the source prints them ("[Rec 5] Para 33, 66]")

    def printed(self, as_printed: bool) -> str:
        """The references as the source printed them when asked and known, else in house style."""
        return self.as_printed if as_printed and self.as_printed else self.display()

    def display(self) -> str:
        """'[Rec 12, Para 22, 31 & 66]', normalised to the plan's house style."""
        def joined(items):
            return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " & " + items[-1]

        parts = []
        if self.summary:
            parts.append("Exec summary")
        if self.recommendations:
            parts.append("Rec " + joined(list(self.recommendations)))
        if self.paragraphs:
            parts.append("Para " + joined(list(self.paragraphs)))
        return f"[{', '.join(parts)}]" if parts else ""


@dataclass
class Issue:
    """One issue of an action's issue column, with the inspection references printed beside it."""

    text: str
    refs: Refs = field(default_factory=Refs)
    path: tuple = ()  # where its refs are, under the action's own path

    def printed(self, as_printed: bool) -> str:
        return " ".join(part for part in (self.text, self.refs.printed(as_printed)) if part)


@dataclass
class Step:
    letter: str
    text: str
    lead: tuple[str, ...] = ()
    due: Due = field(default_factory=Due)
    where: Where = field(default_factory=lambda: Where(None))


@dataclass
class Progress:
    date: PlanDate | None
    status: str
    note: str = ""
    next_steps: str = ""
    source_ref: str = ""
    where: Where = field(default_factory=lambda: Where(None))


@dataclass
class Action:
    number: str
    text: str
    issues: list[Issue] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    after_steps: str = ""
    lead: tuple[str, ...] = ()
    partners: list[str] | None = None
    due: Due = field(default_factory=Due)
    status: str | None = None
    placeholder: bool = False
    measures: list[str] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    group: str | None = None
    priority: str = ""
    where: Where = field(default_factory=lambda: Where(None))

    @property
    def issue(self) -> str:
        """The issue wording alone, several issues joined by '; '."""
        return "; ".join(issue.text for issue in self.issues if issue.text)

    @property
    def refs(self) -> Refs:
        """Every issue's references together (what the action answers, whichever issue cites it)."""
        recommendations: list[str] = []
        paragraphs: list[str] = []
        for issue in self.issues:
            recommendations += [number for number in issue.refs.recommendations if number not in recommendations]
            paragraphs += [number for number in issue.refs.paragraphs if number not in paragraphs]
        return Refs(tuple(recommendations), tuple(paragraphs), any(issue.refs.summary for issue in self.issues))

    def issue_lines(self, as_printed: bool = False) -> list[str]:
        """The issue column: one line per issue, each with its own references."""
        return [line for line in (issue.printed(as_printed) for issue in self.issues) if line]

    @property
    def all_leads(self) -> list[str]:
        leads = list(self.lead)
        for step in self.steps:
            leads += [lead for lead in step.lead if lead not in leads]
        return leads

    @property
    def dues(self) -> list[Due]:
        return [due for due in [self.due] + [step.due for step in self.steps] if due.is_set]

    @property
    def deadline(self) -> PlanDate | None:
        """The latest deadline among the action and its steps; None when open-ended."""
        deadlines = [due.deadline for due in self.dues if due.deadline]
        return max(deadlines, key=lambda date: date.last_day) if deadlines else None

    def progress_at(self, as_of: datetime.date | None = None) -> Progress | None:
        """The latest progress entry reported by `as_of` (any date when None): a paper for a
        meeting must not use progress recorded after it."""
        dated = [entry for entry in self.progress if entry.date and (as_of is None or entry.date.first_day <= as_of)]
        if dated:
            return max(dated, key=lambda entry: entry.date.last_day)
        undated = [entry for entry in self.progress if not entry.date]
        return undated[-1] if undated else None

    def status_at(self, as_of: datetime.date | None = None) -> str | None:
        """The status at `as_of`: the latest progress entry's by then, or the status printed in the plan."""
        latest = self.progress_at(as_of)
        return latest.status if latest else self.status

    @property
    def latest_progress(self) -> Progress | None:
        return self.progress_at(None)

    @property
    def current_status(self) -> str | None:
        return self.status_at(None)


@dataclass
class Group:
    title: str | None
    note: str = ""
    actions: list[Action] = field(default_factory=list)


@dataclass
class Voice:
    who: str
    statements: list[str]


@dataclass
class Outcome:
    text: str
    outcomes: list[str] = field(default_factory=list)


@dataclass
class Priority:
    number: str
    title: str
    groups: list[Group]
    printed_number: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    work_stream: str | None = None
    sro: str | None = None
    sro_as_printed: str | None = None
    titles_as_printed: list[dict] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    recommendations_as_printed: str | None = None
    introduction: str = ""
    issues: list[str] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    measured_by: list[str] = field(default_factory=list)
    what_good_looks_like: list[str] = field(default_factory=list)
    voices: list[Voice] = field(default_factory=list)
    where: Where = field(default_factory=lambda: Where(None))

    @property
    def actions(self) -> list[Action]:
        return [action for group in self.groups for action in group.actions]


@dataclass
class Status:
    id: str
    label: str
    colour: str
    meaning: str
    complete: bool = False
    rank: int = 0
    past_due: bool = False  # the status an incomplete action takes in papers once one of its dates has passed


@dataclass
class WorkStream:
    id: str
    name: str
    colour: str | None = None
    sro: str | None = None
    colour_name: str | None = None

    @property
    def label(self) -> str:
        """'Practice (dark blue)': the colour named, for readers who cannot see it."""
        return f"{self.name} ({self.colour_name})" if self.colour_name else self.name


@dataclass
class Recommendation:
    number: str
    text: str
    to: str = ""


@dataclass
class Band:
    rag: str
    min: float | None = None
    max: float | None = None


@dataclass
class Indicator:
    code: str
    title: str
    group: str
    printed_code: str | None = None
    polarity: str | None = None
    unit: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    target: Any = None
    owner: str | None = None
    rag: str | None = None
    summary_rag: str | None = None
    methodology: str | None = None
    thresholds: list[Band] = field(default_factory=list)
    where: Where = field(default_factory=lambda: Where(None))


@dataclass
class Plan:
    """The whole plan repository as one object."""

    root: Path
    meta: dict  # plan.yaml as plain data, for front-matter text the documents print as written
    council: str
    title: str
    status: str
    labels: dict[str, str]
    statuses: list[Status]
    work_streams: list[WorkStream]
    recommendations: list[Recommendation]
    people: list[Person]
    priorities: list[Priority]
    indicators: dict | None = None
    indicator_list: list[Indicator] = field(default_factory=list)
    workforce: list[dict] = field(default_factory=list)
    reports: list[SourceFile] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)
    # the date the plan document shows progress ratings at (`--as-of`); None: the plan's approval date
    as_of: datetime.date | None = None
    layout: Layout = field(default_factory=Layout)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def actions(self) -> list[Action]:
        return [action for priority in self.priorities for action in priority.actions]

    def person(self, person_id: str) -> Person | None:
        return self.people_by_id.get(person_id)

    @property
    def people_by_id(self) -> dict[str, Person]:
        if not hasattr(self, "_people_by_id"):
            index: dict[str, Person] = {}
            for person in self.people:
                if person.id and person.id not in index:
                    index[person.id] = person
            self._people_by_id = index
        return self._people_by_id

    @property
    def status_by_id(self) -> dict[str, Status]:
        return {status.id: status for status in self.statuses}

    @property
    def actions_by_number(self) -> dict[str, Action]:
        index: dict[str, Action] = {}
        for action in self.actions:
            index.setdefault(action.number, action)
        return index

    @property
    def work_stream_by_id(self) -> dict[str, WorkStream]:
        return {stream.id: stream for stream in self.work_streams}

    @property
    def date(self) -> PlanDate | None:
        try:
            return PlanDate.parse(self.meta["date"]) if self.meta.get("date") else None
        except ValueError:
            return None

    @property
    def approved_on(self) -> datetime.date | None:
        """The day the plan was last approved (its `approvals`), else the end of its publication month."""
        days = []
        for approval in self.meta.get("approvals") or []:
            try:
                days.append(PlanDate.parse(str(approval.get("date"))).last_day)
            except ValueError:
                continue
        if days:
            return max(days)
        return self.date.last_day if self.date else None

    @property
    def document_as_of(self) -> datetime.date | None:
        """The date the plan document is true at: `--as-of`, else the approval (or publication) date."""
        return self.as_of or self.approved_on

    @property
    def past_due_status(self) -> Status | None:
        return next((status for status in self.statuses if status.past_due), None)

    @property
    def stale_after_months(self) -> int:
        value = (self.meta.get("status_scale") or {}).get("stale_after_months")
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 3
