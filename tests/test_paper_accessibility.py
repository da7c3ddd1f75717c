"""Body and table text is at least 9 pt in every bundled paper, no table runs off its page, and
the contents entries are links to their headings.

Every paper of the bundled plan and of the examples is built with `build --pdf`; each .docx is read
with python-docx and every run's size resolved as Word does (the run, its character style, its
paragraph style, the table style, the document defaults, each through its `basedOn` chain). Headers
and footers are held to the same 9 pt: they carry the paper's name and page numbers, which readers
use too, and nothing calls for them to be smaller (the papers have no footnotes; a test says so).
Then the PDFs LibreOffice laid out are read with poppler: every word is at least 9 pt tall and lies
inside the page's margins.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import REPO, run_cli

MINIMUM_POINTS = 9
# poppler's word box is 1.3 em tall in the papers' font (Liberation Sans): 9 pt text is 11.7 pt
POPPLER_BOX_PER_POINT = 1.3
# the templates' left and right margins, 1020 twips
MARGIN_POINTS = 51

PLANS = {
    "bundled": REPO / "plan",
    "improvement-update-2018-03": REPO / "examples" / "improvement-update-2018-03" / "plan",
    "northshire-2026": REPO / "examples" / "northshire-2026" / "plan",
    "croydon-2017-10-draft": REPO / "examples" / "croydon-2017-10-draft" / "plan",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sizes")
    folders = {}
    for name, plan in PLANS.items():
        shutil.copytree(plan, root / name / "plan")
        if (plan.parent / "templates").is_dir():  # a plan repository's own templates sit beside its plan
            shutil.copytree(plan.parent / "templates", root / name / "templates")
        completed = run_cli("build", root / name / "plan", "-o", root / name / "out", "--pdf")
        assert completed.returncode == 0, completed.stderr
        folders[name] = root / name / "out"
    return folders


def papers(folders: dict[str, Path], suffix: str) -> list[Path]:
    found = sorted(path for folder in folders.values() for path in folder.rglob(f"*{suffix}"))
    assert len(found) >= 7, found  # four bundled papers, two of the update example, one plan each of the others
    return found


def _points(properties) -> float | None:
    size = properties.find(qn("w:sz")) if properties is not None else None
    return int(size.get(qn("w:val"))) / 2 if size is not None else None


class Sizes:
    """Each run's font size, resolved through the document's styles independently of plangen."""

    def __init__(self, document):
        root = document.styles.element
        self.styles = {style.get(qn("w:styleId")): style for style in root.findall(qn("w:style"))}
        defaults = root.find(qn("w:docDefaults"))
        default_properties = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
        self.default = _points(default_properties) or 10  # Word's own default when none is set
        self.default_paragraph = next((key for key, style in self.styles.items()
                                       if style.get(qn("w:type")) == "paragraph"
                                       and style.get(qn("w:default")) in ("1", "true")), None)

    def of_style(self, style_id: str | None) -> float | None:
        seen = set()
        while style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            size = _points(self.styles[style_id].find(qn("w:rPr")))
            if size:
                return size
            based = self.styles[style_id].find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return None

    def of_run(self, run) -> float:
        properties = run.find(qn("w:rPr"))
        size = _points(properties)
        character_style = properties.find(qn("w:rStyle")) if properties is not None else None
        if size is None and character_style is not None:
            size = self.of_style(character_style.get(qn("w:val")))
        ancestors = list(run.iterancestors())
        paragraph = next((element for element in ancestors if element.tag == qn("w:p")), None)
        if size is None and paragraph is not None:
            style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            size = self.of_style(style.get(qn("w:val")) if style is not None else self.default_paragraph)
        table = next((element for element in ancestors if element.tag == qn("w:tbl")), None)
        if size is None and table is not None:
            style = table.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
            size = self.of_style(style.get(qn("w:val")) if style is not None else None)
        return size or self.default


def text_runs(element):
    for run in element.iter(qn("w:r")):
        text = "".join(node.text or "" for node in run.iter(qn("w:t")))
        if text.strip():
            yield run, text


def test_every_run_in_body_tables_headers_and_footers_is_at_least_9_points(built):
    small = []
    for path in papers(built, ".docx"):
        document = Document(str(path))
        sizes = Sizes(document)
        parts = [("body", document.element.body)]
        for section in document.sections:
            for name in ("header", "footer", "first_page_header", "first_page_footer", "even_page_header", "even_page_footer"):
                story = getattr(section, name)
                if not story.is_linked_to_previous:
                    parts.append((name, story._element))
        checked = 0
        for where, element in parts:
            for run, text in text_runs(element):
                checked += 1
                size = sizes.of_run(run)
                if size < MINIMUM_POINTS:
                    small.append((path.name, where, size, text[:40]))
        assert checked > 50, path
        assert "footnotes" not in " ".join(part.partname for part in document.part.package.parts), path
    assert not small, small[:20]


def test_the_resolver_sees_small_text_where_there_is_some(built):
    """The check above could fail: the same resolver reports a paragraph style set to 8 pt."""
    path = papers(built, ".docx")[0]
    document = Document(str(path))
    style = document.styles.add_style("SmallPrint", 1)
    style.font.size = 8 * 12700
    paragraph = document.add_paragraph("small print", style="SmallPrint")
    sizes = Sizes(document)
    assert sizes.of_run(paragraph.runs[0]._r) == 8


def words(pdf: Path):
    """(page number, page width, x min, x max, height, word) for every word poppler finds."""
    import subprocess

    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for number, page in enumerate(re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S), start=1):
        width = float(page.group(1))
        for word in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                                page.group(3)):
            x_min, y_min, x_max, y_max = map(float, word.group(1, 2, 3, 4))
            yield number, width, x_min, x_max, y_max - y_min, word.group(5)


def test_in_the_pdfs_every_word_is_at_least_9_points_and_inside_the_margins(built):
    small, outside = [], []
    for pdf in papers(built, ".pdf"):
        count = 0
        for page, width, x_min, x_max, height, word in words(pdf):
            count += 1
            if height < MINIMUM_POINTS * POPPLER_BOX_PER_POINT - 0.3:
                small.append((pdf.name, page, round(height / POPPLER_BOX_PER_POINT, 1), word))
            if x_min < MARGIN_POINTS - 2 or x_max > width - MARGIN_POINTS + 2:
                outside.append((pdf.name, page, x_min, x_max, word))
        assert count > 500, pdf
    assert not small, small[:20]
    assert not outside, outside[:20]


def test_the_indicator_tables_are_on_landscape_pages_and_the_workforce_dashboard_upright(built):
    import subprocess

    pdf = built["bundled"] / "reports" / "2017-12-12-scrutiny-update.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True).stdout
    landscape = {int(number) for number, width, height in re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info)
                 if float(width) > float(height)}
    pages = {}
    for page, _, _, _, _, word in words(pdf):
        pages.setdefault(page, []).append(word)
    text = {page: " ".join(found) for page, found in pages.items()}
    indicators = [page for page, words_on in text.items() if "Polarity" in words_on]
    workforce = [page for page, words_on in text.items() if "Appendix 3: Workforce dashboard" in words_on]
    assert len(indicators) >= 8 and set(indicators) <= landscape
    assert workforce and not set(workforce) & landscape
    assert landscape == set(range(min(landscape), max(landscape) + 1))  # one run of turned pages: appendix 2


def top_level_headings(document) -> list:
    """Body paragraphs (outside tables) in a Heading 1 or Heading 2 style: what a 1-2 contents lists."""
    found = []
    for paragraph in document.element.body.iterchildren(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) in ("Heading1", "Heading2"):
            if "".join(node.text or "" for node in paragraph.iter(qn("w:t"))).strip():
                found.append(paragraph)
    return found


def contents_entries(document) -> tuple[str, list]:
    """The TOC field's instruction and the paragraphs its result spans."""
    paragraphs = list(document.element.body.iter(qn("w:p")))
    for index, paragraph in enumerate(paragraphs):
        instruction = "".join(node.text or "" for node in paragraph.iter(qn("w:instrText")))
        if instruction.strip().startswith("TOC"):
            entries = []
            for entry in paragraphs[index:]:
                entries.append(entry)
                if any(mark.get(qn("w:fldCharType")) == "end" for mark in entry.iter(qn("w:fldChar"))):
                    return instruction, entries
    return "", []


