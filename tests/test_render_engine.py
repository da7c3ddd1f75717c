"""plangen's docxtpl template class: one parse of the rendered document into python-docx's classes,
and docxtpl's listing resolution (tabs, newlines, \\a, \\f typed in text) applied only to the
paragraphs that hold one, held to docxtpl's own implementation."""

from __future__ import annotations

import io
import zipfile

import pytest
from docxtpl import DocxTemplate

from plangen import render, worker

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

PARAGRAPHS = [
    '<w:p><w:r><w:t>plain</w:t></w:r></w:p>',
    '<w:p w:rsidR="1"><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>one\ttab</w:t></w:r></w:p>',
    '<w:p><w:r><w:t xml:space="preserve">two\nlines</w:t></w:r><w:r><w:t>and\fpage</w:t></w:r></w:p>',
    '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>para\agraph</w:t></w:r></w:p>',
    '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell\twith tab</w:t></w:r></w:p></w:tc></w:tr></w:tbl>',
    '<w:p><w:r><w:t>no listing here</w:t></w:r></w:p>',
]


@pytest.mark.parametrize("chosen", [[0], [0, 5], [1], [2, 3], list(range(6)), [4, 0, 2], [3, 1]])
def test_listing_resolution_matches_docxtpl_on_every_paragraph(chosen):
    xml = f"<w:body {W}>" + "".join(PARAGRAPHS[index] for index in chosen) + "</w:body>"
    template_class = render.template_class()
    ours = object.__new__(template_class).resolve_listing(xml)  # resolve_listing reads no attribute
    assert ours == object.__new__(DocxTemplate).resolve_listing(xml)


def test_text_with_tabs_and_newlines_renders_as_word_breaks_in_a_real_document(tmp_path):
    from docx import Document

    template = tmp_path / "t.docx"
    document = Document()
    document.add_paragraph("{{ first }}")
    document.add_paragraph("between")
    document.add_paragraph("{{ second }}")
    document.save(str(template))
    data = render.produce(template, {"first": "a\tb", "second": "c\nd"})
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "<w:tab/>" in body and "<w:br/>" in body
    paragraphs = [paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs]
    assert paragraphs == ["a\tb", "between", "c\nd"]


def test_the_rendered_document_is_python_docx_s_own_tree_parsed_once(tmp_path):
    """The document's element is the tree docxtpl parsed (python-docx's classes, so its API works on
    it) and the headers keep their relationships."""
    from docx import Document
    from docx.oxml.document import CT_Document

    template = tmp_path / "t.docx"
    document = Document()
    document.add_heading("{{ title }}", level=1)
    document.sections[0].header.paragraphs[0].text = "{{ title }} header"
    document.save(str(template))
    filled = worker.run(_filled_kinds, (template,), what="test")
    assert filled == (CT_Document.__name__, "CT_Body", "Heading 1", "Plan & review")
    rendered = Document(io.BytesIO(render.produce(template, {"title": "Plan & review"})))
    assert rendered.paragraphs[0].text == "Plan & review"
    assert rendered.sections[0].header.paragraphs[0].text == "Plan & review header"


def _filled_kinds(template):
    from plangen import sandbox

    document = render.fill(template, sandbox.template_values({"title": "Plan & review"}))
    paragraph = document.docx.paragraphs[0]
    return (type(document.docx.element).__name__, type(document.docx.element.body).__name__,
            paragraph.style.name, paragraph.text)


@pytest.mark.parametrize("columns", [["a", "b", "c", "d", "e"], ["a"]])
def test_a_column_loop_still_gets_a_grid_as_wide_as_its_rows(tmp_path, columns):
    """docxtpl's table fixing, which plangen skips for templates without column loops, still runs
    for one with a {%tc %} loop: the grid has as many columns as the widest row."""
    from docx import Document
    from docx.oxml.ns import qn

    template = tmp_path / "t.docx"
    document = Document()
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ["{%tc for c in columns %}", "{{ c }}", "{%tc endfor %}"]):
        cell.text = text
    document.save(str(template))
    rendered = Document(io.BytesIO(render.produce(template, {"columns": columns})))
    table = rendered.tables[0]._tbl
    assert [cell.text for cell in rendered.tables[0].rows[0].cells] == columns
    assert len(table.tblGrid.findall(qn("w:gridCol"))) == len(columns)


