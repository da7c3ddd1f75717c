"""Validation: JSON Schema first, then the semantic rules. Every finding carries file:line:col.

Each semantic rule below is one generator function registered with `@rule(code, severity,
description)` (plangen.rules); it yields a Problem wherever the plan breaks it, and the Checker
gives the Problem its rule, severity and place in a file. Rules found while reading files are
declared in plangen.rules.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from plangen import progress, schemas
from plangen.dates import DateError, PlanDate
from plangen.findings import Finding
from plangen.indicators import PRINTED_RAG, latest_value, normalise_code, rag_for
from plangen.model import Action, Plan, Where
from plangen.repository import Builder, load_sources
from plangen.rules import RULES, declare, rule
from plangen.selection import apply_ignore_comments, ignore_comments
from plangen.text import shorten
from plangen.yamlio import SourceFile

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


@dataclass
class Problem:
    """One place a rule is broken; `suffix` extends `where.path` to the offending key."""

    where: Where
    message: str
    hint: str | None = None
    subject: str | None = None  # what it is about ("action 3.13"), used to acknowledge known findings
    suffix: tuple = ()
    at_key: bool = False
    offset: int = 0


@dataclass
class PersonReference:
    where: Where
    person_id: str
    what: str  # "action 2.1 lead"
    subject: str
    suffix: tuple = ()


# A rule about a missing key says nothing new when that key is misspelt on the same item, or its
# value is already reported as wrong: the unknown-key ("did you mean 'lead'?") or bad-date finding
# is the real cause.
FOLLOW_ON_OF_TYPO = {"missing-lead": "lead", "missing-due": "due"}


class Checker:
    """What the rules share: the plan, the as-of date, and indexes built once."""

    def __init__(self, plan: Plan, as_of: datetime.date | None, misspelt: set | None = None):
        self.plan = plan
        self.as_of = as_of
        self.misspelt = misspelt or set()  # (file, item path, key) already reported: misspelt, or its value wrong
        self.findings: list[Finding] = []
        self._wordings: dict[str, str] = {}
        self._word_sets: dict[str, set[str]] = {}
        self.strict = "warning" if plan.is_draft else "error"
        self.actions_by_number = plan.actions_by_number
        self.statuses = plan.status_by_id
        # with no readable register every reference would look unknown; its own error says enough
        self.register_loaded = any(source.kind == "people" and source.data is not None for source in plan.files)

    def run(self) -> list[Finding]:
        for registered in RULES.values():
            if registered.check is None:
                continue
            severity = self.strict if registered.severity == "strict" else registered.severity
            for problem in registered.check(self):
                source = problem.where.source
                if source is None:
                    continue
                meant = FOLLOW_ON_OF_TYPO.get(registered.code)
                if meant and (source.path, problem.where.path, meant) in self.misspelt:
                    continue
                self.findings.append(source.finding(problem.where.path + problem.suffix, severity, registered.code,
                                                    problem.message, problem.hint, problem.subject, problem.at_key,
                                                    problem.offset))
        return self.findings

    # -- what several rules walk over ---------------------------------------------------------
    def priority_actions(self):
        for priority in self.plan.priorities:
            for action in priority.actions:
                yield priority, action

    def person_references(self):
        """Every place the plan names a person by id."""
        for priority in self.plan.priorities:
            if priority.sro:
                yield PersonReference(priority.where, priority.sro, "sro", f"priority {priority.number}", ("sro",))
            for action in priority.actions:
                subject = f"action {action.number}"
                for index, lead in enumerate(action.lead):
                    suffix = ("lead", index) if len(action.lead) > 1 else ("lead",)
                    yield PersonReference(action.where, lead, f"action {action.number} lead", subject, suffix)
                for step in action.steps:
                    for lead in step.lead:
                        yield PersonReference(step.where, lead, f"action {action.number}{step.letter} lead", subject, ("lead",))
        for indicator in self.plan.indicator_list:
            if indicator.owner:
                yield PersonReference(indicator.where, indicator.owner, f"indicator {indicator.code} owner",
                                      f"indicator {indicator.code}", ("owner",))
        for report in self.plan.reports:
            data = report.data
            subject = f"report {report.path.stem}"
            for person_field in ("lead_officer", "cabinet_member", "person_leading"):
                person_id = (data.get("header") or {}).get(person_field)
                if person_id:
                    yield PersonReference(Where(report, ("header", person_field)), person_id,
                                          person_field.replace("_", " "), subject)
            contact = (data.get("contact") or {}).get("person")
            if contact:
                yield PersonReference(Where(report, ("contact", "person")), contact, "contact", subject)

    def texts(self):
        """(where, text, subject, suffix) for every text that may cite actions, priorities or indicators."""
        for _, action in self.priority_actions():
            subject = f"action {action.number}"
            yield action.where, action.text, subject, ("text",)
            if action.after_steps:
                yield action.where, action.after_steps, subject, ("after_steps",)
            for step in action.steps:
                yield step.where, step.text, subject, ("text",)
        for report, path, text in self.report_texts():
            yield Where(report, path), text, f"report {report.path.stem}", ()

    def report_texts(self):
        for report in self.plan.reports:
            for path, text in walk_strings(report.data):
                yield report, path, text

    def wording(self, action: Action) -> str:
        if action.number not in self._wordings:
            self._wordings[action.number] = " ".join([action.text] + [step.text for step in action.steps]).lower()
        return self._wordings[action.number]

    def words(self, action: Action) -> set[str]:
        if action.number not in self._word_sets:
            self._word_sets[action.number] = set(WORD.findall(self.wording(action)[:400]))
        return self._word_sets[action.number]

    def known_recommendations(self) -> set[str]:
        return {recommendation.number for recommendation in self.plan.recommendations}


# -- people ------------------------------------------------------------------------------------
@rule("unknown-person", "strict", "every lead, SRO, owner and report person is in the people register")
def unknown_person(check: Checker):
    if not check.register_loaded:
        return
    known = sorted(check.plan.people_by_id)
    for reference in check.person_references():
        if reference.person_id == "TBC" or check.plan.person(reference.person_id) is not None:
            continue
        close = difflib.get_close_matches(reference.person_id, known, n=1, cutoff=0.5)
        hint = (f"did you mean '{close[0]}'? " if close else "") + "add them to people.yaml or correct the initials"
        shown = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
        yield Problem(reference.where, f"{reference.what}: '{reference.person_id}' is not in the people register (known: {shown})",
                      hint, reference.subject, reference.suffix)


@rule("duplicate-person", "warning", "no id appears twice in the people register")
def duplicate_person(check: Checker):
    seen: dict[str, object] = {}
    for person in check.plan.people:
        if not person.id:
            continue
        if person.id in seen:
            first = seen[person.id]
            same = (first.name, first.role) == (person.name, person.role)
            yield Problem(person.where,
                          f"'{person.id}' appears twice in the people register"
                          + (" (identical entries)" if same else f" ('{first.name}' and '{person.name}')"),
                          "delete the repeated entry", f"person {person.id}", ("id",))
        else:
            seen[person.id] = person


@rule("person-without-id", "warning", "every register entry has an id so it can be referred to")
def person_without_id(check: Checker):
    for person in check.plan.people:
        if not person.id:
            yield Problem(person.where, f"'{person.name}' has no id, so the plan cannot refer to them",
                          "add id: with their initials", f"person {person.name}")


# -- priorities and actions ----------------------------------------------------------------------
@rule("action-number", "error", "an action's number starts with its priority's number")
def action_number(check: Checker):
    for priority, action in check.priority_actions():
        prefix = priority.number + "."
        if action.number and not action.number.startswith(prefix):
            yield Problem(action.where, f"action {action.number} is in priority {priority.number}; its number should start with '{prefix}'",
                          "renumber it or move it to the right priority file", f"action {action.number}", ("number",))


@rule("duplicate-action", "error", "action numbers are unique across the plan")
def duplicate_action(check: Checker):
    seen: dict[str, Action] = {}
    for action in check.plan.actions:
        if action.number in seen:
            first = seen[action.number]
            line, _ = first.where.source.position(first.where.path)
            yield Problem(action.where, f"action {action.number} is numbered twice",
                          f"first at {first.where.source.display}:{line}", f"action {action.number}", ("number",))
        else:
            seen[action.number] = action


@rule("duplicate-priority", "error", "priority numbers are unique")
def duplicate_priority(check: Checker):
    numbers: dict[str, object] = {}
    for priority in check.plan.priorities:
        if priority.number in numbers:
            yield Problem(priority.where, f"priority {priority.number} is defined twice",
                          f"also in {numbers[priority.number].where.source.display}", f"priority {priority.number}", ("number",))
        numbers[priority.number] = priority


@rule("duplicate-indicator", "error", "indicator codes are unique")
def duplicate_indicator(check: Checker):
    seen = set()
    for indicator in check.plan.indicator_list:
        if indicator.code in seen:
            yield Problem(indicator.where, f"indicator {indicator.code} appears twice", None, f"indicator {indicator.code}", ("code",))
        seen.add(indicator.code)


@rule("missing-lead", "strict", "every action has a lead")
def missing_lead(check: Checker):
    for _, action in check.priority_actions():
        if not action.all_leads and not action.placeholder:
            yield Problem(action.where, f"action {action.number} has no lead", "add lead: with initials from the people register",
                          f"action {action.number}", ("number",))


@rule("tbc-lead", "strict", "no lead is TBC")
def tbc_lead(check: Checker):
    for reference in check.person_references():
        if reference.person_id == "TBC":
            yield Problem(reference.where, f"{reference.what} is TBC", "name the lead before the plan is approved",
                          reference.subject, reference.suffix)


@rule("missing-due", "strict", "every action has a date (on the action or on each step)")
def missing_due(check: Checker):
    for _, action in check.priority_actions():
        if action.placeholder or action.due.is_set:
            continue
        if not action.dues:
            yield Problem(action.where, f"action {action.number} has no date", "add due: (e.g. 2018-03), or a due on every step",
                          f"action {action.number}", ("number",))
            continue
        for step in action.steps:
            if not step.due.is_set:
                yield Problem(step.where, f"action {action.number}{step.letter} has no date, though other steps of the action do",
                              "add due: to the step, or one due: for the whole action", f"action {action.number}", ("text",))


@rule("tbc-date", "strict", "no date is TBC")
def tbc_date(check: Checker):
    for _, action in check.priority_actions():
        if action.due.tbc:
            yield Problem(action.where, f"action {action.number}'s date is TBC", "set the date before approval",
                          f"action {action.number}", ("due",))
        for step in action.steps:
            if step.due.tbc:
                yield Problem(step.where, f"action {action.number}{step.letter}'s date is TBC", "set the date before approval",
                              f"action {action.number}", ("due",))


@rule("placeholder-action", "strict", "no placeholder actions remain")
def placeholder_action(check: Checker):
    for _, action in check.priority_actions():
        if action.placeholder:
            yield Problem(action.where, f"action {action.number} is a placeholder", "replace it with a real action or remove it",
                          f"action {action.number}", ("placeholder",))


@rule("unknown-status", "error", "statuses come from the plan's status scale")
def unknown_status(check: Checker):
    statuses = check.statuses
    known = "known: " + ", ".join(statuses)
    for _, action in check.priority_actions():
        subject = f"action {action.number}"
        if action.status and action.status not in statuses:
            yield Problem(action.where, f"status '{action.status}' is not in the status scale", known, subject, ("status",))
        for entry in action.progress:
            if entry.status not in statuses:
                yield Problem(entry.where, f"status '{entry.status}' is not in the status scale", known, subject, ("status",))


@rule("unknown-work-stream", "error", "a priority's work stream exists")
def unknown_work_stream(check: Checker):
    streams = check.plan.work_stream_by_id
    for priority in check.plan.priorities:
        if priority.work_stream and streams and priority.work_stream not in streams:
            yield Problem(priority.where, f"work stream '{priority.work_stream}' is not in plan.yaml",
                          "known: " + ", ".join(streams), f"priority {priority.number}", ("work_stream",))


@rule("unknown-recommendation", "error", "referenced recommendations exist in the inspection section")
def unknown_recommendation(check: Checker):
    known = check.known_recommendations()
    if not known:
        return
    places = []
    for priority in check.plan.priorities:
        places.append((priority.where, priority.recommendations, f"priority {priority.number}", ("recommendations",)))
        for action in priority.actions:
            for issue in action.issues:
                places.append((action.where, list(issue.refs.recommendations), f"action {action.number}",
                               issue.path + ("recommendations",)))
    for where, numbers, subject, suffix in places:
        for index, number in enumerate(numbers):
            if number not in known:
                yield Problem(where, f"recommendation {number} is not in the inspection section of plan.yaml",
                              "add it to inspection.recommendations or correct the number", subject, suffix + (index,))


@rule("unaddressed-recommendation", "warning", "every inspection recommendation is addressed by an action or priority")
def unaddressed_recommendation(check: Checker):
    addressed = set()
    for priority in check.plan.priorities:
        addressed.update(priority.recommendations)
        for action in priority.actions:
            addressed.update(action.refs.recommendations)
    plan_source = next((source for source in check.plan.files if source.kind == "plan" and source.data), None)
    for index, recommendation in enumerate(check.plan.recommendations):
        if recommendation.number not in addressed:
            yield Problem(Where(plan_source, ("inspection", "recommendations", index)),
                          f"recommendation {recommendation.number} is not addressed by any priority or action",
                          "cite it in an action's refs or a priority's recommendations", f"recommendation {recommendation.number}")


PRINTED_REFERENCE = re.compile(r"exec(?:utive)?\s+summary|[A-Za-z]+|\d+[a-z]?", re.I)


def cited_in(printed: str) -> tuple[set[str], set[str], bool] | str:
    """The recommendations, paragraphs and executive summary that references printed as text cite
    ('[Rec 5] Para 33, 66]' cites recommendation 5 and paragraphs 33 and 66); or, when a number
    follows no 'Rec' or 'Para', that number (the text cannot be read)."""
    recommendations: set[str] = set()
    paragraphs: set[str] = set()
    summary = False
    current = None
    for token in PRINTED_REFERENCE.findall(printed):
        lower = token.lower()
        if lower.startswith("exec"):
            summary = True
        elif lower.startswith("rec"):
            current = recommendations
        elif lower.startswith("para"):
            current = paragraphs
        elif token[0].isdigit():
            if current is None:
                return token
            current.add(token)
    return recommendations, paragraphs, summary


@rule("issue-form", "error", "an action gives its issue column one way: issue and refs, or issues")
def issue_form(check: Checker):
    for priority in check.plan.priorities:
        source = priority.where.source
        for action in priority.actions:
            data = _action_data(source, action.where.path)
            if isinstance(data, dict) and data.get("issues") and ("issue" in data or "refs" in data):
                yield Problem(action.where, f"action {action.number} has both 'issues' and 'issue'/'refs'",
                              "give each issue with its references under 'issues', and remove 'issue' and 'refs'",
                              f"action {action.number}", ("issues",), at_key=True)


def _action_data(source, path: tuple):
    data = source.data if source is not None else None
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


@rule("refs-as-printed", "error", "references kept as printed cite the same recommendations and paragraphs as the structured refs")
def refs_as_printed(check: Checker):
    for _, action in check.priority_actions():
        for issue in action.issues:
            printed = issue.refs.as_printed
            if not printed:
                continue
            suffix = issue.path + ("as_printed",)
            cited = cited_in(printed)
            if isinstance(cited, str):
                yield Problem(action.where, f"action {action.number}: in '{printed}', {cited} follows no 'Rec' or 'Para'",
                              "write the references as the source prints them, e.g. '[Rec 12, Para 22 & 31]'",
                              f"action {action.number}", suffix)
                continue
            recommendations, paragraphs, summary = cited
            structured = issue.refs
            differences = []
            if recommendations != set(structured.recommendations):
                differences.append(f"recommendations {_listed(recommendations)} (refs: {_listed(structured.recommendations)})")
            if paragraphs != set(structured.paragraphs):
                differences.append(f"paragraphs {_listed(paragraphs)} (refs: {_listed(structured.paragraphs)})")
            if summary != structured.summary:
                differences.append("the executive summary" if summary else "no executive summary (refs: summary)")
            if differences:
                yield Problem(action.where, f"action {action.number}: '{printed}' cites " + "; ".join(differences),
                              "the printed references and the structured ones must say the same; correct whichever is wrong",
                              f"action {action.number}", suffix)


def _listed(numbers) -> str:
    ordered = sorted(numbers, key=lambda number: (len(number), number))
    return ", ".join(ordered) if ordered else "none"


# -- references in text -------------------------------------------------------------------------
@rule("dangling-reference", "error", "references in text ([action 2.10], see action 7.8, [priority 5], [indicator FD8]) resolve")
def dangling_reference(check: Checker):
    actions = check.actions_by_number
    priorities = {priority.number for priority in check.plan.priorities}
    codes = {indicator.code for indicator in check.plan.indicator_list}
    for where, text, subject, suffix in check.texts():
        if not text or "[" not in text and "see action" not in text.lower():
            continue
        for match in ACTION_REFERENCE.finditer(text):
            number = match.group(1) or match.group(2)
            if number not in actions:
                yield Problem(where, f"'{match.group(0)}' refers to action {number}, which does not exist",
                              "correct the number (actions are numbered priority.n)", subject, suffix, offset=match.start())
        for match in PRIORITY_REFERENCE.finditer(text):
            if match.group(1) not in priorities:
                yield Problem(where, f"'{match.group(0)}' refers to priority {match.group(1)}, which does not exist",
                              None, subject, suffix, offset=match.start())
        for match in INDICATOR_REFERENCE.finditer(text):
            if normalise_code(match.group(1)) not in codes:
                yield Problem(where, f"'{match.group(0)}' refers to indicator {normalise_code(match.group(1))}, which does not exist",
                              "indicator codes are in indicators.yaml", subject, suffix, offset=match.start())


@rule("bare-page-number", "warning", "narrative cites pages as references ([page: lead-officers]), not as numbers that go stale")
def bare_page_number(check: Checker):
    from plangen.page_references import BARE_PAGE

    places = [(Where(source, path), text, f"{source.kind} {source.path.stem}")
              for source in check.plan.files if source.kind in ("plan", "report") and source.data
              for path, text in walk_strings(source.data) if "source" not in path]
    places += [(Where(where.source, where.path + suffix), text, subject) for where, text, subject, suffix in check.texts()
               if where.source and where.source.kind == "priority"]
    for where, text, subject in places:
        if not isinstance(text, str) or "page" not in text.lower():
            continue
        for match in BARE_PAGE.finditer(text):
            yield Problem(where, f"'{match.group(0)}' is a page number typed into the text; it will be wrong once the "
                                 "document is laid out again",
                          "write a reference that plangen numbers from the layout: [page: lead-officers], "
                          "[pages: appendix-1], or in a paper [plan page: progress-rag-ratings]",
                          subject, (), offset=match.start())


@rule("reference-wording", "warning", "text quoted next to an action reference is that action's wording")
def reference_wording(check: Checker):
    """'…wording of action 5.1… [action 5.5]': the quoted words should be the cited action's."""
    actions = check.actions_by_number
    for report, path, text in check.report_texts():
        for line in text.splitlines():
            match = ACTION_REFERENCE.search(line)
            if not match:
                continue
            cited = match.group(1) or match.group(2)
            quoted = line[: match.start()].strip(" -*•\t").strip()
            if len(quoted) < 25 or cited not in actions:
                continue

            def likeness(action: Action, at_least: float = 0.0) -> float:
                matcher = difflib.SequenceMatcher(None, quoted.lower(), check.wording(action)[: len(quoted) * 2])
                # quick_ratio is an upper bound: a candidate that cannot pass needs no exact ratio
                return matcher.ratio() if matcher.quick_ratio() > at_least else 0.0

            # word overlap picks a few candidates cheaply; only they get the slower character match
            quoted_words = set(WORD.findall(quoted.lower()))
            candidates = sorted(actions.values(), key=lambda action: -len(quoted_words & check.words(action)))[:3]
            best_score, best = max(((likeness(action, at_least=0.6), action) for action in candidates if action.number != cited),
                                   key=lambda scored: scored[0], default=(0.0, None))
            if best is not None and best_score > 0.6 and best_score - likeness(actions[cited]) > 0.2:
                yield Problem(Where(report, path), f"the text cited as action {cited} is the wording of action {best.number}",
                              f"cite [action {best.number}] or quote action {cited}", f"report {report.path.stem} action {cited}")


