"""Page references written in narrative: `[page: lead-officers]`, `[pages: appendix-1]` and, in a
committee paper, `[plan page: progress-rag-ratings]`.

A target is a section of the rendered document: every Heading 1 (and Heading 2) is one, named by
its words ("Lead Officers" is `lead-officers`; "Appendix 1: Our success measures" is also
`appendix-1`), and every priority is `priority-N`. Targets come from the document as rendered,
because the template, not the data, decides which headings a paper has.

- `[page: X]` prints the page on which section X starts; `[pages: X]` its first and last pages
  ("49-52"). Both are PAGEREF fields to bookmarks placed at the section's start and end, filled
  from LibreOffice's layout during build, like the table of contents (and refreshed by Word).
- `[plan page: X]` in a paper prints the page of section X in the plan document. A Word field
  cannot point into another file, so the paper carries a tagged content control whose text is set
  from the plan's laid-out page map, which the paper is then built from.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from plangen.errors import RenderError
from plangen.wordxml import escape, page_reference

REFERENCE = re.compile(r"\[(plan\s+)?(pages?):\s*([A-Za-z0-9][A-Za-z0-9._-]*)\]", re.I)
BARE_PAGE = re.compile(r"\bpages?\s+\d+(?:\s*[-–]\s*\d+)?\b", re.I)
PLAN_PAGE_TAG = "plangen:plan-page:"
BOOKMARK_PREFIX = "page_"
END_SUFFIX = "_end"
APPENDIX = re.compile(r"^appendix\s+([0-9A-Za-z]+)\b", re.I)


def slug(heading: str) -> str:
    """'Appendix 1: Our success measures' -> 'appendix-1-our-success-measures'."""
    return "-".join(re.findall(r"[a-z0-9]+", heading.lower()))


def bookmark_name(target: str, end: bool = False) -> str:
    """A Word bookmark name for a target: letters, digits and underscores, at most 40 characters."""
    name = BOOKMARK_PREFIX + re.sub(r"[^a-z0-9]", "_", target.lower())
    name = name[: 40 - len(END_SUFFIX)]
    return name + END_SUFFIX if end else name


def reference_xml(match: re.Match, cached: str = "") -> str:
    """The Word XML that prints one reference (see the module docstring)."""
    cross, kind, target = match.group(1), match.group(2).lower(), match.group(3)
    if cross:
        value = escape(cached)
        tag = escape(f"{PLAN_PAGE_TAG}{kind}:{target}")
        return (f'<w:sdt><w:sdtPr><w:tag w:val="{tag}"/><w:alias w:val="Page in the plan"/></w:sdtPr>'
                f'<w:sdtContent><w:r><w:t xml:space="preserve">{value}</w:t></w:r></w:sdtContent></w:sdt>')
    start = page_reference(bookmark_name(target))
    if kind == "page":
        return start
    return start + '<w:r><w:t xml:space="preserve">-</w:t></w:r>' + page_reference(bookmark_name(target, end=True))


def plan_citations(text: str) -> frozenset[str]:
    """The plan bookmarks whose pages `[plan page: …]` / `[plan pages: …]` in `text` print."""
    names = set()
    for match in references_in(text):
        if match.group(1):
            names.add(bookmark_name(match.group(3)))
            if match.group(2).lower() == "pages":
                names.add(bookmark_name(match.group(3), end=True))
    return frozenset(names)


def references_in(text: str) -> list[re.Match]:
    return list(REFERENCE.finditer(text or ""))


# -- in the rendered document (python-docx, before layout) ---------------------------------------

def _heading_level(paragraph, style_names: dict) -> int | None:
    from docx.oxml.ns import qn

    properties = paragraph.find(qn("w:pPr"))
    style = properties.find(qn("w:pStyle")) if properties is not None else None
    if style is None:
        return None
    name = style_names.get(style.get(qn("w:val")), "")
    match = re.fullmatch(r"heading ([12])", name.lower())
    return int(match.group(1)) if match else None


def _text(paragraph) -> str:
    from docx.oxml.ns import qn

    return "".join(node.text or "" for node in paragraph.iter(qn("w:t")))


@lru_cache(maxsize=1)
def _heading_paragraphs_path():
    from lxml import etree

    return etree.XPath("descendant::w:p[contains($ids, concat(' ', w:pPr/w:pStyle/@w:val, ' '))]",
                       namespaces={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})


@lru_cache(maxsize=1)
def _last_paragraph_path():
    from lxml import etree

    return etree.XPath("(descendant-or-self::w:p)[last()]",
                       namespaces={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})


def _last_paragraph(element):
    """The last w:p in document order within `element` (itself included), or None. A compiled
    XPath: it works on every node, where python-docx's own xpath exists only on its classes."""
    found = _last_paragraph_path()(element)
    return found[0] if found else None


def _paragraph_before(paragraph, body):
    """The w:p just before `paragraph` in document order (the order of body.iter), or None: the last
    paragraph of the nearest preceding sibling holding one, climbing out of cells and text boxes
    (a paragraph holding a text box comes before the text box's own paragraphs)."""
    node = paragraph
    while True:
        sibling = node.getprevious()
        while sibling is None:
            node = node.getparent()
            if node is None or node is body:
                return None
            if node.tag == paragraph.tag:
                return node
            sibling = node.getprevious()
        last = _last_paragraph(sibling) if isinstance(sibling.tag, str) else None  # not a comment
        if last is not None:
            return last
        node = sibling


