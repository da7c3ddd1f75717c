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
    for _, instruction, results in _fields(paragraph_element):
        yield instruction, results


def _fields(paragraph_element):
    """Yield (begin fldChar, instruction, [result runs]) for each complex field inside one paragraph."""
    runs = list(paragraph_element.iter(qn("w:r")))
    index = 0
    while index < len(runs):
        begin = runs[index].find(qn("w:fldChar"))
        if begin is None or begin.get(qn("w:fldCharType")) != "begin":
            index += 1
            continue
        instruction, results, state = "", [], "instruction"
        begin_character = begin
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
        yield begin_character, instruction.strip(), results
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
    body = document.element.body
    return [instruction for paragraph in _paragraphs_with_fields(body) for instruction, _ in _field_runs(paragraph)]


def _paragraphs_with_fields(body):
    """The body's paragraphs (in document order) holding a field character, found from the field
    characters in C: reading every run of a large plan's paragraphs in Python took over a second."""
    paragraph_tag = qn("w:p")
    holding = set()
    for character in body.iter(qn("w:fldChar")):
        for ancestor in character.iterancestors(paragraph_tag):
            holding.add(ancestor)
    if not holding:
        return []
    return [paragraph for paragraph in body.iter(paragraph_tag) if paragraph in holding]


def fill_page_references(document, pages: dict) -> int:
    count = 0
    for paragraph in _paragraphs_with_fields(document.element.body):
        for begin, instruction, results in _fields(paragraph):
            match = PAGEREF.match(instruction)
            if match and match.group(1) in pages:
                _set_result(results, str(pages[match.group(1)]))
                _mark_current(begin)
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


def fill_table_of_contents(document, headings: list) -> bool:
    """Replace the TOC field's result with one paragraph per heading (text, tab, page), each a
    hyperlink to a bookmark put on its heading, as Word writes a contents with \\h."""
    from plangen import wordxml

    for paragraph in _paragraphs_with_fields(document.element.body):
        for begin, instruction, results in _fields(paragraph):
            if not instruction.startswith("TOC"):
                continue
            if _result_in_its_paragraph(paragraph, begin):
                results = next(found for mark, _, found in _fields(paragraph) if mark is begin)
            if not results:
                continue
            entries = [heading for heading in headings if heading[0] in (1, 2)]
            if not entries:
                return False
            anchors = _bookmark_headings(document, entries)
            end_run = next((run for run in results[-1].itersiblings(qn("w:r"))
                            if run.find(qn("w:fldChar")) is not None
                            and run.find(qn("w:fldChar")).get(qn("w:fldCharType")) == "end"), None)
            made = [_element(wordxml.contents_entry(_toc_style(document, level).style_id, text, page, anchor))
                    for (level, text, page), anchor in zip(entries, anchors)]
            # the first entry's words take the placeholder's place inside the field's own paragraph
            for child in list(made[0]):
                if child.tag != qn("w:pPr"):
                    results[0].addprevious(child)
            for run in results:
                run.getparent().remove(run)
            paragraph_properties = paragraph.find(qn("w:pPr"))
            if paragraph_properties is None:
                paragraph_properties = OxmlElement("w:pPr")
                paragraph.insert(0, paragraph_properties)
            _apply_style(paragraph_properties, _toc_style(document, entries[0][0]).style_id)
            # the field spans every entry paragraph, so Word's own refresh replaces them all
            previous = paragraph
            for entry in made[1:]:
                previous.addnext(entry)
                previous = entry
            if end_run is not None and previous is not paragraph:
                previous.append(end_run)
            _mark_current(begin)
            return True
    return False


