"""`plangen pack`: one tagged PDF per meeting, page numbers running on, a bookmark per item and
appendix, exempt items only in the restricted pack. Read back with pypdf and poppler."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO, run_cli

pypdf = pytest.importorskip("pypdf")

EXEMPT_SUBJECT = "Staffing matters in the assessment service"


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pack")
    shutil.copytree(REPO / "plan", root / "plan")
    scrutiny = (root / "plan" / "reports" / "2017-12-12-scrutiny-update.yaml").read_text(encoding="utf-8")
    exempt = scrutiny.replace("subject: Update on Children's Improvement Activity", f"subject: {EXEMPT_SUBJECT}", 1)
    exempt = exempt.replace('agenda_item: "5"', 'agenda_item: "7"\nexempt: "Paragraph 1: information relating to an individual"', 1)
    exempt = exempt[: exempt.index("\nappendices:")] + "\n"
    # without its appendices the paper cannot cite their pages
    exempt = re.sub(r"\(see page \[page: appendix-\d\]\)", "", exempt)
    (root / "plan" / "reports" / "2017-12-12-staffing.yaml").write_text(exempt, encoding="utf-8")
    assert run_cli("validate", root / "plan").returncode == 0
    completed = run_cli("pack", "2017-12-12", root / "plan", "-o", root / "packs")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    # the parts, made separately by build --pdf
    built = run_cli("build", root / "plan", "-o", root / "build", "--pdf")
    assert built.returncode == 0, built.stderr
    public = root / "packs" / "2017-12-12-scrutiny-and-overview-committee-agenda-pack.pdf"
    restricted = root / "packs" / "2017-12-12-scrutiny-and-overview-committee-restricted-pack.pdf"
    assert sorted(completed.stdout.split()) == sorted(["wrote", str(public), "wrote", str(restricted)])
    return root, public, restricted


def pages_of(path: Path) -> int:
    return len(pypdf.PdfReader(str(path)).pages)


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_page_count_is_the_sum_of_the_parts_and_printed_numbers_run_on(packs):
    root, public, _ = packs
    parts = [root / "build" / "reports" / "2017-12-12-scrutiny-update.pdf", root / "build" / "improvement-plan.pdf"]
    total = pages_of(public)
    agenda_pages = 1
    assert total == agenda_pages + sum(pages_of(part) for part in parts)
    for number, text in enumerate(page_texts(public), start=1):
        assert re.search(rf"\bpage {number} of {total}\b", text, re.IGNORECASE), (number, text[-200:])


def test_the_agenda_lists_each_item_at_its_page_and_the_exempt_item_without_its_paper(packs):
    root, public, _ = packs
    agenda = " ".join(page_texts(public)[0].split())
    report_pages = pages_of(root / "build" / "reports" / "2017-12-12-scrutiny-update.pdf")
    assert "Item 5 Update on Children's Improvement Activity 2" in agenda
    assert f"Item 5, appendix 1 Final Children's Improvement Plan {2 + report_pages}" in agenda
    reading_order = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(public), "-"], capture_output=True, text=True).stdout
    assert (f"Item 7 {EXEMPT_SUBJECT} (exempt from publication: Paragraph 1: information relating to an individual; "
            "not in this pack)") in " ".join(reading_order.split())
    rest = " ".join(" ".join(page_texts(public)[1:]).split())
    assert EXEMPT_SUBJECT not in rest


def test_the_restricted_pack_holds_the_exempt_item_alone(packs):
    root, _, restricted = packs
    texts = page_texts(restricted)
    assert "Not for publication" in texts[0] and EXEMPT_SUBJECT in " ".join(texts[0].split())
    assert EXEMPT_SUBJECT in " ".join(texts[1].split())
    assert "Update on Children's Improvement Activity" not in " ".join(" ".join(texts).split())
    outline = [item.title for item in pypdf.PdfReader(str(restricted)).outline if not isinstance(item, list)]
    assert outline == ["Agenda", f"Item 7: {EXEMPT_SUBJECT}"]


def test_the_pack_is_tagged_with_a_bookmark_per_item_and_appendix(packs):
    root, public, _ = packs
    reader = pypdf.PdfReader(str(public))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) and catalog["/Lang"] == "en-GB"
    title = "Agenda pack: Scrutiny and Overview committee, 12 December 2017"
    assert reader.metadata.title == title and reader.xmp_metadata.dc_title["x-default"] == title
    tree = catalog["/StructTreeRoot"]
    numbers = tree["/ParentTree"]["/Nums"]
    keys = {int(numbers[index]) for index in range(0, len(numbers), 2)}
    # every page's marked content and every link annotation is found in the joined parent tree
    for page in reader.pages:
        assert int(page["/StructParents"]) in keys
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/StructParent" in annotation:
                assert int(annotation["/StructParent"]) in keys
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == ["Agenda", "Item 5: Update on Children's Improvement Activity",
                                           "Item 5, appendix 1: Final Children's Improvement Plan"]
    report_pages = pages_of(root / "build" / "reports" / "2017-12-12-scrutiny-update.pdf")
    assert [reader.get_destination_page_number(item) for item in top] == [0, 1, 1 + report_pages]
    # each part's own bookmarks sit under its entry, one for each heading of the joined structure tree
    nested = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif depth > 0:
                nested.append(item.title)
    walk(reader.outline, 0)
    headings = Counter()

    def visit(node):
        node = node.get_object()
        if not isinstance(node, pypdf.generic.DictionaryObject):
            return
        kind = node.get("/S")
        if kind and kind.startswith("/H") and kind[2:].isdigit():
            headings[kind] += 1
        kids = node.get("/K")
        if isinstance(kids, pypdf.generic.ArrayObject):
            for kid in kids:
                visit(kid)
        elif kids is not None:
            visit(kids)
    visit(tree)
    assert len(nested) == sum(headings.values()) > 20


def test_an_unknown_meeting_names_the_meetings_there_are(tmp_path):
    shutil.copytree(REPO / "plan", tmp_path / "plan")
    completed = run_cli("pack", "2017-01-01", tmp_path / "plan", "-o", tmp_path / "packs")
    assert completed.returncode == 2
    assert "no report file is for a meeting on 2017-01-01" in completed.stderr
    assert "2017-11-20 Cabinet" in completed.stderr
    assert not (tmp_path / "packs").exists()


def test_a_pack_killed_mid_way_leaves_the_previous_pack_and_the_next_run_removes_its_staging(packs):
    root, public, _ = packs
    output = root / "packs"
    before = public.read_bytes()
    killed = subprocess.Popen([sys.executable, "-m", "plangen", "pack", "2017-12-12", str(root / "plan"), "-o", str(output)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    group_files = []
    while time.monotonic() < deadline and killed.poll() is None:
        # LibreOffice is laying the parts out: the run is mid-way
        group_files = list(output.glob(".plangen-pack-*/pack-*/office/process-group"))
        if group_files:
            break
        time.sleep(0.2)
    assert group_files, "the pack never started LibreOffice"
    group = int(group_files[0].read_text())
    killed.send_signal(signal.SIGKILL)
    assert killed.wait(30) == -signal.SIGKILL
    stale = list(output.glob(".plangen-pack-*"))
    assert len(stale) == 1, stale  # SIGKILL gives the run no chance to tidy up
    assert public.read_bytes() == before

    again = run_cli("pack", "2017-12-12", root / "plan", "-o", output)
    assert again.returncode == 0, again.stderr
    assert not list(output.glob(".plangen-pack-*"))
    assert sorted(path.name for path in output.iterdir()) == sorted([public.name, packs[2].name])
    assert pages_of(public) == len(pypdf.PdfReader(io.BytesIO(before)).pages)
    with pytest.raises(ProcessLookupError):  # the killed run's LibreOffice did not outlive it
        os.killpg(group, 0)