@rule("printed-name", "warning", "a name printed in the plan matches the people register")
def printed_name(check: Checker):
    register = check.plan.people_by_id
    for priority in check.plan.priorities:
        if priority.sro and priority.sro_as_printed and priority.sro in register:
            registered = register[priority.sro].name
            if registered != priority.sro_as_printed:
                yield Problem(priority.where,
                              f"SRO {priority.sro} is printed as '{priority.sro_as_printed}' but the people register has '{registered}'",
                              "correct the spelling in one place", f"priority {priority.number}", ("sro_as_printed",))


@rule("title-variants", "warning", "a priority's title is worded the same everywhere")
def title_variants(check: Checker):
    for priority in check.plan.priorities:
        variants = [item for item in priority.titles_as_printed if item.get("title") != priority.title]
        if variants:
            wordings = "; ".join(f"{item.get('where')}: '{item.get('title')}'" for item in variants)
            yield Problem(priority.where,
                          f"priority {priority.number}'s title is worded {len({item.get('title') for item in variants}) + 1} ways: "
                          f"'{priority.title}'; {wordings}",
                          "use one wording everywhere", f"priority {priority.number}", ("titles_as_printed",))


# -- indicators ---------------------------------------------------------------------------------
@rule("rag-mismatch", "warning", "printed RAGs agree with each other and with the thresholds")
def rag_mismatch(check: Checker):
    months = (check.plan.indicators or {}).get("months") or []
    for indicator in check.plan.indicator_list:
        subject = f"indicator {indicator.code}"
        printed = PRINTED_RAG.get((indicator.rag or "").lower())
        summary = PRINTED_RAG.get((indicator.summary_rag or "").lower())
        if indicator.summary_rag and (summary != printed or summary is None):
            yield Problem(indicator.where,
                          f"indicator {indicator.code}: the summary table prints {indicator.summary_rag}, the detail table {indicator.rag or 'nothing'}",
                          "correct one of them", subject, ("summary_rag",))
        _, value = latest_value(indicator, months)
        computed = rag_for(indicator, value)
        if printed and computed and computed != printed:
            yield Problem(indicator.where,
                          f"indicator {indicator.code}: printed RAG is {indicator.rag} but {value} falls in the {computed} band of its thresholds",
                          "check the value, the thresholds or the printed RAG", subject, ("rag",))


