"""The plan document printed in the plan's own shape (plan.yaml `layout`).

The second bundled example (examples/northshire-2026, areas for improvement with milestones, leads
that are roles and bodies, no status scale) is checked on its .docx and through LibreOffice; the
Croydon plan, which sets Croydon's 2017 layout, is compared word for word with a committed baseline.
Expected values are computed here from the YAML read directly, never from plangen's own formatting.
"""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from ruamel.yaml import YAML

from conftest import REPO, run_cli
from docx_reading import convert_to_pdf_text, normalise, paragraph_text

NORTHSHIRE = REPO / "examples" / "northshire-2026" / "plan"
BASELINES = Path(__file__).parent / "baselines"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def month_year(iso: str) -> str:
    year, month = str(iso).split("-")[:2]
    return f"{MONTHS[int(month) - 1]} {year}"


def printed_due(due) -> str:
    """The Northshire layout's date style ("May 2026"), written out independently of plangen."""
    if isinstance(due, dict):
        if "as_printed" in due:
            return due["as_printed"]
        if "start" in due:
            start, end = str(due["start"]), str(due["end"])
            same_year = start[:4] == end[:4]
            return f"{MONTHS[int(start[5:7]) - 1]}–{month_year(end)}" if same_year else f"{month_year(start)}–{month_year(end)}"
        if "from" in due:
            return ("Ongoing from " if due.get("ongoing") else "From ") + month_year(due["from"])
        return month_year(due["date"])
    return "TBC" if due == "TBC" else month_year(due)


