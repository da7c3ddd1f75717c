"""The improvement plan as a Word document: content, structure, accessibility, real LibreOffice."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from ruamel.yaml import YAML

from conftest import REPO, run_cli
from docx_reading import convert_to_pdf_text, document_text, normalise, paragraph_text, short_month

BUNDLED = REPO / "plan"
AREAS = Path(__file__).parent / "fixtures" / "areas-plan"


def plan_under_test() -> Path:
    return BUNDLED if any((BUNDLED / "priorities").glob("*.yaml")) else Path(str(REPO / "src/plangen/scaffold/plan"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    output = tmp_path_factory.mktemp("build")
    completed = run_cli("render", "plan", "--plan", plan_under_test(), "--output", output)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return output / "improvement-plan.docx"


def yaml_actions(plan_dir: Path):
    """Actions straight from the YAML files (not through plangen's model)."""
    yaml = YAML(typ="safe")
    for path in sorted((plan_dir / "priorities").glob("*.yaml")):
        priority = yaml.load(path.read_text())
        for group in priority["groups"]:
            for action in group["actions"]:
                yield priority, action


def words(markdown: str) -> str:
    """Markdown text as the words a reader sees: no bullet markers, emphasis or reference brackets."""
    text = re.sub(r"^\s*[-*]\s+", "", markdown or "", flags=re.M)
    text = text.replace("**", "").replace("&amp;", "&")
    return normalise(text)


def dates_of(due) -> list[str]:
    """Every month a due value names, in the council's short style."""
    if due is None:
        return []
    if isinstance(due, dict):
        return [short_month(str(value)) for key, value in due.items() if key in ("date", "from", "end", "review")]
    text = str(due)
    return [short_month(text)] if re.match(r"\d{4}-\d{2}", text) else [text.capitalize() if text == "ongoing" else text]


def action_rows(document):
    """{action number: row text} from every table row whose first cell is an action number."""
    rows = {}
    for table in document.element.body.iter(qn("w:tbl")):
        for row in table.iter(qn("w:tr")):
            cells = row.findall(qn("w:tc"))
            if len(cells) >= 6:
                number = normalise(" ".join(paragraph_text(p) for p in cells[0].iter(qn("w:p"))))
                rows[number] = normalise(" ".join(paragraph_text(p) for p in row.iter(qn("w:p"))))
    return rows


def test_every_action_number_text_lead_and_date_is_in_the_document(rendered):
    document = Document(str(rendered))
    rows = action_rows(document)
    count = 0
    for priority, action in yaml_actions(plan_under_test()):
        count += 1
        row = rows.get(action["number"])
        assert row is not None, f"action {action['number']} has no row"
        assert words(action["text"]).replace("[action ", "[see action ") in row.replace("[see see", "[see") or \
            words(action["text"]) in row, action["number"]
        for step in action.get("steps", []):
            assert words(step["text"]) in row, (action["number"], step["text"])
            for date in dates_of(step.get("due")):
                assert date in row, (action["number"], date)
            leads = step.get("lead") or []
            for lead in [leads] if isinstance(leads, str) else leads:
                assert lead in row
        leads = action.get("lead") or []
        for lead in [leads] if isinstance(leads, str) else leads:
            assert lead in row, (action["number"], lead)
        for date in dates_of(action.get("due")):
            assert date in row, (action["number"], date)
        for partner in action.get("partners") or []:
            assert partner in row
    assert count > 0


def test_headings_use_heading_styles(rendered):
    document = Document(str(rendered))
    styles = {paragraph.style.name for paragraph in document.paragraphs if paragraph.text.strip()}
    assert {"Title", "Heading 1", "Heading 2", "Heading 3"} <= styles
    yaml = YAML(typ="safe")
    headings = [paragraph.text for paragraph in document.paragraphs if paragraph.style.name == "Heading 2"]
    for path in sorted((plan_under_test() / "priorities").glob("*.yaml")):
        priority = yaml.load(path.read_text())
        assert f"{priority['number']}. {priority['title']}" in headings


def test_action_tables_repeat_their_header_row(rendered):
    document = Document(str(rendered))
    action_tables = [table for table in document.tables if len(table.columns) >= 6]
    assert action_tables
    for table in document.tables:
        first_row = table.rows[0]._tr
        if len(table.columns) > 1:
            header = first_row.trPr.find(qn("w:tblHeader")) if first_row.trPr is not None else None
            assert header is not None and header.get(qn("w:val")) in ("true", "1", None), table.rows[0].cells[0].text


def test_core_properties_and_language(rendered):
    document = Document(str(rendered))
    properties = document.core_properties
    meta = YAML(typ="safe").load((plan_under_test() / "plan.yaml").read_text())
    assert properties.title == meta["title"]
    assert properties.author == meta.get("author", meta["council"])
    assert properties.language == "en-GB"
    language = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert language.get(qn("w:val")) == "en-GB"
    # LibreOffice laid the paper out and its page numbers are written: Word must not ask to update fields
    assert document.settings.element.find(qn("w:updateFields")) is None


def test_status_shown_in_words_and_colour(rendered):
    document = Document(str(rendered))
    meta = YAML(typ="safe").load((plan_under_test() / "plan.yaml").read_text())
    text = document_text(rendered)
    for status in meta["status_scale"]["statuses"]:
        assert status["label"] in text and status["meaning"] in text
    fills = {element.get(qn("w:fill")) for element in document.element.body.iter(qn("w:shd"))}
    for status in meta["status_scale"]["statuses"]:
        assert status["colour"] in fills


def test_page_numbers_are_filled_in_by_libreoffice(rendered):
    document = Document(str(rendered))
    overview = next(table for table in document.tables if table.rows[0].cells[-1].text == "Page")
    pages = [row.cells[-1].text for row in overview.rows[1:]]
    assert pages and all(page.isdigit() and int(page) > 1 for page in pages), pages
    assert pages == sorted(pages, key=int)
    toc_styles = [paragraph for paragraph in document.paragraphs if paragraph.style.name.upper().startswith("TOC")]
    assert len(toc_styles) >= len(pages)


def test_converts_with_libreoffice_and_shows_every_priority_title(rendered):
    text = normalise(convert_to_pdf_text(rendered))
    yaml = YAML(typ="safe")
    for path in sorted((plan_under_test() / "priorities").glob("*.yaml")):
        priority = yaml.load(path.read_text())
        assert normalise(f"{priority['number']}. {priority['title']}") in text


def test_no_empty_paragraphs_used_as_spacing(rendered):
    document = Document(str(rendered))
    body_paragraphs = [child for child in document.element.body if child.tag == qn("w:p")]
    empty = [paragraph for paragraph in body_paragraphs
             if not paragraph_text(paragraph).strip() and paragraph.find(f".//{qn('w:fldChar')}") is None
             and paragraph.find(f".//{qn('w:bookmarkStart')}") is None and paragraph.find(f".//{qn('w:sectPr')}") is None]
    assert empty == []


def test_other_council_shape_uses_its_labels_and_keeps_its_content(tmp_path):
    """A plan that sets no layout: its labels, milestones one per row with their own date and lead,
    leads by name, month-and-year dates, no status column, headings built from its label."""
    completed = run_cli("render", "plan", "--plan", AREAS, "--output", tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    path = tmp_path / "improvement-plan.docx"
    text = normalise(document_text(path))
    for label in ("Delivery lead", "Target date", "Action and milestones", "Milestone", "Objectives", "Outcomes",
                  "Measured by"):
        assert label in text
    for content in ("Every contact gets a decision within one working day", "Fewer re-referrals within twelve months",
                    "Re-referral rate", "Other actions to be considered", "(placeholder)", "DRAFT"):
        assert content in text, content
    document = Document(str(path))
    rows = [[normalise(cell.text) for cell in row.cells] for table in document.tables for row in table.rows]
    for milestone, due, lead in (
            ("Draft agreed by the partnership executive", "May 2026", "Northshire Safeguarding Children Partnership"),
            ("Launch briefings for schools and GPs", "Jun–Sep 2026", "Assistant Director, Social Care / Rana Khalil"),
            ("Test impact through a multi-agency audit", "TBC", "TBC")):
        assert any(milestone in row and due in row and lead in row for row in rows), (milestone, due, lead)
    assert all("Progress RAG" not in cell for row in rows for cell in row)
    assert "Progress RAG ratings" not in text and "Lead Officers" not in text
    pdf_text = normalise(convert_to_pdf_text(path))
    assert "Area for improvement I: Decisions at the front door are timely and proportionate" in pdf_text


def test_template_naming_an_unknown_variable_fails_clearly(tmp_path):
    from docx import Document as NewDocument

    repository = tmp_path / "repo"
    shutil.copytree(AREAS, repository / "plan")
    (repository / "templates").mkdir()
    template = NewDocument()
    template.add_paragraph("{{ no_such_variable }}")
    template.save(str(repository / "templates" / "plan.docx"))
    previous = tmp_path / "out" / "improvement-plan.docx"
    previous.parent.mkdir()
    previous.write_bytes(b"previous build")
    completed = run_cli("render", "plan", "--plan", repository / "plan", "--output", tmp_path / "out")
    assert completed.returncode == 4
    assert "templates/plan.docx: 'no_such_variable' is undefined" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert previous.read_bytes() == b"previous build"
