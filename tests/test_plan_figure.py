"""What the plan's text promises is there: the work streams are colour coded (the colour named in
words too), and "the visual" (the plan on a page) is drawn from the data, with alt text, on one page.

Expected values come from the YAML, read here without plangen; the document is read with python-docx
and, converted by real LibreOffice, with pdftotext."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from ruamel.yaml import YAML

from conftest import REPO, run_cli
from docx_reading import convert_to_pdf_text, normalise, paragraph_text

BUNDLED = REPO / "plan"
HEADING = "Our plan on a page"


def load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def meta():
    return load(BUNDLED / "plan.yaml")


@pytest.fixture(scope="module")
def priorities():
    return [load(path) for path in sorted((BUNDLED / "priorities").glob("*.yaml"))]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    output = tmp_path_factory.mktemp("build")
    completed = run_cli("render", "plan", "--plan", BUNDLED, "--output", output)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return output / "improvement-plan.docx"


def cell_text(cell) -> str:
    return normalise(" ".join(paragraph_text(p) for p in cell.iter(qn("w:p"))))


def cell_fill(cell) -> str | None:
    shading = cell.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    return shading.get(qn("w:fill")).upper() if shading is not None else None


def tables(docx: Path):
    return list(Document(str(docx)).element.body.iter(qn("w:tbl")))


def test_the_our_plan_table_shows_each_work_streams_colour_and_names_it(rendered, meta, priorities):
    streams = {stream["id"]: stream for stream in meta["work_streams"]}
    overview = next(table for table in tables(rendered)
                    if cell_text(table.findall(qn("w:tr"))[0].findall(qn("w:tc"))[-1]) == "Page")
    rows = overview.findall(qn("w:tr"))[1:]
    assert len(rows) == len(priorities)
    seen = set()
    for row, priority in zip(rows, priorities):
        stream = streams[priority["work_stream"]]
        first = row.findall(qn("w:tc"))[0]
        assert cell_fill(first) == stream["colour"].upper(), priority["number"]
        if stream["id"] not in seen:  # the first row of a work stream names it and its colour
            assert cell_text(first) == f"{stream['name']} ({stream['colour_name']})"
            seen.add(stream["id"])
        else:
            assert cell_text(first) == ""
    assert seen == set(streams)


def test_each_priority_banner_names_its_colour(rendered, meta):
    text = normalise(" ".join(paragraph_text(p) for p in Document(str(rendered)).element.body.iter(qn("w:p"))))
    for stream in meta["work_streams"]:
        assert f"{stream['name']} ({stream['colour_name']})" in text


def test_the_plan_on_a_page_is_a_figure_with_alt_text_drawn_from_the_data(rendered, meta, priorities):
    figures = [table for table in tables(rendered)
               if table.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}") is not None
               and table.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}").get(qn("w:val")) == HEADING]
    assert len(figures) == 1
    figure = figures[0]
    description = figure.find(f"{qn('w:tblPr')}/{qn('w:tblDescription')}").get(qn("w:val"))
    vision = meta["plan_on_a_page"]["vision"]
    assert vision in description
    rows = figure.findall(qn("w:tr"))
    assert cell_text(rows[0]) == vision
    headers, columns = rows[1].findall(qn("w:tc")), rows[2].findall(qn("w:tc"))
    assert len(headers) == len(columns) == len(meta["work_streams"])
    for stream, header, column in zip(meta["work_streams"], headers, columns):
        assert cell_fill(header) == stream["colour"].upper()
        assert cell_text(header) == f"{stream['name']} {stream['colour_name']}"
        assert f"{stream['name']} ({stream['colour_name']})" in description
        expected = [f"{priority['number']}. {priority['title']}" for priority in priorities
                    if priority["work_stream"] == stream["id"]]
        assert [normalise(paragraph_text(p)) for p in column.iter(qn("w:p"))] == expected
        for item in expected:
            assert item in description


def test_the_plan_on_a_page_fits_on_one_page(rendered, meta, priorities):
    pages = convert_to_pdf_text(rendered).split("\f")
    on_page = [page for page in pages if any(line.strip() == HEADING for line in page.splitlines())]
    assert len(on_page) == 1
    text = normalise(on_page[0])
    assert meta["plan_on_a_page"]["vision"] in text
    for priority in priorities:
        # the column wraps titles; compare the words in order
        words = normalise(f"{priority['number']}. {priority['title']}").split()
        position = 0
        for word in words:
            position = text.index(word, position) + len(word)
