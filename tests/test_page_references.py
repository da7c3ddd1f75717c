"""Page references in narrative print the page where their target is laid out: in the plan
([page: lead-officers], [pages: appendix-1]) and in the Scrutiny update ([page: appendix-2], and
[plan page: progress-rag-ratings], a page of the plan document).

Built with `plangen build`, converted with real LibreOffice, read with pdftotext: each reference's
printed number is compared with the printed page number ("Page N of M" in the footer) of the page
on which its target heading is laid out. Targets, headings and texts come from the YAML, read here
without plangen."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import REPO, edit, run_cli
from docx_reading import convert_to_pdf_text, document_text, normalise
from plangen.validate import validate

BUNDLED = REPO / "plan"
SCRUTINY = BUNDLED / "reports" / "2017-12-12-scrutiny-update.yaml"
REFERENCE = re.compile(r"\[(plan )?(pages?): ([a-z0-9.-]+)\]")
# the heading each target names (plan targets in the plan, the others in the paper that cites them)
HEADINGS = {
    "appendix-1": "Appendix 1: Our success measures",
    "our-plan-on-a-page": "Our plan on a page",
    "lead-officers": "Lead Officers",
    "progress-rag-ratings": "Progress RAG ratings",
}
PAPER_HEADINGS = {
    "appendix-2": "Appendix 2: Priority performance indicators",
    "appendix-3": "Appendix 3: Workforce dashboard",
}
FOOTER = re.compile(r"page (\d+) of \d+", re.I)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def references(path: Path) -> list[tuple[str, str, str, str]]:
    """(words before the reference, kind, target, cross) for every reference in a YAML file."""
    found = []
    for text in strings(YAML(typ="safe").load(path.read_text(encoding="utf-8"))):
        for match in REFERENCE.finditer(text):
            before = normalise(text[: match.start()])[-40:]
            found.append((before, match.group(2), match.group(3), bool(match.group(1))))
    return found


class Laid:
    """A PDF's pages as text, with the page number printed in each page's footer."""

    def __init__(self, text: str):
        self.pages = [page for page in text.split("\f") if page.strip()]
        self.numbers = []
        for page in self.pages:
            footers = FOOTER.findall(page)
            assert footers, page[-300:]
            self.numbers.append(int(footers[-1]))
        self.text = normalise(" ".join(self.pages))

    def heading_page(self, heading: str) -> int:
        """Printed number of the page where `heading` stands as a line of its own: the last such page,
        since a contents entry carries its page number and a list of appendices comes before them."""
        found = [number for page, number in zip(self.pages, self.numbers)
                 if any(line.strip() == heading for line in page.splitlines())]
        assert found, f"heading {heading!r} is not laid out"
        return found[-1]

    def running_lines(self) -> set[str]:
        """Lines on most pages: the running header (and footer, less its number)."""
        counts: dict[str, int] = {}
        for page in self.pages:
            for line in {FOOTER.sub("", line).strip() for line in page.splitlines()}:
                counts[line] = counts.get(line, 0) + 1
        return {line for line, count in counts.items() if count > len(self.pages) // 2}

    def section_end(self, heading: str, next_headings: list[str]) -> int:
        """Printed number of the last page of the section that `heading` starts: the page before the
        next section's, unless the next section starts below some of this one's text."""
        start = self.heading_page(heading)
        later = sorted((self.heading_page(other), other) for other in next_headings if self.heading_page(other) > start)
        if not later:
            return self.numbers[-1]
        page_number, following = later[0]
        lines = [line.strip() for line in self.pages[self.numbers.index(page_number)].splitlines()]
        above = lines[: lines.index(following)]
        running = self.running_lines()
        if any(line and FOOTER.sub("", line).strip() not in running for line in above):
            return page_number
        return page_number - 1

    def printed_after(self, before: str) -> str:
        match = re.search(re.escape(before) + r"\s*(\d+(?:-\d+)?)", self.text)
        assert match, f"no page number printed after {before!r}"
        return match.group(1)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    output = tmp_path_factory.mktemp("build")
    completed = run_cli("build", "--plan", BUNDLED, "-o", output)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return {"plan": Laid(convert_to_pdf_text(output / "improvement-plan.docx")),
            "scrutiny": Laid(convert_to_pdf_text(output / "reports" / "2017-12-12-scrutiny-update.docx"))}


def expected_pages(laid: Laid, headings: dict, kind: str, target: str) -> str:
    others = [heading for heading in ("Appendix 1: Our success measures", "Appendix 2: Plan on a page",
                                      "Appendix 2: Priority performance indicators", "Appendix 3: Workforce dashboard",
                                      "Lead Officers") if heading != headings[target] and heading in " ".join(laid.pages)]
    start = laid.heading_page(headings[target])
    if kind == "page":
        return str(start)
    return f"{start}-{laid.section_end(headings[target], others)}"


def test_the_bundled_narrative_cites_pages_only_as_references():
    plan_references = references(BUNDLED / "plan.yaml")
    paper_references = references(SCRUTINY)
    assert sorted((kind, target, cross) for _, kind, target, cross in plan_references) == \
        [("page", "lead-officers", False), ("page", "our-plan-on-a-page", False), ("pages", "appendix-1", False)]
    assert sorted((kind, target, cross) for _, kind, target, cross in paper_references) == \
        [("page", "appendix-2", False), ("page", "appendix-3", False), ("page", "progress-rag-ratings", True)]
    assert [finding for finding in validate(BUNDLED).findings if finding.rule == "bare-page-number"] == []


def test_every_page_reference_in_the_plan_prints_the_page_of_its_target(built):
    plan = built["plan"]
    checked = []
    for before, kind, target, _ in references(BUNDLED / "plan.yaml"):
        printed = plan.printed_after(before)
        assert printed == expected_pages(plan, HEADINGS, kind, target), (before, target)
        checked.append((target, printed))
    assert len(checked) == 3
    # the text's promises, as the issue measured them on this layout
    assert dict(checked)["lead-officers"] != "50" and dict(checked)["appendix-1"] != "52-57"


def test_every_page_reference_in_the_scrutiny_update_prints_the_page_of_its_target(built):
    plan, paper = built["plan"], built["scrutiny"]
    checked = 0
    for before, kind, target, cross in references(SCRUTINY):
        printed = paper.printed_after(before)
        if cross:  # a page of the plan document, from the plan's own layout
            assert printed == expected_pages(plan, HEADINGS, kind, target), (before, target)
        else:
            assert printed == expected_pages(paper, PAPER_HEADINGS, kind, target), (before, target)
        checked += 1
    assert checked == 3


def test_a_bare_page_number_in_narrative_is_a_warning(mini_plan):
    text = edit(mini_plan / "plan.yaml", "introduction: ", "introduction: The key is on page 5. ")
    found = [finding for finding in validate(mini_plan).findings if finding.rule == "bare-page-number"]
    assert [(finding.severity, finding.line) for finding in found] == \
        [("warning", text[: text.index("page 5")].count("\n") + 1)]
    assert "'page 5'" in found[0].message


def test_a_reference_to_a_section_the_document_lacks_fails_the_render(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(BUNDLED, plan)
    edit(plan / "plan.yaml", "[page: lead-officers]", "[page: lead-oficers]")
    completed = run_cli("render", "plan", "--plan", plan, "-o", tmp_path / "out")
    assert completed.returncode == 4, completed.stdout + completed.stderr
    assert "'lead-oficers', which is not a section of the document" in completed.stdout + completed.stderr
    assert "lead-officers" in completed.stdout + completed.stderr  # the hint lists the sections
    assert not (tmp_path / "out" / "improvement-plan.docx").exists()


def test_a_paper_rendered_alone_still_prints_the_plans_page(built, tmp_path):
    completed = run_cli("render", "report", SCRUTINY, "-o", tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    text = normalise(document_text(tmp_path / "reports" / "2017-12-12-scrutiny-update.docx"))
    page = built["plan"].heading_page("Progress RAG ratings")
    assert f"outlined on page {page} of the Children’s Improvement Plan" in text
