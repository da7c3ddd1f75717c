"""The library API: what the command line, the benchmarks and the tests call.

    plan = api.load("plan")                       # a validated plan, or InvalidPlan with the findings
    api.render(plan, "plan", Path("build"))       # one document through its kind's template
    api.compare("HEAD~1", None, Path("plan"))     # two plans and the changes between them

Every document, the plan, each report and the redline, is made by `document()`: the kind's context
builder, its template filled in the sandbox, its optional post-processing, the shared finishing.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from plangen.errors import FindingsError, RenderError, UsageError


class InvalidPlan(FindingsError):
    """The plan has errors; `findings` holds them (the CLI prints them, a library caller decides)."""

    def __init__(self, findings):
        super().__init__("")
        self.findings = findings


def validate(plan_dir: Path | None, as_of: datetime.date | None = None):
    """Schemas and semantic rules: a Result with the typed plan and every finding."""
    from plangen.repository import find_plan_dir
    from plangen.validate import validate as run_rules

    return run_rules(find_plan_dir(Path(plan_dir) if plan_dir is not None else None), as_of)


def load(plan_dir: Path | None):
    """The typed plan, only when it has no errors: documents are never made from a broken plan."""
    result = validate(plan_dir)
    if not result.ok:
        raise InvalidPlan(result.errors)
    return result.plan


def kind(name: str):
    """A plan-wide document kind by name (a report kind is rendered from its report file)."""
    from plangen.documents import registry

    if name in registry.KINDS:
        return registry.KINDS[name]
    known = ", ".join(list(registry.KINDS) + ["report"])
    if name in registry.REPORT_KINDS:
        raise UsageError(f"'{name}' is a report kind: name its report file",
                         hint=f"plangen render report plan/reports/FILE.yaml (known kinds: {known})")
    raise UsageError(f"unknown document kind '{name}'", hint=f"known kinds: {known}")


def report_kind(report):
    from plangen.documents import registry

    name = report.data.get("kind")
    if name not in registry.REPORT_KINDS:
        raise UsageError(f"{report.path}: unknown report kind '{name}'",
                         hint="known report kinds: " + ", ".join(registry.REPORT_KINDS))
    return registry.REPORT_KINDS[name]


def template_for(plan, document_kind) -> Path:
    """The plan repository's templates/ first, then plangen's, then the kind's own folder."""
    from plangen import render

    try:
        return render.template_path(plan.root, document_kind.TEMPLATE)
    except RenderError:
        module_file = getattr(document_kind, "__file__", None)
        beside = Path(module_file).parent / document_kind.TEMPLATE if module_file else None
        if beside and beside.is_file():
            return beside
        raise


def context(plan, document_kind, report=None) -> dict:
    return document_kind.build_context(plan, report) if report is not None else document_kind.build_context(plan)


def document(plan, document_kind, report=None, context_data: dict | None = None, template: Path | None = None,
             title: str | None = None, finishing=None) -> bytes:
    """The one render path, as the finished .docx's bytes: context -> template in the sandbox (in a
    resource-limited worker process) -> the kind's post-processing -> title, author and language ->
    the caller's own `finishing(document)` (a paper's provenance, say). Unless the kind has a
    document-wide `postprocess`, large tables' plain rows are set aside while the document is
    finished (render.Template.set_aside): a `finishing` sets properties, it does not edit rows."""
    from plangen import render

    with render.collection_paused():
        return _document(plan, document_kind, report, context_data, template, title, finishing)


def _document(plan, document_kind, report, context_data, template, title, finishing) -> bytes:
    from plangen import render

    data = context(plan, document_kind, report) if context_data is None else context_data
    if title is None:
        title = document_kind.title(plan, report) if report is not None else document_kind.title(plan)

    def finish(filled):
        if hasattr(document_kind, "postprocess"):
            document_kind.postprocess(filled.docx, plan)
        render.finish(filled, title, plan.meta.get("author") or plan.council)
        if finishing is not None:
            finishing(filled)

    preparing = finishing_table = None
    if hasattr(document_kind, "prepare"):
        def preparing(template_document):
            document_kind.prepare(template_document, plan)
    if hasattr(document_kind, "postprocess_table"):
        def finishing_table(table):
            document_kind.postprocess_table(table, plan)

    return render.produce(template or template_for(plan, document_kind), data, finish, preparing, finishing_table,
                          set_aside=not hasattr(document_kind, "postprocess"), context_given_up=context_data is None)


def render(plan, kind_name: str, output_dir: Path, report=None, pdf: bool = False, refresh: bool = True) -> list[Path]:
    """Write one paper into output_dir as the CLI does (page numbers laid out by LibreOffice unless
    refresh is False); returns the files written."""
    from plangen.commands.render import render_kind, render_report

    if report is not None:
        return render_report(plan, report, output_dir, pdf, refresh)
    return render_kind(plan, kind_name, output_dir, pdf, refresh)


def compare(old_spec: str | None, new_spec: str | None, plan_dir: Path | None):
    """Two plans (git revisions or directories) and the changes from the first to the second."""
    from plangen import diff, gitplan
    from plangen.repository import find_plan_dir

    # the working tree's plan is needed for a revision (its place in the repository) or a side left out
    sides_are_directories = all(spec is not None and Path(spec).is_dir() for spec in (old_spec, new_spec))
    root = None if sides_are_directories and plan_dir is None else find_plan_dir(plan_dir)
    old = gitplan.resolve(old_spec, root, default_revision=True)
    new = gitplan.resolve(new_spec, root, default_revision=False)
    return old, new, diff.compare(old.plan, new.plan)