# ECMA-376 Part 1, 17.4.70 (CT_TcPr): the order a cell's properties must come in
SCHEMA_CELL_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
                     "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel",
                     "cellMerge", "tcPrChange"]


def out_of_order_cells(data: bytes) -> list[list[str]]:
    from lxml import etree

    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    bad = []
    for properties in body.iter(namespace + "tcPr"):
        names = [child.tag.replace(namespace, "") for child in properties]
        if names != sorted(names, key=SCHEMA_CELL_ORDER.index):
            bad.append(names)
    return bad


def test_a_cell_coloured_by_cellbg_keeps_its_properties_in_the_schema_s_order(tmp_path):
    from docx import Document
    from docx.shared import Cm

    template = tmp_path / "t.docx"
    document = Document()
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].width = Cm(3)
    table.rows[0].cells[0].text = '{% cellbg colour %}{{ text }}'
    document.save(str(template))
    data = render.produce(template, {"colour": "0070C0", "text": "Complete"})
    assert "0070C0" in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert out_of_order_cells(data) == []


def test_every_cell_of_the_bundled_papers_has_its_properties_in_order(tmp_path):
    from conftest import REPO, run_cli

    completed = run_cli("build", REPO / "plan", "-o", tmp_path / "build")
    assert completed.returncode == 0, completed.stderr
    papers = sorted((tmp_path / "build").resolve().rglob("*.docx"))
    assert len(papers) == 4
    for paper in papers:
        assert out_of_order_cells(paper.read_bytes()) == [], paper.name


# ECMA-376 Part 1, 17.3.2.28 (CT_RPr, EG_RPrBase): the order a run's properties must come in
SCHEMA_RUN_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
                    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
                    "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
                    "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath", "rPrChange"]


def test_every_run_of_the_papers_and_the_example_has_its_properties_in_order(tmp_path):
    """Runs plangen builds itself (narrative, links, tables) and the templates' own, in every bundled
    paper and the example update (which has hyperlinks): Word may refuse a part out of order."""
    from lxml import etree

    from conftest import REPO, run_cli

    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    example = REPO / "examples" / "improvement-update-2018-03" / "plan"
    for plan, output in ((REPO / "plan", tmp_path / "bundled"), (example, tmp_path / "example")):
        completed = run_cli("build", plan, "-o", output)
        assert completed.returncode == 0, completed.stderr
    papers = sorted(tmp_path.glob("*/**/*.docx"))
    assert len(papers) >= 6
    links = 0
    for paper in papers:
        body = etree.fromstring(zipfile.ZipFile(paper).read("word/document.xml"))
        links += sum(1 for _ in body.iter(namespace + "hyperlink"))
        for properties in body.iter(namespace + "rPr"):
            if properties.getparent().tag != namespace + "r":
                continue  # a paragraph mark's properties
            names = [child.tag.replace(namespace, "") for child in properties if isinstance(child.tag, str)]
            known = [name for name in names if name in SCHEMA_RUN_ORDER]
            assert known == sorted(known, key=SCHEMA_RUN_ORDER.index), (paper.name, names)
    assert links > 0


@pytest.mark.parametrize("options", [dict(link=True, size=9), dict(bold=True, italic=True, link=True, size=11.5),
                                     dict(size=10), dict(link=True)])
def test_a_narrative_run_has_its_properties_in_order(options):
    from lxml import etree

    from plangen import markdown_word

    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = markdown_word.run("a link", **options)
    runs = etree.fromstring(f'<w:p xmlns:w="{namespace}">{xml}</w:p>').findall(f"{{{namespace}}}r")
    names = [child.tag.split("}")[1] for child in runs[0].find(f"{{{namespace}}}rPr")]
    assert names == sorted(names, key=SCHEMA_RUN_ORDER.index)
    assert ("u" in names) == bool(options.get("link")) and ("sz" in names) == bool(options.get("size"))


