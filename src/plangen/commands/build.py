"""`plangen build`: every paper, laid out by one LibreOffice session, as one set that replaces the
previous set whole.

Pipeline: validate → work out which papers changed (a key per paper: a hash of what it is made
from) → start LibreOffice → render each changed paper in Python and hand it to LibreOffice at
once, which lays it out (and exports the tagged PDF) while Python renders the next → write the
page numbers into each .docx → stage the complete set in a new version folder, unchanged papers
hard-linked from the previous one → switch the output link in one rename (atomic.OutputSet).
A failure at any step, a timeout or Ctrl-C ends LibreOffice's process group, removes the staged
version and leaves the previous set in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from plangen.errors import EXIT_OK, FindingsError, RenderError

MANIFEST = ".plangen-build.json"


@dataclass
class Paper:
    name: str  # its path inside the output folder, e.g. reports/2017-11-20-cabinet.docx
    make: Callable  # renders the finished paper: the .docx bytes
    key: str  # a hash of everything the paper is made from
    # the plan paper's bookmarks whose pages it prints ([plan page: …]): remade when the plan is
    cites: frozenset[str] = frozenset()

    @property
    def cites_plan(self) -> bool:
        return bool(self.cites)

    @property
    def pdf_name(self) -> str:
        return self.name[: -len(".docx")] + ".pdf"


@dataclass
class Summary:
    output: Path
    warnings: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    laid_out: bool | None = None  # LibreOffice laid the papers out (None: not asked, nothing needed it)
    switched: bool = False


@lru_cache(maxsize=1)
def plan_output() -> str | None:
    """The plan paper's file, whose pages committee papers may cite."""
    from plangen.documents import registry

    return registry.KINDS["plan"].OUTPUT if "plan" in registry.KINDS else None


@lru_cache(maxsize=1)
def tool_digest() -> str:
    """plangen's version and the bytes of its own code, templates and schemas: a paper made by other
    code is remade (a version number alone misses an edited checkout)."""
    from plangen import __version__

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".docx", ".json") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class GitHistory:
    """Which commit last changed each plan file, and which files the working tree changes: two git
    calls for the whole plan (not two per paper). Outside git, or without git, nothing is known."""

    RECENT = 500

    def __init__(self, root: Path):
        self.root = root
        self.last_commit: dict[str, str] = {}
        self.changed: set[str] = set()
        self.known = False
        top = self._git("rev-parse", "--show-toplevel")
        if top is None:
            return
        self.top = Path(top.strip())
        log = self._git("log", f"-n{self.RECENT}", "--format=>%H", "--name-only", "--", ".")
        status = self._git("status", "--porcelain", "--untracked-files=all", "--", ".")
        if log is None or status is None:
            return
        commit = ""
        for line in log.splitlines():
            if line.startswith(">"):
                commit = line[1:]
            elif line:
                self.last_commit.setdefault(line, commit)
        self.changed = {line[3:].split(" -> ")[-1].strip('"') for line in status.splitlines() if len(line) > 3}
        self.known = True

    def _git(self, *arguments: str) -> str | None:
        import subprocess

        try:
            completed = subprocess.run(["git", "-C", str(self.root), *arguments], capture_output=True, text=True)
        except OSError:
            return None
        return completed.stdout if completed.returncode == 0 else None

    def provenance(self, paths: list[Path]) -> dict:
        if not self.known:
            return {"commit": "", "changed": False}
        names = [path.resolve().relative_to(self.top.resolve()).as_posix() for path in paths]
        commits = [self.last_commit.get(name) or self._older(name) for name in names]
        order = {commit: index for index, commit in enumerate(dict.fromkeys(self.last_commit.values()))}
        found = [commit for commit in commits if commit]
        # the newest commit among them: the one that appears first in the log
        latest = min(found, key=lambda commit: order.get(commit, len(order))) if found else ""
        return {"commit": latest, "changed": any(name in self.changed for name in names)}

    def _older(self, name: str) -> str:
        """A file not changed in the recent history the log read: ask git about it alone."""
        answer = self._git("log", "-1", "--format=%H", "--", str(self.top / name))
        return (answer or "").strip()


