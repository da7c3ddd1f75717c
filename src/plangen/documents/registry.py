"""The one place document kinds are registered (the interface is described in kind.py).

Plan-wide kinds (with OUTPUT) go in KINDS; report kinds (rendered once per report file whose `kind`
names them) in REPORT_KINDS. Kinds from installed packages join through the `plangen.kinds`
entry-point group; a test or a script may call register() itself.
"""

from __future__ import annotations

from plangen.documents import cabinet, plan, scrutiny, tracker
from plangen.documents.kind import is_per_report, missing_parts
from plangen.errors import UsageError

KINDS: dict = {}
REPORT_KINDS: dict = {}
ENTRY_POINT_GROUP = "plangen.kinds"


def register(kind) -> None:
    """Add a kind (a module or object with the interface of kind.py); a name already taken is refused."""
    missing = missing_parts(kind)
    if missing:
        raise UsageError(f"{getattr(kind, '__name__', kind)!s} is not a document kind: it lacks {', '.join(missing)}",
                         hint="a kind needs NAME, TEMPLATE, DESCRIPTION, build_context() and title(); see plangen/documents/kind.py")
    if kind.NAME in KINDS or kind.NAME in REPORT_KINDS or kind.NAME == "report":
        if KINDS.get(kind.NAME) is kind or REPORT_KINDS.get(kind.NAME) is kind:
            return
        raise UsageError(f"two document kinds are named '{kind.NAME}'", hint="give the new kind another NAME")
    (REPORT_KINDS if is_per_report(kind) else KINDS)[kind.NAME] = kind


def all_kinds() -> list:
    return [*KINDS.values(), *REPORT_KINDS.values()]


def _installed_kinds() -> list:
    from importlib.metadata import entry_points

    return [entry.load() for entry in entry_points(group=ENTRY_POINT_GROUP)]


for _kind in (plan, scrutiny, cabinet, tracker, *_installed_kinds()):
    register(_kind)
