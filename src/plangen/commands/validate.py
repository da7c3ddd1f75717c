from __future__ import annotations

import datetime
from pathlib import Path

from plangen.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from plangen.findings import format_findings
from plangen.repository import find_plan_dir
from plangen.yamlio import display_path


def parse_as_of(text: str | None) -> datetime.date:
    if text is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of '{text}' is not a date", hint="write YYYY-MM-DD, e.g. --as-of 2017-12-12") from None


def plan_of_file(path: Path) -> Path:
    """The plan directory a file belongs to: the nearest folder above it that holds plan.yaml."""
    for folder in list(path.resolve().parents)[:2]:
        if (folder / "plan.yaml").is_file():
            return folder
    raise UsageError(f"{path} is not part of a plan", hint="name a file inside a plan directory (the folder with plan.yaml), or the directory")


def plans_to_check(paths: list[Path]) -> dict[Path, set[str] | None]:
    """Each plan directory named, with the files whose findings to show (None: every file)."""
    if not paths:
        return {find_plan_dir(None): None}
    plans: dict[Path, set[str] | None] = {}
    for path in paths:
        if path.is_file():
            root = plan_of_file(path)
            key = next((known for known in plans if known.resolve() == root), root)
            if key not in plans or plans[key] is not None:
                plans.setdefault(key, set()).add(display_path(path))
        else:
            root = find_plan_dir(path)
            key = next((known for known in plans if known.resolve() == root.resolve()), root)
            plans[key] = None
    return plans


def run(paths: list[Path], as_of: str | None, output_format: str,
        select: list[str] | None = None, ignore: list[str] | None = None) -> int:
    from plangen import selection
    from plangen.validate import validate

    from plangen.rules import RULES

    selected = selection.parse_rule_list(select, "--select", RULES)
    ignored = selection.parse_rule_list(ignore, "--ignore", RULES)
    as_of_date = parse_as_of(as_of)
    findings = []
    for root, files in plans_to_check(paths).items():
        found = validate(root, as_of_date).findings
        findings += [finding for finding in found if files is None or finding.file in files]
    findings = selection.select(findings, selected, ignored)
    note = None
    if output_format != "json":
        overdue = [finding for finding in findings if finding.rule == "overdue"]
        listed = as_of is not None or "overdue" in selected
        if overdue and (output_format == "github" or not listed):
            findings = [finding for finding in findings if finding.rule != "overdue"]
            note = selection.overdue_note(overdue, as_of_date.isoformat(), listed)
        # stale statuses are time-relative too: against today they are a count, not a list
        stale = [finding for finding in findings if finding.rule == "stale-status"]
        stale_listed = as_of is not None or "stale-status" in selected
        if stale and (output_format == "github" or not stale_listed):
            findings = [finding for finding in findings if finding.rule != "stale-status"]
            count = len(stale)
            line = (f"{count} status{'es' if count != 1 else ''} last updated longer ago than the plan's stale period "
                    f"at {as_of_date.isoformat()}" + ("" if stale_listed else "; list them with --select stale-status"))
            note = f"{note}; {line}" if note else line
    output = format_findings(findings, output_format, note)
    if output:
        print(output)
    return EXIT_FINDINGS if any(finding.severity == "error" for finding in findings) else EXIT_OK
