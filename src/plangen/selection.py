"""Which findings an author sees: `# plangen: ignore[rule]` comments, --select/--ignore, the files asked
about, and overdue actions summarised unless asked for.

The comment works like ruff's `# noqa`: on the line a finding points at, `# plangen: ignore[rule, …]`
silences those rules there, and a bare `# plangen: ignore` silences every rule on that line. A comment
that silences nothing is itself reported (unused-ignore), so stale comments do not pile up.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from plangen.errors import UsageError
from plangen.findings import Finding
from plangen.rules import declare

IGNORE_COMMENT = re.compile(r"#\s*plangen:\s*ignore(?:\[([^\]]*)\])?", re.I)
EVERY_RULE = "*"

declare("unused-ignore", "warning", "every '# plangen: ignore[rule]' comment names a rule and silences a finding",
        found_by="plangen.selection")


@dataclass
class IgnoreComment:
    file: str
    line: int
    column: int
    rules: frozenset[str]  # {EVERY_RULE} for a bare `# plangen: ignore`
    used: bool = False


def ignore_comments(display: str, text: str) -> list[IgnoreComment]:
    found = []
    if "plangen:" not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        match = IGNORE_COMMENT.search(line)
        if match:
            named = match.group(1)
            rules = frozenset(part.strip() for part in named.split(",") if part.strip()) if named is not None else frozenset({EVERY_RULE})
            found.append(IgnoreComment(display, number, match.start() + 1, rules))
    return found


def apply_ignore_comments(findings: list[Finding], comments: list[IgnoreComment], known_rules) -> list[Finding]:
    """Drop the findings an ignore comment on their line names; report comments that silence nothing."""
    by_line = {(comment.file, comment.line): comment for comment in comments}
    kept = []
    for finding in findings:
        comment = by_line.get((finding.file, finding.line))
        if comment and (EVERY_RULE in comment.rules or finding.rule in comment.rules):
            comment.used = True
            continue
        kept.append(finding)
    for comment in comments:
        unknown = sorted(comment.rules - set(known_rules) - {EVERY_RULE})
        if unknown:
            hint = _did_you_mean(unknown[0], known_rules) or "see 'Validation rules' in the README"
            kept.append(Finding(comment.file, comment.line, comment.column, "warning", "unused-ignore",
                                f"'# plangen: ignore' names no such rule: {', '.join(unknown)}", hint))
        elif not comment.used:
            kept.append(Finding(comment.file, comment.line, comment.column, "warning", "unused-ignore",
                                "this '# plangen: ignore' comment silences nothing on its line", "remove it"))
    return kept


def _did_you_mean(code: str, known_rules) -> str | None:
    close = difflib.get_close_matches(code, sorted(known_rules), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def parse_rule_list(values: list[str] | None, option: str, known_rules) -> set[str]:
    """`--select a,b --select c` -> {a, b, c}; an unknown rule is a usage error."""
    codes = {part.strip() for value in values or [] for part in value.split(",") if part.strip()}
    for code in sorted(codes):
        if code not in known_rules:
            hint = _did_you_mean(code, known_rules) or "the rules are listed under 'Validation rules' in the README"
            raise UsageError(f"{option} {code}: no such rule", hint=hint)
    return codes


def select(findings: list[Finding], selected: set[str], ignored: set[str]) -> list[Finding]:
    return [finding for finding in findings
            if (not selected or finding.rule in selected) and finding.rule not in ignored]


def overdue_note(overdue: list[Finding], as_of: str, listed: bool) -> str:
    """One line for the overdue actions: a count and how to list them, or the actions themselves."""
    # one finding per date passed: an action's own ("action 7.1") or a step's ("action 6.1a")
    labels = [(finding.subject or finding.message).removeprefix("action ") for finding in overdue]
    count = len({label.rstrip("abcdefghijklmnopqrstuvwxyz") for label in labels})
    actions = "action" if count == 1 else "actions"
    dates = f"{len(labels)} dates, counting each step" if len(labels) != count else ""
    if listed:
        return f"{count} {actions} overdue at {as_of}{f' ({dates})' if dates else ''}: {', '.join(labels)}"
    return (f"{count} {actions} past their date and not complete at {as_of} (today{f'; {dates}' if dates else ''}); "
            f"list them with --select overdue, or give --as-of DATE")
