from __future__ import annotations

from pathlib import Path

from plangen.errors import EXIT_OK, UsageError

EXIT_PROBLEMS = 1


def kind_for(template: Path, kind: str | None) -> list[str]:
    """The kinds to check against: the one named, or every kind whose default template has this file's name."""
    from plangen.documents import registry

    known = {**registry.KINDS, **registry.REPORT_KINDS}
    if kind:
        if kind not in known:
            raise UsageError(f"unknown document kind '{kind}'", hint=f"known kinds: {', '.join(known)}")
        return [kind]
    matching = [name for name, module in known.items() if module.TEMPLATE == template.name]
    if not matching:
        raise UsageError(f"which kind of document is {template.name} for?",
                         hint=f"name it: plangen check-template {template} --kind KIND ({', '.join(known)})")
    return matching


def context_for(plan, kind: str) -> dict:
    """The plain-data context a template of this kind receives, from this plan (for a report kind,
    from the plan's latest report of that kind)."""
    from plangen import sandbox
    from plangen.documents import registry

    if kind in registry.KINDS:
        return sandbox.template_values(registry.KINDS[kind].build_context(plan))
    reports = sorted((report for report in plan.reports if report.data.get("kind") == kind), key=lambda report: report.path.name)
    if not reports:
        raise UsageError(f"the plan has no report of kind '{kind}' to take a context from",
                         hint=f"write one in plan/reports/ with 'kind: {kind}', or use --plan for a plan that has one")
    return sandbox.template_values(registry.REPORT_KINDS[kind].build_context(plan, reports[-1]))


def run(template: Path, kind: str | None, plan_dir: Path | None) -> int:
    from plangen.commands.render import load_valid_plan
    from plangen.render import shown
    from plangen.template_check import check

    if not template.is_file():
        raise UsageError(f"no such template: {template}")
    kinds = kind_for(template, kind)
    plan = load_valid_plan(plan_dir)
    failed = False
    for name in kinds:
        problems = check(template, context_for(plan, name))
        for problem in problems:
            print(f"{shown(template)}: error: {problem.message} [kind {name}]")
            if problem.near:
                print(f"  near: {problem.near}")
        if problems:
            failed = True
        else:
            print(f"{shown(template)}: ok for {name}")
    return EXIT_PROBLEMS if failed else EXIT_OK
