"""The command line: a thin Typer layer over functions that tests call directly.

Each command imports what it needs when it runs, so `plangen validate` never loads the rendering
libraries. Every exception goes through errors.report_and_exit: a message and an exit code, no traceback.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(
    name="plangen",
    help="Keep an improvement plan as YAML in git and produce the council's Word papers from it.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


class ContextFormat(str, Enum):
    yaml = "yaml"
    json = "json"


def _version(value: bool):
    if value:
        from plangen import __version__

        typer.echo(f"plangen {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an internal error."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
):
    """Keep an improvement plan as YAML in git and produce the council's Word papers from it."""


# Every command names the plan directory with --plan (-p); validate, fmt and build also take it as
# their first argument, as linters and formatters take what they check.
PLAN_DIR = typer.Argument(None, help="The plan directory (same as --plan).", show_default=False)
PLAN_OPTION = typer.Option(None, "--plan", "-p", help="The plan directory (holds plan.yaml). Default: ./plan, or . if it holds plan.yaml.",
                           show_default=False)


def one_plan_dir(argument: Optional[Path], option: Optional[Path]) -> Optional[Path]:
    if argument is not None and option is not None and argument != option:
        from plangen.errors import UsageError

        raise UsageError(f"two plan directories named: {argument} and --plan {option}", hint="name it once")
    return argument if argument is not None else option


@app.command()
def validate(
    paths: Optional[List[Path]] = typer.Argument(None, help="Plan directories, or files inside one (only their findings are shown).",
                                                 show_default=False),
    plan_dir: Optional[Path] = PLAN_OPTION,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date (YYYY-MM-DD) for the overdue check. Default: today, "
                                        "and overdue actions are counted rather than listed."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text, json, or github (Actions annotations)."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Report only these rules (comma-separated; repeatable)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Do not report these rules (comma-separated; repeatable)."),
):
    """Check the plan against its schemas and the semantic rules. Exit 0: no errors; 1: errors; 2: usage problem."""
    from plangen.commands import validate as command

    named = list(paths or []) + ([plan_dir] if plan_dir is not None else [])
    raise typer.Exit(command.run(named, as_of, output_format.value, select, ignore))


@app.command()
def fmt(
    plan_dir: Optional[Path] = PLAN_DIR,
    plan_option: Optional[Path] = PLAN_OPTION,
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 and name the files that would change."),
):
    """Rewrite plan YAML in one canonical form (comments kept)."""
    from plangen.commands import fmt as command

    raise typer.Exit(command.run(one_plan_dir(plan_dir, plan_option), check))


@app.command()
def init(
    directory: Path = typer.Argument(..., help="Directory to create (must be empty or not exist)."),
    hooks_repo: Optional[str] = typer.Option(None, "--hooks-repo", help="The git repository pre-commit installs plangen's hooks "
                                             "from. Default: where this plangen was installed from."),
    hooks_rev: Optional[str] = typer.Option(None, "--hooks-rev", help="The tag or commit of --hooks-repo."),
):
    """Scaffold a new plan repository (a git repository with a first commit) that validates and builds out of the box."""
    from plangen.commands import init as command

    raise typer.Exit(command.run(directory, hooks_repo, hooks_rev))


AS_OF_DOCUMENT = typer.Option(
    None, "--as-of", help="The plan document's progress ratings as at this date (YYYY-MM-DD). "
                          "Default: the plan's approval date. Papers keep their own as_of or meeting date.")


