"""Publishing: incremental builds (what is remade and what is left alone, by file modification times
and inodes), progress and summary, and the PDFs (tagged, titled, in the paper's language, with
bookmarks that match the headings in the structure tree), read back with pypdf."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from docx import Document

from conftest import REPO, SCAFFOLD_PLAN, run_cli

pypdf = pytest.importorskip("pypdf")

BUNDLED = REPO / "plan"


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's (inode, modification time in ns): a rewritten file changes both."""
    return {path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def repo(tmp_path) -> Path:
    shutil.copytree(SCAFFOLD_PLAN, tmp_path / "plan")
    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "build")
    assert completed.returncode == 0, completed.stderr
    return tmp_path


def build(repo: Path, *extra):
    completed = run_cli("build", repo / "plan", "-o", repo / "build", *extra)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def test_a_second_build_rewrites_nothing(repo):
    before, link = stamps(repo / "build"), os.readlink(repo / "build")
    completed = build(repo)
    assert stamps(repo / "build") == before
    assert os.readlink(repo / "build") == link
    assert "improvement-plan.docx: unchanged" in completed.stderr
    assert "nothing written, 2 unchanged" in completed.stderr
    assert completed.stdout == ""


def test_touching_every_input_without_changing_it_rebuilds_nothing(repo):
    before = stamps(repo / "build")
    for path in (repo / "plan").rglob("*.yaml"):
        os.utime(path, None)
    build(repo)
    assert stamps(repo / "build") == before


def test_editing_one_report_file_rebuilds_that_paper_alone(repo):
    before = stamps(repo / "build")
    report = next((repo / "plan" / "reports").glob("*.yaml"))
    text = report.read_text(encoding="utf-8")
    assert "\nsubject: " in text
    report.write_text(text.replace("\nsubject: ", "\nsubject: Revised - ", 1), encoding="utf-8")
    completed = build(repo)
    after = stamps(repo / "build")
    paper = f"reports/{report.stem}.docx"
    assert after[paper] != before[paper]
    assert after["improvement-plan.docx"] == before["improvement-plan.docx"]
    assert Document(str(repo / "build" / paper)).core_properties.title.startswith("Revised - ")
    assert completed.stdout.strip() == f"wrote {repo / 'build' / paper}"
    assert "1 paper written, 1 unchanged" in completed.stderr


def test_editing_a_template_rebuilds_the_papers_made_from_it_alone(repo):
    before = stamps(repo / "build")
    (repo / "templates").mkdir()
    template = repo / "templates" / "plan.docx"
    shutil.copy(Path(str(REPO / "src/plangen/templates/plan.docx")), template)
    document = Document(str(template))
    document.add_paragraph("Printed for the Improvement Board.")
    document.save(str(template))
    build(repo)
    after = stamps(repo / "build")
    assert after["improvement-plan.docx"] != before["improvement-plan.docx"]
    report = next(name for name in after if name.startswith("reports/"))
    assert after[report] == before[report]
    text = "\n".join(paragraph.text for paragraph in Document(str(repo / "build" / "improvement-plan.docx")).paragraphs)
    assert "Printed for the Improvement Board." in text


def test_force_rebuilds_everything_and_a_removed_report_leaves_the_set(repo):
    before = stamps(repo / "build")
    completed = build(repo, "--force")
    after = stamps(repo / "build")
    assert all(after[name] != before[name] for name in before if name.endswith(".docx"))
    assert "2 papers written, 0 unchanged" in completed.stderr
    for report in (repo / "plan" / "reports").glob("*.yaml"):
        report.unlink()
    build(repo)
    assert sorted(path.name for path in (repo / "build").rglob("*.docx")) == ["improvement-plan.docx"]


def test_files_build_does_not_make_are_kept(repo):
    (repo / "build" / "redline.docx").write_bytes(b"a redline")
    (repo / "plan" / "plan.yaml").write_text((repo / "plan" / "plan.yaml").read_text() + "\n", encoding="utf-8")
    report = next((repo / "plan" / "reports").glob("*.yaml"))
    report.write_text(report.read_text() + "# edited\n", encoding="utf-8")
    completed = build(repo)
    assert (repo / "build" / "redline.docx").read_bytes() == b"a redline"
    assert "kept files that build does not make: redline.docx" in completed.stderr


