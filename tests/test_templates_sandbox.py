"""Templates are untrusted: the known Jinja escapes fail with a clear error and nothing is written."""

from __future__ import annotations

import shutil

import pytest
from docx import Document

from conftest import SCAFFOLD_PLAN, run_cli

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ title.upper.__self__ }}",
    "{{ labels.__class__.__init__.__globals__ }}",
    "{% for key in labels.__class__.__base__.__subclasses__() %}{{ key }}{% endfor %}",
    "{{ range.__call__.__self__ }}",
    "{{ title.format.__globals__ }}",
    "{{ labels.update({'x': 1}) }}",
]


def repository_with_template(tmp_path, body: str):
    repository = tmp_path / "repo"
    shutil.copytree(SCAFFOLD_PLAN, repository / "plan")
    (repository / "templates").mkdir()
    template = Document()
    template.add_paragraph(body)
    template.save(str(repository / "templates" / "plan.docx"))
    return repository


@pytest.mark.parametrize("body", ESCAPES)
def test_sandbox_refuses_escapes(tmp_path, body):
    repository = repository_with_template(tmp_path, body)
    completed = run_cli("render", "plan", "--plan", repository / "plan", "--output", tmp_path / "out")
    assert completed.returncode == 4, completed.stdout + completed.stderr
    assert completed.stderr.startswith("plangen: template plan.docx:")
    assert "unsafe" in completed.stderr or "undefined" in completed.stderr or "sandbox" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "out" / "improvement-plan.docx").exists()


def test_template_syntax_error_is_reported(tmp_path):
    repository = repository_with_template(tmp_path, "{% for x in %}")
    completed = run_cli("render", "plan", "--plan", repository / "plan", "--output", tmp_path / "out")
    assert completed.returncode == 4
    assert "template plan.docx: syntax error" in completed.stderr


def test_template_that_is_not_a_docx(tmp_path):
    repository = repository_with_template(tmp_path, "x")
    (repository / "templates" / "plan.docx").write_text("not a zip")
    completed = run_cli("render", "plan", "--plan", repository / "plan", "--output", tmp_path / "out")
    assert completed.returncode == 4
    assert "is not a .docx file" in completed.stderr or "not a readable .docx" in completed.stderr


def test_values_are_escaped_not_interpreted(tmp_path):
    repository = repository_with_template(tmp_path, "{{ title }}")
    plan_file = repository / "plan" / "plan.yaml"
    plan_file.write_text(plan_file.read_text().replace("title: Children's Improvement Plan",
                                                        'title: "Plan <w:b/> & {{ 7*7 }} </w:t>"'))
    completed = run_cli("render", "plan", "--plan", repository / "plan", "--output", tmp_path / "out")
    assert completed.returncode == 0, completed.stderr
    document = Document(str(tmp_path / "out" / "improvement-plan.docx"))
    assert document.paragraphs[0].text == "Plan <w:b/> & {{ 7*7 }} </w:t>"
