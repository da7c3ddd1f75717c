"""Plans of shapes other than Croydon's: lists of text written as plain strings, items of the wrong
type. A data mistake is a finding at its line, never an internal error (exit 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document

from conftest import REPO, edit, position, run_cli

AREAS_PLAN = REPO / "tests" / "fixtures" / "areas-plan"
NESTED_OUTCOME = """  - text: Children get the right help first time
    outcomes:
      - Fewer re-referrals within twelve months
      - Fewer contacts ending in no further action
"""


@pytest.fixture
def areas_plan(tmp_path) -> Path:
    target = tmp_path / "plan"
    shutil.copytree(AREAS_PLAN, target)
    return target


def document_text(path: Path) -> str:
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def test_plain_string_outcomes_validate_and_print(areas_plan, tmp_path):
    priority = areas_plan / "priorities" / "01-front-door.yaml"
    edit(priority, NESTED_OUTCOME, "  - Children get the right help first time\n  - Fewer re-referrals within twelve months\n")
    completed = run_cli("validate", areas_plan, "--as-of", "2026-01-01")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    completed = run_cli("render", "plan", "--plan", areas_plan, "--output", tmp_path / "out")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    text = document_text(tmp_path / "out" / "improvement-plan.docx")
    assert "Children get the right help first time" in text
    assert "Fewer re-referrals within twelve months" in text


def test_outcomes_mixing_strings_and_nested_outcomes(areas_plan):
    priority = areas_plan / "priorities" / "01-front-door.yaml"
    edit(priority, NESTED_OUTCOME, NESTED_OUTCOME + "  - Partners trust the front door\n")
    completed = run_cli("validate", areas_plan, "--as-of", "2026-01-01")
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize("old, new, at", [
    ("        steps:\n          - text: Draft agreed by the partnership executive\n            lead: LSCP\n            due: 2026-05\n",
     "        steps:\n          - Draft agreed by the partnership executive\n", "- Draft agreed"),
    ("groups:\n  - actions:", "voices: [children say they are heard]\ngroups:\n  - actions:", "children say"),
    ("measured_by:\n", "measured_by:\n  - {text: Timeliness}\n", "{text: Timeliness}"),
    (NESTED_OUTCOME, "  - [Children get the right help first time]\n", "[Children get"),
])
def test_items_of_the_wrong_type_are_findings_not_crashes(areas_plan, old, new, at):
    priority = areas_plan / "priorities" / "01-front-door.yaml"
    text = edit(priority, old, new)
    completed = run_cli("validate", areas_plan, "--as-of", "2026-01-01")
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.returncode == 1, completed.stdout + completed.stderr
    line, _ = position(text, at)
    assert f"01-front-door.yaml:{line}:" in completed.stdout, completed.stdout


def test_a_milestone_markdown_reads_as_nothing_is_printed_as_written(areas_plan, tmp_path):
    priority = areas_plan / "priorities" / "01-front-door.yaml"
    edit(priority, "- text: Launch briefings for schools and GPs", '- text: "0."')
    completed = run_cli("render", "plan", "--plan", areas_plan, "--output", tmp_path / "out")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    document = Document(str(tmp_path / "out" / "improvement-plan.docx"))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert any("0." in row and "Jun–Sep 2026" in row for row in rows)