class InputsRecord:
    """A second build with nothing changed answers from a record, without reading the plan.

    The record (in the output's store) ties the set in place to a fingerprint of everything a build
    reads: each plan file's and local template's bytes, the stat of plangen's own files, the
    installed document kinds, the git commit checked out (papers record it), today's date (validation
    warnings are as at today) and --pdf. Same fingerprint, same set in place, outputs unaltered:
    nothing to do. Anything else (or anything the fingerprint cannot see, such as a symbolic link in
    the plan) takes the full path, which decides paper by paper from content keys."""

    NAME = "inputs.json"

    def __init__(self, root: Path, outputs, pdf: bool):
        self.path = outputs.store / self.NAME
        self.outputs = outputs
        self.fingerprint = inputs_fingerprint(root, outputs, pdf)

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def unchanged_summary(self, output: Path) -> Summary | None:
        current = self.outputs.current()
        record = self._read()
        if self.fingerprint is None or current is None or record.get("version") != current.name:
            return None
        known = record.get("fingerprints", {}).get(self.fingerprint)
        manifest = read_manifest(current)
        if not isinstance(known, dict) or not manifest:
            return None
        for name, entry in manifest.items():
            if not entry.get("laid_out", True):  # LibreOffice may be here now: the full path decides
                return None
            try:
                if file_digest(current / name) != entry.get("sha256"):
                    return None
            except OSError:
                return None
        return Summary(output, warnings=int(known.get("warnings", 0)),
                       unchanged=sorted(name for name in manifest if name.endswith(".docx")))

    def remember(self, current: Path, summary: Summary) -> None:
        if self.fingerprint is None:
            return
        from plangen.atomic import write_text

        record = self._read()
        fingerprints = record.get("fingerprints", {}) if record.get("version") == current.name else {}
        fingerprints[self.fingerprint] = {"warnings": summary.warnings}
        try:
            write_text(self.path, json.dumps({"version": current.name, "fingerprints": fingerprints}))
        except OSError:
            pass  # only the next build's speed depends on it


def inputs_fingerprint(root: Path, outputs, pdf: bool) -> str | None:
    """See InputsRecord; None when the plan holds something it cannot see (a link, a special file)."""
    import datetime
    import stat
    import subprocess
    from importlib.metadata import entry_points

    from plangen import __version__

    digest = hashlib.sha256(f"{__version__}\0{datetime.date.today()}\0{pdf}\0".encode())
    package = Path(__file__).resolve().parent.parent
    for folder, directories, files in os.walk(package):
        directories[:] = sorted(name for name in directories if name != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".docx", ".json")):
                status = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    for entry in entry_points(group="plangen.kinds"):
        digest.update(f"{entry.name}={entry.value}@{entry.dist.version if entry.dist else ''}\0".encode())
    skip = {Path(outputs.output), Path(outputs.store)}
    for top in (root.resolve(), root.resolve().parent / "templates"):
        if not top.is_dir():
            continue
        for folder, directories, files in os.walk(top):
            kept = []
            for name in sorted(directories):
                path = Path(folder, name)
                if name.startswith(".") or path in skip:
                    continue
                if path.is_symlink():
                    return None
                kept.append(name)
            directories[:] = kept
            for name in sorted(files):
                path = Path(folder, name)
                if name.startswith(".") or path in skip:
                    continue
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    return None
                digest.update(f"{path}\0".encode() + file_digest(path).encode())
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True)
        digest.update(head.stdout.encode())
    except OSError:
        pass
    return digest.hexdigest()


def plan_papers(plan, commit: str | None = None) -> list[Paper]:
    """Every paper of the plan with its key. A plan-wide paper reads every plan file but the report
    files; a report's paper reads those and its own report file. Papers cite pages of their own
    bookmarks only, so no paper's key depends on another paper's layout."""
    from plangen import api, render
    from plangen.commands.render import kind_document, report_document
    from plangen.documents import registry
    from plangen.page_references import plan_citations
    from plangen.repository import discover

    files, _ = discover(plan.root)
    shared_files = [path for path, kind in files if kind != "report"]
    history = None if commit else GitHistory(plan.root)
    shared = hashlib.sha256(tool_digest().encode())
    for path in shared_files:
        shared.update(path.relative_to(plan.root).as_posix().encode() + b"\0" + file_digest(path).encode())

    def made_from(module, own: Path | None = None, template_name: str | None = None) -> tuple[str, dict]:
        """The paper's key, and its provenance (part of the key: the properties record it)."""
        template = render.template_path(plan.root, template_name) if template_name else api.template_for(plan, module)
        provenance = ({"commit": commit, "changed": False} if commit
                      else history.provenance(shared_files + ([own] if own else [])))
        digest = shared.copy()
        digest.update(file_digest(template).encode() + json.dumps(provenance, sort_keys=True).encode())
        if own is not None:
            digest.update(own.name.encode() + b"\0" + file_digest(own).encode())
        return digest.hexdigest(), provenance

    papers = []
    for module in registry.KINDS.values():
        key, provenance = made_from(module)
        papers.append(Paper(module.OUTPUT, lambda module=module, provenance=provenance:
                            kind_document(plan, module, provenance), key))
    for report in plan.reports:
        module = registry.REPORT_KINDS.get(report.data.get("kind"))
        if module is not None:
            key, provenance = made_from(module, report.path, report.data.get("template"))
            papers.append(Paper(f"reports/{report.path.stem}.docx", lambda report=report, provenance=provenance:
                                report_document(plan, report, provenance), key,
                                cites=plan_citations(report.text or "")))
    return papers


