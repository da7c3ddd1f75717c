"""`plangen diff` and `plangen history`: what happened to the plan, for reviewers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from plangen import diff
from plangen.errors import EXIT_OK, UsageError
from plangen.repository import find_plan_dir

# Sections of the Markdown view, in the order a reviewer reads them.
SECTION_ORDER = ["removed", "added", "moved", "renumbered", "due", "step-added", "step-removed", "lead", "status", "progress", "text", "issue",
                 "refs", "partners", "title", "sro", "work-stream", "name", "role", "value", "target"]


def _priority_counts(old, new) -> list[tuple[str, int, int]]:
    before, after = diff.action_counts(old), diff.action_counts(new)
    numbers = list(after) + [number for number in before if number not in after]
    return [(number, before.get(number, 0), after.get(number, 0)) for number in numbers]


def summary_line(changes: list[diff.Change]) -> str:
    if not changes:
        return "no changes to the plan"
    parts = []
    for kind in SECTION_ORDER:
        of_kind = [change for change in changes if change.kind == kind]
        if of_kind:
            text = f"{len(of_kind)} {diff.KIND_LABELS[kind]}"
            slipped = [change for change in of_kind if (change.slip_months or 0) > 0]
            if slipped:
                text += f" ({len(slipped)} slipped)"
            parts.append(text)
    return ", ".join(parts)


def counts_line(old, new) -> str:
    moved = [f"{number}: {after - before:+d}" for number, before, after in _priority_counts(old, new) if after != before]
    total_before, total_after = len(old.actions), len(new.actions)
    text = f"actions {total_before} → {total_after}"
    return text + (f" (by priority {', '.join(moved)})" if moved else "")


def as_text(old_label, new_label, old, new, changes) -> str:
    lines = [f"{old_label} → {new_label}: {summary_line(changes)}", counts_line(old, new), ""]
    width = max((len(change.subject) for change in changes), default=0)
    for change in changes:
        lines.append(f"{change.subject:<{width}}  {change.label}: {change.detail}")
    return "\n".join(lines).rstrip() + "\n"


# Plan text is data, not markup: in a pull-request comment a "</details>" in an action must not close
# the folded block, nor an "<img>" load an image, nor "*" or "[x](…)" format or link.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~!#])")
LIST_MARKER = re.compile(r"^([-+=]|[0-9]+(?=[.)]))")


def _cell(text) -> str:
    """Plan text on one line, shown as typed in GitHub's Markdown."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    marker = LIST_MARKER.match(text)
    if marker:  # "- x" or "12. x" at the start would become a list
        end = marker.end()
        text = (text[:end] + "\\" + text[end:]) if text[0].isdigit() else "\\" + text
    return text


def _label(label: str) -> str:
    return f"`{label}`" if "`" not in label and "\n" not in label else _cell(label)


def _markdown_words(segments) -> str:
    parts = []
    for operation, text in segments:
        text = _cell(text)
        parts.append(f"~~{text}~~" if operation == "delete" else f"**{text}**" if operation == "insert" else text)
    return " ".join(parts)


def _slip_note(change: diff.Change) -> str:
    if not change.slip_months:
        return ""
    months = abs(change.slip_months)
    return f" ({'slipped' if change.slip_months > 0 else 'brought forward'} {months} month{'s' if months != 1 else ''})"


def _markdown_detail(change: diff.Change) -> str:
    """The change in a councillor's words: names and full dates, the changed words struck out and in bold."""
    if change.kind in ("step-added", "step-removed"):
        return _cell(change.new_in_full or change.old_in_full or change.detail)
    if change.old_in_full or change.new_in_full:
        before, after = change.old_in_full or "(none)", change.new_in_full or "(none)"
        return _markdown_words(diff.word_diff(before, after)) + _slip_note(change)
    return _cell(change.detail)


def _priority_of(subject: str, old, new) -> str | None:
    if subject.startswith("priority "):
        return subject.removeprefix("priority ")
    if subject.startswith("action "):
        number = subject.removeprefix("action ")
        if re.fullmatch(r".*\d[a-z]", number):  # a step: "6.1a" belongs to action 6.1
            number = number[:-1]
        action = new.actions_by_number.get(number) or old.actions_by_number.get(number)
        return action.priority if action else None
    return None


def priority_table(old, new, changes) -> list[str]:
    """One row per priority: its actions before and after, and how many were added, removed, changed and slipped."""
    titles = {priority.number: priority.title for priority in old.priorities}
    titles.update({priority.number: priority.title for priority in new.priorities})
    rows = {number: {"added": set(), "removed": set(), "changed": set(), "slipped": set()}
            for number, _, _ in _priority_counts(old, new)}
    other = 0
    for change in changes:
        number = _priority_of(change.subject, old, new)
        if number not in rows:
            other += 1
            continue
        column = change.kind if change.kind in ("added", "removed") else "changed"
        rows[number][column].add(change.subject)
        if (change.slip_months or 0) > 0:
            rows[number]["slipped"].add(change.subject)
    lines = ["| Priority | Actions | Added | Removed | Changed | Dates slipped |", "|---|---|---|---|---|---|"]
    for number, before, after in _priority_counts(old, new):
        counts = rows[number]
        changed = counts["changed"] - counts["added"]
        if not any(counts.values()) and before == after:
            continue
        actions = f"{before} → {after}" if before != after else str(after)
        lines.append(f"| {number}. {_cell(titles.get(number, ''))} | {actions} | {len(counts['added'])} | "
                     f"{len(counts['removed'])} | {len(changed)} | {len(counts['slipped'])} |")
    if other:
        lines.append(f"| Inspection, people and indicators | | | | {other} | |")
    return lines + [""] if len(lines) > 2 else []