def test_contents_entries_are_links_to_bookmarks_on_their_headings_and_word_is_not_asked_to_update(built):
    plans = [path for path in papers(built, ".docx") if path.name == "improvement-plan.docx"]
    assert len(plans) == 4
    for path in plans:
        document = Document(str(path))
        instruction, entries = contents_entries(document)
        assert "\\h" in instruction.split(), (path, instruction)
        headings = top_level_headings(document)
        assert len(entries) == len(headings) > 5, path
        body = document.element.body
        bookmarks = {mark.get(qn("w:name")): mark for mark in body.iter(qn("w:bookmarkStart"))}
        for entry, heading in zip(entries, headings):
            links = entry.findall(qn("w:hyperlink"))
            assert len(links) == 1, (path, "".join(node.text or "" for node in entry.iter(qn("w:t"))))
            anchor = links[0].get(qn("w:anchor"))
            assert anchor in bookmarks, (path, anchor)
            assert bookmarks[anchor].getparent() is heading  # the bookmark is on this entry's own heading
            words = "".join(node.text or "" for node in links[0].iter(qn("w:t")))
            heading_words = "".join(node.text or "" for node in heading.iter(qn("w:t")))
            assert re.sub(r"\d+$", "", words).strip() == " ".join(heading_words.split()), path
        # the page numbers are laid out: nothing tells Word to update fields on opening
        assert document.settings.element.find(qn("w:updateFields")) is None, path
        dirty = [mark for mark in body.iter(qn("w:fldChar")) if mark.get(qn("w:dirty")) in ("true", "1")]
        assert not dirty, (path, len(dirty))