def read_manifest(folder: Path | None) -> dict:
    if folder is None:
        return {}
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("outputs", {})
    except (OSError, ValueError, AttributeError):
        return {}


def still_good(folder: Path | None, manifest: dict, name: str, key: str, laid_out: Callable[[], bool]) -> bool:
    """The previous set holds `name` made from the same inputs (and laid out if it must be), unaltered."""
    entry = manifest.get(name)
    if folder is None or not entry or entry.get("key") != key:
        return False
    if not entry.get("laid_out", True) and laid_out():  # made without LibreOffice, which is here now
        return False
    try:
        return file_digest(folder / name) == entry.get("sha256")
    except OSError:
        return False


class Progress:
    """One line per paper on stderr as it is produced."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def line(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)


def build(plan_dir: Path | None, output: Path, pdf: bool = False, force: bool = False,
          timeout: float | None = None, progress: Progress | None = None, at: str | None = None) -> Summary:
    """Make the papers of the plan in `plan_dir` (at git revision `at`, if given) into `output`."""
    from plangen.atomic import OutputSet, remove_tree
    from plangen.repository import find_plan_dir

    root = find_plan_dir(plan_dir)
    with OutputSet(output) as outputs:
        checkout = outputs.work_folder("at-") if at else None
        try:
            progress = progress or Progress()
            if checkout is not None:
                root, commit = plan_at(root, at, checkout)
                inputs = None
            else:
                commit = None
                inputs = None if force else InputsRecord(root, outputs, pdf)
                if inputs is not None and (summary := inputs.unchanged_summary(output)) is not None:
                    for name in summary.unchanged:
                        progress.line(f"  {name}: unchanged")
                    return summary
            summary = _build(root, outputs, Summary(output), pdf, force, timeout, progress, commit)
            if inputs is not None and outputs.current() is not None:
                inputs.remember(outputs.current(), summary)
            return summary
        finally:
            if checkout is not None:
                remove_tree(checkout)


def plan_at(root: Path, revision: str, folder: Path) -> tuple[Path, str]:
    """Extract the repository as committed at `revision` into `folder` (the plan with its templates);
    returns the plan directory there and the commit."""
    from plangen.gitplan import extract_at

    return extract_at(root, revision, folder, whole_repository=True, unknown="is not a git revision of",
                      hint="name a branch, tag, commit or HEAD~N")


def _build(root: Path, outputs, summary: Summary, pdf: bool, force: bool, timeout, progress: Progress,
           commit: str | None) -> Summary:
    from plangen import office

    # LibreOffice takes seconds to start: it starts now and comes up while Python validates and
    # renders; it is ended unused if nothing needs laying out
    starting = OfficeStart(outputs, timeout or office.TIMEOUT_SECONDS)
    try:
        if office.available():
            starting.begin()
        summary = _build_with(root, outputs, summary, pdf, force, progress, commit, starting)
    except BaseException:
        starting.end()
        raise
    starting.end(finished=True)
    return summary


class OfficeStart:
    """The build's one LibreOffice session, started early (see _build)."""

    def __init__(self, outputs, timeout: float):
        self.outputs = outputs
        self.timeout = timeout
        self.session = None
        self.work: Path | None = None

    def begin(self) -> None:
        from plangen import office

        self.work = self.outputs.work_folder("office-")
        self.session = office.Session(self.work, self.timeout)
        self.session.start()

    def take(self):
        if self.session is None:
            self.begin()
        return self.session

    def end(self, finished: bool = False) -> None:
        from plangen.atomic import remove_tree

        if self.session is not None:
            if finished:
                self.session.end()
            else:
                self.session.kill()
            self.session = None
        if self.work is not None:
            remove_tree(self.work)
            self.work = None


