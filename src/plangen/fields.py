"""Field results in a rendered .docx: PAGEREF numbers and the table of contents entries.

Fields stay fields (Word can refresh them again); only their cached results are written.
"""

from __future__ import annotations

import re

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

PAGEREF = re.compile(r"PAGEREF\s+(\S+)")


def _field_runs(paragraph_element):
    """Yield (instruction, [result runs]) for each complex field inside one paragraph."""
    runs = list(paragraph_element.iter(qn("w:r")))
    index = 0
    while index < len(runs):
        begin = runs[index].find(qn("w:fldChar"))
        if begin is None or begin.get(qn("w:fldCharType")) != "begin":
            index += 1
            continue
        instruction, results, state = "", [], "instruction"
        index += 1
        while index < len(runs):
            run = runs[index]
            character = run.find(qn("w:fldChar"))
            kind = character.get(qn("w:fldCharType")) if character is not None else None
            if kind == "separate":
                state = "result"
            elif kind == "end":
                break
            elif state == "instruction":
                text = run.find(qn("w:instrText"))
                instruction += text.text if text is not None and text.text else ""
            else:
                results.append(run)
            index += 1
        yield instruction.strip(), results
        index += 1


def _set_result(results, text: str):
    if not results:
        return
    first = results[0]
    for extra in results[1:]:
        extra.getparent().remove(extra)
    for child in list(first):
        if child.tag != qn("w:rPr"):
            first.remove(child)
    element = OxmlElement("w:t")
    element.text = text
    first.append(element)


BOOKMARK_NAME = re.compile(rb"<w:bookmarkStart\b[^>]*\bw:name=\"([^\"]+)\"")
INSTRUCTION_TEXT = re.compile(rb"<w:instrText\b[^>]*>([^<]*)</w:instrText>")


def referenced_bookmarks(data: bytes) -> list[str]:
    """The bookmarks of a rendered .docx that a field instruction of its body names: the only ones
    whose pages LibreOffice must be asked for (each costs a round trip over its bridge). A name is
    kept if it occurs anywhere in the joined instructions, so a field split across runs still counts."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = package.read("word/document.xml")
    instructions_text = b"".join(INSTRUCTION_TEXT.findall(body))
    return [name.decode() for name in dict.fromkeys(BOOKMARK_NAME.findall(body)) if name in instructions_text]


def instructions(document) -> list[str]:
    """Every complex field's instruction in the body ("PAGEREF priority_1 \\h", "TOC …")."""
    return [instruction for paragraph in document.element.body.iter(qn("w:p"))
            for instruction, _ in _field_runs(paragraph)]


def fill_page_references(document, pages: dict) -> int:
    count = 0
    for paragraph in document.element.body.iter(qn("w:p")):
        for instruction, results in _field_runs(paragraph):
            match = PAGEREF.match(instruction)
            if match and match.group(1) in pages:
                _set_result(results, str(pages[match.group(1)]))
                count += 1
    return count


def _toc_style(document, level: int):
    name = f"TOC {level}"
    styles = document.styles
    try:
        return styles[name]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
        from docx.shared import Cm

        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        section = document.sections[0]
        width = section.page_width - section.left_margin - section.right_margin
        style.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        return style


def fill_table_of_contents(document, headings: list) -> int:
    """Replace the TOC field's result with one paragraph per heading: text, tab, page."""
    body = document.element.body
    for paragraph in body.iter(qn("w:p")):
        for instruction, results in _field_runs(paragraph):
            if not instruction.startswith("TOC") or not results:
                continue
            entries = [heading for heading in headings if heading[0] in (1, 2)]
            if not entries:
                return False
            first_level, first_text, first_page = entries[0]
            _set_result(results, "")
            anchor = results[0]
            anchor.remove(anchor.find(qn("w:t")))
            tab = OxmlElement("w:t")
            tab.text = first_text
            anchor.append(tab)
            anchor.append(OxmlElement("w:tab"))
            page = OxmlElement("w:t")
            page.text = str(first_page)
            anchor.append(page)
            paragraph_properties = paragraph.find(qn("w:pPr"))
            if paragraph_properties is None:
                paragraph_properties = OxmlElement("w:pPr")
                paragraph.insert(0, paragraph_properties)
            _apply_style(paragraph_properties, _toc_style(document, first_level).style_id)
            # the field spans every entry paragraph, so Word's own refresh replaces them all
            end_run = next((run for run in anchor.itersiblings(qn("w:r"))
                            if run.find(qn("w:fldChar")) is not None
                            and run.find(qn("w:fldChar")).get(qn("w:fldCharType")) == "end"), None)
            previous = paragraph
            for level, text, page_number in entries[1:]:
                entry = OxmlElement("w:p")
                properties = OxmlElement("w:pPr")
                _apply_style(properties, _toc_style(document, level).style_id)
                entry.append(properties)
                run = OxmlElement("w:r")
                words = OxmlElement("w:t")
                words.text = text
                words.set(qn("xml:space"), "preserve")
                run.append(words)
                run.append(OxmlElement("w:tab"))
                number = OxmlElement("w:t")
                number.text = str(page_number)
                run.append(number)
                entry.append(run)
                previous.addnext(entry)
                previous = entry
            if end_run is not None and previous is not paragraph:
                previous.append(end_run)
            return True
    return False


def _apply_style(properties, style_id: str):
    existing = properties.find(qn("w:pStyle"))
    if existing is None:
        existing = OxmlElement("w:pStyle")
        properties.insert(0, existing)
    existing.set(qn("w:val"), style_id)
