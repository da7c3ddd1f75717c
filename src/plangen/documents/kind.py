"""What a document kind is: the small interface every kind module (or object) provides.

    NAME          the kind's name: `plangen render NAME`, `plangen context NAME`, and a report's `kind:`
    TEMPLATE      the .docx template's file name, looked for in the plan repository's templates/, then in
                  plangen's templates, then beside the kind's own module
    DESCRIPTION   one line for `plangen kinds`
    OUTPUT        the file name a plan-wide kind writes (build/OUTPUT); a kind without OUTPUT is a report
                  kind, rendered once per file in plan/reports/ whose `kind:` names it
    build_context(plan, report=None) -> dict     what the template receives (logic lives here)
    title(plan, report=None) -> str               the document's title property
    prepare(template, plan) -> None               optional: changes to the template's python-docx Document
                                                  before rendering (done once, not once per rendered row)
    postprocess_table(table, plan) -> None        optional: changes to each body-level table (python-docx's
                                                  CT_Tbl element) as soon as it is rendered, before its plain
                                                  rows are set aside until the document is written
    postprocess(document, plan) -> None           optional: changes to the rendered python-docx Document (a
                                                  kind with one keeps every row in the document it receives)

Register a kind with one line in registry.py, or from an installed package through the
`plangen.kinds` entry-point group (the entry point names the module).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

REQUIRED = ("NAME", "TEMPLATE", "DESCRIPTION", "build_context", "title")


@runtime_checkable
class DocumentKind(Protocol):
    NAME: str
    TEMPLATE: str
    DESCRIPTION: str

    def build_context(self, plan, report=None) -> dict[str, Any]: ...

    def title(self, plan, report=None) -> str: ...


def missing_parts(kind) -> list[str]:
    """The parts of the interface a would-be kind lacks (empty when it is a kind)."""
    missing = [name for name in REQUIRED if not hasattr(kind, name)]
    missing += [name for name in ("build_context", "title") if hasattr(kind, name) and not callable(getattr(kind, name))]
    return missing


def is_per_report(kind) -> bool:
    return not getattr(kind, "OUTPUT", None)


def output_name(kind, report=None) -> str:
    """Where the kind's document goes inside the output directory."""
    if is_per_report(kind):
        return f"reports/{report.path.stem}.docx"
    return kind.OUTPUT
