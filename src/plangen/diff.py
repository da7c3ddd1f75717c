"""Compare two plans: what happened to the plan, not to its files.

Actions are paired in three passes, so a renumbered or moved action is reported as such rather
than as one removal and one addition:
  1. same number and similar content;
  2. the most similar remaining pairs (a renumbered or moved action);
  3. same number whatever the content (an action rewritten in place).
Whatever is left is added or removed. Similarity is the overlap of the actions' word sets, which
is cheap enough to compare every remaining pair of a plan with thousands of actions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field

from plangen.dates import Due
from plangen.model import Action, Plan, Priority, Step

# How alike two actions' words must be to count as the same action under a new number.
SAME_ACTION = 0.5

KIND_LABELS = {
    "added": "added",
    "removed": "removed",
    "moved": "moved",
    "renumbered": "renumbered",
    "text": "text changed",
    "issue": "issue changed",
    "refs": "Ofsted references changed",
    "due": "date changed",
    "step-added": "step added",
    "step-removed": "step removed",
    "lead": "lead changed",
    "partners": "partners changed",
    "status": "status changed",
    "progress": "progress added",
    "title": "title changed",
    "sro": "SRO changed",
    "work-stream": "work stream changed",
    "name": "name changed",
    "role": "role changed",
    "value": "value changed",
    "target": "target changed",
}


@dataclass
class Change:
    kind: str  # a key of KIND_LABELS
    subject: str  # "action 5.4", "priority 3", "recommendation 12", "person PS", "indicator FD8"
    old: str = ""
    new: str = ""
    slip_months: int | None = None  # for date changes: months later (positive) or earlier (negative)
    # old and new as a councillor reads them (people by name, dates in full); empty when as old/new
    old_in_full: str = ""
    new_in_full: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)  # word diff: ("equal"|"delete"|"insert", text)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def detail(self) -> str:
        """One line a reviewer reads."""
        if self.kind in ("added", "removed", "step-added", "step-removed"):
            return self.new or self.old
        if self.kind == "progress":
            return self.new
        if self.kind == "text" and self.words:
            return word_diff_text(self.words)
        text = f"{self.old or '(none)'} → {self.new or '(none)'}"
        if self.slip_months:
            months = abs(self.slip_months)
            text += f" ({'slipped' if self.slip_months > 0 else 'brought forward'} {months} month{'s' if months != 1 else ''})"
        return text

    def as_dict(self) -> dict:
        data = asdict(self)
        data["label"] = self.label
        data["detail"] = self.detail
        data["words"] = [list(pair) for pair in self.words]
        return data


# -- words -----------------------------------------------------------------------------------

WORD = re.compile(r"\w+", re.UNICODE)


def word_set(text: str) -> frozenset[str]:
    return frozenset(word.lower() for word in WORD.findall(text))


def similarity(first: frozenset, second: frozenset) -> float:
    """Overlap of two word sets. An action that kept its words and gained a long note is still the
    same action, so containment of the shorter in the longer counts too (slightly discounted, and
    only for wordings long enough that containment means something)."""
    if not first and not second:
        return 1.0
    shared = len(first & second)
    score = shared / len(first | second)
    shorter = min(len(first), len(second))
    if shorter >= 6:
        score = max(score, 0.9 * shared / shorter)
    return score


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences, whitespace normalised (re-wrapping a paragraph is no change)."""
    old_words, new_words = old.split(), new.split()
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            segments.append(("equal", " ".join(old_words[old_start:old_end])))
            continue
        if operation in ("delete", "replace"):
            segments.append(("delete", " ".join(old_words[old_start:old_end])))
        if operation in ("insert", "replace"):
            segments.append(("insert", " ".join(new_words[new_start:new_end])))
    return segments


def word_diff_text(segments: list[tuple[str, str]], context: int = 6) -> str:
    """git's word-diff style, long unchanged stretches shortened: 'to [-support-]{+protect+} children'."""
    parts = []
    for index, (operation, text) in enumerate(segments):
        if operation == "delete":
            parts.append(f"[-{text}-]")
        elif operation == "insert":
            parts.append(f"{{+{text}+}}")
        else:
            words = text.split()
            first, last = index == 0, index == len(segments) - 1
            if len(words) > 2 * context:
                head = [] if first else words[:context]
                tail = [] if last else words[-context:]
                text = " ".join(head + ["…"] + tail)
            parts.append(text)
    return " ".join(parts)


