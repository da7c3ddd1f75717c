"""The README's command reference and rules table stay in step with the code."""

from __future__ import annotations

import inspect

from conftest import REPO
from plangen.cli import app
from plangen.validate import RULES


def test_every_command_help_summary_is_in_the_readme():
    readme = " ".join((REPO / "README.md").read_text().split())
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        summary = " ".join(inspect.getdoc(command.callback).split())
        assert f"`plangen {name}" in readme, name
        assert summary in readme, (name, summary)


def test_every_rule_is_documented_with_its_severity():
    readme = (REPO / "README.md").read_text()
    for rule, (severity, description) in RULES.items():
        assert f"| `{rule}` | {severity} | {description} |" in readme, rule