def as_markdown(old_label, new_label, old, new, changes, max_length: int | None = None) -> str:
    """The diff as a pull-request comment. With max_length, whole entries are left out from the end
    (the headline and the table per priority always stay) and the last line says how many."""
    head = [f"**plangen diff** {_label(old_label)} → {_label(new_label)}: {_cell(summary_line(changes))}; "
            f"{_cell(counts_line(old, new))}", ""]
    head += priority_table(old, new, changes)
    entries: list[tuple[str, str]] = []  # (section heading, one change's lines): an entry is kept or left out whole
    for kind in SECTION_ORDER:
        of_kind = [change for change in changes if change.kind == kind]
        if not of_kind:
            continue
        heading = f"### {diff.KIND_LABELS[kind].capitalize()} ({len(of_kind)})\n\n"
        if kind == "text":
            # long wording diffs stay folded so the comment stays readable
            heading_text = heading
            for change in of_kind:
                entries.append((heading_text, f"<details><summary>{_cell(change.subject)}</summary>\n\n"
                                              f"{_markdown_words(change.words)}\n\n</details>\n\n"))
            continue
        heading_table = heading + "| | |\n|---|---|\n"
        for index, change in enumerate(of_kind):
            last = "\n" if index == len(of_kind) - 1 else ""
            entries.append((heading_table, f"| {_cell(change.subject)} | {_markdown_detail(change)} |\n{last}"))
    text = "\n".join(head) + "\n"
    shown, left_out = 0, 0
    current_heading = None
    for heading, entry in entries:
        addition = ("" if heading == current_heading else ("\n" if current_heading and not text.endswith("\n\n") else "") + heading) + entry
        footer_room = 200 if max_length else 0
        if max_length and len(text) + len(addition) + footer_room > max_length:
            left_out = len(entries) - shown
            break
        text += addition
        current_heading = heading
        shown += 1
    text = text.rstrip() + "\n"
    if left_out:
        text += (f"\n**{left_out} more change{'s' if left_out != 1 else ''} not shown** (the comment is limited to "
                 f"{max_length:,} characters): the full diff is `plangen diff {old_label} {new_label} --format markdown`.\n")
    return text


def as_json(old_label, new_label, old, new, changes) -> str:
    return json.dumps({
        "old": old_label, "new": new_label,
        "summary": summary_line(changes),
        "actions": {"old": diff.action_counts(old), "new": diff.action_counts(new)},
        "changes": [change.as_dict() for change in changes],
    }, indent=2, ensure_ascii=False) + "\n"


def compare(old_spec: str | None, new_spec: str | None, plan_dir: Path | None):
    from plangen import api

    return api.compare(old_spec, new_spec, plan_dir)


def run(old_spec: str | None, new_spec: str | None, plan_dir: Path | None, output_format: str,
        max_length: int | None = None) -> int:
    old, new, changes = compare(old_spec, new_spec, plan_dir)
    if output_format == "markdown":
        print(as_markdown(old.label, new.label, old.plan, new.plan, changes, max_length), end="")
        return EXIT_OK
    writer = {"text": as_text, "json": as_json}[output_format]
    print(writer(old.label, new.label, old.plan, new.plan, changes), end="")
    return EXIT_OK


def _step_of(change: diff.Change) -> str:
    """'6.1a' when the change is about a step ('action 6.1a'), else ''."""
    match = re.fullmatch(r"action (\S+\.\S*\d[a-z])", change.subject)
    return match.group(1) if match else ""


def run_history(action: str | None, slipped: bool, plan_dir: Path | None) -> int:
    from plangen import gitplan, history

    root = find_plan_dir(plan_dir)
    if gitplan.is_shallow(root):
        print("note: this repository is a shallow clone, so the plan's history is incomplete: commits before the "
              "oldest one fetched are missing (run 'git fetch --unshallow' to read all of it)")
    if slipped:
        lives = history.slipped(root)
        if not lives:
            print("no action's date has moved later")
        for life in lives:
            moves = len(life.date_changes)
            steps = sorted({_step_of(change) for change in life.date_changes if (change.slip_months or 0) > 0} - {""})
            print(f"action {life.number}: {life.months_slipped} month{'s' if life.months_slipped != 1 else ''} later "
                  f"over {moves} date change{'s' if moves != 1 else ''}"
                  + (f" ({', '.join(steps)})" if steps else "")
                  + (f" (was {', '.join(life.numbers[:-1])})" if len(life.numbers) > 1 else ""))
        return EXIT_OK
    if not action:
        raise UsageError("name an action (plangen history 5.4) or use --slipped")
    life = history.life_of(root, action)
    if life is None:
        raise UsageError(f"action {action} does not appear in the plan's git history",
                         hint="check the number; 'plangen history --slipped' lists actions whose dates moved")
    moves = len(life.date_changes)
    print(f"action {life.number}: {len(life.events)} commit{'s' if len(life.events) != 1 else ''}, "
          f"due date moved {moves} time{'s' if moves != 1 else ''}"
          + (f", {life.months_slipped:+d} months net" if moves else "")
          + (f"; numbered {' → '.join(life.numbers)}" if len(life.numbers) > 1 else ""))
    for event in life.events:
        print(f"\n{event.commit.sha[:10]} {event.commit.date} {event.commit.author}: {event.commit.subject}")
        for change in event.changes:
            # a step's change names the step: "6.1a slipped 2 months"
            step = _step_of(change)
            print(f"  {change.label}{f' {step}' if step else ''}" + (f": {change.detail}" if change.detail else ""))
    return EXIT_OK