# -- describing an action ----------------------------------------------------------------------

def action_text(action: Action) -> str:
    """The action's whole wording: text, lettered steps and closing text."""
    parts = [action.text]
    parts += [f"{step.letter}. {step.text}" for step in action.steps]
    parts.append(action.after_steps)
    return "\n".join(part for part in parts if part)


def due_text(action: Action, in_full: bool = False) -> str:
    parts = []
    if action.due.is_set:
        parts.append(action.due.display(in_full=in_full))
    parts += [f"{step.letter}. {step.due.display(in_full=in_full)}" for step in action.steps if step.due.is_set]
    return "; ".join(parts)


def leads_text(action: Action, plan: Plan | None = None) -> str:
    """The leads by id ("HoS/DCS"), or by name from `plan`'s people register when given."""
    def named(ids) -> str:
        if plan is None:
            return "/".join(ids)
        return " and ".join(getattr(plan.person(person_id), "name", None) or person_id for person_id in ids)

    parts = [named(action.lead)] if action.lead else []
    parts += [f"{step.letter}. {named(step.lead)}" for step in action.steps if step.lead]
    return "; ".join(parts)


def partners_text(action: Action) -> str:
    if action.partners is None:
        return ""
    return ", ".join(action.partners) if action.partners else "N/A"


def _months_later(old: Due, new: Due) -> int | None:
    if old.deadline is None or new.deadline is None:
        return None
    return old.deadline.months_until(new.deadline)


def pair_steps(old: Action, new: Action) -> tuple[list[tuple[Step, Step]], list[Step], list[Step]]:
    """(pairs, removed, added): steps matched by their words, so a step inserted before another
    re-letters it without making it a different step; a step rewritten in place keeps its letter."""
    old_words = {id(step): word_set(step.text) for step in old.steps}
    new_words = {id(step): word_set(step.text) for step in new.steps}
    candidates = sorted(((-similarity(old_words[id(before)], new_words[id(after)]),
                          abs(old_index - new_index), old_index, new_index)
                         for old_index, before in enumerate(old.steps) for new_index, after in enumerate(new.steps)))
    paired: dict[int, int] = {}  # new index -> old index
    for score, _, old_index, new_index in candidates:
        if -score >= SAME_ACTION and new_index not in paired and old_index not in paired.values():
            paired[new_index] = old_index
    for new_index, after in enumerate(new.steps):  # rewritten in place
        if new_index not in paired and new_index < len(old.steps) and new_index not in paired.values() \
                and len(old.steps) == len(new.steps):
            paired[new_index] = new_index
    pairs = [(old.steps[paired[index]], step) for index, step in enumerate(new.steps) if index in paired]
    removed = [step for index, step in enumerate(old.steps) if index not in paired.values()]
    added = [step for index, step in enumerate(new.steps) if index not in paired]
    return pairs, removed, added


def date_changes(old: Action, new: Action) -> list[Change]:
    """The action's own date and each step's, a step followed by its words: 'action 6.1a: Oct 17 → Dec 17
    (slipped 2 months)'. Steps added or removed are reported as such, never as slippage."""
    subject = f"action {new.number}"
    changes = []
    if old.due.display() != new.due.display():
        changes.append(Change("due", subject, old.due.display(), new.due.display(), slip_months=_months_later(old.due, new.due),
                              old_in_full=old.due.display(in_full=True), new_in_full=new.due.display(in_full=True)))
    pairs, removed, added = pair_steps(old, new)
    for before, after in pairs:
        if before.due.display() != after.due.display():
            changes.append(Change("due", f"action {new.number}{after.letter}", before.due.display(), after.due.display(),
                                  slip_months=_months_later(before.due, after.due),
                                  old_in_full=before.due.display(in_full=True), new_in_full=after.due.display(in_full=True)))
    for step in added:
        due, in_full = (f" (due {step.due.display()})", f" (due {step.due.display(in_full=True)})") if step.due.is_set else ("", "")
        text = _first_line(step.text, 80)
        changes.append(Change("step-added", f"action {new.number}{step.letter}", new=text + due, new_in_full=text + in_full))
    for step in removed:
        due, in_full = (f" (was due {step.due.display()})", f" (was due {step.due.display(in_full=True)})") if step.due.is_set else ("", "")
        text = _first_line(step.text, 80)
        changes.append(Change("step-removed", f"action {old.number}{step.letter}", old=text + due, old_in_full=text + in_full))
    return changes