def test_no_laid_out_paper_asks_word_to_update_a_field_in_its_headers_or_footers(built):
    """The templates' footers carry PAGE and NUMPAGES marked dirty; once a paper is laid out they
    are marked current like the body's fields (Word works page numbers out for every page anyway)."""
    import zipfile

    footers_with_fields = 0
    for path in papers(built, ".docx"):
        package = zipfile.ZipFile(path)
        assert "updateFields" not in package.read("word/settings.xml").decode(), path
        for name in package.namelist():
            if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
                xml = package.read(name).decode()
                footers_with_fields += "<w:fldChar" in xml
                assert "w:dirty" not in xml, (path.name, name)
    assert footers_with_fields >= 7


def test_libreoffice_follows_the_contents_links_of_the_saved_docx_to_the_printed_pages(built, tmp_path):
    """The .docx as saved (not the PDF plangen exported before filling the contents), converted by
    LibreOffice: each contents entry on the contents pages is a link to the page it prints."""
    import subprocess

    pypdf = pytest.importorskip("pypdf")
    plan = built["bundled"] / "improvement-plan.docx"
    completed = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                                "--convert-to", "pdf", "--outdir", str(tmp_path), str(plan)],
                               capture_output=True, text=True, timeout=300)
    pdf = tmp_path / "improvement-plan.pdf"
    assert completed.returncode == 0 and pdf.exists(), completed.stderr
    reader = pypdf.PdfReader(str(pdf))
    document = Document(str(plan))
    _, entries = contents_entries(document)
    printed = [int(re.search(r"(\d+)$", "".join(node.text or "" for node in entry.iter(qn("w:t")))).group(1))
               for entry in entries]
    targets = []
    for page in reader.pages[1:4]:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            destination = annotation.get("/Dest")
            if destination is None and "/A" in annotation:
                destination = annotation["/A"].get("/D")
            if isinstance(destination, str):
                destination = reader.named_destinations[destination]
                targets.append((float(annotation["/Rect"][1]), reader.get_destination_page_number(destination) + 1))
            elif destination is not None:
                targets.append((float(annotation["/Rect"][1]), reader.get_page_number(destination[0].get_object()) + 1))
    assert len(targets) >= len(entries)
    assert sorted(page for _, page in targets[:len(entries)]) == sorted(printed)