@rule("rag-word", "warning", "a printed RAG is a word of the scale (Red, Amber, Green), or Grey for no rating")
def rag_word(check: Checker):
    """The data keeps the RAG as published; the papers print the scale's word (README, Indicator RAG)."""
    for indicator in check.plan.indicator_list:
        for key, word in (("rag", indicator.rag), ("summary_rag", indicator.summary_rag)):
            if not word or word.lower() in ("red", "amber", "green", "grey", "gray"):
                continue
            band = PRINTED_RAG.get(word.lower())
            shown = f"prints as {band.capitalize()}" if band else "is no RAG; the papers print the band its latest value earns, or Not rated"
            yield Problem(indicator.where, f"indicator {indicator.code}: RAG '{word}' is not a word of the scale ({shown})",
                          "keep it if the source printed it so; otherwise write Red, Amber or Green",
                          f"indicator {indicator.code}", (key,))


# -- time ---------------------------------------------------------------------------------------
@rule("overdue", "warning", "no action or step is past its date while the action is not complete at --as-of")
def overdue(check: Checker):
    if not check.as_of:
        return
    for _, action in check.priority_actions():
        for milestone in progress.standing(check.plan, action, check.as_of).past_due:
            where = milestone.step.where if milestone.step else action.where
            what = f"{milestone.label} ({shorten(milestone.text.rstrip('.;:'), 40)})" if milestone.step else milestone.label
            yield Problem(where, f"action {what} was due {milestone.deadline.short()} and is not complete at {check.as_of.isoformat()}",
                          "record progress, or re-date it in a reviewed change", f"action {milestone.label}", ("due",))


