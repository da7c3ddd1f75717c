"""Validation: JSON Schema first, then the semantic rules. Every finding carries file:line:col.

Rules and their severities are listed in RULES (and in the README). Rules marked "strict" are
errors in an approved plan and warnings in a draft.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from plangen import schemas
from plangen.findings import Finding
from plangen.indicators import PRINTED_RAG, latest_value, normalise_code, rag_for
from plangen.model import Action, Plan, Where
from plangen.repository import Builder, load_sources
from plangen.yamlio import SourceFile

# rule code -> (severity, what it checks). "strict" = error when approved, warning in a draft.
RULES = {
    "yaml-syntax": ("error", "the file is valid YAML"),
    "duplicate-key": ("error", "no key appears twice in a mapping"),
    "encoding": ("error", "the file is UTF-8"),
    "byte-order-mark": ("warning", "the file has no UTF-8 byte order mark"),
    "bad-character": ("error", "no control characters (they would corrupt a Word document)"),
    "empty-file": ("error", "the file is not empty"),
    "not-a-mapping": ("error", "the file is a mapping of keys to values"),
    "too-complex": ("error", "nesting and alias expansion stay within bounds"),
    "file-too-large": ("error", "the file is under 2 MiB"),
    "file-location": ("error", "every YAML file is where the layout expects it"),
    "file-name": ("error", "priority files are named NN-slug.yaml"),
    "missing-file": ("error", "plan.yaml and people.yaml exist"),
    "unknown-key": ("error", "no unknown keys (typos); 'x-' keys are extensions"),
    "missing-key": ("error", "required keys are present"),
    "wrong-type": ("error", "values have the right type (identifiers are quoted strings)"),
    "bad-value": ("error", "values are among those allowed"),
    "bad-date": ("error", "dates are real dates in a structured form"),
    "schema": ("error", "anything else the JSON Schema requires"),
    "action-number": ("error", "an action's number starts with its priority's number"),
    "duplicate-action": ("error", "action numbers are unique across the plan"),
    "duplicate-priority": ("error", "priority numbers are unique"),
    "duplicate-indicator": ("error", "indicator codes are unique"),
    "unknown-person": ("strict", "every lead, SRO, owner and report person is in the people register"),
    "duplicate-person": ("warning", "no id appears twice in the people register"),
    "person-without-id": ("warning", "every register entry has an id so it can be referred to"),
    "missing-lead": ("strict", "every action has a lead"),
    "tbc-lead": ("strict", "no lead is TBC"),
    "missing-due": ("strict", "every action has a date (on the action or on each step)"),
    "tbc-date": ("strict", "no date is TBC"),
    "placeholder-action": ("strict", "no placeholder actions remain"),
    "unknown-status": ("error", "statuses come from the plan's status scale"),
    "unknown-work-stream": ("error", "a priority's work stream exists"),
    "unknown-recommendation": ("error", "referenced recommendations exist in the inspection section"),
    "unaddressed-recommendation": ("warning", "every inspection recommendation is addressed by an action or priority"),
    "dangling-reference": ("error", "references in text ([action 2.10], see action 7.8, [priority 5], [indicator FD8]) resolve"),
    "reference-wording": ("warning", "text quoted next to an action reference is that action's wording"),
    "printed-name": ("warning", "a name printed in the plan matches the people register"),
    "title-variants": ("warning", "a priority's title is worded the same everywhere"),
    "rag-mismatch": ("warning", "printed RAGs agree with each other and with the thresholds"),
    "overdue": ("warning", "no action is past its date and not complete at --as-of"),
    "acknowledged-unused": ("warning", "every acknowledged finding still occurs"),
}

ACTION_REFERENCE = re.compile(r"\[action(?:\s+ref)?\s+([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)+)\]|\bsee action\s+([0-9]+\.[0-9]+)", re.I)
PRIORITY_REFERENCE = re.compile(r"\[priority\s+([0-9A-Za-z]+)\]", re.I)
WORD = re.compile(r"\w+")
INDICATOR_REFERENCE = re.compile(r"\[indicator\s+([A-Za-z]+\s*[0-9]*\s*[a-z]?)\]", re.I)


@dataclass
class Result:
    plan: Plan | None
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


class Checker:
    def __init__(self, plan: Plan, as_of: datetime.date | None):
        self.plan = plan
        self.as_of = as_of
        self.findings: list[Finding] = []
        self._wordings: dict[str, str] = {}
        self._word_sets: dict[str, set[str]] = {}
        self.strict = "warning" if plan.is_draft else "error"
        self.actions_by_number = plan.actions_by_number
        # with no readable register every reference would look unknown; its own error says enough
        self.register_loaded = any(source.kind == "people" and source.data is not None for source in plan.files)

    def add(self, where, rule: str, message: str, hint: str | None = None, subject: str | None = None,
            path_suffix: tuple = (), at_key: bool = False, offset: int = 0):
        severity = RULES[rule][0]
        if severity == "strict":
            severity = self.strict
        source, path = where.source, where.path
        if source is None:
            return
        self.findings.append(source.finding(path + path_suffix, severity, rule, message, hint, subject, at_key, offset))

    # -- people ---------------------------------------------------------------------------
    def person_ref(self, where, person_id, what: str, subject: str, suffix: tuple):
        if person_id is None:
            return
        if person_id == "TBC":
            self.add(where, "tbc-lead", f"{what} is TBC", "name the lead before the plan is approved", subject, suffix)
            return
        if self.plan.person(person_id) is None and self.register_loaded:
            known = sorted(self.plan.people_by_id)
            close = difflib.get_close_matches(person_id, known, n=1, cutoff=0.5)
            hint = (f"did you mean '{close[0]}'? " if close else "") + "add them to people.yaml or correct the initials"
            shown = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
            self.add(where, "unknown-person", f"{what}: '{person_id}' is not in the people register (known: {shown})",
                     hint, subject, suffix)

    def check_register(self):
        seen: dict[str, object] = {}
        for person in self.plan.people:
            if not person.id:
                self.add(person.where, "person-without-id", f"'{person.name}' has no id, so the plan cannot refer to them",
                         "add id: with their initials", f"person {person.name}")
                continue
            if person.id in seen:
                first = seen[person.id]
                same = (first.name, first.role) == (person.name, person.role)
                self.add(person.where, "duplicate-person",
                         f"'{person.id}' appears twice in the people register"
                         + (" (identical entries)" if same else f" ('{first.name}' and '{person.name}')"),
                         "delete the repeated entry", f"person {person.id}", ("id",))
            else:
                seen[person.id] = person

    # -- priorities and actions -------------------------------------------------------------
    def check_priorities(self):
        numbers: dict[str, object] = {}
        streams = self.plan.work_stream_by_id
        register = self.plan.people_by_id
        for priority in self.plan.priorities:
            subject = f"priority {priority.number}"
            if priority.number in numbers:
                self.add(priority.where, "duplicate-priority", f"priority {priority.number} is defined twice",
                         f"also in {numbers[priority.number].where.source.display}", subject, ("number",))
            numbers[priority.number] = priority
            if priority.work_stream and streams and priority.work_stream not in streams:
                self.add(priority.where, "unknown-work-stream", f"work stream '{priority.work_stream}' is not in plan.yaml",
                         "known: " + ", ".join(streams), subject, ("work_stream",))
            self.person_ref(priority.where, priority.sro, "sro", subject, ("sro",))
            if priority.sro and priority.sro_as_printed and priority.sro in register:
                registered = register[priority.sro].name
                if registered != priority.sro_as_printed:
                    self.add(priority.where, "printed-name",
                             f"SRO {priority.sro} is printed as '{priority.sro_as_printed}' but the people register has '{registered}'",
                             "correct the spelling in one place", subject, ("sro_as_printed",))
            variants = [item for item in priority.titles_as_printed if item.get("title") != priority.title]
            if variants:
                wordings = "; ".join(f"{item.get('where')}: '{item.get('title')}'" for item in variants)
                self.add(priority.where, "title-variants",
                         f"priority {priority.number}'s title is worded {len({item.get('title') for item in variants}) + 1} ways: "
                         f"'{priority.title}'; {wordings}",
                         "use one wording everywhere", subject, ("titles_as_printed",))
            self.check_recommendation_numbers(priority.where, priority.recommendations, subject, ("recommendations",))
            for action in priority.actions:
                self.check_action(priority, action)

    def check_recommendation_numbers(self, where, numbers, subject, suffix):
        known = {recommendation.number for recommendation in self.plan.recommendations}
        if not known:
            return
        for index, number in enumerate(numbers):
            if number not in known:
                self.add(where, "unknown-recommendation", f"recommendation {number} is not in the inspection section of plan.yaml",
                         "add it to inspection.recommendations or correct the number", subject, suffix + (index,))

    def check_action(self, priority, action: Action):
        subject = f"action {action.number}"
        where = action.where
        prefix = priority.number + "."
        if not action.number.startswith(prefix):
            self.add(where, "action-number", f"action {action.number} is in priority {priority.number}; its number should start with '{prefix}'",
                     "renumber it or move it to the right priority file", subject, ("number",))
        if action.placeholder:
            self.add(where, "placeholder-action", f"action {action.number} is a placeholder", "replace it with a real action or remove it",
                     subject, ("placeholder",))
        for index, lead in enumerate(action.lead):
            suffix = ("lead", index) if len(action.lead) > 1 else ("lead",)
            self.person_ref(where, lead, f"action {action.number} lead", subject, suffix)
        for step in action.steps:
            for lead in step.lead:
                self.person_ref(step.where, lead, f"action {action.number}{step.letter} lead", subject, ("lead",))
        if not action.all_leads and not action.placeholder:
            self.add(where, "missing-lead", f"action {action.number} has no lead", "add lead: with initials from the people register",
                     subject, ("number",))
        if not action.dues and not action.placeholder:
            self.add(where, "missing-due", f"action {action.number} has no date", "add due: (e.g. 2018-03), or a due on every step",
                     subject, ("number",))
        for due, due_where in [(action.due, where)] + [(step.due, step.where) for step in action.steps]:
            if due.tbc:
                self.add(due_where, "tbc-date", f"action {action.number}'s date is TBC", "set the date before approval", subject, ("due",))
        self.check_recommendation_numbers(where, list(action.refs.recommendations), subject, ("refs", "recommendations"))
        statuses = self.plan.status_by_id
        if action.status and action.status not in statuses:
            self.add(where, "unknown-status", f"status '{action.status}' is not in the status scale", "known: " + ", ".join(statuses),
                     subject, ("status",))
        for entry in action.progress:
            if entry.status not in statuses:
                self.add(entry.where, "unknown-status", f"status '{entry.status}' is not in the status scale",
                         "known: " + ", ".join(statuses), subject, ("status",))
        for field_name, text, text_where in self.action_texts(action):
            self.check_text_references(text_where, text, subject, (field_name,))
        if self.as_of and action.deadline and action.deadline.last_day < self.as_of:
            status = statuses.get(action.current_status or "")
            if not (status and status.complete):
                self.add(where, "overdue",
                         f"action {action.number} was due {action.deadline.short()} and is not complete at {self.as_of.isoformat()}",
                         "record progress, or re-date it in a reviewed change", subject, ("number",))

    @staticmethod
    def action_texts(action: Action):
        yield "text", action.text, action.where
        if action.after_steps:
            yield "after_steps", action.after_steps, action.where
        for step in action.steps:
            yield "text", step.text, step.where

    # -- references in text -----------------------------------------------------------------
    def check_text_references(self, where, text: str, subject: str, suffix: tuple):
        if not text or "[" not in text and "see action" not in text.lower():
            return
        actions = self.actions_by_number
        for match in ACTION_REFERENCE.finditer(text):
            number = match.group(1) or match.group(2)
            if number not in actions:
                self.add(where, "dangling-reference", f"'{match.group(0)}' refers to action {number}, which does not exist",
                         "correct the number (actions are numbered priority.n)", subject, suffix, offset=match.start())
        priorities = {priority.number for priority in self.plan.priorities}
        for match in PRIORITY_REFERENCE.finditer(text):
            if match.group(1) not in priorities:
                self.add(where, "dangling-reference", f"'{match.group(0)}' refers to priority {match.group(1)}, which does not exist",
                         None, subject, suffix, offset=match.start())
        codes = {indicator.code for indicator in self.plan.indicator_list}
        for match in INDICATOR_REFERENCE.finditer(text):
            if normalise_code(match.group(1)) not in codes:
                self.add(where, "dangling-reference", f"'{match.group(0)}' refers to indicator {normalise_code(match.group(1))}, which does not exist",
                         "indicator codes are in indicators.yaml", subject, suffix, offset=match.start())

    def check_reports(self):
        for report in self.plan.reports:
            data = report.data
            for person_field in ("lead_officer", "cabinet_member", "person_leading"):
                person_id = (data.get("header") or {}).get(person_field)
                self.person_ref(Where(report, ("header", person_field)), person_id, person_field.replace("_", " "),
                                f"report {report.path.stem}", ())
            contact = (data.get("contact") or {}).get("person")
            if contact:
                self.person_ref(Where(report, ("contact", "person")), contact, "contact", f"report {report.path.stem}", ())
            for path, text in walk_strings(data):
                self.check_text_references(Where(report, path), text, f"report {report.path.stem}", ())
                self.check_reference_wording(Where(report, path), text, f"report {report.path.stem}")

    def check_reference_wording(self, where, text: str, subject: str):
        """'…wording of action 5.1… [action 5.5]': the quoted words should be the cited action's."""
        actions = self.actions_by_number
        for line in text.splitlines():
            match = ACTION_REFERENCE.search(line)
            if not match:
                continue
            cited = match.group(1) or match.group(2)
            quoted = line[: match.start()].strip(" -*•\t").strip()
            if len(quoted) < 25 or cited not in actions:
                continue

            def likeness(action: Action, at_least: float = 0.0) -> float:
                matcher = difflib.SequenceMatcher(None, quoted.lower(), self.wording(action)[: len(quoted) * 2])
                # quick_ratio is an upper bound: a candidate that cannot pass needs no exact ratio
                return matcher.ratio() if matcher.quick_ratio() > at_least else 0.0

            # word overlap picks a few candidates cheaply; only they get the slower character match
            quoted_words = set(WORD.findall(quoted.lower()))
            candidates = sorted(actions.values(), key=lambda action: -len(quoted_words & self.words(action)))[:3]
            best_score, best = max(((likeness(action, at_least=0.6), action) for action in candidates if action.number != cited),
                                   key=lambda scored: scored[0], default=(0.0, None))
            if best is not None and best_score > 0.6 and best_score - likeness(actions[cited]) > 0.2:
                self.add(where, "reference-wording",
                         f"the text cited as action {cited} is the wording of action {best.number}",
                         f"cite [action {best.number}] or quote action {cited}", f"{subject} action {cited}")

    def wording(self, action: Action) -> str:
        if action.number not in self._wordings:
            self._wordings[action.number] = " ".join([action.text] + [step.text for step in action.steps]).lower()
        return self._wordings[action.number]

    def words(self, action: Action) -> set[str]:
        if action.number not in self._word_sets:
            self._word_sets[action.number] = set(WORD.findall(self.wording(action)[:400]))
        return self._word_sets[action.number]

    # -- inspection, indicators -------------------------------------------------------------
    def check_recommendations_addressed(self):
        addressed = set()
        for priority in self.plan.priorities:
            addressed.update(priority.recommendations)
            for action in priority.actions:
                addressed.update(action.refs.recommendations)
        plan_source = next((source for source in self.plan.files if source.kind == "plan" and source.data), None)
        for index, recommendation in enumerate(self.plan.recommendations):
            if recommendation.number not in addressed:
                self.add(Where(plan_source, ("inspection", "recommendations", index)), "unaddressed-recommendation",
                         f"recommendation {recommendation.number} is not addressed by any priority or action",
                         "cite it in an action's refs or a priority's recommendations", f"recommendation {recommendation.number}")

    def check_indicators(self):
        seen = {}
        for indicator in self.plan.indicator_list:
            subject = f"indicator {indicator.code}"
            if indicator.code in seen:
                self.add(indicator.where, "duplicate-indicator", f"indicator {indicator.code} appears twice",
                         None, subject, ("code",))
            seen[indicator.code] = indicator
            self.person_ref(indicator.where, indicator.owner, f"indicator {indicator.code} owner", subject, ("owner",))
            printed = PRINTED_RAG.get((indicator.rag or "").lower())
            summary = PRINTED_RAG.get((indicator.summary_rag or "").lower())
            if indicator.summary_rag and (summary != printed or summary is None):
                self.add(indicator.where, "rag-mismatch",
                         f"indicator {indicator.code}: the summary table prints {indicator.summary_rag}, the detail table {indicator.rag or 'nothing'}",
                         "correct one of them", subject, ("summary_rag",))
            months = (self.plan.indicators or {}).get("months") or []
            _, value = latest_value(indicator, months)
            computed = rag_for(indicator, value)
            if printed and computed and computed != printed:
                self.add(indicator.where, "rag-mismatch",
                         f"indicator {indicator.code}: printed RAG is {indicator.rag} but {value} falls in the {computed} band of its thresholds",
                         "check the value, the thresholds or the printed RAG", subject, ("rag",))

    def run(self) -> list[Finding]:
        self.check_register()
        self.check_priorities()
        self.check_actions_unique()
        self.check_recommendations_addressed()
        self.check_indicators()
        self.check_reports()
        return self.findings

    def check_actions_unique(self):
        seen: dict[str, Action] = {}
        for action in self.plan.actions:
            if action.number in seen:
                first = seen[action.number]
                line, _ = first.where.source.position(first.where.path)
                self.add(action.where, "duplicate-action", f"action {action.number} is numbered twice",
                         f"first at {first.where.source.display}:{line}", f"action {action.number}", ("number",))
            else:
                seen[action.number] = action