def _result_in_its_paragraph(paragraph, begin) -> bool:
    """A contents field whose result runs over several paragraphs, as Word leaves a contents it has
    filled in (a template saved after pressing F9), made one whose result is a single empty run in
    its own paragraph: its entries (and their PAGEREF fields) go, so new entries replace them rather
    than come before them. What follows the field's end in its last paragraph stays. A result whose
    end is not in a paragraph beside the first is left as it is. Returns whether it was changed."""
    separate = end = None
    depth = 0
    started = False
    for character in paragraph.getparent().iter(qn("w:fldChar")):
        if character is begin:
            started = True
        if not started:
            continue
        kind = character.get(qn("w:fldCharType"))
        depth += {"begin": 1, "end": -1}.get(kind, 0)
        if kind == "separate" and depth == 1 and separate is None:
            separate = character
        if depth == 0:
            end = character
            break
    if separate is None or end is None:
        return False
    last = next(end.iterancestors(qn("w:p")), None)
    if last is None or last is paragraph or last.getparent() is not paragraph.getparent():
        return False  # a result within one paragraph is the placeholder fill_table_of_contents replaces
    between = []
    for sibling in paragraph.itersiblings():
        if sibling is last:
            break
        between.append(sibling)
    else:
        return False
    separate_child = _child_of(paragraph, separate)
    for child in list(separate_child.itersiblings()):
        paragraph.remove(child)
    for sibling in between:
        sibling.getparent().remove(sibling)
    end_run = end.getparent()
    end_child = _child_of(last, end_run)
    for child in list(end_child.itersiblings(preceding=True)):
        if child.tag != qn("w:pPr"):
            last.remove(child)
    last.remove(end_child)  # the end's run, or a link holding it (what else the link held was result)
    placeholder = OxmlElement("w:r")
    placeholder.append(OxmlElement("w:t"))
    separate_child.addnext(placeholder)
    placeholder.addnext(end_run)
    if all(child.tag == qn("w:pPr") for child in last):
        last.getparent().remove(last)
    return True


def _child_of(paragraph, element):
    """The child of `paragraph` that is or holds `element`."""
    while element.getparent() is not paragraph:
        element = element.getparent()
    return element


def _element(xml: str):
    """A wordxml fragment (one element, w: prefix) as an lxml element."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    name_end = re.match(r"<[\w:]+", xml).end()
    return parse_xml(xml[:name_end] + " " + nsdecls("w") + xml[name_end:])


def mark_headers_and_footers_current(document) -> int:
    """Headers' and footers' fields (PAGE, NUMPAGES: Word works them out for every page it shows)
    marked current, so a laid-out paper does not ask to be updated; a template may have them dirty.
    Returns how many were marked."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    count = 0
    for relationship in document.part.rels.values():
        if relationship.is_external or relationship.reltype not in (RELATIONSHIP_TYPE.HEADER, RELATIONSHIP_TYPE.FOOTER):
            continue
        for begin in relationship.target_part.element.iter(qn("w:fldChar")):
            if qn("w:dirty") in begin.attrib:
                _mark_current(begin)
                count += 1
    return count


def _mark_current(begin) -> None:
    """The field's result is up to date: Word need not (and will not ask to) update it on opening."""
    dirty = qn("w:dirty")
    if begin is not None and dirty in begin.attrib:
        del begin.attrib[dirty]


def _outline_levels(document) -> dict[str, int]:
    """Each paragraph style's outline level (0 is Heading 1), through its basedOn chain."""
    return {style_id: int(found.get(qn("w:val"))) for style_id, found in _inherited(document, "w:outlineLvl").items()}


def _inherited(document, tag: str) -> dict:
    """Each paragraph style's own or inherited (through its basedOn chain) `tag` in its w:pPr."""
    styles = {style.get(qn("w:styleId")): style for style in document.styles.element.findall(qn("w:style"))}

    def find(style_id, seen=()):
        style = styles.get(style_id)
        if style is None or style_id in seen:
            return None
        found = style.find(f"{qn('w:pPr')}/{qn(tag)}")
        if found is not None:
            return found
        based = style.find(qn("w:basedOn"))
        return find(based.get(qn("w:val")), seen + (style_id,)) if based is not None else None

    return {style_id: found for style_id in styles if (found := find(style_id)) is not None}


def _heading_level(paragraph, outline: dict) -> tuple[int | None, str | None]:
    """(outline level, 0 for Heading 1, or None; style id) of a paragraph: its own w:outlineLvl, else its style's."""
    properties = paragraph.find(qn("w:pPr"))
    direct = properties.find(qn("w:outlineLvl")) if properties is not None else None
    style = properties.find(qn("w:pStyle")) if properties is not None else None
    style_id = style.get(qn("w:val")) if style is not None else None
    return (int(direct.get(qn("w:val"))) if direct is not None else outline.get(style_id)), style_id