def test_output_folder_holding_other_files_is_refused(tmp_path):
    shutil.copytree(SCAFFOLD_PLAN, tmp_path / "plan")
    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "plan")
    assert completed.returncode == 2
    assert "holds files plangen does not write" in completed.stderr
    assert (tmp_path / "plan").is_dir() and not (tmp_path / "plan").is_symlink()
    (tmp_path / "file").write_text("x")
    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "file")
    assert completed.returncode == 2 and "is a file" in completed.stderr


def test_a_plain_output_folder_from_before_is_replaced_whole(tmp_path):
    shutil.copytree(SCAFFOLD_PLAN, tmp_path / "plan")
    (tmp_path / "build" / "reports").mkdir(parents=True)
    (tmp_path / "build" / "improvement-plan.docx").write_bytes(b"old")
    (tmp_path / "build" / "reports" / "gone.docx").write_bytes(b"old")
    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "build")
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "build").is_symlink()
    assert sorted(path.name for path in (tmp_path / "build").rglob("*.docx")) == [
        "2026-02-scrutiny-update.docx", "improvement-plan.docx"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [".build.plangen", "build", "plan"]


def test_pdf_without_libreoffice_fails_and_build_without_says_what_is_left_undone(repo, tmp_path):
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    for tool in ("git",):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bin_folder / tool)
    import subprocess
    import sys

    environment = {**os.environ, "PATH": str(bin_folder)}
    before = stamps(repo / "build")
    completed = subprocess.run([sys.executable, "-m", "plangen", "build", str(repo / "plan"), "-o", str(repo / "build"),
                                "--pdf"], capture_output=True, text=True, env=environment)
    assert completed.returncode == 4
    assert "LibreOffice (soffice) is not installed, so no PDF can be made" in completed.stderr
    assert stamps(repo / "build") == before
    completed = subprocess.run([sys.executable, "-m", "plangen", "build", str(repo / "plan"), "-o", str(repo / "build"),
                                "--force"], capture_output=True, text=True, env=environment)
    assert completed.returncode == 0, completed.stderr
    assert "written (page numbers left for Word)" in completed.stderr
    assert "LibreOffice (soffice) is not installed: the contents' page numbers were not laid out" in completed.stderr


# -- PDFs ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_pdfs(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    shutil.copytree(BUNDLED, root / "plan")
    completed = run_cli("build", root / "plan", "-o", root / "build", "--pdf")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    papers = sorted((root / "build").rglob("*.docx"))
    assert len(papers) == 4
    assert sorted(line for line in completed.stdout.splitlines()) == sorted(
        f"wrote {path}" for paper in papers for path in (paper, paper.with_suffix(".pdf")))
    return papers


def outline(reader) -> list[tuple[int, str]]:
    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title
    return list(walk(reader.outline, 1))


def structure_headings(reader) -> list[str]:
    """The heading elements (H, H1…H6) of the PDF's structure tree, in document order."""
    found = []

    def walk(node):
        node = node.get_object()
        if not isinstance(node, pypdf.generic.DictionaryObject):
            return
        kind = node.get("/S")
        if kind and (kind == "/H" or (kind.startswith("/H") and kind[2:].isdigit())):
            found.append(kind)
        children = node.get("/K")
        if isinstance(children, pypdf.generic.ArrayObject):
            for child in children:
                walk(child)
        elif children is not None:
            walk(children)
    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_every_pdf_is_tagged_titled_and_in_its_language(bundled_pdfs):
    titles = set()
    for paper in bundled_pdfs:
        reader = pypdf.PdfReader(str(paper.with_suffix(".pdf")))
        root = reader.trailer["/Root"]
        assert bool(root["/MarkInfo"]["/Marked"]), paper.name
        assert "/StructTreeRoot" in root, paper.name
        title = Document(str(paper)).core_properties.title
        assert reader.metadata.title == title, paper.name
        assert reader.xmp_metadata.dc_title["x-default"] == title, paper.name  # not escaped twice
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        assert root["/Lang"] == "en-GB", paper.name
        titles.add(title)
    assert len(titles) == len(bundled_pdfs)  # each paper its own title


