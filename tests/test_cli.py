"""The command line as a user meets it: -h, shell completion, and --plan naming the plan directory on
every command that reads a plan."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import run_cli
from plangen.cli import app


def complete(words: str, cwd=None) -> list[str]:
    """What bash completion offers after `words`, called as the script `--show-completion bash` prints calls it."""
    environment = {**os.environ, "_PLANGEN_COMPLETE": "complete_bash", "COMP_WORDS": words,
                   "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    completed = subprocess.run([sys.executable, "-m", "plangen"], capture_output=True, text=True, env=environment, cwd=cwd)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.split()


@pytest.mark.parametrize("arguments", [["-h"], ["validate", "-h"], ["diff", "-h"]])
def test_dash_h_is_help(arguments):
    completed = run_cli(*arguments)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Usage: plangen")
    assert completed.stdout == run_cli(*arguments[:-1], "--help").stdout


def test_shell_completion_offers_commands_and_options():
    assert "validate" in complete("plangen val")
    assert {"--select", "--ignore", "--plan"} <= set(complete("plangen validate --"))
    completed = run_cli("--show-completion", "bash")
    assert completed.returncode == 0 and "_PLANGEN_COMPLETE=complete_bash" in completed.stdout


def test_every_command_that_reads_a_plan_takes_plan():
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        if name in ("init", "kinds", "schema"):
            continue
        options = run_cli(name, "-h").stdout
        assert "-p, --plan PATH" in options, name


def test_plan_and_the_positional_plan_directory_must_agree(mini_plan, tmp_path):
    assert run_cli("fmt", "--check", "--plan", mini_plan).returncode == 0
    assert run_cli("fmt", mini_plan, "--check", "--plan", mini_plan).returncode == 0
    completed = run_cli("fmt", mini_plan, "--check", "--plan", tmp_path)
    assert completed.returncode == 2
    assert "two plan directories named" in completed.stderr


def test_context_reads_the_plan_named_by_plan(mini_plan, tmp_path):
    completed = run_cli("context", "plan", "-p", mini_plan, "--format", "json", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "Improve the quality of assessments" in completed.stdout
