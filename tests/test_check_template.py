"""`plangen check-template`: a template checked against its kind's context before anything renders.
Templates are edited here at the XML level, as Word would save a clerk's typo."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, run_cli

SHIPPED = REPO / "src" / "plangen" / "templates"
EXAMPLE = REPO / "examples" / "improvement-update-2018-03"


def edited(template: Path, target: Path, old: str, new: str) -> Path:
    """A copy of the template with one piece of its body text changed."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert old in text, f"{template.name} no longer holds {old!r}"
                data = text.replace(old, new, 1).encode("utf-8")
            copy.writestr(item, data)
    return target


@pytest.mark.parametrize("name", sorted(path.name for path in SHIPPED.glob("*.docx")))
def test_every_shipped_template_passes(name):
    completed = run_cli("check-template", SHIPPED / name, "--plan", REPO / "plan")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "ok for" in completed.stdout and "error" not in completed.stdout


def test_the_example_template_passes_with_its_own_plan():
    completed = run_cli("check-template", EXAMPLE / "templates" / "improvement-update.docx", "--kind", "scrutiny-update",
                        "--plan", EXAMPLE / "plan")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_misspelt_top_level_variable_is_named(tmp_path):
    template = edited(SHIPPED / "report.docx", tmp_path / "report.docx", "{{ heading }}", "{{ haeding }}")
    completed = run_cli("check-template", template, "--plan", REPO / "plan")
    assert completed.returncode == 1
    assert re.search(r"report\.docx: error: 'haeding' is not in the context \(did you mean 'heading'\?\)", completed.stdout), completed.stdout
    assert "near:" in completed.stdout and "haeding" in completed.stdout.split("near:")[1]


def test_a_misspelt_nested_attribute_is_named(tmp_path):
    template = edited(SHIPPED / "report.docx", tmp_path / "report.docx", "row.label", "row.lable")
    completed = run_cli("check-template", template, "--kind", "cabinet", "--plan", REPO / "plan")
    assert completed.returncode == 1
    assert re.search(r"error: 'row\.lable': no 'lable' here \(did you mean 'label'\?\)", completed.stdout), completed.stdout


def test_a_misspelt_attribute_of_a_loop_inside_a_loop_is_named(tmp_path):
    template = edited(SHIPPED / "plan.docx", tmp_path / "plan.docx", "priority.heading", "priority.headign")
    completed = run_cli("check-template", template, "--plan", REPO / "plan")
    assert completed.returncode == 1
    assert "'priority.headign'" in completed.stdout


def test_a_malformed_tag_is_reported_with_the_text_around_it(tmp_path):
    template = edited(SHIPPED / "report.docx", tmp_path / "report.docx", "{{ heading }}", "{{ heading }")
    completed = run_cli("check-template", template, "--plan", REPO / "plan")
    assert completed.returncode == 1
    assert "malformed tag" in completed.stdout and "near:" in completed.stdout


def test_a_template_for_an_unknown_kind_asks_which(tmp_path):
    template = shutil.copy(SHIPPED / "report.docx", tmp_path / "mine.docx")
    completed = run_cli("check-template", template, "--plan", REPO / "plan")
    assert completed.returncode == 2
    assert "--kind" in completed.stdout + completed.stderr
