"""Issue 18, reviewer side: annotations and pull-request comments show plan data as data; empty and
missing revisions are refused; a shallow clone's history says it is incomplete. Real git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SCAFFOLD_PLAN, edit, position, run_cli
from plangen.findings import Finding

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Plan Author", "GIT_AUTHOR_EMAIL": "author@example.org",
                "GIT_COMMITTER_NAME": "Plan Author", "GIT_COMMITTER_EMAIL": "author@example.org"}


def git(directory: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(directory), *arguments], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_IDENTITY}).stdout


def commit(directory: Path, message: str) -> None:
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "-m", message)


@pytest.fixture
def repository(tmp_path) -> Path:
    shutil.copytree(SCAFFOLD_PLAN, tmp_path / "plan")
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "The plan")
    return tmp_path


def test_github_annotation_escapes_every_property():
    finding = Finding("plan/x\n::error file=evil.yaml::injected,a:b%.yaml", 3, 4, "error", "bad-value",
                      "first line\nsecond %0A line", "hint\r")
    line = finding.as_github()
    assert "\n" not in line and "\r" not in line
    assert line.startswith("::error file=plan/x%0A%3A%3Aerror file=evil.yaml%3A%3Ainjected%2Ca%3Ab%25.yaml,line=3,col=4,")
    assert line.endswith("title=plangen bad-value::first line%0Asecond %250A line (hint: hint%0D)")


def test_a_file_name_cannot_inject_a_workflow_command(repository):
    hostile = repository / "plan" / "priorities" / "02-x\n::error file=evil.yaml::injected.yaml"
    hostile.write_text('number: "2"\ntitle: Two\n', encoding="utf-8")
    completed = run_cli("validate", "plan", "--format", "github", cwd=repository)
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ")) for line in lines)
    assert not any(line.startswith("::error file=evil.yaml") for line in lines)
    assert any("02-x%0A%3A%3Aerror file=evil.yaml%3A%3Ainjected.yaml" in line for line in lines)


def test_markdown_diff_shows_plan_text_as_text(repository):
    edit(repository / "plan" / "priorities" / "01-assessments.yaml", "text: Agree the audit tool",
         "text: 'Agree the tool </details> <img src=x onerror=alert(1)> **loud** [link](http://example.org)'")
    edit(repository / "plan" / "priorities" / "01-assessments.yaml",
         "Audit assessments quarterly and report findings to the Improvement Board.",
         "'- Audit </details><script>x</script> quarterly | report.'")
    completed = run_cli("diff", "HEAD", "--format", "markdown", cwd=repository)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert out.count("<details>") == out.count("</details>") == 1
    assert "<img" not in out and "<script" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "\\*\\*loud\\*\\*" in out and "\\[link\\](http://example.org)" in out
    assert "&lt;/details&gt;&lt;script&gt;x&lt;/script&gt;" in out and "\\| report." in out
    assert "**\\-** Audit" in out  # a word diff starting "- " is not a bullet


@pytest.mark.parametrize("arguments", [("diff", ""), ("diff", "HEAD", ""), ("diff", "  "), ("redline", ""),
                                       ("diff", "--", "-x")])
def test_empty_revision_is_refused(repository, arguments):
    completed = run_cli(*arguments, cwd=repository)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    assert "revision" in completed.stderr and "hint:" in completed.stderr
    assert not (repository / "build").exists()


def test_missing_revision_is_refused_with_its_name(repository):
    completed = run_cli("diff", "v9.9-never-tagged", "HEAD", cwd=repository)
    assert completed.returncode == 2
    assert "'v9.9-never-tagged' is neither a plan directory nor a git revision" in completed.stderr


def test_compare_with_a_missing_revision_is_a_validate_finding(repository):
    report = repository / "plan" / "reports" / "2026-02-scrutiny-update.yaml"
    edit(report, "general_release: true\n", "general_release: true\ncompare_with: v2017-never\n")
    completed = run_cli("validate", "plan", cwd=repository)
    assert completed.returncode == 1
    line, column = position(report.read_text(encoding="utf-8"), "v2017-never")
    assert (f"plan/reports/2026-02-scrutiny-update.yaml:{line}:{column}: error: compare_with: 'v2017-never' is not "
            f"a revision of {repository.name}'s git history [unknown-revision]") in completed.stdout
    git(repository, "tag", "v2017-never")
    assert run_cli("validate", "plan", cwd=repository).returncode == 0


def test_compare_with_outside_a_git_repository_is_a_validate_finding(mini_plan, tmp_path):
    edit(mini_plan / "reports" / "2026-02-scrutiny-update.yaml", "general_release: true\n",
         "general_release: true\ncompare_with: HEAD\n")
    completed = run_cli("validate", mini_plan, cwd=tmp_path)
    assert completed.returncode == 1
    assert "compare_with: 'HEAD' names a git revision, but the plan is not in a git repository" in completed.stdout


def test_history_in_a_shallow_clone_says_it_is_incomplete(repository, tmp_path):
    priority = repository / "plan" / "priorities" / "01-assessments.yaml"
    edit(priority, "due: 2027-06\n", "due: 2027-09\n")
    commit(repository, "1.1 moved to September")
    edit(priority, "due: 2027-09\n", "due: 2027-12\n")
    commit(repository, "1.1 moved to December")
    full = run_cli("history", "1.1", cwd=repository)
    assert full.returncode == 0 and "shallow" not in full.stdout
    assert "due date moved 2 times" in full.stdout
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repository.as_uri(), str(clone)], check=True)
    shallow = run_cli("history", "1.1", cwd=clone)
    assert shallow.returncode == 0, shallow.stderr
    assert "shallow clone, so the plan's history is incomplete" in shallow.stdout
    slipped = run_cli("history", "--slipped", cwd=clone)
    assert "history is incomplete" in slipped.stdout