def test_bookmarks_match_the_headings_of_the_structure_tree(bundled_pdfs):
    for paper in bundled_pdfs:
        reader = pypdf.PdfReader(str(paper.with_suffix(".pdf")))
        bookmarks = outline(reader)
        headings = structure_headings(reader)
        assert bookmarks, paper.name
        # one bookmark per heading element (a bookmark's depth follows the nesting, which skips a level
        # where the headings do, so the levels themselves need not agree)
        assert len(bookmarks) == len(headings), paper.name
        document = Document(str(paper))
        styled = [paragraph.text.strip() for paragraph in document.paragraphs
                  if paragraph.style.name in ("Heading 1", "Heading 2") and paragraph.text.strip()]
        top_levels = [title.strip() for depth, title in bookmarks if depth <= 2]
        assert [title for title in styled if title in top_levels] == [title for title in top_levels if title in styled]
        assert set(styled) <= set(top_levels) | {""}, set(styled) - set(top_levels)


def test_pdf_page_count_matches_the_laid_out_paper_and_page_numbers_are_in_the_docx(bundled_pdfs):
    plan_paper = next(paper for paper in bundled_pdfs if paper.name == "improvement-plan.docx")
    pages = len(pypdf.PdfReader(str(plan_paper.with_suffix(".pdf"))).pages)
    assert pages > 10
    from docx.oxml.ns import qn

    document = Document(str(plan_paper))
    assert document.settings.element.find(qn("w:updateFields")) is None


# -- contrast --------------------------------------------------------------------------------------

