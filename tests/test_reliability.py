"""Nothing is lost or half-written: atomic output, concurrent builds, fmt round trips, render round trips."""

from __future__ import annotations

import io
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SCAFFOLD_PLAN
from docx_reading import convert_to_pdf_text, document_text, normalise
from plangen.atomic import atomic_path, write_text
from plangen.fmt import format_text
from plangen.yamlio import new_yaml, to_plain


def test_failed_write_leaves_the_previous_file(tmp_path):
    target = tmp_path / "paper.docx"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"half a docu")
            raise RuntimeError("renderer crashed")
    assert target.read_bytes() == b"previous"
    assert list(tmp_path.iterdir()) == [target]


def test_successful_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "a.yaml"
    write_text(target, "first\n")
    write_text(target, "second\n")
    assert target.read_text() == "second\n"
    assert [path.name for path in target.parent.iterdir()] == ["a.yaml"]


def test_two_builds_at_once_produce_valid_documents(tmp_path):
    command = [sys.executable, "-m", "plangen", "build", str(SCAFFOLD_PLAN), "--output", str(tmp_path / "build")]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for process in (first, second):
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, out + err
    for path in [tmp_path / "build" / "improvement-plan.docx", *(tmp_path / "build" / "reports").glob("*.docx")]:
        Document(str(path))
        assert "Improve the quality of assessments" in convert_to_pdf_text(path) or path.parent.name == "reports"
    leftovers = [path.name for path in (tmp_path / "build").rglob("*.tmp")]
    assert leftovers == []


# -- property tests ------------------------------------------------------------------------------

AWKWARD = st.sampled_from([
    "Children's \"voice\" & <b>choice</b>", "Émilie · naïve café", "😀 emoji 👍🏽", "שלום עולם", "مرحبا بالعالم",
    "x" * 120, "a: b # not a comment", "- not a bullet", "{braces} [brackets]", "100%", "yes", "null", "1.10",
    "tab\tinside", "trailing space ", "'single' quotes", "line one\nline two",
])
WORDS = st.text(alphabet=string.ascii_letters + string.digits + " ,.;()&'\"/-£%", min_size=1, max_size=60).filter(
    lambda text: text.strip() and not text.strip().startswith(("-", "*", "+", "#", ">")) and text == text.strip())
TEXT = st.one_of(WORDS, AWKWARD)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, texts=st.lists(TEXT, min_size=1, max_size=4), partners=st.lists(WORDS, max_size=3))
def test_fmt_never_changes_the_data(title, texts, partners):
    yaml = new_yaml()
    document = {
        "number": "1", "title": title,
        "groups": [{"title": texts[0], "actions": [
            {"number": f"1.{index + 1}", "text": text, "lead": "PS", "partners": partners, "due": "2018-03"}
            for index, text in enumerate(texts)]}],
        "issues": texts,
    }
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    original = buffer.getvalue()
    formatted = format_text(original, "priority")
    assert to_plain(new_yaml().load(formatted)) == to_plain(new_yaml().load(original))
    assert format_text(formatted, "priority") == formatted


LEADS = st.sampled_from(["DCS", "HoS"])
MONTHS = st.builds(lambda year, month: f"{year}-{month:02d}", st.integers(2017, 2030), st.integers(1, 12))
ACTION_TEXT = st.one_of(WORDS, AWKWARD.filter(lambda text: "\n" not in text and not text.startswith("-")))


@st.composite
def plans(draw):
    actions = []
    for index in range(draw(st.integers(1, 5))):
        action = {"number": f"1.{index + 1}", "text": draw(ACTION_TEXT), "lead": draw(LEADS),
                  "partners": draw(st.lists(WORDS, max_size=2, unique=True)), "due": draw(MONTHS)}
        if draw(st.booleans()):
            action["steps"] = [{"text": draw(ACTION_TEXT), "lead": draw(LEADS), "due": draw(MONTHS)}
                               for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            action["issue"] = draw(WORDS)
        actions.append(action)
    return actions


def month_label(iso: str) -> str:
    """A plan that sets no date style prints month and year: '2017-01' -> 'Jan 2017'."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    year, month = iso.split("-")
    return f"{months[int(month) - 1]} {year}"


# the scaffold's people register; a plan that sets no people style prints leads by name
LEAD_NAMES = {"DCS": "Alex Example", "HoS": "Sam Example"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(actions=plans())
def test_rendered_plan_keeps_every_action_exactly(actions, tmp_path_factory):
    from plangen import api
    from plangen.validate import validate

    root = tmp_path_factory.mktemp("plan")
    for source in SCAFFOLD_PLAN.iterdir():
        if source.is_file():
            (root / source.name).write_bytes(source.read_bytes())
    (root / "priorities").mkdir()
    yaml = new_yaml()
    buffer = io.StringIO()
    yaml.dump({"number": "1", "title": "Generated priority", "work_stream": "practice", "sro": "DCS",
               "groups": [{"title": "Generated group", "actions": actions}]}, buffer)
    (root / "priorities" / "01-generated.yaml").write_text(buffer.getvalue())
    result = validate(root)
    assert result.ok, [finding.as_text() for finding in result.errors]
    output = root / "out.docx"
    output.write_bytes(api.document(result.plan, api.kind("plan")))
    text = document_text(output)
    flat = normalise(text)
    for action in actions:
        assert action["number"] in text
        assert normalise(action["text"]) in flat
        assert LEAD_NAMES[action["lead"]] in text
        assert month_label(action["due"]) in text
        for partner in action["partners"]:
            assert normalise(partner) in flat
        for step in action.get("steps", []):
            assert normalise(step["text"]) in flat
            assert month_label(step["due"]) in text
            assert LEAD_NAMES[step["lead"]] in text
