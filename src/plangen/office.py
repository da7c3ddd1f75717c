"""LibreOffice, headless: the page numbers a template engine cannot know, and tagged PDFs.

docxtpl leaves the table of contents and PAGEREF fields with stale results until someone presses
F9. One LibreOffice session per build (office_pages.py, run by the Python that has the `uno`
module) opens each paper once: it lays it out, reports the page of every heading and bookmark, and
exports the tagged PDF from that same layout. plangen writes those numbers into the fields' results
in its own .docx, so the file stays plangen's own.

Process hygiene: the session runs in a process group of its own with a watchdog (see
office_pages.py), so LibreOffice never outlives plangen; a timeout, an error or Ctrl-C kills the
whole group; its profile lives in a work folder plangen removes (or the next build removes, with
any group a killed run left behind: see `end_leftovers`).
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from plangen.errors import RenderError

TIMEOUT_SECONDS = 180
GROUP_FILE = "process-group"
UNCHANGED = "the previous outputs are unchanged"


@lru_cache(maxsize=1)
def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None and uno_python() is not None


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """A Python interpreter that can import LibreOffice's `uno` module (Debian: python3-uno).
    Asking costs a Python start-up before LibreOffice can start (40 ms of a build), so a yes is
    remembered (in plangen's cache folder) for as long as the interpreter and the `uno` module it
    found are the same files."""
    candidates = [os.environ.get("PLANGEN_UNO_PYTHON"), "/usr/bin/python3", shutil.which("python3")]
    remembered = _remembered_uno_pythons()
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            known = remembered.get(candidate)
            if isinstance(known, dict) and known == _uno_signature(candidate, known.get("uno")):
                return candidate
            probe = subprocess.run([candidate, "-c", "import uno; print(uno.__file__)"], capture_output=True)
            if probe.returncode == 0:
                module = probe.stdout.decode(errors="replace").strip()
                _remember_uno_python(remembered, candidate, _uno_signature(candidate, module))
                return candidate
    return None


def _uno_pythons_file() -> Path | None:
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plangen" / "uno-pythons.json"
    except RuntimeError:  # no home folder to be found: nothing is remembered
        return None


def _uno_signature(python: str, module: str | None) -> dict | None:
    """What identifies an interpreter that imported `uno` from `module`: both files' paths, sizes and times."""
    try:
        return {"uno": module, **{key: [status.st_size, status.st_mtime_ns]
                                  for key, path in (("python_stat", python), ("uno_stat", module))
                                  for status in [Path(path).resolve().stat()]}}
    except (OSError, RuntimeError, TypeError):
        return None


def _remembered_uno_pythons() -> dict:
    where = _uno_pythons_file()
    try:
        remembered = json.loads(where.read_text(encoding="utf-8")) if where is not None else {}
    except (OSError, ValueError):
        return {}
    return remembered if isinstance(remembered, dict) else {}


def _remember_uno_python(remembered: dict, python: str, signature: dict | None) -> None:
    where = _uno_pythons_file()
    if signature is None or where is None:
        return
    from plangen.atomic import write_text

    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        write_text(where, json.dumps({**remembered, python: signature}))
    except OSError:
        pass  # an unwritable cache costs only the probe next time


def missing_notice() -> str:
    if soffice() is None:
        return "LibreOffice (soffice) is not installed"
    return "LibreOffice's Python bridge (python3-uno) is not installed"


class Session:
    """One headless LibreOffice serving layout (and PDF) jobs in order; use as a context manager.

    `submit` queues a paper and returns at once, so LibreOffice works while Python renders the next;
    `result` waits for the oldest unanswered job, at most `timeout` seconds after LibreOffice
    became free for it."""

    def __init__(self, work: Path, timeout: float = TIMEOUT_SECONDS):
        self.work = Path(work)
        self.timeout = timeout
        self.pending: list[str] = []
        self.buffer = b""
        self.ready = False
        self.free_since = 0.0
        self.process: subprocess.Popen | None = None
        self.watchdog_write: int | None = None
        self.keep_profile: Path | None = None

    def __enter__(self) -> "Session":
        self.start()
        return self

    def __exit__(self, kind, error, trace):
        if kind is None:
            self.close()
        else:
            self.kill()

    def start(self) -> None:
        python = uno_python()
        if not available() or python is None:
            raise RenderError(f"{missing_notice()}, so the papers cannot be laid out",
                              hint="install libreoffice-writer and python3-uno")
        self.work.mkdir(parents=True, exist_ok=True)
        script = Path(__file__).with_name("office_pages.py")
        watchdog_read, self.watchdog_write = os.pipe()
        self.keep_profile = start_profile(self.work / "profile")
        profile = "-env:UserInstallation=" + (self.work / "profile").resolve().as_uri()
        self.stderr = open(self.work / "stderr.txt", "w+b")
        try:
            self.process = subprocess.Popen(
                [python, str(script), soffice(), profile, str(watchdog_read)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                pass_fds=(watchdog_read,), start_new_session=True, cwd=self.work,
            )
        finally:
            os.close(watchdog_read)
        # the next run ends this group if plangen is killed before the watchdog can
        (self.work / GROUP_FILE).write_text(str(self.process.pid), encoding="ascii")
        self.free_since = time.monotonic()

    def submit(self, docx: Path, pdf: Path | None, name: str, bookmarks: list[str] | None = None,
               contents_filled: bool = False) -> None:
        """Queue `docx` (and its PDF export); the answer gives the pages of `bookmarks` (None: all).
        `contents_filled`: plangen filled its contents in (`for_layout`), so LibreOffice sets their pages
        where they stand; any other contents LibreOffice regenerates from the paper's headings."""
        job = {"docx": str(Path(docx).resolve()), "pdf": str(Path(pdf).resolve()) if pdf else None,
               "bookmarks": bookmarks, "contents_filled": contents_filled}
        if not self.pending:  # LibreOffice was idle: this paper's time starts now
            self.free_since = max(self.free_since, time.monotonic())
        try:
            self.process.stdin.write((json.dumps(job) + "\n").encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # the session died; `result` reports it against this paper
        self.pending.append(name)

    def result(self, wait: bool = True) -> tuple[str, dict] | None:
        """(name, {"headings", "bookmarks", "pages"}) of the oldest job; None if not ready and not `wait`."""
        name = self.pending[0]
        while True:
            line = self._line(wait, name)
            if line is None:
                return None
            answer = json.loads(line)
            self.free_since = time.monotonic()
            if answer.get("ready"):
                self.ready = True
                continue
            self.pending.pop(0)
            if "error" in answer:
                self.kill()
                raise RenderError(f"LibreOffice could not lay out {name}: {answer['error']}", hint=UNCHANGED)
            return name, answer

    def _line(self, wait: bool, name: str) -> bytes | None:
        descriptor = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = self.free_since + self.timeout - time.monotonic()
            if remaining <= 0:
                self.kill()
                doing = "laying out" if self.ready else "starting, before laying out"
                raise RenderError(f"LibreOffice did not finish {doing} {name} within {self.timeout:g} s; it was stopped",
                                  hint="a very long paper may need a longer --timeout; otherwise LibreOffice hung. " + UNCHANGED)
            readable, _, _ = select.select([descriptor], [], [], min(remaining, 0.5) if wait else 0)
            if not readable:
                if not wait:
                    return None
                continue
            chunk = os.read(descriptor, 65536)
            if not chunk:
                self.kill()
                raise RenderError(f"LibreOffice stopped while {'laying out' if self.ready else 'starting, before'} {name}",
                                  hint=UNCHANGED + (f"; LibreOffice said: {tail}" if (tail := self._stderr_tail()) else ""))
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def _stderr_tail(self) -> str | None:
        try:
            self.stderr.seek(0)
            text = self.stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return None
        return text[-400:] or None

    def close(self) -> None:
        """End the session once every job is answered: LibreOffice exits, then the group is ended.
        A session that started from a fresh profile leaves it (complete once LibreOffice has exited
        by itself) as the template later sessions start from."""
        if self.process is None:
            return
        try:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
            pass
        exited = self.process.returncode == 0
        self.kill()
        if exited and self.ready and self.keep_profile is not None:
            keep_profile(self.work / "profile", self.keep_profile)

    def end(self) -> None:
        """After a build: exit cleanly when the profile is to be kept (once per installation), else kill."""
        if self.keep_profile is not None and self.ready:
            self.close()
        else:
            self.kill()

    def kill(self) -> None:
        """End LibreOffice and every process of the session's group, now."""
        if self.process is None:
            return
        end_group(self.process.pid)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self.process.stdout, self.stderr):
            try:
                stream.close()
            except (OSError, BrokenPipeError):
                pass
        if self.watchdog_write is not None:
            os.close(self.watchdog_write)
            self.watchdog_write = None
        self.process = None
        (self.work / GROUP_FILE).unlink(missing_ok=True)


def profile_template() -> Path | None:
    """Where the user profile of an earlier session is kept, for this LibreOffice installation:
    LibreOffice starts about 0.2 s sooner from a copy of one than when it has to create it."""
    executable = soffice()
    if executable is None:
        return None
    try:
        program = Path(executable).resolve()
        status = program.stat()
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except (OSError, RuntimeError):
        return None
    import hashlib

    installation = hashlib.sha256(f"{program}\0{status.st_size}\0{status.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache / "plangen" / f"libreoffice-profile-{installation}"


def start_profile(profile: Path) -> Path | None:
    """Give a session its profile: a copy of the template if there is one. Returns where to keep
    this session's profile as the template (None: there is one already, or no place for it)."""
    template = profile_template()
    if template is None:
        return None
    if template.is_dir():
        try:
            shutil.copytree(template, profile, symlinks=True)
            return None
        except OSError:
            shutil.rmtree(profile, ignore_errors=True)
    return template


def keep_profile(profile: Path, template: Path) -> None:
    """Copy a cleanly closed session's profile into place as the template, in one rename."""
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=".profile-", dir=template.parent))
        shutil.copytree(profile, staged / "profile", symlinks=True)
        os.rename(staged / "profile", template)
    except OSError:
        pass  # another build kept one first, or the cache is not writable: only speed is lost
    finally:
        if "staged" in locals():
            shutil.rmtree(staged, ignore_errors=True)


def end_group(group: int, wait: float = 5.0) -> None:
    """Kill every process of the group and wait (up to `wait` seconds) until none still runs:
    soffice.bin is the session leader's grandchild, so waiting for the leader alone let a build
    return while LibreOffice was still exiting."""
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + wait
    while _running_in_group(group) and time.monotonic() < deadline:
        time.sleep(0.01)


def _running_in_group(group: int) -> bool:
    """Whether a process of the group is alive (zombies, dead but not yet reaped, do not count)."""
    try:
        entries = list(os.scandir("/proc"))
    except OSError:  # no /proc (not Linux): nothing to wait for that can be seen
        return False
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                state, _, process_group = stat.read().rsplit(b")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(process_group) == group and state != b"Z":
            return True
    return False


def end_leftovers(work: Path) -> None:
    """End the process group a killed plangen left in `work` (its watchdog normally has already).
    Only a group whose leader still runs our script with this work folder's profile is ended, so a
    recycled process id is never killed."""
    try:
        group = int((work / GROUP_FILE).read_text(encoding="ascii"))
        command = Path(f"/proc/{group}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if b"office_pages.py" in command and str(work.resolve()).encode() in command:
        end_group(group)


DOUBLE_ESCAPED = re.compile(rb"&amp;(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")


def repair_metadata(pdf: Path) -> None:
    """LibreOffice 7.x escapes the title twice in the PDF's XMP metadata ("Children&amp;apos;s"), which
    screen readers then read out. The XMP packet is an uncompressed stream with trailing padding, so the
    entity is mended in place and the padding lengthened by as much: no offset in the file moves."""
    data = pdf.read_bytes()
    start = data.find(b"<?xpacket begin")
    end = data.find(b"<?xpacket end", start)
    if start < 0 or end < 0:
        return
    packet = data[start:end]
    mended = DOUBLE_ESCAPED.sub(rb"&\1;", packet)
    if mended == packet:
        return
    mended += b" " * (len(packet) - len(mended))
    from plangen.atomic import write_bytes

    write_bytes(pdf, data[:start] + mended + data[end:])


def with_page_numbers(data: bytes, pages: dict, plan_pages: dict | None = None) -> bytes:
    """The .docx `data` with its fields' results set to the laid-out page numbers, and its
    references to pages of the plan set from the plan's page map `plan_pages`, if it has any."""
    import io

    from docx import Document

    from plangen import page_references

    document = Document(io.BytesIO(data))
    fill_fields(document, pages)
    if plan_pages is not None:
        page_references.fill_plan_pages(document, plan_pages)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def fill_fields(document, pages: dict) -> None:
    """Write the laid-out page numbers into a python-docx Document's fields, and tell Word they are current."""
    from docx.oxml.ns import qn

    from plangen import fields

    fields.fill_page_references(document, pages["bookmarks"])
    fields.fill_table_of_contents(document, pages["headings"])
    fields.mark_headers_and_footers_current(document)
    update = document.settings.element.find(qn("w:updateFields"))
    if update is not None:
        update.getparent().remove(update)


def for_layout(data: bytes) -> tuple[bytes, bool]:
    """The rendered paper (.docx bytes) as LibreOffice is to lay it out, and whether plangen filled
    its table of contents in at full length (fields.fill_contents_for_layout), so the paper is laid
    out once; `data` itself, not filled, when it has no contents plangen can fill. The paper written
    is made from `data`, not from this."""
    import io
    import zipfile

    from docx import Document

    from plangen.fields import INSTRUCTION_TEXT, fill_contents_for_layout

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = package.read("word/document.xml")
    if not any(instruction.lstrip().startswith(b"TOC") for instruction in INSTRUCTION_TEXT.findall(body)):
        return data, False
    document = Document(io.BytesIO(data))
    if not fill_contents_for_layout(document):
        return data, False
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), True


def referenced_bookmarks(data: bytes) -> list[str]:
    from plangen.fields import referenced_bookmarks

    return referenced_bookmarks(data)


def write_laid_out(data: bytes, target: Path, pdf: bool = False, plan_data: bytes | None = None) -> list[Path]:
    """Write one rendered paper (.docx bytes) to `target` with its page numbers laid out, and
    with `pdf` its tagged PDF beside it; both appear atomically, and only once LibreOffice succeeded.
    With `plan_data` (the plan paper, for a paper that cites its pages), the plan is laid out first
    in the same session. Without LibreOffice the fields are left for Word to update when the paper
    is opened."""
    from plangen.atomic import atomic_path, write_bytes

    target = Path(target)
    if not available():
        if pdf:
            raise RenderError(f"{missing_notice()}, so no PDF can be made; no output was changed",
                              hint="install libreoffice-writer and python3-uno, or leave out --pdf")
        write_bytes(target, data)
        return [target]
    with tempfile.TemporaryDirectory(prefix="plangen-office-") as work:
        staged, staged_pdf = Path(work) / "paper.docx", Path(work) / "paper.pdf"
        laid_out, contents_filled = for_layout(data)
        staged.write_bytes(laid_out)
        plan_pages = None
        with Session(Path(work)) as session:
            if plan_data is not None:
                plan_laid_out, plan_filled = for_layout(plan_data)
                (Path(work) / "plan.docx").write_bytes(plan_laid_out)
                session.submit(Path(work) / "plan.docx", None, "the plan (for the pages this paper cites)",
                               contents_filled=plan_filled)
                plan_pages = session.result()[1]["bookmarks"]
            session.submit(staged, staged_pdf if pdf else None, target.name, referenced_bookmarks(data),
                           contents_filled)
            _, pages = session.result()
        write_bytes(target, with_page_numbers(data, pages, plan_pages))
        if not pdf:
            return [target]
        repair_metadata(staged_pdf)
        with atomic_path(target.with_suffix(".pdf")) as temporary:
            shutil.copyfile(staged_pdf, temporary)
    return [target, target.with_suffix(".pdf")]