@pytest.fixture(scope="module")
def northshire(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("northshire")
    completed = run_cli("render", "plan", "--plan", NORTHSHIRE, "--output", output)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return output / "improvement-plan.docx"


def cell_text(cell) -> str:
    return normalise(" ".join(paragraph_text(paragraph) for paragraph in cell.iter(qn("w:p"))))


def table_rows(table) -> list[list[str]]:
    return [[cell_text(cell) for cell in row.findall(qn("w:tc"))] for row in table.iter(qn("w:tr"))]


def action_tables(document) -> list[list[list[str]]]:
    return [table_rows(table._tbl) for table in document.tables if len(table.columns) > 2]


def register() -> dict:
    return {person["id"]: person for person in load(NORTHSHIRE / "people.yaml")["people"]}


def areas():
    return [load(path) for path in sorted((NORTHSHIRE / "priorities").glob("*.yaml"))]


def test_the_example_is_of_the_size_the_issue_asks(northshire):
    actions = [action for area in areas() for group in area["groups"] for action in group["actions"]]
    milestones = [step for action in actions for step in action.get("steps", [])]
    assert len(areas()) >= 10 and len(actions) >= 30 and len(milestones) >= 50
    assert "status_scale" not in load(NORTHSHIRE / "plan.yaml")


def test_action_tables_have_the_layouts_columns_and_none_is_empty(northshire):
    plan = load(NORTHSHIRE / "plan.yaml")
    labels = plan["labels"]
    expected = ["No.", labels["action"], labels["step"], labels["due"], labels["lead"]]
    tables = action_tables(Document(str(northshire)))
    assert len(tables) == len(areas())
    for rows in tables:
        assert rows[0] == expected
        for column in range(len(expected)):
            assert any(row[column] for row in rows[1:]), f"column {expected[column]} is empty in every row"


def test_every_milestone_has_its_date_and_lead_on_its_own_row(northshire):
    people = register()
    rows = [row for table in action_tables(Document(str(northshire))) for row in table[1:]]
    milestones = 0
    for area in areas():
        for group in area["groups"]:
            for action in group["actions"]:
                for step in action.get("steps", []):
                    milestones += 1
                    matching = [row for row in rows if row[2] == normalise(step["text"])]
                    assert len(matching) == 1, step["text"]
                    row = matching[0]
                    assert row[3] == printed_due(step["due"]), (step["text"], row)
                    leads = step["lead"] if isinstance(step["lead"], list) else [step["lead"]]
                    names = [people[lead]["name"] if lead in people else lead for lead in leads]
                    assert row[4] == " / ".join(names), (step["text"], row)
    assert milestones >= 50


def test_leads_are_printed_by_name_or_role_never_by_register_id(northshire):
    ids = set(register())
    for rows in action_tables(Document(str(northshire))):
        for row in rows[1:]:
            assert not set(row[4].replace(" / ", "\n").splitlines()) & ids, row


def test_area_headings_come_from_the_plans_label_and_printed_number(northshire):
    document = Document(str(northshire))
    headings = [paragraph.text for paragraph in document.paragraphs if paragraph.style.name == "Heading 2"]
    label = load(NORTHSHIRE / "plan.yaml")["labels"]["priority"]
    expected = [f"{label} {area['printed_number']}: {area['title']}" for area in areas()]
    assert headings == expected
    pdf_text = normalise(convert_to_pdf_text(northshire))
    for heading in expected:
        assert normalise(heading) in pdf_text


def test_no_heading_or_section_the_plan_does_not_use(northshire):
    document = Document(str(northshire))
    headings = {paragraph.text for paragraph in document.paragraphs if paragraph.style.name.startswith("Heading")}
    assert {paragraph.text for paragraph in document.paragraphs if paragraph.style.name == "Heading 1"} == \
        {"Introduction", "Our plan", "Governance"}
    third = {paragraph.text for paragraph in document.paragraphs if paragraph.style.name == "Heading 3"}
    assert third == {"Objectives", "Objective", "Outcomes", "Measured by"}
    everything = " ".join(paragraph_text(paragraph) for paragraph in document.element.body.iter(qn("w:p")))
    for absent in ("RAG", "Lead Officers", "Senior Responsible", "Work stream", "What good looks like",
                   "Ofsted recommendations", "Partner involvement", "Issue [Ofsted Ref]"):
        assert absent not in everything, absent
    assert headings


def test_the_overview_table_keeps_only_columns_with_content(northshire):
    document = Document(str(northshire))
    overview = next(table for table in document.tables if table.rows[0].cells[0].text == "Area for improvement")
    assert [cell.text for cell in overview.rows[0].cells] == ["Area for improvement", "Page"]
    assert len(overview.rows) == len(areas()) + 1


def test_sections_follow_the_layouts_order_and_a_one_objective_area_says_objective(northshire):
    document = Document(str(northshire))
    order, current = [], None
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = paragraph_text(element)
            style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            name = style.get(qn("w:val")) if style is not None else ""
            if name in ("Heading2", "Heading 2"):
                current = []
                order.append(current)
            elif name in ("Heading3", "Heading 3") and current is not None:
                current.append(text)
        elif element.tag == qn("w:tbl") and current is not None:
            current.append("table")
    assert order and all(parts in (["Objectives", "Outcomes", "Measured by", "table"],
                                   ["Objective", "Outcomes", "Measured by", "table"]) for parts in order), order
    singular = [area for area in areas() if area.get("labels", {}).get("objectives") == "Objective"]
    assert singular and sum(parts[0] == "Objective" for parts in order) == len(singular)


def test_placeholder_actions_carry_the_plans_marker(northshire):
    marker = load(NORTHSHIRE / "plan.yaml")["layout"]["placeholder"]
    rows = [row for table in action_tables(Document(str(northshire))) for row in table[1:]]
    placeholders = [action for area in areas() for group in area["groups"] for action in group["actions"]
                    if action.get("placeholder")]
    assert placeholders
    for action in placeholders:
        row = next(row for row in rows if row[0] == action["number"])
        assert row[1] == normalise(action["text"] + " " + marker)


def words_of(text: str) -> list[str]:
    return text.split()


def test_croydon_plan_text_matches_the_baseline(tmp_path):
    completed = run_cli("render", "plan", "--plan", REPO / "plan", "--output", tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    today = words_of(convert_to_pdf_text(tmp_path / "improvement-plan.docx"))
    baseline = words_of((BASELINES / "croydon-plan.txt").read_text(encoding="utf-8"))
    allowed = set()
    for line in (BASELINES / "croydon-plan-allowed.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            before, _, after = line.partition("=>")
            allowed.add((" ".join(before.split()), " ".join(after.split())))
    differences = []
    for operation, a1, a2, b1, b2 in difflib.SequenceMatcher(None, baseline, today, autojunk=False).get_opcodes():
        if operation != "equal":
            differences.append((" ".join(baseline[a1:a2]), " ".join(today[b1:b2])))
    unexpected = [difference for difference in differences if difference not in allowed]
    assert not unexpected, unexpected[:10]


def test_a_layout_leaving_out_milestones_and_leads_still_prints_them(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(NORTHSHIRE, plan)
    text = (plan / "plan.yaml").read_text(encoding="utf-8")
    for column in ("    - column: milestones\n      width: 9.0\n", "    - column: lead\n      width: 4.9\n"):
        assert column in text
        text = text.replace(column, "")
    (plan / "plan.yaml").write_text(text, encoding="utf-8")
    completed = run_cli("render", "plan", "--plan", plan, "--output", tmp_path / "out")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    tables = action_tables(Document(str(tmp_path / "out" / "improvement-plan.docx")))
    labels = load(NORTHSHIRE / "plan.yaml")["labels"]
    assert all(rows[0] == ["No.", labels["action"], labels["step"], labels["due"], labels["lead"]] for rows in tables)


def test_the_example_validates_and_is_in_canonical_form():
    completed = run_cli("validate", NORTHSHIRE, "--as-of", "2026-03-15")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "0 errors" in completed.stdout
    for rule in ("tbc-lead", "tbc-date", "placeholder-action"):  # a draft that says what it does not know yet
        assert f"[{rule}]" in completed.stdout
    assert run_cli("fmt", "--check", NORTHSHIRE).returncode == 0