@app.command()
def build(
    plan_dir: Optional[Path] = PLAN_DIR,
    plan_option: Optional[Path] = PLAN_OPTION,
    output: Path = typer.Option(Path("build"), "--output", "-o", help="Output directory."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write tagged PDFs through LibreOffice (fails if it is missing)."),
    force: bool = typer.Option(False, "--force", help="Remake every paper, even those whose inputs did not change."),
    timeout: float = typer.Option(180, "--timeout", min=1, help="Seconds LibreOffice may take to lay out one paper."),
    at: Optional[str] = typer.Option(None, "--at", help="Make the papers of the plan as committed at this git revision."),
):
    """Validate, then make every paper whose inputs changed and switch the output folder to the new set in one step."""
    from plangen.commands import build as command

    raise typer.Exit(command.run(one_plan_dir(plan_dir, plan_option), output, pdf, force, timeout, at))


@app.command()
def pack(
    date: str = typer.Argument(..., help="The meeting's date (YYYY-MM-DD), as in the report files' meeting: date."),
    plan_dir: Optional[Path] = PLAN_DIR,
    plan_option: Optional[Path] = PLAN_OPTION,
    committee: Optional[str] = typer.Option(None, "--committee", help="Which committee, when several meet that day."),
    output: Path = typer.Option(Path("packs"), "--output", "-o", help="Folder for the pack PDFs."),
    timeout: float = typer.Option(180, "--timeout", min=1, help="Seconds LibreOffice may take to lay out one part."),
):
    """Make a meeting's agenda pack: one tagged PDF of its agenda and papers with page numbers running on (exempt items in a restricted pack)."""
    from plangen.commands import pack as command

    raise typer.Exit(command.run(date, one_plan_dir(plan_dir, plan_option), committee, output, timeout))


@app.command()
def render(
    kind: str = typer.Argument(..., help="Document kind (see 'plangen kinds'), or 'report'."),
    report_file: Optional[Path] = typer.Argument(None, help="For 'report': the report file (plan/reports/NAME.yaml)."),
    plan_dir: Optional[Path] = PLAN_OPTION,
    output: Path = typer.Option(Path("build"), "--output", "-o", help="Output directory."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write the PDF through LibreOffice."),
    as_of: Optional[str] = AS_OF_DOCUMENT,
):
    """Render one document: 'plangen render plan', or 'plangen render report plan/reports/FILE.yaml'."""
    from plangen.commands import render as command

    raise typer.Exit(command.run(kind, report_file, plan_dir, output, pdf, as_of))


@app.command()
def context(
    kind: str = typer.Argument(..., help="Document kind (any name 'plangen kinds' lists), or 'report'."),
    report_file: Optional[Path] = typer.Argument(None, help="The report file. For a report kind without one: the plan's latest report of that kind."),
    plan_dir: Optional[Path] = PLAN_OPTION,
    output_format: ContextFormat = typer.Option(ContextFormat.yaml, "--format", help="yaml or json."),
):
    """Print the context a document's template receives (what a clerk's template can use)."""
    from plangen.commands import render as command

    raise typer.Exit(command.show_context(kind, report_file, plan_dir, output_format.value))


@app.command()
def diff(
    old: Optional[str] = typer.Argument(None, help="A git revision (main, HEAD~3, a tag) or a plan directory. Default: HEAD."),
    new: Optional[str] = typer.Argument(None, help="A git revision or a plan directory. Default: the working tree's plan."),
    plan_dir: Optional[Path] = PLAN_OPTION,
    output_format: DiffFormat = typer.Option(DiffFormat.text, "--format", help="text, markdown (a pull-request comment) or json."),
    max_length: Optional[int] = typer.Option(None, "--max-length", min=1000, help="markdown only: leave out whole entries from the end "
                                             "to stay within this many characters (a GitHub comment holds 65,536)."),
):
    """Compare two plans: actions added, removed, moved, re-dated (slippage), re-assigned, reworded. Exit 0 whatever differs."""
    from plangen.commands import diff as command

    raise typer.Exit(command.run(old, new, plan_dir, output_format.value, max_length))


@app.command()
def history(
    action: Optional[str] = typer.Argument(None, help="An action number, e.g. 5.4."),
    slipped: bool = typer.Option(False, "--slipped", help="List actions whose due date moved later, most slipped first."),
    plan_dir: Optional[Path] = PLAN_OPTION,
):
    """The life of one action across git history: each commit that changed it and how often its date moved."""
    from plangen.commands import diff as command

    raise typer.Exit(command.run_history(action, slipped, plan_dir))


@app.command()
def redline(
    old: str = typer.Argument(..., help="A git revision or a plan directory: the plan before."),
    new: Optional[str] = typer.Argument(None, help="A git revision or a plan directory: the plan after. Default: the working tree's plan."),
    plan_dir: Optional[Path] = PLAN_OPTION,
    output: Path = typer.Option(Path("build/redline.docx"), "--output", "-o", help="The Word file to write."),
):
    """Write the plan as a Word document whose differences are tracked changes (accept or reject them in Word)."""
    from plangen.commands import redline as command

    raise typer.Exit(command.run(old, new, plan_dir, output))


@app.command("check-template")
def check_template(
    template: Path = typer.Argument(..., help="The Word template (.docx) to check."),
    kind: Optional[str] = typer.Option(None, "--kind", help="The document kind it is for. Default: the kinds whose template has this file name."),
    plan_dir: Optional[Path] = PLAN_OPTION,
):
    """Check a template against the context its kind provides, before rendering: malformed tags, and names or attributes the context lacks. Exit 0: fine; 1: problems; 2: usage problem."""
    from plangen.commands import check_template as command

    raise typer.Exit(command.run(template, kind, plan_dir))


@app.command()
def schema(directory: Path = typer.Argument(Path("schema"), help="Folder to write the schemas into.")):
    """Write plangen's JSON Schemas into a folder, for editors and any JSON Schema tool (they refer to each other by file name)."""
    from plangen.commands import schema as command

    raise typer.Exit(command.run(directory))


@app.command()
def kinds():
    """List the registered document kinds and their templates."""
    from plangen.documents import registry
    from plangen.documents.kind import is_per_report

    for kind in registry.all_kinds():
        written = "one per report file of this kind" if is_per_report(kind) else f"build/{kind.OUTPUT}"
        typer.echo(f"{kind.NAME:16} {kind.TEMPLATE:14} {kind.DESCRIPTION} ({written})")


def _printable_output():
    """A terminal or pipe that cannot show UTF-8 (LANG=C, PYTHONIOENCODING=ascii) gets \\u2192-style
    escapes for what it cannot show, rather than plangen failing half-way through its report."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(errors="backslashreplace")


def main():
    from plangen.errors import report_and_exit

    _printable_output()
    try:
        app(prog_name="plangen")
    except SystemExit:
        # the interpreter's last collection would walk every object a build made (0.1 s after a
        # build's summary); a process that is ending has nothing to gain from it
        import gc

        gc.freeze()
        raise
    except BaseException as error:  # the one place exceptions become messages
        report_and_exit(error, debug="--debug" in sys.argv)
