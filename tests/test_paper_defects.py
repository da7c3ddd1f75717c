"""The defects a clerk found by reading the bundled papers beside the sources (issue 14), each
checked on the rendered .docx. Expected values come from the YAML read with ruamel's safe loader."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from ruamel.yaml import YAML

from conftest import REPO, run_cli
from docx_reading import normalise, paragraph_text

BUNDLED = REPO / "plan"
SCRUTINY = "2017-12-12-scrutiny-update"
CABINET = "2017-11-20-cabinet"


def load(path: Path):
    return YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def papers(tmp_path_factory):
    output = tmp_path_factory.mktemp("defects")
    for stem in (SCRUTINY, CABINET):
        completed = run_cli("render", "report", BUNDLED / "reports" / f"{stem}.yaml", "-o", output)
        assert completed.returncode == 0, completed.stdout + completed.stderr
    return {stem: output / "reports" / f"{stem}.docx" for stem in (SCRUTINY, CABINET)}


def body_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style, text) of every body-level paragraph, in order."""
    document = Document(str(path))
    return [(paragraph.style.name, normalise(paragraph_text(paragraph._p))) for paragraph in document.paragraphs]


def plan_texts() -> list[str]:
    """Every action's and step's text, as the plan holds it, whitespace normalised."""
    texts = []
    for path in sorted((BUNDLED / "priorities").glob("*.yaml")):
        for group in load(path)["groups"]:
            for action in group["actions"]:
                texts.append(normalise(str(action.get("text") or "")))
                texts += [normalise(str(step.get("text") or "")) for step in action.get("steps") or []]
    return [text for text in texts if text]


def test_no_cell_of_the_scrutiny_update_ends_mid_word(papers):
    texts = plan_texts()
    checked = shortened = 0
    for table in Document(str(papers[SCRUTINY])).tables:
        for row in table.rows:
            for cell in row.cells:
                text = normalise(" ".join(paragraph_text(p._p) for p in cell.paragraphs))
                if not text:
                    continue
                checked += 1
                if text.endswith("…"):
                    shortened += 1
                    kept = text[:-1]
                    sources = [source for source in texts if source.startswith(kept)]
                    assert sources, f"shortened cell is not the start of any action: {text!r}"
                    assert any(not source[len(kept)].isalnum() or not kept[-1].isalnum() for source in sources), \
                        f"cell cut mid-word: {text!r}"
                else:
                    cut = [source for source in texts if source != text and source.startswith(text) and len(text) > 40]
                    assert not cut, f"cell holds part of an action's text without an ellipsis: {text!r}"
    assert checked > 300 and shortened > 0


def section_between(paragraphs, start: str, stop_styles=("Heading 1",)):
    """The paragraphs after the heading `start` up to the next heading of one of stop_styles."""
    found = False
    lines = []
    for style, text in paragraphs:
        if found and style in stop_styles:
            break
        if found:
            lines.append(text)
        if text == start and style.startswith("Heading"):
            found = True
    assert found, f"no paragraph {start!r}"
    return lines


