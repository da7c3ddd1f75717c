"""A template context as plain data, for `plangen context`: text as the template receives it.

Formatted text is shown the way it was written: **bold**, *italics*, [words](link), a line break as
a new line; characters are shown as they print (an apostrophe, not `&#x27;`). Tables show their
header and rows, figures their alt text and caption.
"""

from __future__ import annotations

import re

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = {
    "w": W,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "pg": "urn:plangen",
}


def to_plain(value):
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items() if not str(key).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    name = type(value).__name__
    if name == "RichText":
        return runs_text(str(value))
    if name == "TableSpec":
        return value.as_data()
    if name == "RawXml":
        if "fldChar" in value:
            return "(Word field)"
        if "bookmarkStart" in value and "<w:t" not in value:
            return "(bookmark)"
        return xml_text(str(value))
    return value


def _parse(fragment: str):
    from lxml import etree

    declarations = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    return etree.fromstring(f"<pg:root {declarations}>{fragment}</pg:root>".encode("utf-8"))


def _runs(element) -> str:
    """A paragraph's (or a run list's) text with its formatting written as Markdown."""
    parts = []
    for node in element:
        tag = node.tag.split("}")[-1]
        if tag == "r":
            text = ""
            for child in node:
                child_tag = child.tag.split("}")[-1]
                if child_tag == "t":
                    text += child.text or ""
                elif child_tag == "br":
                    text += "\n"
                elif child_tag == "tab":
                    text += "\t"
            properties = node.find(f"{{{W}}}rPr")
            bold = properties is not None and properties.find(f"{{{W}}}b") is not None
            italic = properties is not None and properties.find(f"{{{W}}}i") is not None
            if text.strip():
                if italic:
                    text = f"*{text}*"
                if bold:
                    text = f"**{text}**"
            parts.append(text)
        elif tag == "hyperlink":
            target = node.get(f"{{{NAMESPACES['pg']}}}url") or node.get("{%s}id" % NAMESPACES["r"]) or ""
            parts.append(f"[{_runs(node)}]({target})")
    return "".join(parts)


def runs_text(fragment: str) -> str:
    try:
        return _runs(_parse(fragment))
    except Exception:  # not well-formed on its own: show its words
        import html

        return html.unescape("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", fragment)))


def xml_text(fragment: str):
    """Block-level XML (paragraphs, tables, figures) as readable data; run-level XML as text."""
    try:
        root = _parse(fragment)
    except Exception:
        return runs_text(fragment)
    if not any(child.tag.split("}")[-1] in ("p", "tbl") for child in root):
        return _runs(root)
    blocks = []
    for child in root:
        tag = child.tag.split("}")[-1]
        if tag == "p":
            blocks.append(_paragraph(child))
        elif tag == "tbl":
            blocks.append({"table": [[_cell(cell) for cell in row.findall(f"{{{W}}}tc")]
                                     for row in child.findall(f"{{{W}}}tr")]})
    blocks = [block for block in blocks if block != ""]
    return blocks[0] if len(blocks) == 1 else blocks


def _paragraph(paragraph):
    drawing = paragraph.find(".//wp:docPr", NAMESPACES)
    if drawing is not None:
        return {"figure": drawing.get("descr", "")}
    return _runs(paragraph)


def _cell(cell) -> str:
    return "\n".join(_runs(paragraph) for paragraph in cell.findall(f"{{{W}}}p"))
