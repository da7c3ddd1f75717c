"""What validation reports: one Finding per problem, with its place in a file, and the output formats."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass
class Finding:
    file: str
    line: int
    column: int
    severity: str  # "error" or "warning"
    rule: str
    message: str
    hint: str | None = None
    subject: str | None = None  # what it is about ("action 3.13"), used to acknowledge known findings

    def sort_key(self):
        return (self.file, self.line, self.column, self.rule, self.message)

    def as_text(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.rule}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_github(self) -> str:
        """A workflow command, escaped as GitHub's own toolkit escapes them: a file name or message
        holding a newline and '::' must not start a command of its own."""
        def data(value) -> str:
            return str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

        def prop(value) -> str:
            return data(value).replace(":", "%3A").replace(",", "%2C")

        level = "error" if self.severity == "error" else "warning"
        body = self.message + (f" (hint: {self.hint})" if self.hint else "")
        return (
            f"::{level} file={prop(self.file)},line={prop(self.line)},col={prop(self.column)},"
            f"title={prop('plangen ' + self.rule)}::{data(body)}"
        )


def format_findings(findings: list[Finding], output_format: str, note: str | None = None) -> str:
    """The findings in one format; `note` is a line about findings not listed one by one (overdue actions)."""
    if output_format == "json":
        return json.dumps([asdict(finding) for finding in findings], indent=2, ensure_ascii=False)
    if output_format == "github":
        lines = [finding.as_github() for finding in findings]
        if note:
            lines.append(f"::notice title=plangen overdue::{note}")
        return "\n".join(lines)
    lines = [finding.as_text() for finding in findings]
    if note:
        lines.append(f"note: {note}")
    errors = sum(finding.severity == "error" for finding in findings)
    warnings = len(findings) - errors
    lines.append(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return "\n".join(lines)