def heading_style_ids(document) -> str:
    """The ids of the document's Heading 1 and 2 styles, space-separated with a space either side
    (what the XPath of `_heading_paragraphs_path` and render's kept rows look them up in)."""
    ids = [style.style_id for style in document.styles
           if style.style_id and re.fullmatch(r"heading [12]", (style.name or "").lower())]
    return f" {' '.join(ids)} " if ids else ""  # never "  ": it is in every unstyled paragraph's "  "


def mark_sections(document) -> dict[str, str]:
    """Bookmark the start and end of every Heading 1/2 section of a python-docx Document; returns
    {target: heading text}. A section ends at the last paragraph before the next heading of its
    level or above (its end bookmark marks where that paragraph begins)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    style_names = {style.style_id: style.name for style in document.styles}
    body = document.element.body
    # the paragraphs in a heading style, in document order, found by XPath in C: reading the style
    # of every paragraph of a large plan in Python took seconds
    heading_ids = heading_style_ids(document)
    styled = _heading_paragraphs_path()(body, ids=heading_ids) if heading_ids else []
    headings = []  # (paragraph, level, targets, text)
    for paragraph in styled:
        level = _heading_level(paragraph, style_names)
        if level is None:
            continue
        text = " ".join(_text(paragraph).split())
        if not text:
            continue
        targets = [slug(text)]
        appendix = APPENDIX.match(text)
        if appendix:
            targets.append(f"appendix-{appendix.group(1).lower()}")
        for start in paragraph.iter(qn("w:bookmarkStart")):
            name = start.get(qn("w:name")) or ""
            if name.startswith("priority_"):
                targets.append("priority-" + name[len("priority_"):].replace("_", "."))
        headings.append((paragraph, level, targets, text))
    found: dict[str, str] = {}
    identifiers = iter(range(900000, 10**7))
    existing = {start.get(qn("w:name")) for start in body.iter(qn("w:bookmarkStart"))}
    for position, (heading, level, targets, text) in enumerate(headings):
        following = next((other for other, other_level, _, _ in itertools.islice(headings, position + 1, None)
                          if other_level <= level), None)  # the first only: a look at all was quadratic
        last = _paragraph_before(following, body) if following is not None else _last_paragraph(body)
        for target in targets:
            if target in found:
                continue  # the first section of that name is the target
            found[target] = text
            for paragraph, end in ((heading, False), (last, True)):
                name = bookmark_name(target, end)
                if name in existing:
                    continue
                existing.add(name)
                number = str(next(identifiers))
                start = OxmlElement("w:bookmarkStart")
                start.set(qn("w:id"), number)
                start.set(qn("w:name"), name)
                finish = OxmlElement("w:bookmarkEnd")
                finish.set(qn("w:id"), number)
                # at the paragraph's start, also for an end: LibreOffice keeps only one of several
                # empty bookmarks at the very end of a document
                at = 1 if paragraph.find(qn("w:pPr")) is not None else 0
                paragraph.insert(at, finish)
                paragraph.insert(at, start)
    return found


def check_targets(document, targets: dict[str, str], what: str) -> None:
    """Every page reference of the document names a section it has (else nothing true could print)."""
    from plangen.fields import PAGEREF, instructions

    names = {bookmark_name(target) for target in targets} | {bookmark_name(target, True) for target in targets}
    for instruction in instructions(document):
        match = PAGEREF.match(instruction)
        if match and match.group(1).startswith(BOOKMARK_PREFIX) and match.group(1) not in names:
            missing = match.group(1)[len(BOOKMARK_PREFIX):].removesuffix(END_SUFFIX).replace("_", "-")
            raise RenderError(f"{what}: a page reference names '{missing}', which is not a section of the document",
                              hint="sections: " + ", ".join(sorted(targets)))


def plan_page_targets(document) -> list[str]:
    """The plan sections a paper's `[plan page: …]` references name."""
    from docx.oxml.ns import qn

    found = []
    for tag in document.element.body.iter(qn("w:tag")):
        value = tag.get(qn("w:val")) or ""
        if value.startswith(PLAN_PAGE_TAG):
            found.append(value[len(PLAN_PAGE_TAG):].split(":", 1)[1])
    return found


def fill_plan_pages(document, plan_bookmarks: dict) -> int:
    """Set each `[plan page: …]` of a paper from the plan's laid-out page map ({bookmark: page})."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    count = 0
    for sdt in list(document.element.body.iter(qn("w:sdt"))):
        tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
        value = tag.get(qn("w:val")) if tag is not None else ""
        if not value or not value.startswith(PLAN_PAGE_TAG):
            continue
        kind, target = value[len(PLAN_PAGE_TAG):].split(":", 1)
        start = plan_bookmarks.get(bookmark_name(target))
        if start is None:
            raise RenderError(f"a page reference names '{target}', which is not a section of the plan document")
        end = plan_bookmarks.get(bookmark_name(target, True), start)
        printed = str(start) if kind == "page" or end == start else f"{start}-{end}"
        texts = list(sdt.iter(qn("w:t")))
        if not texts:
            run = OxmlElement("w:r")
            texts = [OxmlElement("w:t")]
            run.append(texts[0])
            sdt.find(qn("w:sdtContent")).append(run)
        texts[0].text = printed
        for extra in texts[1:]:
            extra.text = ""
        count += 1
    return count
