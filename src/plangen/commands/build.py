from __future__ import annotations

from pathlib import Path

from plangen.errors import EXIT_OK


def build(plan_dir: Path | None, output: Path, pdf: bool = False) -> list[Path]:
    """Validate once, then render every registered kind and every report file."""
    from plangen import office
    from plangen.commands.render import load_valid_plan, render_kind, render_report
    from plangen.documents import registry

    plan = load_valid_plan(plan_dir)
    if pdf and not office.available():
        print("LibreOffice (soffice) is not installed: .docx files are written, PDFs are not.")
        pdf = False
    written = [render_kind(plan, kind, output, refresh=False) for kind in registry.KINDS]
    for report in plan.reports:
        if report.data.get("kind") in registry.REPORT_KINDS:
            written.append(render_report(plan, report, output, refresh=False))
    # one LibreOffice session numbers the pages of every paper; papers cite pages of the plan from its layout
    plan_document = output / registry.KINDS["plan"].OUTPUT if "plan" in registry.KINDS else None
    office.refresh_fields(written, plan_document=plan_document)
    if pdf:
        for path in written:
            office.to_pdf(path)
    return written


def run(plan_dir: Path | None, output: Path, pdf: bool) -> int:
    for path in build(plan_dir, output, pdf):
        print(f"wrote {path}")
    return EXIT_OK