@rule("stale-status", "warning", "no action's status was last updated longer ago than status_scale.stale_after_months (default 3) at --as-of")
def stale_status(check: Checker):
    if not check.as_of:
        return
    months = check.plan.stale_after_months
    for _, action in check.priority_actions():
        standing = progress.standing(check.plan, action, check.as_of)
        if standing.stale:
            entry = action.progress_at(check.as_of)
            where, suffix = (entry.where, ("date",)) if entry else (action.where, ("status",))
            yield Problem(where, f"action {action.number}'s status {standing.recorded.label} was last updated "
                                 f"{standing.recorded_on.short()}, more than {months} months before {check.as_of.isoformat()}",
                          "record a progress entry with the current status", f"action {action.number}", suffix)


@rule("work-stream-status", "error", "a report's work_stream_status names work streams and statuses the plan has")
def work_stream_status(check: Checker):
    streams = check.plan.work_stream_by_id
    for report in check.plan.reports:
        judged = report.data.get("work_stream_status")
        if not isinstance(judged, dict):
            continue
        subject = f"report {report.path.stem}"
        for stream, status in judged.items():
            if stream not in streams:
                close = difflib.get_close_matches(str(stream), list(streams), n=1)
                yield Problem(Where(report, ("work_stream_status", stream)), f"work stream '{stream}' is not in plan.yaml",
                              (f"did you mean '{close[0]}'? " if close else "") + "known: " + ", ".join(streams),
                              subject, at_key=True)
            if status not in check.statuses:
                yield Problem(Where(report, ("work_stream_status", stream)), f"status '{status}' is not in the status scale",
                              "known: " + ", ".join(check.statuses), subject)


