from __future__ import annotations

from pathlib import Path

from plangen.errors import EXIT_FINDINGS, EXIT_OK
from plangen.repository import find_plan_dir
from plangen.yamlio import display_path


def run(plan_dir: Path | None, check: bool) -> int:
    from plangen.fmt import format_plan

    root = find_plan_dir(plan_dir)
    changed, problems = format_plan(root, check)
    for problem in problems:
        print(problem)
    for path in changed:
        print(f"{'would reformat' if check else 'reformatted'} {display_path(path)}")
    if problems:
        print(f"{len(problems)} file(s) not formatted: fix the errors above first")
        return EXIT_FINDINGS
    if check and changed:
        print(f"{len(changed)} file(s) would be reformatted; run 'plangen fmt'")
        return EXIT_FINDINGS
    return EXIT_OK
