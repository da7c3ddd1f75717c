"""plangen init scaffolds a repository that validates and builds with the installed package."""

from __future__ import annotations

from docx import Document

from conftest import run_cli


def test_init_validate_build(tmp_path):
    target = tmp_path / "council-plan"
    completed = run_cli("init", target)
    assert completed.returncode == 0, completed.stderr
    for expected in ("plan/plan.yaml", "plan/people.yaml", "plan/priorities/01-assessments.yaml",
                     "schema/priority.schema.json", "templates/plan.docx", ".pre-commit-config.yaml"):
        assert (target / expected).is_file(), expected
    assert run_cli("validate", cwd=target).returncode == 0
    assert run_cli("fmt", "--check", cwd=target).returncode == 0
    completed = run_cli("build", cwd=target)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    document = Document(str(target / "build" / "improvement-plan.docx"))
    assert "Improve the quality of assessments" in "\n".join(paragraph.text for paragraph in document.paragraphs)


def test_init_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    completed = run_cli("init", tmp_path)
    assert completed.returncode == 2
    assert "is not empty" in completed.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"