@rule("report-before-approval", "warning", "a paper's as-of date is not before the plan's approval")
def report_before_approval(check: Checker):
    approved = check.plan.approved_on
    if not approved or not check.plan.meta.get("approvals"):
        return
    for report in check.plan.reports:
        as_of = progress.report_as_of(report.data)
        if as_of and as_of < approved:
            key = "as_of" if report.data.get("as_of") else "meeting"
            yield Problem(Where(report, (key,)), f"the paper is as at {as_of.isoformat()}, before the plan was approved "
                                                 f"({approved.isoformat()}): no action has a status yet",
                          "set as_of: to a date on or after the approval", f"report {report.path.stem}")


@rule("report-leaves-out-progress", "warning", "a paper's as-of date leaves out no progress recorded after it")
def report_leaves_out_progress(check: Checker):
    for report in check.plan.reports:
        as_of = progress.report_as_of(report.data)
        if not as_of or report.data.get("kind") in PAPERS_WITHOUT_STATUS:
            continue
        later = progress.progress_after(check.plan, as_of)
        if later:
            latest = max(entry.date for entry in later)
            key = "as_of" if report.data.get("as_of") else "meeting"
            count = len(later)
            yield Problem(Where(report, (key,)),
                          f"the paper is as at {as_of.isoformat()}: it leaves out {count} progress "
                          f"entr{'ies' if count != 1 else 'y'} recorded after that date (the latest {latest.short()})",
                          "set as_of: later to include them, or keep it to show the position at the meeting",
                          f"report {report.path.stem}")


