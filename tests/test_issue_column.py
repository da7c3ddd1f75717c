"""The issue column: each issue keeps its own inspection references, and the plan prints them as
published (refs_style: as-printed) or in one house style (normalised).

The expected column is tests/fixtures/issue_column_as_published.tsv, copied from the source text of
the final plan (Scrutiny pack, Appendix 1), not produced by plangen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from ruamel.yaml import YAML

from conftest import REPO, edit, position, run_cli
from docx_reading import normalise, paragraph_text
from plangen.validate import validate

BUNDLED = REPO / "plan"
AS_PUBLISHED = Path(__file__).parent / "fixtures" / "issue_column_as_published.tsv"
SEVERAL_ISSUES = {
    "2.5": [("Thresholds", ["6"], []), ("PLO and court work", ["6"], ["47", "48", "49"])],
    "5.12": [("Missing", ["4"], []), ("CSE", [], ["40"])],
    "5.14": [("Missing", ["4"], []), ("CSE", [], ["40"])],
    "8.10": [("Clear line of sight", [], ["91", "102"]), ("Operational data", [], ["98", "102"])],
}


def published_column() -> dict[str, list[str]]:
    column = {}
    for line in AS_PUBLISHED.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            number, *issues = line.split("\t")
            column[number] = issues
    return column


def issue_cells(docx: Path) -> dict[str, list[str]]:
    """{action number: the lines of its issue cell} from every action row of the document."""
    cells = {}
    for table in Document(str(docx)).element.body.iter(qn("w:tbl")):
        for row in table.iter(qn("w:tr")):
            columns = row.findall(qn("w:tc"))
            if len(columns) < 6:
                continue
            number = normalise(" ".join(paragraph_text(p) for p in columns[0].iter(qn("w:p"))))
            lines = "\n".join(paragraph_text(p) for p in columns[1].iter(qn("w:p"))).split("\n")
            cells[number] = [normalise(line) for line in lines if line.strip()]
    return cells


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    output = tmp_path_factory.mktemp("build")
    completed = run_cli("render", "plan", "--plan", BUNDLED, "--output", output)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return output / "improvement-plan.docx"


def test_the_fixture_holds_every_action_of_the_final_plan():
    yaml = YAML(typ="safe")
    numbers = [str(action["number"]) for path in sorted((BUNDLED / "priorities").glob("*.yaml"))
               for group in yaml.load(path.read_text(encoding="utf-8"))["groups"] for action in group["actions"]]
    assert len(numbers) == 131
    assert sorted(published_column()) == sorted(numbers)


def test_all_131_issue_cells_print_as_published(rendered):
    expected = published_column()
    printed = issue_cells(rendered)
    matching = [number for number in expected if printed.get(number) == expected[number]]
    differing = {number: (printed.get(number), expected[number]) for number in expected if number not in matching}
    assert differing == {}
    assert len(matching) == 131


def test_several_issues_keep_their_own_references_in_the_data():
    yaml = YAML(typ="safe")
    found = {}
    for path in sorted((BUNDLED / "priorities").glob("*.yaml")):
        for group in yaml.load(path.read_text(encoding="utf-8"))["groups"]:
            for action in group["actions"]:
                if action["number"] in SEVERAL_ISSUES:
                    found[action["number"]] = [(issue["text"], issue["refs"].get("recommendations", []),
                                                issue["refs"].get("paragraphs", [])) for issue in action["issues"]]
    assert found == SEVERAL_ISSUES


def test_several_issues_print_on_their_own_lines_with_their_own_references(rendered):
    cells = issue_cells(rendered)
    assert cells["2.5"] == ["Thresholds [Rec 6]", "PLO and court work [Rec 6, Para 47, 48, 49]"]
    assert cells["5.12"] == cells["5.14"] == ["Missing [Rec 4]", "CSE [Para 40]"]
    assert cells["8.10"] == ["Clear line of sight [Para 91 & 102]", "Operational data [Para 98, 102]"]


def test_normalised_style_prints_the_house_style_per_issue(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(BUNDLED, plan)
    edit(plan / "plan.yaml", "refs_style: as-printed", "refs_style: normalised")
    completed = run_cli("context", "plan", "--plan", plan, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    rows = {row["number"]: row["issue"] for section in json.loads(completed.stdout)["sections"]
            for priority in section["priorities"] for row in priority["rows"] if row.get("number")}
    assert rows["1.10"] == "Plans [Rec 5, Para 33 & 66]"
    assert rows["8.13"] == "Complaints [Rec 21, Para 109]"
    assert rows["2.5"] == "Thresholds [Rec 6]\nPLO and court work [Rec 6, Para 47, 48 & 49]"
    assert rows["8.10"] == "Clear line of sight [Para 91 & 102]\nOperational data [Para 98 & 102]"


def test_the_draft_example_keeps_each_issues_references_too():
    completed = run_cli("context", "plan", "--plan", REPO / "examples/croydon-2017-10-draft/plan", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    rows = {row["number"]: row["issue"] for section in json.loads(completed.stdout)["sections"]
            for priority in section["priorities"] for row in priority["rows"] if row.get("number")}
    assert rows["4.3"] == "Preparation for adulthood [Rec 19, Para 84]\nRights and entitlements [Rec 19, Para 88]"
    assert rows["5.10"] == "Missing [Rec 4]\nCSE [Para 40]"


def test_printed_references_that_disagree_with_the_structured_ones_are_an_error(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(BUNDLED, plan)
    text = edit(plan / "priorities/08-management-oversight.yaml", 'as_printed: "[Rec. 21. Para 109]"',
                'as_printed: "[Rec. 21. Para 190]"')
    result = validate(plan)
    found = [finding for finding in result.findings if finding.rule == "refs-as-printed"]
    assert [(finding.severity, finding.line, finding.column) for finding in found] == \
        [("error", *position(text, '"[Rec. 21. Para 190]"'))]
    assert found[0].message == "action 8.13: '[Rec. 21. Para 190]' cites paragraphs 190 (refs: 109)"
    completed = run_cli("validate", plan)
    assert completed.returncode == 1 and "[refs-as-printed]" in completed.stdout


def test_a_printed_number_that_is_neither_rec_nor_para_is_an_error(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(BUNDLED, plan)
    edit(plan / "priorities/01-consistent-social-work.yaml", 'as_printed: "[Rec 5 Para 33, 66]"',
         'as_printed: "[5, Para 33, 66]"')
    found = [finding for finding in validate(plan).findings if finding.rule == "refs-as-printed"]
    assert [finding.message for finding in found] == ["action 1.9: in '[5, Para 33, 66]', 5 follows no 'Rec' or 'Para'"]


def test_issue_and_issues_together_are_an_error(mini_plan):
    text = edit(mini_plan / "priorities/01-assessments.yaml",
                '        issue: Quality of assessments\n        refs: {recommendations: ["1"]}\n',
                '        issue: Quality of assessments\n        refs: {recommendations: ["1"]}\n'
                '        issues:\n          - text: Quality of assessments\n')
    found = [finding for finding in validate(mini_plan).findings if finding.rule == "issue-form"]
    assert [(finding.severity, finding.line, finding.column) for finding in found] == \
        [("error", *position(text, "issues:\n          - text"))]
