"""LibreOffice, headless: PDFs, and the page numbers a template engine cannot know.

docxtpl leaves the table of contents and PAGEREF fields with stale results until someone presses
F9. When LibreOffice is installed, `refresh_fields` lays the document out with LibreOffice's own
API (office_pages.py, run by the Python that has the `uno` module), reads the page of every
heading and bookmark, and writes those numbers into the fields' results in our .docx. The file
stays plangen's own; Word's update-fields-on-open flag stays set as well.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from plangen.atomic import atomic_path
from plangen.errors import RenderError

TIMEOUT_SECONDS = 240


@lru_cache(maxsize=1)
def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """A Python interpreter that can import LibreOffice's `uno` module (Debian: python3-uno)."""
    candidates = [os.environ.get("PLANGEN_UNO_PYTHON"), "/usr/bin/python3", shutil.which("python3")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True)
            if probe.returncode == 0:
                return candidate
    return None


def _profile_argument(directory: str) -> str:
    # a private profile per run, so two builds at once do not fight over one LibreOffice profile
    return "-env:UserInstallation=" + Path(directory).resolve().as_uri()


def to_pdf(docx: Path) -> Path:
    """Convert with real LibreOffice; the PDF appears atomically beside the .docx."""
    if not available():
        raise RenderError("LibreOffice (soffice) is not installed, so no PDF can be made",
                          hint="install libreoffice-writer, or leave out --pdf")
    target = docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="plangen-office-") as work:
        completed = subprocess.run(
            [soffice(), _profile_argument(work + "/profile"), "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", work, str(docx)],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
        )
        produced = Path(work) / (docx.stem + ".pdf")
        if completed.returncode != 0 or not produced.exists():
            raise RenderError(f"LibreOffice could not convert {docx.name} to PDF",
                              hint=(completed.stderr or completed.stdout).strip()[-400:] or None)
        with atomic_path(target) as temporary:
            shutil.copyfile(produced, temporary)
    return target


def page_numbers(documents: list[Path]) -> list[dict] | None:
    """For each document: {'headings': [[level, text, page], …], 'bookmarks': {name: page}},
    from one LibreOffice session; None when LibreOffice or its Python bridge is missing."""
    python = uno_python()
    if not available() or python is None or not documents:
        return None
    script = Path(__file__).with_name("office_pages.py")
    with tempfile.TemporaryDirectory(prefix="plangen-office-") as work:
        outputs = [Path(work) / f"pages-{index}.json" for index in range(len(documents))]
        arguments = [str(item) for pair in zip((path.resolve() for path in documents), outputs) for item in pair]
        completed = subprocess.run(
            [python, str(script), soffice(), _profile_argument(work + "/profile"), *arguments],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
        )
        if completed.returncode != 0 or not all(output.exists() for output in outputs):
            names = ", ".join(path.name for path in documents)
            raise RenderError(f"LibreOffice could not lay out {names} to number the pages",
                              hint=(completed.stderr or completed.stdout).strip()[-400:] or None)
        return [json.loads(output.read_text(encoding="utf-8")) for output in outputs]


def refresh_fields(documents: list[Path], plan_document: Path | None = None) -> bool:
    """Write real page numbers into each document's TOC and PAGEREF results (one LibreOffice run),
    and into a paper's references to pages of the plan, from the layout of `plan_document` (laid out
    in the same run). False when LibreOffice is absent: the fields then update when Word opens the
    file; references into the plan stay blank, since no field can fetch them."""
    laid_out = list(documents)
    if plan_document is not None and plan_document not in laid_out:
        laid_out.append(plan_document)
    all_pages = page_numbers(laid_out)
    if all_pages is None:
        return False
    from docx import Document

    from plangen import fields, page_references

    plan_bookmarks = all_pages[laid_out.index(plan_document)]["bookmarks"] if plan_document is not None else {}
    for docx, pages in zip(documents, all_pages):
        document = Document(str(docx))
        changed = fields.fill_page_references(document, pages["bookmarks"])
        changed += fields.fill_table_of_contents(document, pages["headings"])
        changed += page_references.fill_plan_pages(document, plan_bookmarks)
        if changed:
            with atomic_path(docx) as temporary:
                document.save(str(temporary))
    return True