def test_the_paragraph_before_each_paragraph_is_the_one_before_it_in_document_order():
    """page_references finds where a section ends without listing every paragraph; held here to the
    plain definition (the previous item of body.iter(w:p)) on a body with nested tables, a text box
    inside a paragraph, empty cells and elements that hold no paragraph."""
    from lxml import etree

    from plangen.page_references import _last_paragraph, _paragraph_before

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = etree.fromstring(
        f'<w:body xmlns:w="{w}"><w:p/><w:bookmarkEnd w:id="1"/>'
        "<w:tbl><w:tr><w:tc><w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:tc><w:tc/></w:tr>"
        "<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/><w:p/></w:tc></w:tr></w:tbl>"
        "<!-- a comment --><w:p><w:r><w:pict><w:txbxContent><w:p/><w:p/></w:txbxContent></w:pict></w:r></w:p>"
        "<w:p/><w:sectPr/></w:body>")
    paragraphs = list(body.iter(f"{{{w}}}p"))
    assert len(paragraphs) == 10
    for index, paragraph in enumerate(paragraphs):
        expected = paragraphs[index - 1] if index else None
        assert _paragraph_before(paragraph, body) is expected, index
    assert _last_paragraph(body) is paragraphs[-1]


def test_milestone_rows_merge_coloured_status_cells_with_properties_in_order(tmp_path):
    """A plan laid out with milestones as rows and a status column: an action's rating cell (coloured
    by {% cellbg %}) is merged down over its milestone rows; the merge goes before the shading, as
    ECMA-376 orders a cell's properties (it used to be appended after it)."""
    import shutil

    from conftest import REPO, edit

    from plangen import api

    plan_dir = tmp_path / "plan"
    shutil.copytree(REPO / "plan", plan_dir)
    edit(plan_dir / "plan.yaml", "steps: lettered", "steps: rows")
    plan = api.load(plan_dir)
    written = api.render(plan, "plan", tmp_path / "out", refresh=False)
    data = next(path for path in written if path.suffix == ".docx").read_bytes()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert xml.count('<w:vMerge w:val="continue"/>') > 100
    merged_and_coloured = [cell for cell in xml.split("<w:tcPr>")[1:] if "vMerge" in cell.split("</w:tcPr>")[0]
                           and "<w:shd " in cell.split("</w:tcPr>")[0]]
    assert merged_and_coloured
    assert out_of_order_cells(data) == []


def _document_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def _whole_document_kind(kind):
    """The kind, finishing its tables from the whole document at the end (a kind with a document-wide
    postprocess keeps every row in the tree): the path without rows set aside."""
    from types import SimpleNamespace

    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def postprocess(document, plan):
        for table in document.element.body.findall(namespace + "tbl"):
            kind.postprocess_table(table, plan)

    return SimpleNamespace(NAME=kind.NAME, TEMPLATE=kind.TEMPLATE, DESCRIPTION=kind.DESCRIPTION, OUTPUT=kind.OUTPUT,
                           build_context=kind.build_context, title=kind.title, prepare=kind.prepare,
                           postprocess=postprocess)


@pytest.mark.parametrize("steps", ["lettered", "rows"])
def test_rows_set_aside_while_finishing_come_back_in_place(tmp_path, steps):
    """A large table's plain rows are set aside as XML while the document is finished (so a big plan
    is never all parsed at once) and written back in place: the document is byte for byte the one
    made with every row kept, section bookmarks in each table's last row included."""
    import shutil

    from conftest import REPO, edit

    from plangen import api
    from plangen.documents import plan as plan_kind

    plan_dir = tmp_path / "plan"
    shutil.copytree(REPO / "plan", plan_dir)
    edit(plan_dir / "plan.yaml", "steps: lettered", f"steps: {steps}")
    plan = api.load(plan_dir)
    set_aside = _document_xml(api.document(plan, plan_kind))
    kept = _document_xml(api.document(plan, _whole_document_kind(plan_kind)))
    assert set_aside == kept
    assert b"plangen-rows" not in set_aside and set_aside.count(b"<w:tr") > 150
    assert set_aside.count(b"_end") > 20  # section ends, several in a table's last row


