"""Plans as they were at a git revision: the reviewer's side of plangen.

A plan is read at a revision by extracting its directory with `git archive` into a temporary
directory and loading it like any other, so every reader sees the same plan the author saw.
"""

from __future__ import annotations

import atexit
import io
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from plangen.errors import UsageError
from plangen.model import Plan
from plangen.repository import Builder, find_plan_dir, load_sources


def load_plan(root: Path) -> Plan:
    """The plan in a directory, without validation: a diff must still work on a plan with errors."""
    sources, _ = load_sources(root)
    return Builder().plan(root, sources)


def git(directory: Path, *arguments: str, binary: bool = False):
    try:
        completed = subprocess.run(["git", "-C", str(directory), *arguments], capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git to compare plan revisions") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {' '.join(arguments[:2])}: {message[-1] if message else 'failed'}",
                         hint="name a revision git knows (a branch, tag, commit or HEAD~N) or a plan directory")
    return completed.stdout if binary else completed.stdout.decode("utf-8", "replace")


def repository_of(plan_root: Path) -> tuple[Path, str]:
    """The repository's top directory and the plan directory's path inside it ('' at the top)."""
    try:
        top = Path(git(plan_root, "rev-parse", "--show-toplevel").strip())
    except UsageError as error:
        if "not a git repository" not in error.message:
            raise
        raise UsageError(f"{plan_root} is not in a git repository, so it has no earlier revisions to compare",
                         hint="compare two plan directories (plangen diff OLD_DIR NEW_DIR), "
                              "or make it a repository: git init && git add . && git commit") from None
    relative = plan_root.resolve().relative_to(top.resolve())
    return top, relative.as_posix() if str(relative) != "." else ""


def revision_problem(revision: str, plan_root: Path) -> str | None:
    """Why `revision` names no commit of the plan's repository, or None when it does."""
    if not revision.strip() or revision.startswith("-"):
        return f"'{revision}' is not a git revision"
    try:
        top, _ = repository_of(plan_root)
    except UsageError:
        return f"'{revision}' names a git revision, but the plan is not in a git repository"
    try:
        git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except UsageError:
        return f"'{revision}' is not a revision of {top.name}'s git history"
    return None


def is_shallow(plan_root: Path) -> bool:
    """A shallow clone has only the latest commits: history read from it is incomplete."""
    top, _ = repository_of(plan_root)
    return git(top, "rev-parse", "--is-shallow-repository").strip() == "true"


def extract_at(plan_root: Path, revision: str, target: Path, whole_repository: bool, unknown: str,
               hint: str) -> tuple[Path, str]:
    """Extract the plan directory (or, for `build --at`, the whole repository: the plan with its
    templates) as committed at `revision` into `target`; returns the plan directory there and the
    commit. `unknown` words the error for a name that is not a revision."""
    top, inside = repository_of(plan_root)
    try:
        commit = git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
    except UsageError:
        raise UsageError(f"'{revision}' {unknown} {top}", hint=hint) from None
    paths = [inside] if inside and not whole_repository else []
    with tarfile.open(fileobj=io.BytesIO(git(top, "archive", "--format=tar", commit, *paths, binary=True))) as bundle:
        links = [member.name for member in bundle.getmembers() if member.issym() or member.islnk()]
        if links and not whole_repository:
            raise UsageError(f"the plan at {revision} holds a symbolic link ({links[0]}); plangen reads only "
                             "regular files from a revision", hint="commit the file itself rather than a link to it")
        bundle.extractall(target, filter="data")
    root = target / inside if inside else target
    if not (root / "plan.yaml").is_file():
        raise UsageError(f"there is no plan at {revision} in {inside or 'the repository top'}",
                         hint="name a revision that has the plan, or a plan directory")
    return root, commit


def plan_at(revision: str, plan_root: Path) -> Plan:
    """The plan as committed at `revision`, for the plan directory `plan_root` of the working tree."""
    target = Path(tempfile.mkdtemp(prefix="plangen-rev-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    root, _ = extract_at(plan_root, revision, target, whole_repository=False,
                         unknown="is neither a plan directory nor a git revision of",
                         hint="name a branch, tag, commit or HEAD~N, or a directory that holds plan.yaml")
    plan = load_plan(root)
    plan.meta.setdefault("x-revision", revision)
    return plan


@dataclass
class Side:
    plan: Plan
    label: str  # what the user named: a revision or a directory


def resolve(spec: str | None, plan_root: Path, default_revision: bool) -> Side:
    """A side of a comparison: a plan directory if `spec` names one, otherwise a git revision.
    With no spec, HEAD (default_revision) or the working tree's plan."""
    if spec is not None and not spec.strip():
        raise UsageError("an empty revision names no plan",
                         hint="name a branch, tag, commit or HEAD~N, or a plan directory; leave it out for the default")
    if spec is not None and spec.startswith("-"):
        raise UsageError(f"'{spec}' is neither a plan directory nor a git revision",
                         hint="a revision does not start with '-'; write ./NAME for a directory of that name")
    if spec is None:
        if default_revision:
            return Side(plan_at("HEAD", plan_root), "HEAD")
        return Side(load_plan(plan_root), "working tree")
    path = Path(spec)
    if path.is_dir():
        root = find_plan_dir(path)
        return Side(load_plan(root), str(spec))
    return Side(plan_at(spec, plan_root), spec)


@dataclass
class Commit:
    sha: str
    date: str
    author: str
    subject: str


def commits_touching(plan_root: Path) -> list[Commit]:
    """Commits that changed the plan directory, oldest first."""
    top, inside = repository_of(plan_root)
    log = git(top, "log", "--reverse", "--format=%H%x1f%ad%x1f%an%x1f%s", "--date=short", "--", inside or ".")
    commits = []
    for line in log.splitlines():
        sha, date, author, subject = line.split("\x1f", 3)
        commits.append(Commit(sha, date, author, subject))
    return commits