def wcag_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio, written out here independently of plangen.contrast."""
    def luminance(colour):
        red, green, blue = (int(colour[index:index + 2], 16) / 255 for index in (0, 2, 4))
        linear = [value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4 for value in (red, green, blue)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_known_contrast_ratios():
    assert round(wcag_ratio("000000", "0070C0"), 2) == 4.08  # the failing pair
    assert round(wcag_ratio("FFFFFF", "000000"), 1) == 21.0


def test_every_filled_cell_text_reaches_4_5_to_1(bundled_pdfs):
    from docx.oxml.ns import qn

    pairs = Counter()
    for paper in bundled_pdfs:
        document = Document(str(paper))
        for cell in document.element.body.iter(qn("w:tc")):
            shading = cell.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
            fill = shading.get(qn("w:fill")) if shading is not None else None
            if not fill or fill == "auto":
                continue
            for run in cell.iter(qn("w:r")):
                text = "".join(node.text or "" for node in run.iter(qn("w:t")))
                if not text.strip():
                    continue
                colour = run.find(f"{qn('w:rPr')}/{qn('w:color')}")
                # a run without a colour of its own takes the style's: black in these templates
                value = colour.get(qn("w:val")) if colour is not None else "000000"
                value = "000000" if value == "auto" else value
                pairs[(fill.upper(), value.upper())] += 1
                assert wcag_ratio(fill, value) >= 4.5, (paper.name, text, fill, value)
    # the status colours of the bundled plan were all met, "Complete" blue among them, with white text
    assert ("0070C0", "FFFFFF") in pairs
    assert len({fill for fill, _ in pairs}) >= 4


# -- provenance and earlier revisions --------------------------------------------------------------

def git(repo: Path, *arguments: str) -> str:
    import subprocess

    completed = subprocess.run(["git", "-C", str(repo), "-c", "user.email=clerk@example.org", "-c", "user.name=Clerk",
                                *arguments], capture_output=True, text=True, check=True)
    return completed.stdout.strip()


def test_papers_record_the_plan_commit_and_plangen_version_and_build_at_an_earlier_revision(tmp_path):
    from plangen import __version__

    shutil.copytree(SCAFFOLD_PLAN, tmp_path / "plan")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "plan")
    git(tmp_path, "commit", "-qm", "first")
    first = git(tmp_path, "rev-parse", "HEAD")
    plan_file = tmp_path / "plan" / "plan.yaml"
    plan_file.write_text(plan_file.read_text().replace("author: Example Borough Council", "author: Second Council"))
    git(tmp_path, "commit", "-qam", "second")
    second = git(tmp_path, "rev-parse", "HEAD")

    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "now")
    assert completed.returncode == 0, completed.stderr
    properties = Document(str(tmp_path / "now" / "improvement-plan.docx")).core_properties
    assert properties.author == "Second Council"
    assert properties.identifier == second
    assert properties.comments == f"Made by plangen {__version__} from the plan at commit {second}"

    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "then", "--at", "HEAD~1")
    assert completed.returncode == 0, completed.stderr
    for paper in ("improvement-plan.docx", "reports/2026-02-scrutiny-update.docx"):
        properties = Document(str(tmp_path / "then" / paper)).core_properties
        assert properties.author == "Example Borough Council", paper
        assert properties.identifier == first, paper
    # the extracted revision is gone (and a build of a revision keeps no record of working-tree inputs)
    assert sorted(entry.name for entry in (tmp_path / ".then.plangen").iterdir()) == sorted(
        ["lock", (tmp_path / "then").resolve().name])

    # an edit not yet committed is said to be one, and remakes the paper
    plan_file.write_text(plan_file.read_text().replace("author: Second Council", "author: Third Council"))
    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "now")
    properties = Document(str(tmp_path / "now" / "improvement-plan.docx")).core_properties
    assert properties.comments.endswith(f"commit {second} with uncommitted changes")

    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "then", "--at", "no-such-revision")
    assert completed.returncode == 2 and "'no-such-revision' is not a git revision" in completed.stderr


def test_a_build_answered_from_its_record_still_sees_a_commit_and_an_altered_output(tmp_path):
    """A second build with nothing changed answers from the record of its inputs; committing an edit
    (no byte of the plan changes) and altering an output by hand both still remake the paper."""
    shutil.copytree(SCAFFOLD_PLAN, tmp_path / "plan")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "plan")
    git(tmp_path, "commit", "-qm", "first")
    plan_file = tmp_path / "plan" / "plan.yaml"
    plan_file.write_text(plan_file.read_text().replace("author: Example Borough Council", "author: Second Council"))
    paper = tmp_path / "build" / "improvement-plan.docx"
    for _ in range(2):  # the second answers from the record
        completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "build")
        assert completed.returncode == 0, completed.stderr
        assert Document(str(paper)).core_properties.comments.endswith("with uncommitted changes")
    assert "nothing written, 2 unchanged" in completed.stderr
    assert (tmp_path / ".build.plangen" / "inputs.json").is_file()

    git(tmp_path, "commit", "-qam", "second")
    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "build")
    assert completed.returncode == 0, completed.stderr
    assert Document(str(paper)).core_properties.identifier == git(tmp_path, "rev-parse", "HEAD")
    assert "improvement-plan.docx: written" in completed.stderr

    good = paper.read_bytes()
    with open(paper.resolve(), "ab") as altered:
        altered.write(b"altered by hand")
    completed = run_cli("build", tmp_path / "plan", "-o", tmp_path / "build")
    assert completed.returncode == 0, completed.stderr
    assert "improvement-plan.docx: written" in completed.stderr
    assert paper.read_bytes() != good + b"altered by hand"
    Document(str(paper))  # a whole paper again


def test_contents_entries_link_to_the_pages_they_name(bundled_pdfs):
    import re

    plan_paper = next(paper for paper in bundled_pdfs if paper.name == "improvement-plan.docx")
    reader = pypdf.PdfReader(str(plan_paper.with_suffix(".pdf")))
    page_of = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, start=1)}
    checked = 0
    for page in reader.pages[1:3]:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            match = re.search(r"\t(\d+)$", str(annotation.get("/Contents", "")))
            if annotation.get("/Subtype") != "/Link" or not match:
                continue
            destination = annotation["/Dest"][0].idnum
            assert page_of[destination] == int(match.group(1)), annotation["/Contents"]
            checked += 1
    assert checked >= 20


def test_a_paper_citing_plan_pages_is_remade_with_the_plan_and_keeps_its_pages_when_made_alone(tmp_path):
    import re

    shutil.copytree(BUNDLED, tmp_path / "plan")
    build(tmp_path)
    paper = tmp_path / "build" / "reports" / "2017-12-12-scrutiny-update.docx"

    def cited() -> str:
        document = Document(str(paper))
        text = "".join(node.text or "" for node in document.element.body.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
        return re.search(r"outlined on page (\d+) of the Children", text).group(1)

    first = cited()
    before = stamps(tmp_path / "build")
    report = tmp_path / "plan" / "reports" / "2017-12-12-scrutiny-update.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    build(tmp_path)
    after = stamps(tmp_path / "build")
    assert after["improvement-plan.docx"] == before["improvement-plan.docx"]
    assert after["reports/2017-12-12-scrutiny-update.docx"] != before["reports/2017-12-12-scrutiny-update.docx"]
    assert cited() == first  # from the plan's page map kept with the set
    plan_file = tmp_path / "plan" / "plan.yaml"
    plan_file.write_text(plan_file.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    completed = build(tmp_path)
    assert "reports/2017-12-12-scrutiny-update.docx: written" in completed.stderr
    assert cited() == first

    # citing another section of an unchanged plan: its page is laid out and printed (the page map
    # kept with the set holds only the pages cited so far)
    report.write_text(report.read_text(encoding="utf-8").replace("[plan page: progress-rag-ratings]",
                                                                 "[plan page: lead-officers]"), encoding="utf-8")
    build(tmp_path)
    contents = [paragraph.text for paragraph in Document(str(tmp_path / "build" / "improvement-plan.docx")).paragraphs
                if paragraph.style.name == "TOC 1"]
    lead_officers_page = next(entry.split("\t")[1] for entry in contents if entry.startswith("Lead Officers\t"))
    assert cited() == lead_officers_page != first


def test_libreoffice_starts_from_a_kept_profile_and_the_papers_are_the_same(tmp_path):
    """The first session leaves its profile (after a clean exit) as the template later sessions copy;
    a build from the template lays the papers out to the same pages."""
    cache = tmp_path / "cache"
    environment = {"XDG_CACHE_HOME": str(cache)}
    shutil.copytree(SCAFFOLD_PLAN, tmp_path / "plan")
    first = run_cli("build", tmp_path / "plan", "-o", tmp_path / "first", env=environment)
    assert first.returncode == 0, first.stderr
    templates = list((cache / "plangen").glob("libreoffice-profile-*"))
    assert len(templates) == 1 and (templates[0] / "user" / "registrymodifications.xcu").is_file()
    kept = {path: path.stat().st_mtime_ns for path in templates[0].rglob("*")}
    second = run_cli("build", tmp_path / "plan", "-o", tmp_path / "second", env=environment)
    assert second.returncode == 0, second.stderr
    assert {path: path.stat().st_mtime_ns for path in templates[0].rglob("*")} == kept  # copied, not used in place
    assert [entry for entry in (cache / "plangen").iterdir() if entry.name != "uno-pythons.json"] == templates  # no staging left
    for paper in ("improvement-plan.docx", "reports/2026-02-scrutiny-update.docx"):
        texts = [[paragraph.text for paragraph in Document(str(tmp_path / run / paper)).paragraphs] for run in ("first", "second")]
        assert texts[0] == texts[1]
    contents = [paragraph.text for paragraph in Document(str(tmp_path / "second" / "improvement-plan.docx")).paragraphs
                if paragraph.style.name in ("TOC 1", "TOC 2")]
    assert contents and all(entry.rsplit("\t", 1)[1].isdigit() for entry in contents)


def test_an_interpreter_known_to_import_uno_is_not_asked_again_until_its_files_change(tmp_path, monkeypatch):
    """The `uno` probe costs a Python start-up before LibreOffice can start: a yes is remembered with
    the interpreter's and the module's sizes and times, and asked again once either file changes."""
    from plangen import office

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # an interpreter that cannot import anything: only a remembered yes makes it the one chosen
    refusing = tmp_path / "python-without-uno"
    refusing.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    refusing.chmod(0o755)
    module = tmp_path / "uno.py"
    module.write_text("# stands for LibreOffice's module\n", encoding="utf-8")
    monkeypatch.setenv("PLANGEN_UNO_PYTHON", str(refusing))
    office.uno_python.cache_clear()
    try:
        real = office.uno_python()  # the probe refuses the stand-in and finds the system's python3-uno
        assert real is not None and real != str(refusing)
        remembered = json.loads((tmp_path / "cache" / "plangen" / "uno-pythons.json").read_text(encoding="utf-8"))
        assert set(remembered) == {real} and remembered[real]["uno"].endswith("uno.py")

        remembered[str(refusing)] = office._uno_signature(str(refusing), str(module))
        (tmp_path / "cache" / "plangen" / "uno-pythons.json").write_text(json.dumps(remembered), encoding="utf-8")
        office.uno_python.cache_clear()
        assert office.uno_python() == str(refusing)  # remembered: not asked

        status = module.stat()
        os.utime(module, ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))
        office.uno_python.cache_clear()
        assert office.uno_python() == real  # the module changed: asked again, and it refused

        # a record that is not what plangen writes is asked past, never a crash
        for damaged in ('{"%s": "not a record"}' % refusing, "[1, 2]", "{not json"):
            (tmp_path / "cache" / "plangen" / "uno-pythons.json").write_text(damaged, encoding="utf-8")
            office.uno_python.cache_clear()
            assert office.uno_python() == real
    finally:
        office.uno_python.cache_clear()


@pytest.mark.parametrize("levels", ["1-2", "1-3"])
def test_contents_give_every_heading_its_entry_level_and_page(tmp_path, levels):
    """Every heading gets its entry, at its level, with the page it is laid out on, a heading with a
    line break in it too (listed on one line). A contents of levels 1-2 is filled in by plangen before
    layout and LibreOffice sets its pages where they stand; one of levels 1-3 (which plangen does not
    fill in) is regenerated by LibreOffice's own update."""
    from docx.enum.text import WD_BREAK

    from plangen import office

    if not office.available():
        pytest.skip("LibreOffice is not installed")
    document = contents_only(f'TOC \\o "{levels}" \\h \\z \\u')
    document.add_heading("Alpha", level=1)
    document.add_paragraph("text")
    broken = document.add_heading("Beta", level=1)
    broken.runs[0].add_break(WD_BREAK.LINE)
    broken.add_run("Gamma")
    document.add_page_break()
    document.add_heading("Delta", level=2)
    buffer = io.BytesIO()
    document.save(buffer)
    target = tmp_path / "paper.docx"
    office.write_laid_out(buffer.getvalue(), target)
    entries = [(paragraph.style.name, " ".join(paragraph.text.split("\t")[0].split()), paragraph.text.rsplit("\t", 1)[-1])
               for paragraph in Document(str(target)).paragraphs if paragraph.style.name.startswith("TOC")]
    assert entries == [("TOC 1", "Alpha", "1"), ("TOC 1", "Beta Gamma", "1"), ("TOC 2", "Delta", "2")]