PAPERS_WITHOUT_STATUS = {"cabinet"}  # report kinds that print no action status, so miss no progress


@rule("figure", "error", "a figure in narrative has alt text and a PNG or JPEG file in the repository, in a paragraph of its own")
def figures(check: Checker):
    repository = check.plan.root.resolve().parent
    for report, path, text in check.report_texts():
        if "![" not in text:
            continue
        from plangen.markdown_word import problems

        starts = [0] + [index + 1 for index, character in enumerate(text) if character == "\n"]
        for line, message, hint in problems(text, report.path.resolve().parent, repository):
            offset = starts[min(line, len(starts) - 1)]
            offset += len(text[offset:]) - len(text[offset:].lstrip(" "))
            yield Problem(Where(report, path), message, hint, f"report {report.path.stem}", offset=offset)


@rule("report-template", "error", "a report's template is in the plan repository's templates/ or among plangen's own")
def report_template(check: Checker):
    from importlib.resources import files

    local = check.plan.root.resolve().parent / "templates"
    for report in check.plan.reports:
        name = report.data.get("template")
        if isinstance(name, str) and not (local / name).is_file() and not (files("plangen") / "templates" / name).is_file():
            yield Problem(Where(report, ("template",)), f"template '{name}' is not in {local} nor among plangen's templates",
                          "put the .docx in the repository's templates/ folder, or name a shipped one (report.docx)",
                          f"report {report.path.stem}")


