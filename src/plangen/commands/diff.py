"""`plangen diff` and `plangen history`: what happened to the plan, for reviewers."""

from __future__ import annotations

import json
from pathlib import Path

from plangen import diff
from plangen.errors import EXIT_OK, UsageError
from plangen.repository import find_plan_dir

# Sections of the Markdown view, in the order a reviewer reads them.
SECTION_ORDER = ["removed", "added", "moved", "renumbered", "due", "lead", "status", "progress", "text", "issue",
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


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _markdown_words(segments) -> str:
    parts = []
    for operation, text in segments:
        text = _cell(text)
        parts.append(f"~~{text}~~" if operation == "delete" else f"**{text}**" if operation == "insert" else text)
    return " ".join(parts)


def as_markdown(old_label, new_label, old, new, changes) -> str:
    lines = [f"**plangen diff** `{old_label}` → `{new_label}`: {summary_line(changes)}; {counts_line(old, new)}", ""]
    for kind in SECTION_ORDER:
        of_kind = [change for change in changes if change.kind == kind]
        if not of_kind:
            continue
        lines += [f"### {diff.KIND_LABELS[kind].capitalize()} ({len(of_kind)})", ""]
        if kind == "text":
            # long wording diffs stay folded so the comment stays readable
            for change in of_kind:
                lines += [f"<details><summary>{change.subject}</summary>", "", _markdown_words(change.words), "",
                          "</details>", ""]
            continue
        lines += ["| | |", "|---|---|"]
        lines += [f"| {change.subject} | {_cell(change.detail)} |" for change in of_kind]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def as_json(old_label, new_label, old, new, changes) -> str:
    return json.dumps({
        "old": old_label, "new": new_label,
        "summary": summary_line(changes),
        "actions": {"old": diff.action_counts(old), "new": diff.action_counts(new)},
        "changes": [change.as_dict() for change in changes],
    }, indent=2, ensure_ascii=False) + "\n"


def compare(old_spec: str | None, new_spec: str | None, plan_dir: Path | None):
    from plangen import gitplan

    # the working tree's plan is needed for a revision (its place in the repository) or a side left out
    sides_are_directories = all(spec is not None and Path(spec).is_dir() for spec in (old_spec, new_spec))
    root = None if sides_are_directories and plan_dir is None else find_plan_dir(plan_dir)
    old = gitplan.resolve(old_spec, root, default_revision=True)
    new = gitplan.resolve(new_spec, root, default_revision=False)
    return old, new, diff.compare(old.plan, new.plan)


def run(old_spec: str | None, new_spec: str | None, plan_dir: Path | None, output_format: str) -> int:
    old, new, changes = compare(old_spec, new_spec, plan_dir)
    writer = {"text": as_text, "markdown": as_markdown, "json": as_json}[output_format]
    print(writer(old.label, new.label, old.plan, new.plan, changes), end="")
    return EXIT_OK


def run_history(action: str | None, slipped: bool, plan_dir: Path | None) -> int:
    from plangen import history

    root = find_plan_dir(plan_dir)
    if slipped:
        lives = history.slipped(root)
        if not lives:
            print("no action's date has moved later")
        for life in lives:
            moves = len(life.date_changes)
            print(f"action {life.number}: {life.months_slipped} month{'s' if life.months_slipped != 1 else ''} later "
                  f"over {moves} date change{'s' if moves != 1 else ''}"
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
            print(f"  {change.label}" + (f": {change.detail}" if change.detail else ""))
    return EXIT_OK