def contents_only(instruction: str):
    """A document holding nothing but a TOC field with `instruction` and its placeholder."""
    from docx.oxml import parse_xml

    document = Document()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document.element.body.insert(0, parse_xml(
        f'<w:p {w}><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Contents</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'))
    return document


def toc_document(instruction: str = 'TOC \\o "1-2" \\h \\z \\u'):
    document = contents_only(instruction)
    document.add_heading("Alpha", level=1)
    document.add_paragraph("text")
    document.add_heading("Beta", level=2)
    return document


def entries_filled_in(document) -> list:
    """(style, words, page placeholder, linked bookmark on a heading) of each contents entry."""
    from docx.oxml.ns import qn

    marked = {mark.get(qn("w:name")) for mark in document.element.body.iter(qn("w:bookmarkStart"))}
    entries = []
    for paragraph in document.paragraphs:
        link = paragraph._p.find(qn("w:hyperlink"))
        if paragraph.style.name.startswith("TOC") and link is not None:
            words, page = paragraph.text.rsplit("\t", 1)
            entries.append((paragraph.style.name, words, page, link.get(qn("w:anchor")) in marked))
    return entries


def test_contents_are_filled_in_before_layout_only_where_libreoffice_would_list_the_same():
    from docx.oxml import parse_xml

    from plangen.fields import fill_contents_for_layout

    document = toc_document()
    assert fill_contents_for_layout(document)
    assert entries_filled_in(document) == [("TOC 1", "Alpha", "0", True), ("TOC 2", "Beta", "0", True)]

    # a contents of three levels, a numbered heading, a heading in a table, numbering restarted:
    # LibreOffice's own update decides (and nothing is filled in)
    assert not fill_contents_for_layout(toc_document('TOC \\o "1-3" \\h'))
    numbered = toc_document()
    numbered.paragraphs[1]._p.get_or_add_pPr().append(parse_xml(
        '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'))
    in_table = toc_document()
    in_table.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0].style = in_table.styles["Heading 1"]
    in_table.tables[0].cell(0, 0).paragraphs[0].add_run("Gamma")
    restarted = toc_document()
    restarted.sections[0]._sectPr.append(parse_xml(
        '<w:pgNumType xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:start="3"/>'))
    for document in (numbered, in_table, restarted):
        assert not fill_contents_for_layout(document)
        assert entries_filled_in(document) == []