@rule("unknown-revision", "error", "a report's compare_with names a commit in the plan's git history")
def unknown_revision(check: Checker):
    for report in check.plan.reports:
        revision = report.data.get("compare_with")
        if not isinstance(revision, str) or not revision:
            continue
        from plangen.gitplan import revision_problem

        problem = revision_problem(revision, check.plan.root)
        if problem:
            yield Problem(Where(report, ("compare_with",)), f"compare_with: {problem}",
                          "name a branch, tag or commit that exists (git log shows them), or leave compare_with out",
                          f"report {report.path.stem}")


declare("acknowledged-unused", "warning", "every acknowledged finding still occurs", found_by="plangen.validate")


def walk_strings(value, path: tuple = ()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, path + (index,))


def schema_findings(source: SourceFile, reported: set, misspelt: set) -> list[Finding]:
    found = []
    errors = schemas.errors(source.kind, source.data)
    for error in errors:
        for path, rule, message, hint, at_key in schemas.describe(error, source):
            reported.add((source.path, path))
            if rule == "unknown-key" and hint and hint.startswith("did you mean '"):
                misspelt.add((source.path, path[:-1], hint.split("'")[1]))
            elif not at_key and path and isinstance(path[-1], str):
                misspelt.add((source.path, path[:-1], path[-1]))  # a bad value: its key is not missing either
            found.append(source.finding(path, "error", rule, message, hint, at_key=at_key))
    # deepest first, so a value is set aside before the collection holding it is
    for error in sorted(errors, key=lambda error: -len(error.path)):
        set_aside(source, error.path, error)
    return found