def walk_strings(value, path: tuple = ()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, path + (index,))


def schema_findings(source: SourceFile, reported: set) -> list[Finding]:
    if schemas.conforms(source.kind, source.data):
        return []
    found = []
    for error in schemas.validator(source.kind).iter_errors(source.data):
        for path, rule, message, hint, at_key in schemas.describe(error):
            reported.add((source.path, path))
            found.append(source.finding(path, "error", rule, message, hint, at_key=at_key))
    return found


def apply_acknowledgements(plan: Plan | None, findings: list[Finding]) -> list[Finding]:
    """Findings the plan acknowledges (plan.yaml `acknowledged`) become warnings that say why."""
    if plan is None:
        return findings
    entries = plan.meta.get("acknowledged") or []
    used = [False] * len(entries)
    for finding in findings:
        for index, entry in enumerate(entries):
            if finding.rule == entry.get("rule") and finding.subject == entry.get("subject"):
                used[index] = True
                if finding.severity == "error":
                    finding.severity = "warning"
                finding.message += f" (acknowledged: {entry.get('reason')})"
                break
    plan_source = next((source for source in plan.files if source.kind == "plan" and source.data), None)
    for index, entry in enumerate(entries):
        if not used[index] and plan_source:
            findings.append(plan_source.finding(("acknowledged", index), "warning", "acknowledged-unused",
                                                f"acknowledged finding {entry.get('rule')} for {entry.get('subject')} no longer occurs",
                                                "remove the entry from acknowledged"))
    return findings


def validate(root: Path, as_of: datetime.date | None = None) -> Result:
    sources, findings = load_sources(root)
    reported: set = set()
    for source in sources:
        if source.data is not None:
            findings.extend(schema_findings(source, reported))
    builder = Builder(reported)
    plan = builder.plan(root, sources)
    findings.extend(builder.findings)
    if any(source.kind == "plan" and source.data is not None for source in sources):
        findings.extend(Checker(plan, as_of).run())
    else:
        plan = None
    findings = apply_acknowledgements(plan, findings)
    findings.sort(key=Finding.sort_key)
    return Result(plan, findings)
