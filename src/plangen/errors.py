"""Exceptions a user can cause, their exit codes, and the one handler that turns them into messages.

Exit codes (documented in the README):
  0  success (validation warnings allowed)
  1  the plan has errors, or `fmt --check` found files to rewrite
  2  usage problem: bad arguments, no such directory, unreadable file
  3  internal error: a bug in plangen (traceback saved to a file)
  4  a document could not be rendered (template or conversion problem)
"""

from __future__ import annotations

import sys
import tempfile
import traceback

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


def report_and_exit(error: BaseException, debug: bool = False) -> None:
    """Print a user-facing message for any exception and exit with its documented code."""
    if isinstance(error, PlangenError):
        if str(error):
            print(f"plangen: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
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