def _build_with(root: Path, outputs, summary: Summary, pdf: bool, force: bool, progress: Progress,
                commit: str | None, starting: OfficeStart) -> Summary:
    from plangen import office
    from plangen.atomic import environment_error, remove_tree
    from plangen.findings import format_findings
    from plangen.validate import validate

    result = validate(root, None)
    if not result.ok:
        print(format_findings(result.errors, "text"))
        raise FindingsError("", None)
    plan = result.plan
    summary.warnings = len(result.findings) - len(result.errors)
    def can_lay_out() -> bool:
        # asking costs a Python start-up (is `uno` importable?): only when something depends on it
        if summary.laid_out is None:
            summary.laid_out = office.available()
        return summary.laid_out

    if pdf and not can_lay_out():
        raise RenderError(f"{office.missing_notice()}, so no PDF can be made; no output was changed",
                          hint="install libreoffice-writer and python3-uno, or leave out --pdf")
    papers = plan_papers(plan, commit)

    current = outputs.current()
    manifest = read_manifest(current)
    todo, wanted = [], {}
    for paper in papers:
        names = [paper.name] + ([paper.pdf_name] if pdf else [])
        if not force and all(still_good(current, manifest, name, paper.key, can_lay_out) for name in names):
            summary.unchanged.append(paper.name)
        else:
            todo.append(paper)
        for name in names:
            wanted[name] = paper
    # pages cited from the plan paper: a citing paper is remade with the plan, and needs the plan's
    # page map, kept in the manifest (or the plan is laid out again to get it)
    plan_paper = next((paper for paper in papers if paper.name == plan_output()), None)
    plan_pages = (manifest.get(plan_output()) or {}).get("bookmarks")
    citing = [paper for paper in papers if paper.cites_plan]
    cited = frozenset().union(*(paper.cites for paper in citing))
    if plan_paper is not None and citing:
        known = plan_pages is not None and cited <= plan_pages.keys()
        if plan_paper in todo or (not known and any(paper in todo for paper in citing)):
            if plan_paper not in todo:
                todo.insert(0, plan_paper)
                summary.unchanged.remove(plan_paper.name)
            for paper in citing:
                if paper not in todo:
                    todo.append(paper)
                    summary.unchanged.remove(paper.name)
            plan_pages = None
    for name in summary.unchanged:
        progress.line(f"  {name}: unchanged")
    # a PDF whose paper is unchanged stays even without --pdf; one of a changed paper goes
    for paper in papers:
        if not pdf and paper not in todo and still_good(current, manifest, paper.pdf_name, paper.key, lambda: False):
            wanted[paper.pdf_name] = paper
    papers_made = {paper.name[: -len(".docx")] for paper in papers}
    others = [name for name in carried_files(current, manifest) if name.rsplit(".", 1)[0] not in papers_made]
    if current is not None and not todo and set(wanted) == {name for name in manifest if (current / name).exists()}:
        return summary  # nothing to write: the set in place is this build's set
    can_lay_out()
    version = outputs.new_version()
    try:
        with interruptible():
            plan_pages = produce(todo, version, pdf, summary, starting, progress, plan_pages, cited)
            for name in sorted(set(wanted) - {paper.name for paper in todo} - {p.pdf_name for p in todo}):
                carry(current / name, version / name)
            for name in others:
                carry(current / name, version / name)
                summary.kept.append(name)
            write_manifest(version, wanted, summary.laid_out, plan_pages)
            outputs.switch(version)
            summary.switched = True
    except OSError as error:
        remove_tree(version)
        raise environment_error(error, version) from None
    except BaseException:
        remove_tree(version)
        raise
    return summary


