"""Atomic output: write to a temporary file in the same directory, then rename over the target.

A failed or interrupted write leaves the previous file intact, and a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path, staging: Path | None = None):
    """Yield a temporary path to write; on success it replaces `target`, on failure it is removed.
    The temporary file is made beside the target, or in `staging` (a folder on the same file system
    that a killed run's successor removes)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=staging or target.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError) and error.filename is None:
            error.filename = str(target)  # a full disk fails a write() that names no file: say which
        raise


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# -- the output folder as one switchable set ------------------------------------------------------

STORE_SUFFIX = ".plangen"
OWN_FILES = (".docx", ".pdf")


class OutputSet:
    """An output folder that changes as a whole: `build` is a symlink to a complete version kept in
    the store beside it (`.build.plangen/v-…`). A build stages a new version there and switches the
    link with one rename, so a reader (or a build killed at any instant) sees the previous set or
    the new one, never a mix. Use as a context manager: it holds the store's lock (builds into one
    folder take turns) and removes whatever a killed run left in the store."""

    def __init__(self, output: Path):
        output = Path(os.path.abspath(output))
        if output.is_symlink() and not _points_into(output, _store_of(output)):
            if not output.resolve().is_dir():
                raise _usage(f"{output} is a symbolic link to {os.readlink(output)}, which is not a directory",
                             "remove the link, or point --output at a directory")
            output = output.resolve()
        self.output = output
        self.store = _store_of(output)
        self._lock = None

    def __enter__(self) -> "OutputSet":
        import fcntl

        if self.output.exists() and not self.output.is_dir():
            raise _usage(f"the output path {self.output} is a file, not a directory", "choose another --output")
        if self.output.is_dir() and not self.output.is_symlink():
            foreign = _foreign_file(self.output)
            if foreign:
                raise _usage(f"the output folder {self.output} holds files plangen does not write ({foreign})",
                             "choose another --output: plangen replaces its output folder as a whole")
        try:
            self.store.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.store / "lock", "a+b")
        except OSError as error:
            raise environment_error(error, self.store) from None
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._remove_leftovers()
        return self

    def __exit__(self, *exception):
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def current(self) -> Path | None:
        """The folder holding the set now in place (a version in the store, or a plain folder from
        before this layout), or None."""
        if self.output.is_symlink():
            target = self.output.resolve()
            return target if target.is_dir() else None
        return self.output if self.output.is_dir() else None

    def new_version(self) -> Path:
        import time

        name = time.strftime("v-%Y%m%dT%H%M%S-") + os.urandom(4).hex()
        version = self.store / name
        version.mkdir()
        return version

    def work_folder(self, prefix: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.store))

    def switch(self, version: Path) -> None:
        """Put `version` in place in one atomic step; then the previous version is removed."""
        previous = self.current()
        link = self.store / ("link-" + os.urandom(4).hex())
        os.symlink(os.path.relpath(version, self.output.parent), link)
        if self.output.is_dir() and not self.output.is_symlink():
            # a plain folder from an earlier plangen: exchanged with the link in one step where the
            # system can (Linux renameat2), otherwise moved aside first
            if _exchange(link, self.output):
                previous = link
            else:
                previous = self.store / ("old-" + os.urandom(4).hex())
                os.rename(self.output, previous)
                os.replace(link, self.output)
        else:
            os.replace(link, self.output)
        _sync_directory(self.output.parent)
        if previous is not None and previous.resolve() != version.resolve():
            remove_tree(previous)

    def _remove_leftovers(self) -> None:
        """Under the lock no other build runs: everything in the store but the lock and the current
        version was left by a killed or failed run (staged versions, LibreOffice work folders and
        their process groups, links)."""
        current = self.current()
        current = current.resolve() if current else None
        for entry in self.store.iterdir():
            if entry.name in KEPT or (not entry.is_symlink() and entry.resolve() == current):
                continue
            remove_leftover(entry)


def remove_leftover(entry: Path) -> None:
    """Remove what a killed or failed run left: first any LibreOffice process group whose work
    folder is inside it, then the files."""
    from plangen.office import GROUP_FILE, end_leftovers

    if entry.is_dir() and not entry.is_symlink():
        for group_file in entry.rglob(GROUP_FILE):
            end_leftovers(group_file.parent)
    remove_tree(entry)


@contextmanager
def staging_folder(parent: Path, prefix: str):
    """A work folder in `parent` for one run, removed when the run ends. A run killed outright cannot
    remove its own, so each run first removes the `prefix` folders no live run holds: a live run
    holds a lock on its folder (flock on the folder itself, released by the kernel when the process
    dies), so runs into the same folder can overlap without removing each other's work."""
    import fcntl

    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    for entry in parent.iterdir():
        if entry.name.startswith(prefix) and entry.is_dir() and not entry.is_symlink():
            try:
                handle = os.open(entry, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                continue
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(handle)
                continue  # a live run's
            try:
                remove_leftover(entry)
            finally:
                os.close(handle)
    while True:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            ours = os.path.samestat(os.fstat(handle), os.stat(folder))
        except FileNotFoundError:
            ours = False
        if ours:  # not removed as a leftover by another run between mkdtemp and flock
            break
        os.close(handle)
    try:
        yield folder
    finally:
        remove_tree(folder)
        os.close(handle)


# the store's own files: its lock, and build's record of what the set in place was made from
KEPT = ("lock", "inputs.json")


def _store_of(output: Path) -> Path:
    return output.parent / f".{output.name}{STORE_SUFFIX}"


def _points_into(link: Path, store: Path) -> bool:
    target = Path(os.path.normpath(link.parent / os.readlink(link)))
    return target.parent == store


def _foreign_file(folder: Path) -> str | None:
    """The first file in a plain output folder that plangen would not have written, or None."""
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            continue
        if path.suffix in OWN_FILES or (path.name.startswith(".") and path.suffix in (".tmp", ".json")):
            continue
        return str(path.relative_to(folder))
    return None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_current_directory, rename_exchange = -100, 2
    return renameat2(at_current_directory, os.fsencode(first), at_current_directory, os.fsencode(second),
                     rename_exchange) == 0


def _sync_directory(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def remove_tree(path: Path) -> None:
    import shutil

    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _usage(message: str, hint: str):
    from plangen.errors import UsageError

    return UsageError(message, hint=hint)


def environment_error(error: OSError, path: Path):
    """An operating-system failure as a plain message naming the path and the cause (exit 4)."""
    from plangen.errors import RenderError

    cause = os.strerror(error.errno) if error.errno else str(error)
    where = getattr(error, "filename", None) or path
    return RenderError(f"cannot write {where}: {cause}", hint="the previous outputs are unchanged")
