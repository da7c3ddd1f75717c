"""Exceptions a user can cause, their exit codes, and the one handler that turns them into messages.

Exit codes (documented in the README):
  0  success (validation warnings allowed)
  1  the plan has errors, or `fmt --check` found files to rewrite
  2  usage problem: bad arguments, no such directory, unreadable file
  3  internal error: a bug in plangen (traceback saved to a file)
  4  a document could not be rendered (template or conversion problem)
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import traceback
from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_RENDER = 4


class PlangenError(Exception):
    """A problem the user can fix. Printed as one message with an optional hint; never a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(PlangenError):
    exit_code = EXIT_USAGE


class RenderError(PlangenError):
    exit_code = EXIT_RENDER


class FindingsError(PlangenError):
    """Validation found errors; the findings have already been printed."""

    exit_code = EXIT_FINDINGS


# What the machine, not plangen, can get wrong: a full disk, a read-only folder, a file where a folder
# should be. They are usage problems (exit 2) with the path and the cause, never "a bug in plangen".
ENVIRONMENT_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EFBIG: "the file is larger than this system allows (a file-size limit or a full disk)",
    errno.EACCES: "you may not write or read there: check its permissions, or choose another place",
    errno.EPERM: "the system does not allow this here: check the permissions, or choose another place",
    errno.EROFS: "the file system is read-only: choose another place (for example -o with a writable folder)",
    errno.ENOTDIR: "a file stands where a folder is needed: move it, or choose another place",
    errno.EISDIR: "a folder stands where plangen writes a file: move it, or choose another place",
    errno.EEXIST: "something already stands there: move it, or choose another place",
    errno.ENOENT: "it does not exist",
    errno.ELOOP: "symbolic links there point at each other in a loop",
    errno.ENAMETOOLONG: "the path is too long",
    errno.EIO: "the disk reported an input/output error",
    errno.EMFILE: "too many files are open",
}


def _file_in_the_way(path: str) -> str | None:
    """The first part of `path` that is a file, where the path needs a folder."""
    for part in [*reversed(Path(path).parents), Path(path)]:
        if part.is_file():
            return str(part)
    return None


def environment_message(error: OSError) -> tuple[str, str]:
    """('PATH: cause', hint) for an operating-system error, naming what stands in the way."""
    path = error.filename2 if error.filename2 is not None else error.filename
    cause = error.strerror or str(error)
    hint = ENVIRONMENT_HINTS[error.errno]
    if path is None:
        return cause, hint
    where = str(path)
    if os.path.islink(where) and not os.path.exists(where):
        return (f"{where} is a symbolic link to {os.readlink(where)}, which does not exist",
                "remove the link, or create what it points to")
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        blocking = _file_in_the_way(where)
        if blocking:
            return f"{blocking} is a file, but plangen needs a folder there", ENVIRONMENT_HINTS[errno.ENOTDIR]
    if error.errno == errno.EISDIR:
        return f"{where} is a folder, but plangen writes a file there", hint
    return f"{where}: {cause}", hint


def report_and_exit(error: BaseException, debug: bool = False) -> None:
    """Print a user-facing message for any exception and exit with its documented code."""
    if isinstance(error, PlangenError):
        if str(error):
            print(f"plangen: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
    if isinstance(error, OSError) and error.errno in ENVIRONMENT_HINTS and not debug:
        message, hint = environment_message(error)
        print(f"plangen: {message}\n  hint: {hint}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    missing = getattr(error, "name", None) if isinstance(error, ModuleNotFoundError) else None
    if missing and missing.split(".")[0] != "plangen" and not debug:
        # an environment installed before plangen needed this library: not a bug, and not lost work
        print(f"plangen: a library plangen needs is not installed: {missing}\n"
              "  hint: reinstall plangen where it runs ('make install' in its repository, or "
              "'pip install -e .'), so its dependencies are installed", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    if isinstance(error, KeyboardInterrupt):
        print("plangen: interrupted; no output file was changed", file=sys.stderr)
        sys.exit(130)
    if debug:
        traceback.print_exception(error)
        sys.exit(EXIT_INTERNAL)
    with tempfile.NamedTemporaryFile("w", prefix="plangen-crash-", suffix=".txt", delete=False) as log:
        traceback.print_exception(error, file=log)
    print(
        f"plangen: sorry, this is a bug in plangen ({type(error).__name__}: {error}).\n"
        f"  The full traceback was saved to {log.name}; run again with --debug to see it.",
        file=sys.stderr,
    )
    sys.exit(EXIT_INTERNAL)
