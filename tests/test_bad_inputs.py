"""The bad-input corpus (tests/bad_inputs/cases.yaml): every case gets its exact message and exit code,
and no traceback. (How long validation takes is measured in benchmarks/, not here.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document
from ruamel.yaml import YAML

from conftest import SCAFFOLD_PLAN, position, run_cli
from plangen.rules import all_rules

CASES = YAML(typ="safe").load((Path(__file__).parent / "bad_inputs" / "cases.yaml").read_text())["cases"]


def prepare(case: dict, root: Path) -> Path:
    plan = root / "plan"
    shutil.copytree(SCAFFOLD_PLAN, plan)
    for edit in case.get("edits", []):
        path = plan / edit["file"]
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, f"{case['name']}: {edit['old']!r} not in {edit['file']}"
        text = text.replace(edit["old"], edit["new"], 1)
        path.write_bytes(text.encode(edit.get("encoding", "utf-8")))
    for name, content in (case.get("write") or {}).items():
        (plan / name).parent.mkdir(parents=True, exist_ok=True)
        (plan / name).write_text(content, encoding="utf-8")
    for name in case.get("delete", []):
        (plan / name).unlink()
    generate = case.get("generate")
    if generate and generate["kind"] == "nested":
        depth = generate["depth"]
        (plan / generate["file"]).write_text("people: " + "[" * depth + "]" * depth + "\n")
    if generate and generate["kind"] == "large":
        (plan / generate["file"]).write_text("#" + "x" * (generate["bytes"] - 2) + "\n")
    if "template" in case:
        (root / "templates").mkdir()
        template = Document()
        template.add_paragraph(case["template"])
        template.save(str(root / "templates" / "plan.docx"))
    return plan


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_input(case, tmp_path):
    plan = prepare(case, tmp_path)
    command = case.get("command", "validate")
    expect = case["expect"]
    if command == "validate":
        completed = run_cli("validate", plan, "--as-of", "2026-01-01", cwd=tmp_path)
    elif command == "render-plan":
        completed = run_cli("render", "plan", "--plan", plan, "--output", tmp_path / "out", cwd=tmp_path)
    elif command == "render-missing-report":
        completed = run_cli("render", "report", plan / "reports" / "nope.yaml", cwd=tmp_path)
    else:
        completed = run_cli("validate", tmp_path / "elsewhere", cwd=tmp_path)
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.returncode == expect["exit"], completed.stdout + completed.stderr
    if "stderr" in expect:
        assert expect["stderr"] in completed.stderr
    finding = expect.get("finding")
    if finding:
        path = plan / finding["file"]
        if "at" in finding:
            text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
            line, column = position(text, finding["at"], finding.get("occurrence", 1))
        else:
            line, column = finding["line"], finding["column"]
        shown = f"plan/{finding['file']}:{line}:{column}: {finding['severity']}: {finding['message']} [{finding['rule']}]"
        assert shown in completed.stdout, completed.stdout


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


def test_every_rule_the_corpus_reports_is_registered():
    rules = {case["expect"]["finding"]["rule"] for case in CASES if case["expect"].get("finding")}
    assert rules - set(all_rules()) == set()


BUILD_CASES = [case for case in CASES if case.get("command", "validate") == "validate" and case["expect"]["exit"] == 1]


@pytest.mark.parametrize("case", BUILD_CASES, ids=[case["name"] for case in BUILD_CASES])
def test_bad_input_stops_build_before_any_paper(case, tmp_path, capsys):
    """The same corpus through build (the library function, in this process): findings, exit 1, no
    paper, never an internal error."""
    from plangen.commands.build import build
    from plangen.errors import FindingsError

    plan = prepare(case, tmp_path)
    with pytest.raises(FindingsError):
        build(plan, tmp_path / "out")
    finding = case["expect"].get("finding")
    if finding:
        assert f"{finding['file']}:" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()
