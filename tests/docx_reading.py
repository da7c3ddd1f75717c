"""Reading generated documents back the way a user's tools would: python-docx and real LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def all_paragraphs(document):
    """Every paragraph in the body, including those inside (nested) table cells, in order."""
    for element in document.element.body.iter(qn("w:p")):
        yield element


def paragraph_text(element) -> str:
    parts = []
    for node in element.iter():
        if node.tag == qn("w:t") and node.text:
            parts.append(node.text)
        elif node.tag in (qn("w:br"), qn("w:tab")) and node.getparent().tag == qn("w:r"):  # not a tab stop
            parts.append("\n" if node.tag == qn("w:br") else "\t")
    return "".join(parts)


def document_text(path: Path) -> str:
    document = Document(str(path))
    return "\n".join(paragraph_text(element) for element in all_paragraphs(document))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def short_month(iso: str) -> str:
    """'2017-12' -> 'Dec 17' (the council's style), computed here independently of plangen."""
    year, month = iso.split("-")[:2]
    return f"{MONTHS[int(month) - 1]} {year[2:]}"


def convert_to_pdf_text(path: Path) -> str:
    """Convert with real LibreOffice and return the PDF's text; fails if LibreOffice cannot open it."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is required for the tests (make test installs it)"
    with tempfile.TemporaryDirectory() as work:
        completed = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", "pdf",
             "--outdir", work, str(path)], capture_output=True, text=True, timeout=300)
        pdf = Path(work) / (path.stem + ".pdf")
        assert completed.returncode == 0 and pdf.exists(), completed.stderr
        assert pdf.read_bytes().startswith(b"%PDF")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text
