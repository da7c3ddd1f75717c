"""plangen's benchmarks, in one run on one machine: `make bench` writes benchmarks/RESULTS.md.

Measured (median of several repetitions, each in a fresh process so imports and peak memory count):
  - `plangen validate plan` and `plangen build` on the bundled plan, as whole processes, beside the
    floor every Python command pays (`python -c pass`) and every Typer command pays (`import typer`);
  - load + validate, and render of the plan document, at 100 / 1,000 / 10,000 actions (synthetic.py);
  - the same plan content rendered by the alternatives: pandoc converting equivalent Markdown, and
    bare docxtpl rendering the action table from a minimal template with no validation (its runs
    taken in turn with the plan render's, so the machine's changes of speed fall on both alike);
and the ratios the README quotes. Ratios, not seconds, because these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
SIZES = (100, 1_000, 10_000)
# the rounds whose median ratio is reported, for the two ratios the targets are set on; each round's
# ratio is listed in RESULTS.md
PUBLISHING_ROUNDS = 9
RENDER_ROUNDS = 7

# Runs a command; prints its wall time, its peak memory (children's max RSS, KiB on Linux), its CPU
# time (user + system: steadier than wall time on a shared machine) and the last line it printed (a
# step's own timing).
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
completed = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
elapsed = time.perf_counter() - start
if completed.returncode != 0:
    sys.stderr.write(completed.stderr); sys.exit(completed.returncode)
last = (completed.stdout.strip().splitlines() or ["-"])[-1]
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, last)
"""

# Steps run inside a fresh interpreter so each measurement pays its own imports.
VALIDATE_STEP = """
import sys, time
start = time.perf_counter()
from pathlib import Path
from plangen.validate import validate
result = validate(Path(sys.argv[1]), None)
assert result.ok, [str(finding) for finding in result.errors][:5]
print(time.perf_counter() - start)
"""

RENDER_STEP = """
import sys, time
from pathlib import Path
from plangen import api
plan = api.load(Path(sys.argv[1]))
start = time.perf_counter()
api.render(plan, "plan", Path(sys.argv[2]), refresh=False)
print(time.perf_counter() - start)
"""

DOCXTPL_STEP = """
import json, sys, time
start = time.perf_counter()
from docxtpl import DocxTemplate
rows = json.load(open(sys.argv[2]))
template = DocxTemplate(sys.argv[1])
template.render({"rows": rows}, autoescape=True)
template.save(sys.argv[3])
print(time.perf_counter() - start)
"""


def run(command: list[str]) -> str:
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{completed.stderr}")
    return completed.stdout


def measured(command: list[str]) -> tuple[float, float, str, float]:
    seconds, kib, cpu, last = run([sys.executable, "-c", MEASURE, *command]).split(maxsplit=3)
    return float(seconds), int(kib) / 1024, last, float(cpu)


def process(command: list[str], repeat: int) -> tuple[float, float, float]:
    """Median wall seconds, peak MiB and median CPU seconds of a whole process."""
    runs = [measured(command) for _ in range(repeat)]
    return (statistics.median(run[0] for run in runs), max(run[1] for run in runs),
            statistics.median(run[3] for run in runs))


def step(code: str, arguments: list[str], repeat: int) -> tuple[float, float]:
    """Median seconds the step reports for itself, and the peak MiB of its process."""
    runs = [measured([sys.executable, "-c", code, *arguments]) for _ in range(repeat)]
    return statistics.median(float(run[2]) for run in runs), max(run[1] for run in runs)


def interleaved(steps: dict[str, tuple[str, list[str]]], repeat: int) -> dict[str, tuple[float, float, list[float]]]:
    """`step` for several steps, their repetitions taken in turn (rounds), so that a change in the
    machine's speed during the run falls on each alike: (median seconds, peak MiB, each round's seconds)."""
    runs: dict = {name: [] for name in steps}
    for _ in range(repeat):
        for name, (code, arguments) in steps.items():
            runs[name].append(measured([sys.executable, "-c", code, *arguments]))
    return {name: (statistics.median(float(run[2]) for run in found), max(run[1] for run in found),
                   [float(run[2]) for run in found])
            for name, found in runs.items()}


def table_rows(plan_dir: Path) -> list[dict]:
    """The plan document's action table as plain rows: what the alternatives render."""
    code = """
import json, sys
from pathlib import Path
from plangen.gitplan import load_plan
plan = load_plan(Path(sys.argv[1]))
rows = []
for priority in plan.priorities:
    for action in priority.actions:
        text = action.text + "".join(f"\\n{step.letter}. {step.text}" for step in action.steps)
        rows.append({"priority": f"{priority.number}. {priority.title}", "number": action.number,
                     "issue": action.issue, "text": text, "lead": "/".join(action.all_leads),
                     "partners": ", ".join(action.partners or []) or "N/A",
                     "due": "; ".join(due.display() for due in action.dues)})
print(json.dumps(rows))
"""
    return json.loads(run([sys.executable, "-c", code, str(plan_dir)]))


