"""The example later update (examples/improvement-update-2018-03): the narrative dialect, free
appendices, a landscape appendix, charts, its own template and x- values, read back from the .docx
with python-docx and converted with real LibreOffice. Expected values come from its YAML, read with
ruamel's safe loader and regular expressions here, never through plangen."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from ruamel.yaml import YAML

from conftest import REPO, run_cli
from docx_reading import convert_to_pdf_text, document_text, normalise, paragraph_text

EXAMPLE = REPO / "examples" / "improvement-update-2018-03"
REPORT = EXAMPLE / "plan" / "reports" / "2018-03-13-scrutiny-update.yaml"
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"


def load(path: Path):
    return YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def paper(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("example")
    completed = run_cli("render", "report", REPORT, "-o", output)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return output / "reports" / f"{REPORT.stem}.docx"


def all_bodies(report: dict) -> str:
    texts = []

    def walk(sections):
        for section in sections or []:
            texts.append(section.get("body") or "")
            walk(section.get("sections"))

    walk(report["sections"])
    for appendix in report.get("appendices") or []:
        texts.append(appendix.get("body") or "")
        walk(appendix.get("sections"))
    return "\n".join(texts)


def body_paragraphs(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, paragraph_text(p._p)) for p in Document(str(path)).paragraphs]


def test_ordered_lists_keep_their_numbers_and_start_value(paper):
    expected = re.findall(r"^\s*(\d+)\. (.+)$", all_bodies(load(REPORT)), re.M)
    assert len(expected) >= 8
    texts = [normalise(text) for _, text in body_paragraphs(paper)]
    raw = [text for _, text in body_paragraphs(paper)]
    for number, words in expected:
        assert f"{number}.\t{words.strip()}" in raw, (number, words)
    # the list in PEOPLE AND PERFORMANCE starts at 3, as typed
    assert any(text.startswith("3. Agency staff") for text in texts)
    # bullets nested in an ordered item are bullets, indented under it
    document = Document(str(paper))
    nested = [p for p in document.paragraphs if paragraph_text(p._p) == "in assessment teams, because of caseloads"]
    assert nested and nested[0].style.name.startswith("List Bullet")


def test_unnumbered_sub_headings_and_paragraphs(paper):
    paragraphs = body_paragraphs(paper)
    assert ("Heading 2", "What's working well") in paragraphs
    assert ("Heading 2", "What we're worried about") in paragraphs
    unnumbered = [(style, text) for style, text in paragraphs if text == "The rest of this paper takes each work stream in turn."]
    assert unnumbered and unnumbered[0][0] != "Numbered Paragraph"
    # numbered paragraphs carry their numbers, and the marker itself never prints
    assert any(style == "Numbered Paragraph" and text.startswith("1.1\t") for style, text in paragraphs)
    assert "{-}" not in document_text(paper)


def test_figure_from_an_image_file_with_alt_text_and_caption(paper):
    body = all_bodies(load(REPORT))
    alt, source, caption = re.search(r'!\[(.+?)\]\((\S+) "(.+?)"\)', body).groups()
    document = Document(str(paper))
    described = [element.get("descr") for element in document.element.body.iter(WP_DOCPR)]
    assert alt in described
    # the picture is a real image part: the blip's relationship leads to the very bytes of the file
    blips = [blip.get(qn("r:embed")) for blip in document.element.body.iter(A_BLIP)]
    assert blips and all(blips)
    image = (REPORT.parent / source).resolve().read_bytes()
    assert any(document.part.related_parts[rid].blob == image for rid in blips)
    ids = [element.get("id") for element in document.element.body.iter(WP_DOCPR)]
    assert len(ids) == len(set(ids))
    assert caption in [text for _, text in body_paragraphs(paper)]
    assert "graph above shows" in normalise(document_text(paper))


def test_link_is_a_real_hyperlink(paper):
    words, target = re.search(r"\[([^\]]+)\]\((https?://[^)]+)\)", all_bodies(load(REPORT))).groups()
    document = Document(str(paper))
    links = list(document.element.body.iter(qn("w:hyperlink")))
    found = {normalise(paragraph_text(link)): document.part.rels[link.get(qn("r:id"))] for link in links}
    assert words in found
    assert found[words].target_ref == target and found[words].is_external


def test_hard_line_break_is_a_break(paper):
    document = Document(str(paper))
    paragraph = next(p for p in document.paragraphs if "graph above shows" in paragraph_text(p._p))
    assert "\n" in paragraph_text(paragraph._p)


def appendix_tables(paper) -> list[Table]:
    return [table for table in Document(str(paper)).tables
            if normalise(paragraph_text(table.rows[0].cells[0]._tc)) == "Work stream"]


def test_appendix_of_four_separate_tables_with_bulleted_cells(paper):
    report = load(REPORT)
    appendix = report["appendices"][0]
    assert ("Heading 1", f"Appendix 1: {appendix['title']}") in body_paragraphs(paper)
    expected_rows = re.findall(r"^\| \*\*(.+?)\*\* \|", appendix["body"], re.M)
    tables = appendix_tables(paper)
    assert len(tables) == len(expected_rows) == 4
    assert [normalise(paragraph_text(table.rows[1].cells[0]._tc)) for table in tables] == expected_rows
    # separate tables: something other than a table stands between each two, and each has its own header
    content = list(Document(str(paper)).iter_inner_content())
    positions = [index for index, item in enumerate(content) if isinstance(item, Table)
                 and normalise(paragraph_text(item.rows[0].cells[0]._tc)) == "Work stream"]
    assert all(later - earlier > 1 for earlier, later in zip(positions, positions[1:]))
    assert all(not isinstance(content[index + 1], Table) for index in positions[:-1])
    for table in tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # bullets inside cells, in the table bullet style; bold survives in the first column
    bullets = re.findall(r"- ([^<|]+?)\s*(?:<br>|\|)", appendix["body"])
    cell_bullets = [paragraph_text(p._p).strip() for table in tables for row in table.rows for cell in row.cells
                    for p in cell.paragraphs if p.style.name == "Table Bullet"]
    assert bullets and set(bullets) == set(cell_bullets)
    first = tables[0].rows[1].cells[0].paragraphs[0]
    assert any(run.bold for run in first.runs)
    # a <br> without a bullet is a line of its own
    steps = tables[1].rows[1].cells[3]
    assert [paragraph_text(p._p) for p in steps.paragraphs] == ["Workforce strategy", "Pulse survey"]


def test_landscape_appendix_is_on_landscape_pages(paper):
    document = Document(str(paper))
    orientations = [section.page_width > section.page_height for section in document.sections]
    assert True in orientations and orientations[-1] is False and orientations[0] is False
    landscape = next(section for section in document.sections if section.page_width > section.page_height)
    assert landscape.footer.paragraphs and "page" in " ".join(p.text for p in landscape.footer.paragraphs)


def test_own_template_x_values_header_rows_and_date_style(paper):
    report = load(REPORT)
    text = normalise(document_text(paper))
    assert report["x-classification"] in text
    document = Document(str(paper))
    footer = " ".join(p.text for p in document.sections[0].footer.paragraphs)
    assert report["x-prepared_by"] in footer
    header = [[normalise(paragraph_text(cell._tc)) for cell in row.cells] for row in document.tables[0].rows]
    assert [row[0] for row in header] == [row["label"] for row in report["header_rows"]]
    assert header[0][1].endswith("13th March 2018")
    purpose = next(row for row in report["header_rows"] if "text" in row)
    assert [purpose["label"], normalise(purpose["text"])] in header
    # the heading colour is the example template's own, not the shipped one
    styles = document.styles["Heading 1"]
    assert str(styles.font.color.rgb) == "006D77"


def indicator_expectations():
    data = load(EXAMPLE / "plan" / "indicators.yaml")
    months = [str(month) for month in data["months"]]
    for group in data["groups"]:
        for indicator in group["indicators"]:
            values = {str(key): value for key, value in (indicator.get("values") or {}).items()}
            numeric = [(month, values[month]) for month in months
                       if isinstance(values.get(month), (int, float)) and not isinstance(values.get(month), bool)]
            if len(numeric) >= 2:
                yield indicator, months, values, numeric[-1][1]


def shown(value, indicator) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}%" if indicator.get("unit") == "percent" else f"{value:g}"
    return str(value)


def test_a_chart_for_every_indicator_with_two_values_with_alt_text_and_data_table(paper):
    document = Document(str(paper))
    content = list(document.iter_inner_content())
    figures = {}
    for index, item in enumerate(content):
        if isinstance(item, Paragraph):
            for element in item._p.iter(WP_DOCPR):
                figures[element.get("descr")] = index
    expected = list(indicator_expectations())
    assert len(expected) > 20
    for indicator, months, values, latest in expected:
        name = f"{indicator['code']} {indicator['title']}"
        matches = [(alt, index) for alt, index in figures.items() if alt.startswith(f"Line chart of {name},")]
        assert len(matches) == 1, name
        alt, index = matches[0]
        assert f"latest value {shown(latest, indicator)}" in alt
        target = indicator.get("target")
        assert f"target {shown(target, indicator) if target is not None else 'not set'}" in alt
        # the data table after the chart (past its caption) holds the same values
        table = next(item for item in content[index + 1:index + 4] if isinstance(item, Table))
        row = [normalise(paragraph_text(cell._tc)) for cell in table.rows[1].cells]
        assert row[0] == "Value"
        assert row[1:-1] == [shown(values[month], indicator) if month in values else "–" for month in months]
        assert row[-1] == (shown(target, indicator) if target is not None else "")


def test_status_chart_has_alt_text_and_its_counts_table(paper):
    document = Document(str(paper))
    described = [element.get("descr") for element in document.element.body.iter(WP_DOCPR)]
    status = [alt for alt in described if alt.startswith("Bar chart of the plan's actions by status")]
    assert len(status) == 1
    total = sum(len(group["actions"]) for path in (EXAMPLE / "plan" / "priorities").glob("*.yaml")
                for group in load(path)["groups"])
    assert f"{total} actions in all" in status[0]


def test_example_converts_with_libreoffice(paper):
    text = normalise(convert_to_pdf_text(paper))
    assert "Appendix 1: Work stream progress" in text
    assert "Ofsted's website" in text
    assert "Practice standards agreed" in text


def test_validate_refuses_a_figure_without_alt_text_or_file_at_its_line(tmp_path):
    copy = tmp_path / "example"
    shutil.copytree(EXAMPLE, copy)
    report = copy / "plan" / "reports" / REPORT.name
    text = report.read_text(encoding="utf-8")
    text = re.sub(r"!\[[^\]]+\]\(", "![](", text, count=1)
    text = text.replace("Three things stand out:", "Three things stand out:\n\n      ![A chart](../figures/missing.png)")
    report.write_text(text, encoding="utf-8")
    completed = run_cli("validate", copy / "plan")
    assert completed.returncode == 1
    lines = text.splitlines()
    no_alt = next(number for number, line in enumerate(lines, 1) if "![](" in line)
    missing = next(number for number, line in enumerate(lines, 1) if "missing.png" in line)
    assert re.search(rf"{re.escape(REPORT.name)}:{no_alt}:\d+: error: .*no alt text", completed.stdout), completed.stdout
    assert re.search(rf"{re.escape(REPORT.name)}:{missing}:\d+: error: .*does not exist", completed.stdout), completed.stdout


def test_validate_imports_no_charting_library():
    code = ("import sys\nfrom plangen.cli import main\nsys.argv = ['plangen', 'validate', sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('LOADED' if any(name.split('.')[0] in ('matplotlib', 'plangen.charts') or name == 'plangen.charts'"
            " for name in sys.modules) else 'CLEAN')")
    completed = subprocess.run([sys.executable, "-c", code, str(EXAMPLE / "plan")], capture_output=True, text=True)
    assert completed.stdout.strip().endswith("CLEAN"), completed.stdout + completed.stderr


def test_context_shows_links_and_formatting_as_typed():
    completed = run_cli("context", "report", REPORT, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    context = json.loads(completed.stdout)
    texts = json.dumps(context, ensure_ascii=False)
    assert "[Ofsted's website](https://reports.ofsted.gov.uk/)" in texts
    assert "*what is working well*" in texts
    assert context["extra"]["classification"] == load(REPORT)["x-classification"]