def test_pages_are_read_inside_libreoffice_by_its_own_python(tmp_path):
    """office_pages is loaded into LibreOffice (its embedded Python), so reading a paper's pages is
    not hundreds of round trips over the bridge; it says so on its stderr when it cannot be."""
    from plangen import office

    if not office.available():
        pytest.skip("LibreOffice is not installed")
    buffer = io.BytesIO()
    toc_document().save(buffer)
    paper = tmp_path / "paper.docx"
    laid_out, filled = office.for_layout(buffer.getvalue())
    assert filled
    paper.write_bytes(laid_out)
    session = office.Session(tmp_path / "work")
    session.start()
    try:
        session.submit(paper, None, "paper", contents_filled=filled)
        _, answer = session.result()
    finally:
        session.close()
    assert answer["headings"] == [[1, "Alpha", 1], [2, "Beta", 1]]
    said = (tmp_path / "work" / "stderr.txt").read_text(errors="replace")
    assert "over the bridge" not in said, said


def word_filled_contents(end_alone: bool):
    """A template whose contents Word has filled in (F9 before saving): the field's result runs over
    an entry paragraph per heading, each a link holding a PAGEREF field, the field's end in a
    paragraph of its own (`end_alone`) or at the end of the last entry, followed there by text."""
    from docx.oxml import parse_xml

    document = Document()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def entry(words, page, first=False, last=False):
        field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" '
                 '\\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>') if first else ""
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>Kept after the contents</w:t></w:r>' if last else ""
        return parse_xml(
            f'<w:p {w}><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>{field}<w:hyperlink w:anchor="_Toc1">'
            f'<w:r><w:t>{words}</w:t></w:r><w:r><w:tab/></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGEREF _Toc1 \\h </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{page}</w:t></w:r>'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink>{end}</w:p>')

    body = document.element.body
    paragraphs = [entry("Old first heading", 3, first=True), entry("Old second heading", 7, last=not end_alone)]
    if end_alone:
        paragraphs.append(parse_xml(f'<w:p {w}><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'))
    for position, paragraph in enumerate(paragraphs):
        body.insert(position, paragraph)
    document.add_heading("Alpha", level=1)
    document.add_paragraph("text")
    document.add_heading("Beta", level=2)
    return document


@pytest.mark.parametrize("end_alone", [True, False])
def test_a_contents_word_filled_in_is_replaced_whole(end_alone):
    """Its old entries go: the new ones are the contents, not followed by the template's stale ones."""
    from docx.oxml.ns import qn

    from plangen import fields

    document = word_filled_contents(end_alone)
    assert fields.fill_contents_for_layout(document)
    assert entries_filled_in(document) == [("TOC 1", "Alpha", "0", True), ("TOC 2", "Beta", "0", True)]
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Old" not in text
    assert ("Kept after the contents" in text) is not end_alone
    kinds = [character.get(qn("w:fldCharType")) for character in document.element.body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"], "the contents field whole, and no stale PAGEREF left"
    assert [paragraph.text for paragraph in document.paragraphs][-3:] == ["Alpha", "text", "Beta"]


def test_a_template_s_own_contents_are_regenerated_not_trusted(tmp_path):
    """A contents plangen did not fill in may hold a template's stale entries, linked to bookmarks on
    headings as Word writes them: LibreOffice regenerates it, so a heading the template's entries
    lack still gets its entry and page."""
    from docx.oxml.ns import qn

    from plangen import fields, office

    if not office.available():
        pytest.skip("LibreOffice is not installed")
    document = toc_document()
    assert fields.fill_contents_for_layout(document)  # entries for Alpha and Beta, linked
    for instruction in document.element.body.iter(qn("w:instrText")):
        instruction.text = instruction.text.replace('"1-2"', '"1-3"')  # a contents plangen does not fill in
    document.add_page_break()
    document.add_heading("Gamma", level=1)
    buffer = io.BytesIO()
    document.save(buffer)
    laid_out, filled = office.for_layout(buffer.getvalue())
    assert not filled and laid_out == buffer.getvalue()
    paper = tmp_path / "paper.docx"
    paper.write_bytes(laid_out)
    with office.Session(tmp_path / "work") as session:
        session.submit(paper, None, "paper", contents_filled=filled)
        _, answer = session.result()
    assert answer["headings"] == [[1, "Alpha", 1], [2, "Beta", 1], [1, "Gamma", 2]]
