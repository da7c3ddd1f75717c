"""The redline is the plan document itself with tracked changes: the same template, page, header,
labels and layout as that plan's document, and accepting every change gives the newer plan's
document word for word (rejecting every change, the older's). Accepting and rejecting are done here
on the XML, as Word's Review tab does, independently of plangen."""

from __future__ import annotations

import copy
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO, edit, run_cli
from docx_reading import convert_to_pdf_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CROYDON_DRAFT = REPO / "examples" / "croydon-2017-10-draft" / "plan"
CROYDON = REPO / "plan"
NORTHSHIRE = REPO / "examples" / "northshire-2026" / "plan"


def northshire_amended(root: Path) -> Path:
    """The Northshire plan after a month's edits: a milestone re-worded and re-dated, a lead changed,
    a milestone added, an action removed, an area's objective added."""
    plan = root / "plan"
    shutil.copytree(NORTHSHIRE, plan)
    front_door = plan / "priorities" / "01-front-door.yaml"
    edit(front_door, "Revised threshold document agreed by the partnership executive",
         "Revised threshold document agreed by the partnership")
    edit(front_door, "            due: 2026-05\n", "            due: 2026-07\n")
    edit(front_door, "            lead: AD-QA\n", "            lead: [AD-QA, NSCP]\n")
    workforce = plan / "priorities" / "09-workforce.yaml"
    edit(workforce, "          - text: Agency share below 15 per cent\n",
         "          - text: Exit interviews for every leaver\n            lead: HoS-WF\n            due: 2026-06\n"
         "          - text: Agency share below 15 per cent\n")
    text = workforce.read_text(encoding="utf-8")
    workforce.write_text(text[:text.index('      - number: "9.4"')], encoding="utf-8")
    edit(plan / "priorities" / "02-assessment.yaml", "objectives:\n",
         "objectives:\n  - Managers check every assessment before it is shared with the family\n")
    return plan


@pytest.fixture(scope="module", params=["croydon", "northshire"])
def pair(request, tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp(request.param)
    old, new = (CROYDON_DRAFT, CROYDON) if request.param == "croydon" else (NORTHSHIRE, northshire_amended(work))
    documents = {}
    for name, plan in (("old", old), ("new", new)):
        completed = run_cli("render", "plan", "--plan", plan, "--output", work / name)
        assert completed.returncode == 0, completed.stdout + completed.stderr
        documents[name] = work / name / "improvement-plan.docx"
    documents["redline"] = work / "redline.docx"
    completed = run_cli("redline", old, new, "-o", documents["redline"])
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return documents


def part(docx: Path, name: str):
    with zipfile.ZipFile(docx) as archive:
        return etree.fromstring(archive.read(name))


def accepted(body):
    body = copy.deepcopy(body)
    for row in [row for row in body.iter(f"{W}tr") if row.find(f"{W}trPr/{W}del") is not None]:
        row.getparent().remove(row)
    for paragraph in [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]:
        paragraph.getparent().remove(paragraph)
    for deletion in list(body.iter(f"{W}del")):
        deletion.getparent().remove(deletion)
    return body


def rejected(body):
    body = copy.deepcopy(body)
    for row in [row for row in body.iter(f"{W}tr") if row.find(f"{W}trPr/{W}ins") is not None]:
        row.getparent().remove(row)
    for paragraph in [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]:
        paragraph.getparent().remove(paragraph)
    for insertion in list(body.iter(f"{W}ins")):
        insertion.getparent().remove(insertion)
    for text in body.iter(f"{W}delText"):
        text.tag = f"{W}t"
    return body


def words(body) -> list[str]:
    """The document's words paragraph by paragraph (cells included), as a reader sees them; what a
    field shows (the contents, page numbers) is left out, as LibreOffice fills it in only at build."""
    found, depth, showing = [], 0, []
    for paragraph in body.iter(f"{W}p"):
        text = []
        for node in paragraph.iter(f"{W}t", f"{W}br", f"{W}tab", f"{W}fldChar"):
            if node.tag == f"{W}fldChar":
                kind = node.get(f"{W}fldCharType")
                if kind == "begin":
                    depth += 1
                    showing.append(False)
                elif kind == "separate" and showing:
                    showing[-1] = True
                elif kind == "end" and showing:
                    depth -= 1
                    showing.pop()
            elif not any(showing):
                text.append(node.text or "" if node.tag == f"{W}t" else " ")
        if "".join(text).split():
            found.append(" ".join("".join(text).split()))
    return found


def test_accepting_every_change_gives_the_newer_plans_document(pair):
    redline = part(pair["redline"], "word/document.xml").find(f"{W}body")
    assert redline.find(f".//{W}ins") is not None and redline.find(f".//{W}del") is not None
    assert words(accepted(redline)) == words(part(pair["new"], "word/document.xml").find(f"{W}body"))


def test_rejecting_every_change_gives_the_older_plans_document(pair):
    redline = part(pair["redline"], "word/document.xml").find(f"{W}body")
    assert words(rejected(redline)) == words(part(pair["old"], "word/document.xml").find(f"{W}body"))


def test_the_redline_has_the_plan_documents_page_header_and_labels(pair):
    def page(docx):
        size = part(docx, "word/document.xml").find(f"{W}body/{W}sectPr/{W}pgSz")
        return {key: size.get(f"{W}{key}") for key in ("w", "h", "orient")}

    def header_text(docx):
        with zipfile.ZipFile(docx) as archive:
            return sorted(" ".join("".join(etree.fromstring(archive.read(name)).itertext()).split())
                          for name in archive.namelist() if name.startswith("word/header"))

    def table_headers(docx):
        body = part(docx, "word/document.xml")
        return {tuple("".join(cell.itertext()).strip() for cell in row.findall(f"{W}tc"))
                for row in body.iter(f"{W}tr") if row.find(f"{W}trPr/{W}tblHeader") is not None}

    assert page(pair["redline"]) == page(pair["new"])
    assert page(pair["redline"])["orient"] == "landscape"
    assert header_text(pair["redline"]) == header_text(pair["new"])
    assert table_headers(pair["redline"]) == table_headers(pair["new"])


def test_the_redline_opens_in_libreoffice(pair):
    text = convert_to_pdf_text(pair["redline"])
    assert "Contents" in text


def test_diff_reads_the_northshire_changes(tmp_path):
    import json

    amended = northshire_amended(tmp_path)
    completed = run_cli("diff", NORTHSHIRE, amended, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    changes = {(change["kind"], change["subject"]) for change in json.loads(completed.stdout)["changes"]}
    assert ("removed", "action 9.4") in changes
    assert ("due", "action 1.1a") in changes and ("text", "action 1.1") in changes and ("lead", "action 1.1") in changes
    assert ("step-added", "action 9.1c") in changes