def bare_template(path: Path) -> None:
    """A minimal docxtpl template: a heading and the action table with a row loop."""
    from docx import Document

    document = Document()
    document.add_heading("Improvement plan", level=1)
    table = document.add_table(rows=3, cols=6)
    for cell, header in zip(table.rows[0].cells, ["No.", "Issue", "Actions", "Lead", "Partners", "By when"]):
        cell.text = header
    table.rows[1].cells[0].text = "{%tr for row in rows %}"
    for cell, field in zip(table.rows[2].cells, ["number", "issue", "text", "lead", "partners", "due"]):
        cell.text = "{{ row.%s }}" % field
    end = document.add_table(rows=1, cols=1)
    end.rows[0].cells[0].text = "{%tr endfor %}"
    # move the endfor row into the first table, after the data row
    table._tbl.append(end.rows[0]._tr)
    end._tbl.getparent().remove(end._tbl)
    document.save(str(path))


def markdown_of(rows: list[dict]) -> str:
    def cell(text: str) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    lines, current = [], None
    for row in rows:
        if row["priority"] != current:
            current = row["priority"]
            lines += ["", f"## {cell(current)}", "", "| No. | Issue | Actions | Lead | Partners | By when |",
                      "|---|---|---|---|---|---|"]
        lines.append("| " + " | ".join(cell(row[key]) for key in ("number", "issue", "text", "lead", "partners", "due")) + " |")
    return "# Improvement plan\n" + "\n".join(lines) + "\n"


def timed(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(command)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh(output: Path) -> None:
    """Remove an output folder and plangen's store beside it: the next build is cold."""
    for path in (output, output.parent / f".{output.name}.plangen"):
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)