def test_scrutiny_appendix_2_holds_summary_action_log_thresholds_activity_and_next_steps(papers):
    data = load(BUNDLED / "indicators.yaml")
    report = load(BUNDLED / "reports" / f"{SCRUTINY}.yaml")
    number = next(index for index, appendix in enumerate(report["appendices"], 1) if appendix.get("content") == "indicators")
    title = report["appendices"][number - 1]["title"]
    paragraphs = body_paragraphs(papers[SCRUTINY])
    assert ("Heading 1", f"Appendix {number}: {title}") in paragraphs
    document = Document(str(papers[SCRUTINY]))
    appendix_text = normalise(" ".join(section_between(paragraphs, f"Appendix {number}: {title}")))
    cells = normalise(" ".join(paragraph_text(p) for p in document.element.body.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")))
    for part in data["narrative"]:
        assert part["heading"] in appendix_text
        assert normalise(part["text"].split("\n")[0]) in appendix_text
    for entry in data["action_log"]:
        assert normalise(entry["action"]) in cells
    for group in data["groups"]:
        for key in ("improvement_activity", "next_steps"):
            if group.get(key):
                first = normalise(re.sub(r"\*\*", "", group[key].strip().split("\n")[0]))
                assert first in appendix_text, f"{group['name']} {key} missing"
        for indicator in group["indicators"]:
            if indicator.get("methodology"):
                assert normalise(indicator["methodology"]) in cells
    for label in ("Improvement activity", "Next steps", "Priority indicators action log"):
        assert label in appendix_text


def test_scrutiny_appendix_3_is_the_workforce_dashboard(papers):
    report = load(BUNDLED / "reports" / f"{SCRUTINY}.yaml")
    number = next(index for index, appendix in enumerate(report["appendices"], 1) if appendix.get("content") == "workforce")
    heading = f"Appendix {number}: {report['appendices'][number - 1]['title']}"
    assert ("Heading 1", heading) in body_paragraphs(papers[SCRUTINY])
    dashboard = load(BUNDLED / "workforce" / "2017-11.yaml")
    tables = [[[normalise(paragraph_text(c._tc)) for c in row.cells] for row in table.rows]
              for table in Document(str(papers[SCRUTINY])).tables]
    table = next(rows for rows in tables if rows[0][0] == "Measure")
    assert table[0][1:] == [row["area"] for row in dashboard["rows"]]
    for column, row in zip(dashboard["columns"], table[1:]):
        assert row[0] == column["label"]
        assert row[1:] == [str(area["values"].get(column["id"], "–")) for area in dashboard["rows"]]


def test_indicator_lists_say_point_not_points_and_list_no_amber_as_a_strength(papers):
    paragraphs = body_paragraphs(papers[SCRUTINY])
    text = " ".join(line for _, line in paragraphs)
    assert not re.search(r"\b1 points\b", text)
    strengths = section_between(paragraphs, "Areas of strength", stop_styles=("Heading 1", "Heading 2", "Heading 3"))
    assert strengths and not [line for line in strengths if "Amber" in line or "Red" in line]


def test_rag_column_uses_the_scales_words(papers):
    words = set()
    for table in Document(str(papers[SCRUTINY])).tables:
        header = [normalise(paragraph_text(cell._tc)) for cell in table.rows[0].cells]
        if header and header[-1] == "RAG":
            words |= {normalise(paragraph_text(row.cells[-1]._tc)) for row in table.rows[1:]}
    assert words and words <= {"Red", "Amber", "Green", "Not rated"}, words


def test_cabinet_report_claims_no_sign_off_its_sources_do_not_give(papers):
    report = load(BUNDLED / "reports" / f"{CABINET}.yaml")

    def sign_offs(sections):
        for section in sections or []:
            if section.get("approved_by"):
                yield section["approved_by"]["name"]
            yield from sign_offs(section.get("sections"))

    given = list(sign_offs(report["sections"]))
    printed = [text for _, text in body_paragraphs(papers[CABINET]) if text.startswith("Approved by")]
    assert len(printed) == len(given)
    assert all(any(name in line for name in given) for line in printed)
    assert not given  # who signed off the 20 November report is not known (its comments say so)


def test_cabinet_labels_are_headings_and_its_title_is_not_the_plans(papers):
    styles = dict((text, style) for style, text in body_paragraphs(papers[CABINET]))
    for label in ("CONTACT OFFICER:", "BACKGROUND DOCUMENTS:", "APPENDICES:"):
        assert styles.get(label, "").startswith("Heading"), label
    plan_title = load(BUNDLED / "plan.yaml")["title"]
    assert Document(str(papers[CABINET])).core_properties.title != plan_title


@pytest.mark.parametrize("kind", ["scrutiny-update", "cabinet", "board-tracker", "plan"])
def test_context_accepts_every_kind_listed_and_shows_text_as_typed(kind):
    listed = run_cli("kinds")
    assert re.search(rf"^{re.escape(kind)}\s", listed.stdout, re.M)
    completed = run_cli("context", kind, "--plan", BUNDLED, "--format", "json")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "&#x27;" not in completed.stdout and "&amp;" not in completed.stdout
    context = json.loads(completed.stdout)
    assert context
    if kind == "scrutiny-update":
        assert "Children's" in completed.stdout
        report_to = context["header_rows"][0]["value"][0]["text"]
        assert report_to.startswith("**") and report_to.endswith("**")  # printed bold


def test_people_print_with_title_and_the_role_held_at_the_meeting_date(tmp_path):
    """A councillor's title, and the role they held on the meeting date, from the people register."""
    shutil.copytree(BUNDLED, tmp_path / "plan")
    people = tmp_path / "plan" / "people.yaml"
    text = people.read_text(encoding="utf-8")
    old = "  - id: AF\n    name: Alisa Flemming\n"
    assert old in text
    text = text.replace(old, old + "    title: Councillor\n    roles:\n"
                        "      - {role: Shadow spokesperson for children, until: 2017-05}\n"
                        "      - {role: \"Cabinet Member for Children, Families and Learning\", from: 2017-06}\n")
    people.write_text(text, encoding="utf-8")
    completed = run_cli("render", "report", tmp_path / "plan" / "reports" / f"{SCRUTINY}.yaml", "-o", tmp_path / "out")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    document = Document(str(tmp_path / "out" / "reports" / f"{SCRUTINY}.docx"))
    header = {normalise(paragraph_text(row.cells[0]._tc)): normalise(paragraph_text(row.cells[1]._tc))
              for row in document.tables[0].rows}
    assert header["CABINET MEMBER:"] == "Councillor Alisa Flemming, Cabinet Member for Children, Families and Learning"


def test_validate_reports_rag_words_that_are_not_the_scales():
    """'Yellow' and the literal 'RAG' stay in the data as published; validate says so, at their lines."""
    expected = set()
    for group in load(BUNDLED / "indicators.yaml")["groups"]:
        for indicator in group["indicators"]:
            for key in ("rag", "summary_rag"):
                word = indicator.get(key)
                if word and word.lower() not in ("red", "amber", "green", "grey"):
                    expected.add((indicator["code"], word))
    assert ("AMT2", "RAG") in expected and any(word == "Yellow" for _, word in expected)
    completed = run_cli("validate", BUNDLED, "--format", "json")
    findings = [finding for finding in json.loads(completed.stdout) if finding["rule"] == "rag-word"]
    reported = {(finding["subject"].split()[-1], re.search(r"RAG '([^']+)'", finding["message"]).group(1)) for finding in findings}
    assert reported == expected
    assert all(finding["file"].endswith("indicators.yaml") and finding["line"] > 1 for finding in findings)


def test_plan_and_tracker_narrative_use_the_same_dialect():
    """The plan document and tracker read narrative with the papers' dialect: text prints as typed,
    ordered lists keep their numbers, a link keeps its target, a hard break stays a break."""
    from plangen.text import parse

    blocks = parse("3. keep snake_case_name &amp; <b>  \nnext line\n4. see [the plan](https://example.org/plan)\n")
    first, second = ["".join(run[0] for run in block["inline"].runs) for block in blocks]
    assert first == "3. keep snake_case_name &amp; <b>\nnext line"
    assert second == "4. see the plan (https://example.org/plan)"
    assert "<w:br/>" in blocks[0]["inline"].rich().xml
