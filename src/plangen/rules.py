"""The validation rules: each one's code, severity and one-line description, in one registry.

A semantic rule is one function, registered with `@rule(code, severity, description)` in
plangen.validate; it yields a Problem for each place the plan breaks it. Rules found while reading
files (YAML syntax, encoding, the JSON Schemas, the repository layout) are declared below with the
module that finds them. The README's rule table is generated from this registry
(`python tools/rules_table.py` rewrites it; a test fails when the two differ).

Severity "strict" is an error in an approved plan and a warning in a draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

SEVERITIES = ("error", "warning", "strict")


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    description: str
    check: Callable | None = None  # a semantic rule's function; None when found while reading files
    found_by: str = ""


RULES: dict[str, Rule] = {}


def declare(code: str, severity: str, description: str, check: Callable | None = None, found_by: str = "") -> Rule:
    if code in RULES:
        raise ValueError(f"rule {code} is declared twice")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {code}: severity {severity!r} is not one of {SEVERITIES}")
    if "\n" in description or "|" in description:
        raise ValueError(f"rule {code}: the description is one line of plain text")
    RULES[code] = Rule(code, severity, description, check, found_by or getattr(check, "__module__", ""))
    return RULES[code]


def rule(code: str, severity: str, description: str):
    """Register the decorated generator function as the semantic rule `code`."""

    def register(function: Callable) -> Callable:
        declare(code, severity, description, function)
        function.rule = code
        return function

    return register


for _code, _severity, _description, _module in [
    ("yaml-syntax", "error", "the file is valid YAML", "plangen.yamlio"),
    ("duplicate-key", "error", "no key appears twice in a mapping", "plangen.yamlio"),
    ("encoding", "error", "the file is UTF-8", "plangen.yamlio"),
    ("byte-order-mark", "warning", "the file has no UTF-8 byte order mark", "plangen.yamlio"),
    ("bad-character", "error", "no control characters, typed or escaped, in any text, id or key (a Word document cannot hold them)", "plangen.yamlio"),
    ("bad-number", "error", "numbers are finite (no .nan or .inf) and at most 15 digits long", "plangen.yamlio"),
    ("empty-file", "error", "the file is not empty", "plangen.yamlio"),
    ("not-a-mapping", "error", "the file is a mapping of keys to values", "plangen.yamlio"),
    ("too-complex", "error", "nesting and alias expansion stay within bounds", "plangen.yamlio"),
    ("file-too-large", "error", "the file is under 2 MiB", "plangen.yamlio"),
    ("unreadable", "error", "every plan file can be read; none is a link to outside the plan directory", "plangen.repository"),
    ("file-location", "error", "every YAML file is where the layout expects it", "plangen.repository"),
    ("file-name", "error", "priority files are named NN-slug.yaml", "plangen.repository"),
    ("missing-file", "error", "plan.yaml and people.yaml exist", "plangen.repository"),
    ("unknown-key", "error", "no unknown keys (typos); 'x-' keys are extensions", "plangen.schemas"),
    ("missing-key", "error", "required keys are present", "plangen.schemas"),
    ("wrong-type", "error", "values have the right type (identifiers are quoted strings)", "plangen.schemas"),
    ("bad-value", "error", "values are among those allowed", "plangen.schemas"),
    ("bad-date", "error", "dates are real dates in a structured form, in the years 1900 to 2999", "plangen.schemas"),
    ("schema", "error", "anything else the JSON Schema requires", "plangen.schemas"),
]:
    declare(_code, _severity, _description, found_by=_module)


def all_rules() -> dict[str, Rule]:
    """Every rule, the semantic ones included (they register when plangen.validate is imported)."""
    import plangen.validate  # noqa: F401  (registers the semantic rules)

    return RULES


def markdown_table() -> str:
    lines = ["| rule | severity | what it checks |", "|---|---|---|"]
    lines += [f"| `{item.code}` | {item.severity} | {item.description} |" for item in all_rules().values()]
    return "\n".join(lines) + "\n"
