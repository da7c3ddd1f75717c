from __future__ import annotations

import json
from pathlib import Path

from plangen.atomic import write_bytes
from plangen.errors import EXIT_OK, UsageError
from plangen.repository import find_plan_dir


def load_valid_plan(plan_dir: Path | None, as_of: str | None = None, report_path: Path | None = None):
    """Validate first: documents are only made from a plan without errors. `as_of` (YYYY-MM-DD) is
    the date the plan document shows progress ratings at. With `report_path` (one paper), errors in
    the plan's other report files are not this paper's business: they still fail validate and build."""
    from plangen.errors import FindingsError
    from plangen.findings import format_findings
    from plangen.validate import validate

    root = find_plan_dir(plan_dir)
    result = validate(root, None)
    errors = result.errors
    if report_path is not None and result.plan is not None:
        wanted = report_path.resolve()
        others = {source.display for source in result.plan.files
                  if source.kind == "report" and source.path.resolve() != wanted}
        errors = [finding for finding in errors if finding.file not in others]
    if errors:
        print(format_findings(errors, "text"))
        raise FindingsError("", None)
    if as_of is not None:
        from plangen.commands.validate import parse_as_of

        result.plan.as_of = parse_as_of(as_of)
    return result.plan


def kind_document(plan, module, provenance: dict | None = None) -> bytes:
    """A plan-wide kind's paper, rendered and finished (the .docx bytes, not yet written)."""
    from plangen import api

    def finishing(document):
        record(document.docx, provenance)

    return api.document(plan, module, finishing=finishing)


def report_document(plan, report, provenance: dict | None = None) -> bytes:
    """A report file's paper, rendered and finished (the .docx bytes, not yet written)."""
    from plangen import api, render

    module = api.report_kind(report)

    def finishing(document):
        record(document.docx, provenance)

    # a report may name its own template (`template:`), as the papers' README section describes
    template = render.template_path(plan.root, report.data.get("template") or module.TEMPLATE)
    return api.document(plan, module, report, template=template,
                        title=module.title(plan, report), finishing=finishing)  # names the meeting (documents.report)


def record(document, provenance: dict | None) -> None:
    """What a paper was made from, in its properties: the plan's commit (identifier) and a sentence
    with plangen's version (description; python-docx would otherwise leave its own name there)."""
    from plangen import __version__

    provenance = provenance or {}
    commit = provenance.get("commit") or ""
    if commit:
        source = f"the plan at commit {commit}" + (" with uncommitted changes" if provenance.get("changed") else "")
    else:
        source = "a plan not in git"
    properties = document.core_properties
    properties.identifier = commit
    properties.comments = f"Made by plangen {__version__} from {source}"


def render_kind(plan, kind: str, output_dir: Path, pdf: bool = False, refresh: bool = True) -> list[Path]:
    from plangen import api, office

    module = api.kind(kind)
    data, target = kind_document(plan, module), output_dir / module.OUTPUT
    return office.write_laid_out(data, target, pdf) if refresh or pdf else [_written(target, data)]


def render_report(plan, report, output_dir: Path, pdf: bool = False, refresh: bool = True) -> list[Path]:
    from plangen import office
    from plangen.documents import registry

    data, target = report_document(plan, report), output_dir / "reports" / (report.path.stem + ".docx")
    if not (refresh or pdf):
        return [_written(target, data)]
    # a paper citing pages of the plan: the plan is laid out beside it for its page map
    cites = "[plan page" in (report.text or "").lower() and "plan" in registry.KINDS
    plan_data = kind_document(plan, registry.KINDS["plan"]) if cites else None
    return office.write_laid_out(data, target, pdf, plan_data)


def _written(target: Path, data: bytes) -> Path:
    write_bytes(target, data)
    return target


def run(kind: str, report_file: Path | None, plan_dir: Path | None, output: Path, pdf: bool,
        as_of: str | None = None) -> int:
    if kind == "report":
        report_path = required_report(report_file)
        plan = load_valid_plan(plan_dir if plan_dir else report_path.resolve().parent.parent, report_path=report_path)
        written = render_report(plan, find_report(plan, report_path), output, pdf)
    else:
        plan = load_valid_plan(plan_dir, as_of)
        written = render_kind(plan, kind, output, pdf)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def required_report(report_file: Path | None) -> Path:
    if report_file is None:
        raise UsageError("name the report file", hint="plangen render report plan/reports/FILE.yaml")
    if not report_file.is_file():
        raise UsageError(f"no such report file: {report_file}")
    return report_file


def find_report(plan, report_path: Path):
    from plangen.documents import registry

    wanted = report_path.resolve()
    for report in plan.reports:
        if report.path.resolve() == wanted:
            if report.data.get("kind") not in registry.REPORT_KINDS:
                raise UsageError(f"{report_path}: unknown report kind '{report.data.get('kind')}'")
            return report
    raise UsageError(f"{report_path} is not a report of this plan",
                     hint="report files live in the plan's reports/ folder")


def show_context(kind: str, report_file: Path | None, plan_dir: Path | None, output_format: str) -> int:
    from plangen import api
    from plangen.context_dump import to_plain
    from plangen.documents import registry

    if kind == "report" or (kind in registry.REPORT_KINDS and report_file is not None):
        report_path = required_report(report_file)
        plan = load_valid_plan(plan_dir if plan_dir else report_path.resolve().parent.parent, report_path=report_path)
        report = find_report(plan, report_path)
        if kind != "report" and report.data.get("kind") != kind:
            raise UsageError(f"{report_file} is a '{report.data.get('kind')}' report, not '{kind}'")
        context = to_plain(registry.REPORT_KINDS[report.data["kind"]].build_context(plan, report))
    elif kind in registry.REPORT_KINDS:
        # a report kind without a file: the plan's latest report of that kind shows what its template receives
        plan = load_valid_plan(plan_dir)
        reports = sorted((report for report in plan.reports if report.data.get("kind") == kind),
                         key=lambda report: report.path.name)
        if not reports:
            raise UsageError(f"the plan has no report of kind '{kind}'",
                             hint=f"write one in plan/reports/ with 'kind: {kind}', or name a report file")
        context = to_plain(registry.REPORT_KINDS[kind].build_context(plan, reports[-1]))
    else:
        plan = load_valid_plan(plan_dir)
        context = to_plain(api.context(plan, api.kind(kind)))
    if output_format == "json":
        print(json.dumps(context, indent=2, ensure_ascii=False))
    else:
        import sys

        from ruamel.yaml import YAML

        yaml = YAML()
        yaml.width = 4096
        yaml.dump(context, sys.stdout)
    return EXIT_OK