# -- pairing ------------------------------------------------------------------------------------

def pair_actions(old: list[Action], new: list[Action]) -> tuple[list[tuple[Action, Action]], list[Action], list[Action]]:
    """(pairs, removed, added), pairs in the new plan's order."""
    old_words = {id(action): word_set(action_text(action)) for action in old}
    new_words = {id(action): word_set(action_text(action)) for action in new}
    new_by_number = {action.number: action for action in new}
    pairs: dict[int, Action] = {}  # id(new action) -> old action
    paired_old: set[int] = set()

    for action in old:  # 1. same number, similar content
        twin = new_by_number.get(action.number)
        if twin and id(twin) not in pairs and similarity(old_words[id(action)], new_words[id(twin)]) >= SAME_ACTION:
            pairs[id(twin)] = action
            paired_old.add(id(action))

    remaining_old = [action for action in old if id(action) not in paired_old]
    remaining_new = [action for action in new if id(action) not in pairs]
    candidates = []  # 2. most similar remaining pairs
    for old_action in remaining_old:
        for new_action in remaining_new:
            score = similarity(old_words[id(old_action)], new_words[id(new_action)])
            if score >= SAME_ACTION:
                # equal scores: prefer the same priority, then the nearest number
                candidates.append((-score, old_action.priority != new_action.priority, id(old_action), id(new_action),
                                   old_action, new_action))
    candidates.sort(key=lambda item: item[:2])
    for *_, old_action, new_action in candidates:
        if id(old_action) not in paired_old and id(new_action) not in pairs:
            pairs[id(new_action)] = old_action
            paired_old.add(id(old_action))

    old_by_number = {action.number: action for action in old if id(action) not in paired_old}
    for action in new:  # 3. same number, rewritten
        twin = old_by_number.get(action.number)
        if id(action) not in pairs and twin is not None and id(twin) not in paired_old:
            pairs[id(action)] = twin
            paired_old.add(id(twin))

    ordered = [(pairs[id(action)], action) for action in new if id(action) in pairs]
    removed = [action for action in old if id(action) not in paired_old]
    added = [action for action in new if id(action) not in pairs]
    return ordered, removed, added


# -- comparing ------------------------------------------------------------------------------------

def _refs_text(action: Action) -> str:
    """Each issue's references, so a reference moved from one issue to another is a change."""
    if len(action.issues) < 2:
        return action.refs.display()
    return "; ".join(f"{issue.text} {issue.refs.display()}".strip() for issue in action.issues)


def compare_actions(old: Action, new: Action, old_plan: Plan | None = None, new_plan: Plan | None = None) -> list[Change]:
    subject = f"action {new.number}"
    changes = []
    if old.number != new.number:
        kind = "moved" if old.priority != new.priority else "renumbered"
        where = f" (priority {old.priority} → {new.priority})" if kind == "moved" else ""
        changes.append(Change(kind, subject, f"action {old.number}", f"action {new.number}{where}"))
    old_text, new_text = action_text(old), action_text(new)
    if old_text.split() != new_text.split():
        changes.append(Change("text", subject, old_text, new_text, words=word_diff(old_text, new_text)))
    simple = [("issue", old.issue, new.issue), ("refs", _refs_text(old), _refs_text(new)),
              ("lead", leads_text(old), leads_text(new)), ("partners", partners_text(old), partners_text(new))]
    for kind, before, after in simple:
        if before != after:
            changes.append(Change(kind, subject, before, after))
            if kind == "lead" and new_plan is not None:
                changes[-1].old_in_full = leads_text(old, old_plan)
                changes[-1].new_in_full = leads_text(new, new_plan)
    changes += date_changes(old, new)
    if old.current_status != new.current_status:
        changes.append(Change("status", subject, old.current_status or "", new.current_status or ""))
    known = {(entry.date, entry.status, entry.note) for entry in old.progress}
    for entry in new.progress:
        if (entry.date, entry.status, entry.note) not in known:
            when = entry.date.short() if entry.date else "undated"
            note = f": {entry.note}" if entry.note else ""
            changes.append(Change("progress", subject, "", f"{when} {entry.status}{note}"))
    return changes