def test_the_rows_set_aside_are_most_of_a_plan_s_rows_and_none_the_finishing_needs():
    from conftest import REPO

    from plangen import api, sandbox
    from plangen.documents import plan as plan_kind

    plan = api.load(REPO / "plan")
    values = sandbox.template_values(plan_kind.build_context(plan))
    template = api.template_for(plan, plan_kind)
    document = render.fill(template, values, lambda template_document: plan_kind.prepare(template_document, plan),
                           lambda table: plan_kind.postprocess_table(table, plan))
    rows_in_tree = len(document.docx.element.body.xpath(".//w:tr"))
    set_aside = b"".join(document.rows_set_aside)
    assert set_aside.count(b"<w:tr") > rows_in_tree  # most rows wait outside the tree
    for kept_only in (b"<w:fldChar", b"<w:bookmarkStart", b"<w:drawing", b"<w:sectPr"):
        assert kept_only not in set_aside
    assert b"xmlns:" not in set_aside  # the rows take the document's namespace declarations


def test_rows_set_aside_keep_their_order_around_a_bookmark_between_rows(tmp_path):
    """Rows are set aside in runs of neighbours only: a bookmark a template keeps between two rows
    comes back between them, and so does every row around it."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    template = tmp_path / "t.docx"
    document = Document()
    table = document.add_table(rows=8, cols=2)
    for index, row in enumerate(table.rows):
        row.cells[0].text = f"row {index}"
        row.cells[1].text = "{{ value }}"
    mark = OxmlElement("w:bookmarkStart")
    mark.set(qn("w:id"), "7")
    mark.set(qn("w:name"), "between")
    table.rows[4]._tr.addprevious(mark)
    document.save(str(template))
    set_aside = _document_xml(render.produce(template, {"value": "v"}))
    kept = _document_xml(render.produce(template, {"value": "v"}, set_aside=False))
    assert set_aside == kept
    text = set_aside.decode()
    assert text.index("row 3") < text.index('w:name="between"') < text.index("row 4") < text.index("row 7")


@pytest.mark.parametrize("column_loop", [False, True])
def test_rendering_in_process_leaves_lxml_s_own_element_classes_to_everyone_else(tmp_path, column_loop):
    """The rendered document gets python-docx's element classes from its own parser: a render run
    in the caller's process (no fork) must not change what every other lxml parse there returns
    (python-docx's classes read a tracked insertion's words twice)."""
    from docx import Document
    from lxml import etree

    template = tmp_path / "t.docx"
    document = Document()
    if column_loop:
        cells = document.add_table(rows=1, cols=3).rows[0].cells
        for cell, text in zip(cells, ["{%tc for x in items %}", "{{ x }}", "{%tc endfor %}"]):
            cell.text = text
    else:
        document.add_table(rows=1, cols=1).rows[0].cells[0].text = "{{ items }}"
    document.save(str(template))
    filled = render.fill(template, {"items": ["a", "b"]})
    assert type(filled.docx.element.body).__name__ == "CT_Body"  # python-docx's, for the finishing steps
    assert len(filled.docx.tables[0].rows[0].cells) == (2 if column_loop else 1)
    inserted = etree.fromstring(f'<w:ins {W}><w:r><w:t>publish</w:t></w:r></w:ins>')
    assert type(inserted) is etree._Element and "".join(inserted.itertext()) == "publish"


def test_merges_the_template_places_are_the_merges_made_after_rendering(tmp_path, monkeypatch):
    """The plan's template gets `{{ row.merge }}` in its action-level cells (place_merges); the
    document is byte for byte the one whose cells are merged after rendering instead, for a plan
    whose actions have milestone rows."""
    import shutil

    from conftest import REPO, edit

    from plangen import api
    from plangen.documents import plan as plan_kind

    plan_dir = tmp_path / "plan"
    shutil.copytree(REPO / "plan", plan_dir)
    edit(plan_dir / "plan.yaml", "steps: lettered", "steps: rows")
    plan = api.load(plan_dir)
    placed = _document_xml(api.document(plan, plan_kind))
    monkeypatch.setattr(plan_kind, "place_merges", lambda table, spanning: None)
    merged_after = _document_xml(api.document(api.load(plan_dir), plan_kind))
    assert placed == merged_after
    assert placed.count(b'<w:vMerge w:val="restart"/>') > 20 and b"row.merge" not in placed


@pytest.mark.parametrize("attribute", [False, True])
def test_cellbg_shadings_in_rows_set_aside_are_in_the_schema_s_order(tmp_path, attribute):
    """{% cellbg %} puts the shading first; it is moved to its place in the template, or (a cell
    whose properties carry an attribute, which the move does not read) put in order per table."""
    from docx import Document
    from docx.shared import Cm

    template = tmp_path / "t.docx"
    document = Document()
    table = document.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = "Status"
    table.rows[1].cells[0].text = "{%tr for item in items %}"
    table.rows[2].cells[0].width = Cm(3)
    table.rows[2].cells[0].text = "{% cellbg item.colour %}{{ item.label }}"
    table.rows[2].cells[1].text = "{{ item.label }}"
    end = document.add_table(rows=1, cols=2)
    end.rows[0].cells[0].text = "{%tr endfor %}"
    table._tbl.append(end.rows[0]._tr)
    end._tbl.getparent().remove(end._tbl)
    if attribute:
        table.rows[2].cells[0]._tc.tcPr.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}id", "1")
    document.save(str(template))
    items = [{"colour": "0070C0", "label": f"row {index}"} for index in range(12)]
    data = render.produce(template, {"items": items})
    assert _document_xml(data).count(b'w:fill="0070C0"') == 12
    assert out_of_order_cells(data) == []


def test_runs_coloured_in_the_template_are_the_runs_legible_cells_colours(tmp_path, monkeypatch):
    """The runs of a {% cellbg %} cell get the text colour for the fill in the template (a filter on
    the fill's expression); the plan document is byte for byte the one whose runs are coloured after
    rendering, and a clerk's bold run gets its colour where the schema puts it."""
    from docx import Document

    from conftest import REPO

    from plangen import api
    from plangen.documents import plan as plan_kind

    plan = api.load(REPO / "plan")
    in_template = _document_xml(api.document(plan, plan_kind))
    template = tmp_path / "t.docx"
    document = Document()
    cells = document.add_table(rows=1, cols=2).rows[0].cells
    cells[0].text = "{% cellbg fill %}"
    cells[0].paragraphs[0].add_run("{{ label }}").bold = True
    cells[1].text = "{% cellbg other %}{{ label }}"
    document.save(str(template))
    clerk = render.produce(template, {"fill": "0070C0", "other": "FFC000", "label": "Complete"})
    monkeypatch.setattr(render, "_coloured_for_fills", lambda xml: xml)
    assert _document_xml(api.document(api.load(REPO / "plan"), plan_kind)) == in_template
    after = render.produce(template, {"fill": "0070C0", "other": "FFC000", "label": "Complete"})
    assert _document_xml(clerk) == _document_xml(after)
    xml = _document_xml(clerk).decode()
    assert '<w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>' in xml and '<w:color w:val="000000"/>' in xml


def test_the_legible_on_filter_gives_black_or_white_and_auto_for_what_is_not_a_colour():
    from plangen.sandbox import _legible_on

    assert (_legible_on("0070C0"), _legible_on("ffc000"), _legible_on("DCE6F1")) == ("FFFFFF", "000000", "000000")
    assert _legible_on("") == _legible_on(None) == _legible_on("blue") == "auto"


def test_the_template_class_renders_in_the_sandbox_even_when_given_no_environment(tmp_path):
    """render.fill always passes the sandbox; a caller of the template class that passes none gets it too."""
    from docx import Document
    from jinja2.exceptions import SecurityError, UndefinedError

    template = tmp_path / "t.docx"
    document = Document()
    document.add_paragraph("{{ ''.__class__.__mro__ }}")
    document.save(str(template))
    with pytest.raises((SecurityError, UndefinedError)):
        render.template_class()(str(template)).render({})


def test_rich_text_tags_leave_no_empty_runs_and_every_word_stays(tmp_path):
    """docxtpl splits the run around a {{r }} tag into an empty run on either side of the rich text;
    plangen takes those out (a third of a large plan's XML). Text beside a tag, a clerk's
    formatting on it and the rich text itself all stay, in order."""
    from docx import Document
    from docxtpl import RichText

    template = tmp_path / "t.docx"
    document = Document()
    document.add_paragraph("{{r alone }}")
    paragraph = document.add_paragraph("Before ")
    paragraph.add_run("{{r bold_tag }}").bold = True
    paragraph.add_run(" after")
    document.add_paragraph("Lead: {{r lead }}, due {{ due }}")
    document.save(str(template))
    context = {"alone": RichText("solo"), "bold_tag": RichText("rich", italic=True), "lead": RichText("Ann"), "due": "Mar 2020"}
    data = render.produce(template, context)
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert '<w:t xml:space="preserve"/></w:r>' not in body and '<w:t xml:space="preserve"></w:t></w:r>' not in body
    assert [paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs] == [
        "solo", "Before rich after", "Lead: Ann, due Mar 2020"]
    # the same template rendered by docxtpl itself holds the same words, with its empty runs
    plain = DocxTemplate(str(template))
    plain.render(context)
    reference = io.BytesIO()
    plain.save(reference)
    assert '<w:t xml:space="preserve"/></w:r>' in zipfile.ZipFile(reference).read("word/document.xml").decode()
    assert [paragraph.text for paragraph in Document(reference).paragraphs] == [
        paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs]


# -- the XML made in a child process (worker.continued_in_child) ----------------------------------

def _pieces_with_their_maker(count):
    import os

    for index in range(count):
        yield f"<piece {index} from {os.getpid()}/>"


def _makers(received):
    return [piece.decode().split()[3].rstrip("/>") for piece in received]


@pytest.mark.parametrize("after", [0, 1000])
def test_past_the_first_pieces_the_xml_is_made_in_another_process_and_arrives_whole_and_in_order(after):
    import os

    received = list(worker.continued_in_child(_pieces_with_their_maker(300), what="test", after=after))
    assert [piece.decode().split()[1] for piece in received] == [str(index) for index in range(300)]
    here = sum(1 for maker in _makers(received) if maker == str(os.getpid()))
    size = len(received[0])  # every piece is as long, up to its index's digits
    assert here == (0 if after == 0 else pytest.approx(after / size, abs=2))
    assert len(set(_makers(received)) - {str(os.getpid())}) == 1, "the rest all from one other process"


def test_a_small_document_s_xml_is_all_made_here():
    import os

    received = list(worker.continued_in_child(_pieces_with_their_maker(300), what="test", after=10**6))
    assert set(_makers(received)) == {str(os.getpid())}


def _failing_after_a_piece():
    from jinja2 import TemplateSyntaxError

    yield "<first/>"
    yield "<second/>"
    error = TemplateSyntaxError("unexpected end of template", 7)
    error.docx_context = ["near the tag"]
    raise error


def test_an_error_raised_while_making_the_xml_is_raised_where_it_is_read_with_its_context():
    from jinja2 import TemplateSyntaxError

    received = []
    with pytest.raises(TemplateSyntaxError) as raised:
        for piece in worker.continued_in_child(_failing_after_a_piece(), what="test", after=1):
            received.append(piece)
    assert received == [b"<first/>", b"<second/>"]
    assert raised.value.lineno == 7 and "unexpected end" in raised.value.message
    assert raised.value.docx_context == ["near the tag"]


def _dying():
    import os
    import signal

    yield "<first/>"
    yield "<second/>"
    os.kill(os.getpid(), signal.SIGKILL)
    yield "<never/>"


def test_a_maker_that_dies_is_a_refused_render_not_a_short_document():
    from plangen.errors import RenderError

    with pytest.raises(RenderError, match="template t.docx: refused: the render took too long or was stopped"):
        list(worker.continued_in_child(_dying(), what="template t.docx", after=1))
