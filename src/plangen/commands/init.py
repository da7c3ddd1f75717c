from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
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


def _check_target(directory: Path) -> None:
    if directory.is_symlink() and not directory.exists():
        raise UsageError(f"{directory} is a symbolic link to {os.readlink(directory)}, which does not exist",
                         hint="remove the link, or name another directory")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file, not a directory", hint="name a new directory for the plan repository")
    if directory.is_dir() and any(directory.iterdir()):
        raise UsageError(f"{directory} is not empty", hint="choose a new directory; plangen init never overwrites files")


def scaffold(directory: Path, hooks_repo: str | None = None, hooks_rev: str | None = None) -> list[Path]:
    """Copy the example plan, the schemas, the templates and a pre-commit config into `directory`.

    Everything is written into a temporary directory beside it, which then takes its place in one
    rename: a full disk or an interruption leaves no half-made repository, and `init` can simply be
    run again."""
    _check_target(directory)
    config = pre_commit_config(hooks_repo, hooks_rev)
    package = Path(str(files("plangen")))
    contents = {Path(".gitignore"): b"/build\n/.build.plangen/\n"}
    for folder, inside in (("scaffold", Path()), ("schema", Path("schema")), ("templates", Path("templates"))):
        for source in sorted((package / folder).rglob("*")):
            if source.is_file() and "__pycache__" not in source.parts:
                contents[inside / source.relative_to(package / folder)] = source.read_bytes()
    contents[Path(".pre-commit-config.yaml")] = config.encode("utf-8")
    parent = directory.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.plangen-init-", dir=parent))
    relative = None
    try:
        for relative, data in contents.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_bytes(data)
        relative = None
        os.chmod(staging, 0o777 & ~_umask())
        _check_target(directory)  # nothing appeared there meanwhile
        os.replace(staging, directory)  # onto an empty directory, or where none was
    except OSError as error:
        where = directory / relative if relative is not None else directory
        raise UsageError(f"cannot write {where}: {error.strerror or error}",
                         hint="free some space or choose another place, then run plangen init again; "
                              "nothing was left behind") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(path for path in directory.rglob("*") if path.is_file())


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


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