def cold(command: list[str], output: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        fresh(output)
        start = time.perf_counter()
        run(command)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def publishing(plangen: str, repeat: int) -> dict:
    """`plangen build` beside its floor: one bare `soffice --convert-to pdf` of the same four .docx
    in one process. Each round runs the floor, then a cold `build --pdf`, then a cold `build`, so a
    change in the machine's speed (it moved the floor between 2.7 and 4.5 s from run to run) falls
    on a round's runs alike; the ratios reported are the medians of each round's own ratios."""
    import os

    output = WORK / "publish"
    plan = str(REPO / "plan")
    build = [plangen, "build", plan, "-o", str(output)]
    fresh(output)
    run(build + ["--pdf"])  # the papers the floor converts
    papers = [str(path) for path in sorted(output.resolve().rglob("*.docx"))]
    results: dict = {"pages": sum(int(run(["pdfinfo", str(Path(paper).with_suffix(".pdf"))]).split("Pages:")[1].split()[0])
                                  for paper in papers)}
    soffice = shutil.which("soffice")
    # the floor converts copies: the build's versions are replaced by the runs that follow
    copies = WORK / "floor-papers"
    fresh(copies)
    copies.mkdir()
    for index, paper in enumerate(papers):
        shutil.copy(paper, copies / f"{index}-{Path(paper).name}")
    papers = [str(path) for path in sorted(copies.iterdir())]
    # the floor starts from a copy of a profile LibreOffice made before, as plangen's sessions do
    # (plangen keeps one per installation: LibreOffice starts about 0.2 s sooner than from none)
    warm = WORK / "floor-profile"
    fresh(warm)
    run([soffice, f"-env:UserInstallation={warm.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(WORK / "floor-warm-up"), papers[0]])

    def floor() -> float:
        with tempfile.TemporaryDirectory(prefix="bench-office-") as work:
            shutil.copytree(warm, f"{work}/profile", symlinks=True)
            start = time.perf_counter()
            run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", work, *papers])
            return time.perf_counter() - start

    samples: dict[str, list[float]] = {"floor": [], "build_pdf_cold": [], "build_cold": []}
    for _ in range(repeat):
        samples["floor"].append(floor())
        samples["build_pdf_cold"].append(cold(build + ["--pdf"], output, 1))
        samples["build_cold"].append(cold(build, output, 1))
    for name, times in samples.items():
        results[name] = statistics.median(times)
    for name in ("build_pdf_cold", "build_cold"):
        results[f"{name}_ratios"] = sorted(mine / bare for mine, bare in zip(samples[name], samples["floor"]))
    run(build + ["--pdf"])
    results["build_again"] = timed(build + ["--pdf"], max(repeat, 5))
    # what remains without LibreOffice: validation and rendering in Python (LibreOffice hidden from PATH)
    hidden = WORK / "no-office-bin"
    hidden.mkdir(exist_ok=True)
    environment = {**os.environ, "PATH": str(hidden)}
    python_only = []
    for _ in range(repeat):
        fresh(output)
        start = time.perf_counter()
        completed = subprocess.run(build, capture_output=True, env=environment)
        python_only.append(time.perf_counter() - start)
        if completed.returncode != 0:
            raise SystemExit(completed.stderr.decode())
    results["build_python_only"] = statistics.median(python_only)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per measurement (median reported)")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--only", choices=["publishing", "processes"], help="run one section and print it (RESULTS.md untouched)")
    arguments = parser.parse_args()
    repeat = arguments.repeat
    sys.path.insert(0, str(HERE))
    from synthetic import write_plan

    plangen = str(Path(sys.executable).with_name("plangen"))
    WORK.mkdir(exist_ok=True)
    results: dict = {"machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
                                f"{_cores()} cores, Python {platform.python_version()}"}

    if arguments.only == "publishing":
        print("\n".join(publishing_markdown(publishing(plangen, repeat))))
        return
    if arguments.only == "processes":
        print("\n".join(processes_markdown(processes(plangen, repeat))))
        return
    print("publishing: plangen build beside a bare LibreOffice conversion …", flush=True)
    # more rounds than elsewhere: a round's ratio moves by a fifth with the machine's load
    results["publishing"] = publishing(plangen, max(PUBLISHING_ROUNDS, repeat))
    print("whole processes on the bundled plan …", flush=True)
    results.update(processes(plangen, repeat))

    pandoc = shutil.which("pandoc")
    results["sizes"] = {}
    for size in arguments.sizes:
        print(f"{size} actions …", flush=True)
        plan_dir = write_plan(size, WORK / f"plan-{size}")
        output = WORK / f"out-{size}"
        entry: dict = {}
        entry["validate"] = step(VALIDATE_STEP, [str(plan_dir)], repeat)
        rows = table_rows(plan_dir)
        rows_file = WORK / f"rows-{size}.json"
        rows_file.write_text(json.dumps(rows))
        template = WORK / "bare-template.docx"
        bare_template(template)
        timings = interleaved({"render": (RENDER_STEP, [str(plan_dir), str(output)]),
                               "docxtpl": (DOCXTPL_STEP, [str(template), str(rows_file), str(output / "bare.docx")])},
                              max(RENDER_ROUNDS, repeat))
        entry.update({name: timing[:2] for name, timing in timings.items()})
        # the ratio the README quotes: the median of each round's own (render and docxtpl run one
        # after the other), as for publishing, so the machine's drift during the run cancels out
        entry["render_ratios"] = [render / bare for render, bare in zip(timings["render"][2], timings["docxtpl"][2])]
        if pandoc:
            markdown = WORK / f"plan-{size}.md"
            markdown.write_text(markdown_of(rows), encoding="utf-8")
            entry["pandoc"] = (timed([pandoc, str(markdown), "-o", str(output / "pandoc.docx")], repeat), None)
        results["sizes"][size] = entry

    report = results_markdown(results, pandoc is not None)
    (HERE / "RESULTS.md").write_text(report, encoding="utf-8")
    print(report)


def processes(plangen: str, repeat: int) -> dict:
    """Whole processes on the bundled plan beside the floors any Python / any Typer command pays,
    interleaved so that load from other users of the machine falls on each alike."""
    build_output = WORK / "build"
    fresh(build_output)
    commands = {"python": [sys.executable, "-c", "pass"], "typer": [sys.executable, "-c", "import typer"],
                "validate": [plangen, "validate", str(REPO / "plan")]}
    # short and noisy: more repetitions
    runs: dict = {name: [] for name in commands}
    for _ in range(max(repeat, 15)):
        for name, command in commands.items():
            runs[name].append(measured(command))
    results = {name: (statistics.median(run[0] for run in measured_runs), max(run[1] for run in measured_runs),
                      statistics.median(run[3] for run in measured_runs)) for name, measured_runs in runs.items()}
    results["build"] = process([plangen, "build", str(REPO / "plan"), "-o", str(build_output), "--force"], max(1, repeat // 2))
    return results


def processes_markdown(results: dict) -> list[str]:
    lines = ["## Whole processes, bundled plan", "", "| command | wall (s) | CPU (s) | peak memory (MiB) |", "|---|---|---|---|"]
    for name, label in (("python", "`python -c pass` (floor)"), ("typer", "`python -c 'import typer'` (floor for any Typer CLI)"),
                        ("validate", "`plangen validate`"), ("build", "`plangen build --force`")):
        seconds, mib, cpu = results[name]
        lines.append(f"| {label} | {seconds:.2f} | {cpu:.2f} | {mib:.0f} |")
    lines += ["", f"- `plangen validate` / Typer floor = {results['validate'][0] / results['typer'][0]:.1f} wall, "
                  f"{results['validate'][2] / results['typer'][2]:.1f} CPU; "
                  f"`plangen build` / `plangen validate` = {results['build'][0] / results['validate'][0]:.1f}"]
    return lines


def publishing_markdown(result: dict) -> list[str]:
    floor = result["floor"]

    def spread(name: str) -> str:
        return ", ".join(f"{ratio:.2f}" for ratio in result[f"{name}_ratios"])

    return [
        f"## Publishing: `plangen build` against bare LibreOffice (bundled plan, four papers, {result['pages']} pages)", "",
        f"{len(result['build_cold_ratios'])} rounds, each running the floor, a cold `build --pdf` and a cold `build` "
        "in turn; \"/ floor\" is the median of the rounds' own ratios.", "",
        "| run | wall (s) | / floor |", "|---|---|---|",
        f"| floor: one `soffice --convert-to pdf` of the four .docx, cold | {floor:.2f} | 1.00 |",
        f"| cold `plangen build` (page numbers laid out) | {result['build_cold']:.2f} | {statistics.median(result['build_cold_ratios']):.2f} |",
        f"| cold `plangen build --pdf` (page numbers and tagged PDFs) | {result['build_pdf_cold']:.2f} | "
        f"{statistics.median(result['build_pdf_cold_ratios']):.2f} |",
        f"| second `plangen build --pdf`, nothing changed | {result['build_again']:.2f} | {result['build_again'] / floor:.2f} |",
        f"| cold `plangen build` without LibreOffice (validation and rendering alone) | {result['build_python_only']:.2f} | "
        f"{result['build_python_only'] / floor:.2f} |",
        "", f"- each round's `build --pdf` / floor: {spread('build_pdf_cold')}",
        f"- each round's `build` / floor: {spread('build_cold')}",
    ]


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def results_markdown(results: dict, with_pandoc: bool) -> str:
    sizes = results["sizes"]
    lines = ["# Benchmark results", "", f"Machine: {results['machine']}. Medians of repeated runs; "
             "each measurement in a fresh process. Written by `make bench` (benchmarks/run.py).", ""]
    lines += processes_markdown(results)
    lines += ["", "## By plan size (seconds; plan-document render excludes LibreOffice page numbering)", "",
              "| actions | load + validate | render plan | bare docxtpl | pandoc | plangen / docxtpl | pandoc / plangen "
              "| peak MiB (render) | peak MiB (bare docxtpl) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for size, entry in sizes.items():
        render_seconds, render_mib = entry["render"]
        bare = entry["docxtpl"][0]
        pandoc = entry.get("pandoc", (None, None))[0]
        lines.append(f"| {size:,} | {entry['validate'][0]:.2f} | {render_seconds:.2f} | {bare:.2f} | "
                     f"{pandoc:.2f} | " if pandoc is not None else
                     f"| {size:,} | {entry['validate'][0]:.2f} | {render_seconds:.2f} | {bare:.2f} | n/a | ")
        lines[-1] += (f"{statistics.median(entry['render_ratios']):.2f} | " + (f"{pandoc / render_seconds:.2f} | " if pandoc else "n/a | ")
                      + f"{render_mib:.0f} | {entry['docxtpl'][1]:.0f} |")
    lines += ["", "\"plangen / docxtpl\" is the median of the rounds' own ratios (the render and bare docxtpl run one "
              "after the other in each round)."]
    lines += [f"- {size:,} actions, each round's plangen / docxtpl: "
              + ", ".join(f"{ratio:.2f}" for ratio in sorted(entry["render_ratios"])) for size, entry in sizes.items()]
    if "publishing" in results:
        lines += [""] + publishing_markdown(results["publishing"])
    if 1_000 in sizes and 10_000 in sizes:
        lines += ["", "## Linearity", "",
                  f"- render: time(10,000) / time(1,000) = {sizes[10_000]['render'][0] / sizes[1_000]['render'][0]:.1f}",
                  f"- load + validate: time(10,000) / time(1,000) = {sizes[10_000]['validate'][0] / sizes[1_000]['validate'][0]:.1f}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
