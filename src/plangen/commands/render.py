from __future__ import annotations

import json
from pathlib import Path

from plangen.errors import EXIT_OK, UsageError
from plangen.repository import find_plan_dir


def load_valid_plan(plan_dir: Path | None):
    """Validate first: documents are only made from a plan without errors."""
    from plangen.errors import FindingsError
    from plangen.findings import format_findings
    from plangen.validate import validate

    root = find_plan_dir(plan_dir)
    result = validate(root, None)
    if not result.ok:
        print(format_findings(result.errors, "text"))
        raise FindingsError("", None)
    return result.plan


def kind_module(kind: str):
    from plangen.documents import registry

    if kind in registry.KINDS:
        return registry.KINDS[kind]
    known = ", ".join(list(registry.KINDS) + ["report"])
    raise UsageError(f"unknown document kind '{kind}'", hint=f"known kinds: {known}")


def render_kind(plan, kind: str, output_dir: Path, pdf: bool = False) -> Path:
    from plangen import office, render

    module = kind_module(kind)
    document = render.fill(render.template_path(plan.root, module.TEMPLATE), module.build_context(plan))
    if hasattr(module, "postprocess"):
        module.postprocess(document.docx, plan)
    render.finish(document, module.title(plan), plan.meta.get("author") or plan.council)
    output = render.write(document, output_dir / module.OUTPUT)
    office.refresh_fields(output)
    if pdf:
        office.to_pdf(output)
    return output


def render_report(plan, report, output_dir: Path, pdf: bool = False) -> Path:
    from plangen import office, render
    from plangen.documents import registry

    module = registry.REPORT_KINDS[report.data["kind"]]
    document = render.fill(render.template_path(plan.root, module.TEMPLATE), module.build_context(plan, report))
    render.finish(document, module.title(plan, report), plan.meta.get("author") or plan.council)
    output = render.write(document, output_dir / "reports" / (report.path.stem + ".docx"))
    office.refresh_fields(output)
    if pdf:
        office.to_pdf(output)
    return output


def run(kind: str, report_file: Path | None, plan_dir: Path | None, output: Path, pdf: bool) -> int:
    from plangen import office

    if pdf and not office.available():
        print("LibreOffice (soffice) is not installed: the .docx is written, the PDF is not. "
              "Install libreoffice-writer to get PDFs.")
        pdf = False
    plan = load_valid_plan(plan_dir)
    if kind == "report":
        raise UsageError("report rendering arrives with the committee-papers work", hint="render 'plan' for now")
    written = render_kind(plan, kind, output, pdf)
    print(f"wrote {written}")
    return EXIT_OK


def show_context(kind: str, report_file: Path | None, plan_dir: Path | None, output_format: str) -> int:
    from plangen.context_dump import to_plain

    plan = load_valid_plan(plan_dir)
    module = kind_module(kind)
    context = to_plain(module.build_context(plan))
    if output_format == "json":
        print(json.dumps(context, indent=2, ensure_ascii=False))
    else:
        import sys

        from ruamel.yaml import YAML

        yaml = YAML()
        yaml.width = 4096
        yaml.dump(context, sys.stdout)
    return EXIT_OK
