from __future__ import annotations

import datetime
from pathlib import Path

from plangen.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from plangen.findings import format_findings
from plangen.repository import find_plan_dir


def parse_as_of(text: str | None) -> datetime.date:
    if text is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of '{text}' is not a date", hint="write YYYY-MM-DD, e.g. --as-of 2017-12-12") from None


def run(plan_dir: Path | None, as_of: str | None, output_format: str) -> int:
    from plangen.validate import validate

    root = find_plan_dir(plan_dir)
    result = validate(root, parse_as_of(as_of))
    output = format_findings(result.findings, output_format)
    if output:
        print(output)
    return EXIT_OK if result.ok else EXIT_FINDINGS
