"""plangen init scaffolds a git repository that validates and builds, and whose pre-commit hooks work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from docx import Document

from conftest import REPO, run_cli

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Clerk", "GIT_AUTHOR_EMAIL": "clerk@example.org",
                "GIT_COMMITTER_NAME": "Clerk", "GIT_COMMITTER_EMAIL": "clerk@example.org"}


def git(directory: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(directory), *arguments], capture_output=True, text=True,
                          env={**os.environ, **GIT_IDENTITY})


def init(target: Path, *options: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plangen", "init", str(target), *options], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **GIT_IDENTITY})


def test_init_validate_build(tmp_path):
    target = tmp_path / "council-plan"
    completed = init(target)
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


def test_init_makes_a_repository_with_a_first_commit_and_says_what_next(tmp_path):
    target = tmp_path / "council-plan"
    completed = init(target)
    assert completed.returncode == 0, completed.stderr
    assert git(target, "rev-parse", "--show-toplevel").stdout.strip() == str(target.resolve())
    assert git(target, "log", "--format=%s").stdout.splitlines() == ["Start the improvement plan (plangen init)"]
    assert git(target, "status", "--porcelain").stdout == ""
    committed = set(git(target, "ls-files").stdout.splitlines())
    assert {"plan/plan.yaml", ".pre-commit-config.yaml", ".gitignore", "templates/plan.docx"} <= committed
    assert "a new git repository, with the files as its first commit" in completed.stdout
    assert "pre-commit install" in completed.stdout
    # with a first commit, diff and history work at once
    edit = target / "plan" / "priorities" / "01-assessments.yaml"
    edit.write_text(edit.read_text().replace("due: 2027-06", "due: 2027-09", 1))
    diff = run_cli("diff", cwd=target)
    assert diff.returncode == 0, diff.stderr
    assert "1.1" in diff.stdout and "slipped 3 months" in diff.stdout


def test_init_inside_a_repository_adds_no_repository(tmp_path):
    assert git(tmp_path, "init", "-q").returncode == 0
    completed = init(tmp_path / "plan-repo")
    assert completed.returncode == 0, completed.stderr
    assert not (tmp_path / "plan-repo" / ".git").exists()
    assert f"inside the git repository {tmp_path.resolve()}: the files are not committed" in completed.stdout


def test_diff_and_history_outside_git_say_so(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(REPO / "src" / "plangen" / "scaffold" / "plan", plan)
    for command in (["diff"], ["history", "1.1"]):
        completed = run_cli(*command, cwd=tmp_path)
        assert completed.returncode == 2
        assert completed.stderr.startswith("plangen: plan is not in a git repository, so it has no earlier revisions to compare")
        assert "fatal" not in completed.stderr


def test_init_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    completed = run_cli("init", tmp_path)
    assert completed.returncode == 2
    assert "is not empty" in completed.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_hooks_repo_needs_a_revision(tmp_path):
    completed = init(tmp_path / "new", "--hooks-repo", "https://git.example.org/plangen")
    assert completed.returncode == 2
    assert "--hooks-repo needs --hooks-rev" in completed.stderr
    assert not (tmp_path / "new").exists()


def snapshot_of_this_checkout(target: Path) -> str:
    """This working tree (committed or not) as a git repository of its own, for pre-commit to install from."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "-co", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
        elif source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).symlink_to(os.readlink(source))
    git(target, "init", "-q")
    git(target, "add", ".")
    git(target, "commit", "-q", "-m", "snapshot")
    return git(target, "rev-parse", "HEAD").stdout.strip()


def test_pre_commit_runs_the_hooks_of_an_init_repository_with_its_file_names(tmp_path):
    hooks = tmp_path / "plangen-source"
    rev = snapshot_of_this_checkout(hooks)
    sample = tmp_path / "council"
    assert init(sample, "--hooks-repo", str(hooks), "--hooks-rev", rev).returncode == 0
    config = (sample / ".pre-commit-config.yaml").read_text()
    assert f'repo: "{hooks}"' in config and f'rev: "{rev}"' in config
    environment = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    # a shell without plangen or the virtual environment on its PATH
    environment["PATH"] = os.pathsep.join(part for part in environment["PATH"].split(os.pathsep)
                                          if not (Path(part) / "plangen").exists())
    pre_commit = [str(Path(sys.executable).with_name("pre-commit")), "run", "--verbose"]

    broken = sample / "plan" / "priorities" / "01-assessments.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("lead: HoS", "leed: HoS", 1), encoding="utf-8")
    people = sample / "plan" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("role: Head of Service, Assessment", "rolle: x", 1), encoding="utf-8")
    git(sample, "add", "plan/priorities/01-assessments.yaml")  # staged: the priority file only
    completed = subprocess.run(pre_commit, cwd=sample, capture_output=True, text=True, env=environment)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "plangen validate" in completed.stdout and "Failed" in completed.stdout
    # the staged file's finding, not the unstaged people.yaml's
    assert "plan/priorities/01-assessments.yaml:" in completed.stdout and "unknown key 'leed'" in completed.stdout
    assert "rolle" not in completed.stdout

    completed = subprocess.run(pre_commit + ["--files", "plan/people.yaml"], cwd=sample, capture_output=True, text=True, env=environment)
    assert completed.returncode == 1
    assert "unknown key 'rolle'" in completed.stdout and "leed" not in completed.stdout

    git(sample, "checkout", "--", ".")
    git(sample, "reset", "-q", "--hard")
    completed = subprocess.run(pre_commit + ["--all-files"], cwd=sample, capture_output=True, text=True, env=environment)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.count("Passed") == 2