def _words(paragraph) -> str:
    """A paragraph's words as a contents entry lists them: tabs and line breaks read as spaces."""
    return " ".join("".join(node.text or "" if node.tag == qn("w:t") else " "
                            for node in paragraph.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"))).split())


CONTENTS_LEVELS = re.compile(r'\\o\s+"?(\d)\s*-\s*(\d)"?')
PAGE_PLACEHOLDER = "0"


def fill_contents_for_layout(document) -> bool:
    """Fill the table of contents in before LibreOffice lays the paper out: an entry for every
    heading, each linked to a bookmark on its heading, with a placeholder for its page. LibreOffice
    then lays the paper out once, its contents at their full length, and sets each entry's page where
    it stands (office_pages.contents_entries) instead of regenerating the contents and laying the whole
    paper out again. Only done where the entries are certain to be the ones LibreOffice would list:
    a contents of levels 1-2 at most, every such heading a paragraph of the body itself, none
    numbered by Word, and no page numbering restarted. Returns whether the contents were filled."""
    tables_of_contents = [instruction for instruction in instructions(document) if instruction.startswith("TOC")]
    if len(tables_of_contents) != 1:
        return False
    levels = CONTENTS_LEVELS.search(tables_of_contents[0])
    if levels is None or not 1 <= int(levels.group(1)) <= int(levels.group(2)) <= 2:
        return False
    if any(numbering.get(qn("w:start")) is not None for numbering in document.element.body.iter(qn("w:pgNumType"))):
        return False  # pages numbered from other than their place in the paper: left to LibreOffice
    headings = _contents_headings(document, range(int(levels.group(1)), int(levels.group(2)) + 1))
    return bool(headings) and fill_table_of_contents(document, [[level, words, PAGE_PLACEHOLDER] for level, words in headings])


def _contents_headings(document, levels) -> list | None:
    """(level, words) of each heading a contents of `levels` lists, in order; None where LibreOffice
    might list them otherwise (a heading in a table, text box or content control, or a numbered one)."""
    outline = _outline_levels(document)
    numbered = _inherited(document, "w:numPr")
    body = document.element.body
    headings = []
    for paragraph in body.iter(qn("w:p")):
        level, style_id = _heading_level(paragraph, outline)
        if level is None or level + 1 not in levels or not (words := _words(paragraph)):
            continue
        if paragraph.getparent() is not body or style_id in numbered or paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None:
            return None
        headings.append((level + 1, words))
    return headings


def _bookmark_headings(document, entries: list) -> list[str | None]:
    """Put a bookmark (_Toc…, hidden in Word's list) on each heading the entries name, matched in
    order by level and words among the body's top-level paragraphs, as LibreOffice lists them.
    Returns the bookmark name for each entry, None where no heading matched."""
    from plangen import wordxml

    outline = _outline_levels(document)
    body = document.element.body
    candidates = []
    for paragraph in body.iterchildren(qn("w:p")):
        level, _ = _heading_level(paragraph, outline)
        if level in (0, 1):
            candidates.append((level + 1, _words(paragraph), paragraph))
    taken = [int(mark.get(qn("w:id"))) for mark in body.iter(qn("w:bookmarkStart")) if mark.get(qn("w:id"), "").isdigit()]
    number = max(taken, default=0)
    names = {mark.get(qn("w:name")) for mark in body.iter(qn("w:bookmarkStart"))}
    anchors, position = [], 0
    for level, text, _ in entries:
        wanted = " ".join(str(text).split())
        for index in range(position, len(candidates)):
            if candidates[index][0] == level and candidates[index][1] == wanted:
                number += 1
                name = f"_Toc{number}"
                while name in names:
                    number += 1
                    name = f"_Toc{number}"
                names.add(name)
                heading = candidates[index][2]
                marks = _element("<w:body>" + wordxml.bookmark(name, number) + "</w:body>")
                start, end = list(marks)
                properties = heading.find(qn("w:pPr"))
                if properties is not None:
                    properties.addnext(start)
                else:
                    heading.insert(0, start)
                heading.append(end)
                anchors.append(name)
                position = index + 1
                break
        else:
            anchors.append(None)
    return anchors


def _apply_style(properties, style_id: str):
    existing = properties.find(qn("w:pStyle"))
    if existing is None:
        existing = OxmlElement("w:pStyle")
        properties.insert(0, existing)
    existing.set(qn("w:val"), style_id)