# priority files' dates (due dates, progress) are parsed, and checked, as the model is built
DATES_BUILT = {"priority"}


def date_findings(source: SourceFile, reported: set) -> list[Finding]:
    """Every date of a file the model keeps as plain data (a report's meeting, a plan's approvals)
    is a real date, so a paper never meets one it cannot print."""
    found = []
    for path in schemas.date_paths(source.kind, source.data):
        value = source.data
        for step in path:
            value = value[step]
        try:
            PlanDate.parse(value)
        except DateError as error:
            reported.add((source.path, path))
            found.append(source.finding(path, "error", "bad-date", f"{schemas.dotted(path)}: {error}"))
    return found


NEUTRAL = {"string": "", "object": {}, "array": []}


def set_aside(source: SourceFile, path: tuple, error: schemas.SchemaError) -> None:
    """Replace a value the schema rejected by an empty one of the expected type (or remove it), so
    the semantic rules and the model, which trust the schema, meet no list where text should be.
    The schema's finding has already said what is wrong and where. A number where text belongs
    becomes the text the author typed (an unquoted 1.10 stays "1.10", not "1.1")."""
    data = source.data
    if not path or error.keyword in ("additionalProperties", "required", "minItems", "minLength",
                                       "minProperties", "pattern"):
        return
    parent = data
    for step in path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return
    key = path[-1]
    try:
        value = parent[key]
    except (KeyError, IndexError, TypeError):
        return
    expected = error.schema.get("type") if isinstance(error.schema, dict) else None
    if error.keyword == "enum" and isinstance(value, str):
        return
    if expected == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[key] = schemas.as_typed(source, path, value)
    elif isinstance(expected, str) and expected in NEUTRAL:
        parent[key] = type(NEUTRAL[expected])()
    elif isinstance(parent, dict):
        del parent[key]
    else:
        parent[key] = None


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
    misspelt: set = set()
    for source in sources:
        if source.data is not None:
            findings.extend(schema_findings(source, reported, misspelt))
    for source in sources:
        if source.data is not None and source.kind not in DATES_BUILT:
            findings.extend(date_findings(source, reported))
    builder = Builder(reported)
    plan = builder.plan(root, sources)
    findings.extend(builder.findings)
    if any(source.kind == "plan" and source.data is not None for source in sources):
        findings.extend(Checker(plan, as_of, misspelt).run())
    else:
        plan = None
    findings = apply_acknowledgements(plan, findings)
    comments = [comment for source in sources for comment in ignore_comments(source.display, source.text)]
    if comments:
        findings = apply_ignore_comments(findings, comments, RULES)
    findings.sort(key=Finding.sort_key)
    for source in sources:
        source.release_tree()  # every finding has its position now; a later one composes the file again
    return Result(plan, findings)