def _priorities(old: Plan, new: Plan) -> list[Change]:
    changes = []
    old_by_number = {priority.number: priority for priority in old.priorities}
    new_by_number = {priority.number: priority for priority in new.priorities}
    for number, priority in new_by_number.items():
        before: Priority | None = old_by_number.get(number)
        subject = f"priority {number}"
        if before is None:
            changes.append(Change("added", subject, new=f"{number}. {priority.title}"))
            continue
        for kind, first, second in [("title", before.title, priority.title), ("sro", before.sro or "", priority.sro or ""),
                                    ("work-stream", before.work_stream or "", priority.work_stream or "")]:
            if first != second:
                changes.append(Change(kind, subject, first, second))
    for number, priority in old_by_number.items():
        if number not in new_by_number:
            changes.append(Change("removed", f"priority {number}", old=f"{number}. {priority.title}"))
    return changes


def _keyed(kind_of_thing: str, old: dict, new: dict, fields: list[tuple[str, str]]) -> list[Change]:
    """Added, removed and changed entries of two dicts of key -> object, comparing the named attributes."""
    changes = []
    for key, item in new.items():
        subject = f"{kind_of_thing} {key}"
        if key not in old:
            changes.append(Change("added", subject, new=str(getattr(item, fields[0][1], "") or key)))
            continue
        for kind, attribute in fields:
            first, second = getattr(old[key], attribute), getattr(item, attribute)
            if first != second:
                changes.append(Change(kind, subject, _plain(first), _plain(second)))
    for key, item in old.items():
        if key not in new:
            changes.append(Change("removed", f"{kind_of_thing} {key}", old=str(getattr(item, fields[0][1], "") or key)))
    return changes


def _plain(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return "" if value is None else str(value)


def compare(old: Plan, new: Plan) -> list[Change]:
    """Every change from old to new: priorities first, then actions in the new plan's order,
    removed actions, recommendations, people and indicators."""
    changes = _priorities(old, new)
    pairs, removed, added = pair_actions(old.actions, new.actions)
    added_ids = {id(action) for action in added}
    for action in new.actions:
        if id(action) in added_ids:
            changes.append(Change("added", f"action {action.number}", new=_first_line(action_text(action))))
    for before, after in pairs:
        changes.extend(compare_actions(before, after, old, new))
    for action in removed:
        changes.append(Change("removed", f"action {action.number}", old=_first_line(action_text(action))))
    changes += _keyed("recommendation", {item.number: item for item in old.recommendations},
                      {item.number: item for item in new.recommendations}, [("text", "text")])
    changes += _keyed("person", {person.id: person for person in old.people if person.id},
                      {person.id: person for person in new.people if person.id}, [("name", "name"), ("role", "role")])
    changes += _keyed("indicator", {item.code: item for item in old.indicator_list},
                      {item.code: item for item in new.indicator_list}, [("title", "title"), ("value", "values"), ("target", "target")])
    return changes


def _first_line(text: str, limit: int = 120) -> str:
    from plangen.text import shorten

    return shorten(text, limit)


def action_counts(plan: Plan) -> dict[str, int]:
    return {priority.number: len(priority.actions) for priority in plan.priorities}


def summary_rows(changes: list[Change]) -> list[dict]:
    """Rows for a committee paper's 'changes since' table."""
    return [{"what": f"{change.subject[0].upper()}{change.subject[1:]}: {change.label}", "detail": change.detail}
            for change in changes]
