from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlparse

from plangen.errors import EXIT_OK, UsageError

PRE_COMMIT_CONFIG = """\
# Run plangen's checks before every commit: `pre-commit install` once, then commit as usual.
# pre-commit installs plangen from `repo` at `rev` into an environment of its own, so the hooks work
# from any shell; `pre-commit autoupdate` moves `rev` to plangen's latest release.
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: plangen-validate
      - id: plangen-fmt
"""

# When it is not known where this plangen came from, the hooks run the plangen on the PATH.
PRE_COMMIT_CONFIG_LOCAL = """\
# Run plangen's checks before every commit: `pre-commit install` once, then commit as usual.
# These hooks run the plangen on your PATH. To have pre-commit install plangen itself, write
# `plangen init --hooks-repo URL --hooks-rev TAG` or replace `local` with plangen's git repository.
repos:
  - repo: local
    hooks:
      - id: plangen-validate
        name: plangen validate
        entry: plangen validate
        language: system
        files: ^plan/.*\\.ya?ml$
        require_serial: true
      - id: plangen-fmt
        name: plangen fmt --check
        entry: plangen fmt --check
        language: system
        files: ^plan/.*\\.ya?ml$
        pass_filenames: false
"""


def git(directory: Path, *arguments: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", "-C", str(directory), *arguments], capture_output=True, text=True)
    except FileNotFoundError:
        return None


def installed_from() -> tuple[str, str] | None:
    """(repository, revision) this plangen was installed from, as pip recorded it (PEP 610)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        recorded = distribution("plangen").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    if not recorded:
        return None
    origin = json.loads(recorded)
    url = origin.get("url", "")
    if "vcs_info" in origin and origin["vcs_info"].get("vcs") == "git":
        return url, origin["vcs_info"].get("commit_id") or origin["vcs_info"].get("requested_revision", "HEAD")
    if url.startswith("file://"):
        checkout = Path(unquote(urlparse(url).path))
        head = git(checkout, "rev-parse", "HEAD")
        if head and head.returncode == 0 and (checkout / ".pre-commit-hooks.yaml").is_file():
            return str(checkout), head.stdout.strip()
    return None


def pre_commit_config(repo: str | None, rev: str | None) -> str:
    if repo is None:
        origin = installed_from()
        if origin is None:
            return PRE_COMMIT_CONFIG_LOCAL
        repo, rev = origin[0], rev or origin[1]
    if rev is None:
        raise UsageError("--hooks-repo needs --hooks-rev", hint="name the tag or commit of plangen to install, e.g. --hooks-rev v0.1.0")
    return PRE_COMMIT_CONFIG.format(repo=json.dumps(repo), rev=json.dumps(rev))


def scaffold(directory: Path, hooks_repo: str | None = None, hooks_rev: str | None = None) -> list[Path]:
    """Copy the example plan, the schemas, the templates and a pre-commit config into `directory`."""
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} is not empty", hint="choose a new directory; plangen init never overwrites files")
    config = pre_commit_config(hooks_repo, hooks_rev)
    package = Path(str(files("plangen")))
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(package / "scaffold", directory, dirs_exist_ok=True)
    shutil.copytree(package / "schema", directory / "schema")
    shutil.copytree(package / "templates", directory / "templates")
    (directory / ".gitignore").write_text("/build\n/.build.plangen/\n", encoding="utf-8")
    (directory / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    return sorted(path for path in directory.rglob("*") if path.is_file())


def make_repository(directory: Path) -> str:
    """A git repository with the scaffold as its first commit, unless `directory` is inside one already.
    Returns what was done, for the user."""
    inside = git(directory, "rev-parse", "--show-toplevel")
    if inside is None:
        return "git is not installed, so this is not yet a git repository (plangen diff and history need one)"
    if inside.returncode == 0:
        return f"inside the git repository {inside.stdout.strip()}: the files are not committed"
    initialised = git(directory, "init", "-q")
    if initialised.returncode != 0:
        return f"git init failed: {initialised.stderr.strip()}"
    git(directory, "add", ".")
    committed = git(directory, "commit", "-q", "-m", "Start the improvement plan (plangen init)")
    if committed.returncode != 0:
        reason = (committed.stderr.strip().splitlines() or ["git commit failed"])[-1]
        print(f"plangen: git could not make the first commit ({reason}); commit the files yourself", file=sys.stderr)
        return "a new git repository; the files are added but not committed"
    return "a new git repository, with the files as its first commit"


def run(directory: Path, hooks_repo: str | None = None, hooks_rev: str | None = None) -> int:
    written = scaffold(directory, hooks_repo, hooks_rev)
    repository = make_repository(directory)
    print(f"created a plan repository in {directory} ({len(written)} files): {repository}")
    print("next steps:")
    print(f"  cd {directory}")
    print("  pre-commit install      # validate and check formatting on every commit (pip install pre-commit)")
    print("  plangen validate        # check the plan")
    print("  plangen build           # write the papers into build/")
    return EXIT_OK