def produce(todo: list[Paper], version: Path, pdf: bool, summary: Summary, starting: OfficeStart, progress,
            plan_pages: dict | None, cited: frozenset[str] = frozenset()) -> dict | None:
    """Render the changed papers into `version`; with LibreOffice, lay each out (and export its PDF).
    Returns the plan paper's page map ({bookmark: page}) that papers citing it were filled from."""
    from plangen import office

    if not todo:
        return plan_pages
    if not summary.laid_out:
        for paper in todo:
            write_document(paper.make(), version / paper.name)
            summary.written.append(paper.name)
            progress.line(f"  {paper.name}: written (page numbers left for Word)")
        return None
    session = starting.take()
    documents = {}
    cites = {paper.name for paper in todo if paper.cites_plan}

    def finish(name: str, pages: dict) -> None:
        nonlocal plan_pages
        if name == plan_output():  # laid out before the papers that cite it (submitted first)
            plan_pages = pages["bookmarks"]
        data = office.with_page_numbers(documents.pop(name), pages, plan_pages if name in cites else None)
        write_document(data, version / name)
        summary.written.append(name)
        if pdf:
            office.repair_metadata(version / (name[: -len(".docx")] + ".pdf"))
            summary.written.append(name[: -len(".docx")] + ".pdf")
        count = pages.get("pages")
        progress.line(f"  {name}: written, {count} page{'s' if count != 1 else ''} laid out" + (", tagged PDF" if pdf else ""))

    for paper in todo:
        data = paper.make()
        documents[paper.name] = data
        # LibreOffice reads the rendered paper, its contents filled in, from the staged version;
        # the paper written over it, atomically, is made from `data` and LibreOffice's numbers
        laid_out, contents_filled = office.for_layout(data)
        write_document(laid_out, version / paper.name)
        # each page asked of LibreOffice costs a round trip: a paper's own fields' bookmarks, and
        # for the plan those the committee papers cite (kept in the manifest for later builds)
        bookmarks = office.referenced_bookmarks(data)
        if paper.name == plan_output():
            bookmarks = sorted(set(bookmarks) | cited)
        session.submit(version / paper.name, version / paper.pdf_name if pdf else None, paper.name, bookmarks,
                       contents_filled)
        while session.pending and (answer := session.result(wait=False)) is not None:
            finish(*answer)
    while session.pending:
        finish(*session.result())
    return plan_pages


def write_document(data: bytes, target: Path) -> None:
    from plangen.atomic import write_bytes

    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(target, data)


def carried_files(current: Path | None, manifest: dict) -> list[str]:
    """Files in the set in place that no build made (e.g. `redline -o build/redline.docx`): kept."""
    if current is None:
        return []
    return sorted(path.relative_to(current).as_posix() for path in current.rglob("*")
                  if path.is_file() and path.name != MANIFEST and not path.name.endswith(".tmp")
                  and path.relative_to(current).as_posix() not in manifest
                  and not (not manifest and path.relative_to(current).parts[0] == "reports"))


def carry(source: Path, target: Path) -> None:
    """Unchanged outputs move into the new version without being rewritten (same inode and mtime)."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_manifest(version: Path, wanted: dict, laid_out: bool, plan_pages: dict | None) -> None:
    from plangen.atomic import write_text

    outputs = {}
    for name, paper in sorted(wanted.items()):
        path = version / name
        if path.exists():
            outputs[name] = {"key": paper.key, "laid_out": laid_out if name.endswith(".docx") else True,
                             "sha256": file_digest(path)}
            if name == plan_output() and plan_pages is not None:
                outputs[name]["bookmarks"] = plan_pages
    write_text(version / MANIFEST, json.dumps({"outputs": outputs}, indent=1, sort_keys=True))


class interruptible:
    """SIGTERM and SIGHUP end the build like Ctrl-C does: through every `finally`, so LibreOffice's group
    is ended and the staged version removed."""

    def __enter__(self):
        self.previous = {}
        for number in (signal.SIGTERM, signal.SIGHUP):
            self.previous[number] = signal.signal(number, self._raise)
        return self

    def __exit__(self, *exception):
        for number, handler in self.previous.items():
            signal.signal(number, handler)

    @staticmethod
    def _raise(number, frame):
        raise KeyboardInterrupt


def run(plan_dir: Path | None, output: Path, pdf: bool, force: bool = False, timeout: float | None = None,
        at: str | None = None) -> int:
    from plangen import office

    summary = build(plan_dir, output, pdf, force, timeout, at=at)
    for name in summary.written:
        print(f"wrote {summary.output / name}")
    total = len(summary.written) and len({name.rsplit('.', 1)[0] for name in summary.written})
    parts = [f"{total} paper{'s' if total != 1 else ''} written" if summary.written else "nothing written",
             f"{len(summary.unchanged)} unchanged"]
    warnings = f"{summary.warnings} validation warning{'s' if summary.warnings != 1 else ''}"
    if summary.warnings:
        warnings += " (see 'plangen validate')"
    print(f"plangen: {', '.join(parts)} in {summary.output}; {warnings}", file=sys.stderr)
    if summary.kept:
        print(f"plangen: kept files that build does not make: {', '.join(summary.kept)}", file=sys.stderr)
    if not summary.laid_out and summary.written:
        print(f"plangen: {office.missing_notice()}: the contents' page numbers were not laid out (Word fills "
              "them when a paper is opened) and no PDF can be made", file=sys.stderr)
    return EXIT_OK
