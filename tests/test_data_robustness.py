"""Issue 18, data side: text prints as typed, characters Word cannot hold never reach a paper, and
every data mistake is a finding at its line (never an internal error), in validate and in build."""

from __future__ import annotations

import pytest

from conftest import edit, run_cli
from docx_reading import convert_to_pdf_text, document_text, normalise
from plangen.errors import FindingsError, RenderError

TYPED = "Agree the tool with health &amp; police & <b>partners</b> > __init__ and snake_case_name **now**"


def test_entities_angle_brackets_and_underscores_print_as_typed(mini_plan, tmp_path):
    edit(mini_plan / "priorities" / "01-assessments.yaml", "text: Agree the audit tool", f"text: '{TYPED}'")
    completed = run_cli("render", "plan", "--plan", mini_plan, "--output", tmp_path / "out", cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    paper = tmp_path / "out" / "improvement-plan.docx"
    expected = "Agree the tool with health &amp; police & <b>partners</b> > __init__ and snake_case_name now"
    assert expected in normalise(document_text(paper))
    # in the PDF the cell's lines wrap beside other columns: its words must still come in order, as typed
    printed = iter(convert_to_pdf_text(paper).split())
    assert all(word in printed for word in expected.split()), expected


def test_the_renderer_refuses_a_control_character_rather_than_dropping_it():
    from plangen.text import parse

    assert parse("tab\tand newline are fine")[0]["inline"].plain == "tab\tand newline are fine"
    with pytest.raises(RenderError, match="control character '\\\\x0b'"):
        parse("Philip \x0b Segurolo")
    with pytest.raises(RenderError):
        parse("trailing control character is not trimmed away\x0c")


def test_escaped_control_character_in_a_name_stops_build_before_any_paper(mini_plan, tmp_path):
    edit(mini_plan / "people.yaml", "name: Sam Example", 'name: "Philip \\x0b Segurolo"')
    completed = run_cli("build", mini_plan, "--output", tmp_path / "out", cwd=tmp_path)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "plan/people.yaml:7:11: error: control character '\\x0b' is not allowed [bad-character]" in completed.stdout
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("old, new, place", [
    ("text: Agree the audit tool", "text: {a: b}", "priorities/01-assessments.yaml:27:19"),
    ("due: 2027-03", "due: 0000-03", "priorities/01-assessments.yaml:28:18"),
    ("due: 2027-03", "due: [2027-03]", "priorities/01-assessments.yaml:28:18"),
])
def test_library_build_reports_findings_not_crashes(mini_plan, tmp_path, capsys, old, new, place):
    from plangen.commands.build import build

    edit(mini_plan / "priorities" / "01-assessments.yaml", old, new)
    with pytest.raises(FindingsError):
        build(mini_plan, tmp_path / "out")
    assert place in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("typed", ["0)", "-", "1.", "+"])
def test_a_lone_list_marker_is_printed_not_dropped(typed):
    from plangen.text import parse

    assert [block["inline"].plain for block in parse(typed)] == [typed]


@pytest.mark.parametrize("in_place", [False, True])
def test_the_last_gate_before_word_xml_refuses_a_control_character(in_place):
    from plangen import sandbox, wordxml

    assert sandbox.template_values({"name": "Philip & <Segurolo>"}, in_place=in_place) == {"name": "Philip & <Segurolo>"}
    with pytest.raises(RenderError, match=r"context\.people\[0\]\.name: text holds the control character '\\x0b'"):
        sandbox.template_values({"people": [{"name": "Philip \x0b Segurolo"}]}, in_place=in_place)
    with pytest.raises(RenderError, match=r"context\.rows\[1\]: text holds"):
        sandbox.template_values({"rows": ["fine", "bell \x07"]}, in_place=in_place)
    with pytest.raises(RenderError):
        wordxml.text("bell \x07")
    assert wordxml.text("a &amp; b") == "a &amp;amp; b"


def _markdown_it_blocks(text: str, references: bool):
    """What parse gives when markdown-it reads the text (the quick readings switched off)."""
    import re

    from plangen import text as narrative

    quick = narrative.MARKUP
    narrative.MARKUP = re.compile(r"[\s\S]")  # every text looks marked up: markdown-it reads it
    try:
        return [(block["kind"], block["inline"].runs) for block in narrative.parse(text, references=references)]
    finally:
        narrative.MARKUP = quick


def test_paragraphs_and_bullets_read_without_markdown_it_as_markdown_it_reads_them():
    """Most actions are sentences and '- ' bullets: parse places them itself, and must give exactly
    markdown-it's blocks and runs, for generated texts with the lines CommonMark treats specially."""
    import random

    from plangen import text as narrative

    words = "review children well-being: 2017 plans, include. (see) it's “quoted” 50% a - -- + = 1. 2) x".split()
    awkward = ["- ", "-", "  - x", "1. x", "1) x", "+ x", "* x", "> x", "\tx", "x  ", "- x  ", "-x", "--", "---",
               "===", "- - x", "-  x", " x", "- 1. x", "- +", "2017. x", "a\\", "- a: b", "[action 1.1]"]
    generator = random.Random(7)

    def line() -> str:
        chance = generator.random()
        if chance < 0.15:
            return generator.choice(awkward)
        sentence = " ".join(generator.choice(words) for _ in range(generator.randint(1, 6)))
        return "- " + sentence if chance < 0.5 else ("" if chance < 0.6 else sentence)

    placed = 0
    for _ in range(6000):
        text = "\n".join(line() for _ in range(generator.randint(1, 6)))
        if not text.strip():
            continue
        for references in (False, True):
            quick = narrative._simple_blocks(narrative.clean(text), references)
            if quick is None:
                continue
            placed += 1
            assert [(block["kind"], block["inline"].runs) for block in quick] == _markdown_it_blocks(text, references), text
    assert placed > 2000  # the quick reading took most texts, bullets and paragraphs alike


def test_runs_say_what_docxtpl_s_rich_text_said():
    """Inline text and table-cell lines are written by wordxml.run, not docxtpl's general
    RichText.add (a tenth of a large plan's context): the same words and the same bold and italics,
    for text with every character XML escapes, Unicode, spaces, tabs and line breaks."""
    import random

    from docxtpl import RichText
    from lxml import etree

    from plangen import text as narrative, wordxml
    from plangen.documents import common

    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def runs(xml: str) -> list:
        root = etree.fromstring(f'<w:p xmlns:w="{namespace}">{xml}</w:p>')
        return [("".join(node.text or "" for node in run.iter(f"{{{namespace}}}t")),
                 [child.tag for child in run.iterfind(f"{{{namespace}}}rPr/*")],
                 [child.tag for child in run if child.tag != f"{{{namespace}}}rPr"]) for run in root]

    generator = random.Random(7)
    alphabet = "ab &<>\"'\u00e9\u2014\u00a0 \n\t;#"
    for _ in range(3000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(1, 12)))
        bold, italic = generator.random() < 0.5, generator.random() < 0.5
        expected = RichText()
        expected.add(text, bold=bold or None, italic=italic or None)
        assert runs(wordxml.run(text, bold, italic)) == runs(expected.xml), repr(text)
        inline = narrative.Inline([(text.replace("\n", " "), bold, italic)]).rich("Note: ")
        reference = RichText("Note: ")
        reference.add(text.replace("\n", " "), bold=bold or None, italic=italic or None)
        assert runs(inline.xml) == runs(reference.xml), repr(text)
    items = ["Director of Children's Services", "Head of <Quality> & Practice", "\u00c9quipe 'A'"]
    expected = RichText("\n".join(items)).xml.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    assert runs(common.lines(items).xml) == runs(expected)
    assert common.lines([]).xml == RichText("").xml == ""
