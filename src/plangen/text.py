"""Narrative text: the small Markdown subset plan files use, turned into blocks a template can place.

A block is {kind: paragraph | bullet | bullet2 | step | table, text: RichText}. Inline **bold** and
*italics* become formatted runs. Parsing is markdown-it-py's (CommonMark), not a hand-rolled parser.
"""

from __future__ import annotations

import re
from functools import lru_cache

from plangen import page_references, wordxml
from plangen.page_references import REFERENCE as PAGE_REFERENCE
from plangen.yamlio import XML_FORBIDDEN

REFERENCE = re.compile(r"\[(action|priority|indicator)(?:\s+ref)?\s+([^\]]+)\]", re.I)


def clean(text) -> str:
    """Text for a paper. A character XML forbids is refused, never dropped: validation reports it at
    its line, so reaching here means a caller skipped validation."""
    if text is None:
        return ""
    text = str(text)
    found = XML_FORBIDDEN.search(text)
    if found:
        from plangen.errors import RenderError

        raise RenderError(f"text holds the control character {found.group()!r}, which a Word document cannot hold: "
                          f"{text[:60]!r}", hint="run 'plangen validate' to see where it is")
    return text


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    # entities stay as typed: a clerk who writes "&amp;" means those five characters
    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("entity")


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary and ended with an ellipsis when cut:
    a table cell that must stay short never ends mid-word (the full text is in the plan)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"


def council_references(text: str) -> str:
    """'[action 3.1]' -> '[see action 3.1]', the council's style for cross-references."""
    return REFERENCE.sub(lambda match: f"[see {match.group(1).lower()} {match.group(2).strip()}]", text)


@lru_cache(maxsize=1)
def rich_text_class():
    """docxtpl's RichText, imported when first needed (validate loads no rendering library) and then
    kept: an import statement in each of a large plan's hundred thousand cells cost a tenth of a second."""
    from docxtpl import RichText

    return RichText


class Inline:
    """Runs of text with bold/italic flags; becomes a docxtpl RichText when rendered."""

    __slots__ = ("runs",)

    def __init__(self, runs=None):
        self.runs: list[tuple[str, bool, bool]] = runs or []

    @property
    def plain(self) -> str:
        return "".join(run[0] for run in self.runs)

    def _lines(self):
        for text, bold, italic in self.runs:
            for index, line in enumerate(text.split("\n")):
                if index:
                    yield "\n", bold, italic
                yield line, bold, italic

    def rich(self, prefix: str = ""):
        pieces = [wordxml.run(prefix)] if prefix else []
        for text, bold, italic in self._lines():
            if text == "\n":
                pieces.append("<w:r><w:br/></w:r>")  # a hard line break, as typed
                continue
            if not text:
                continue
            # '[page: lead-officers]' becomes a page number field (plangen.page_references)
            position = 0
            for match in PAGE_REFERENCE.finditer(text):
                if match.start() > position:
                    pieces.append(wordxml.run(text[position:match.start()], bold, italic))
                pieces.append(page_references.reference_xml(match))
                position = match.end()
            if position < len(text):
                pieces.append(wordxml.run(text[position:], bold, italic))
        rich = rich_text_class()()
        rich.xml = "".join(pieces)
        return rich


def _inline(token, references: bool) -> Inline:
    runs = []
    bold = italic = False
    link_words, target = 0, ""
    literal: list[bool] = []  # per open emphasis: written with underscores, so printed as typed
    for child in token.children or []:
        if child.type in ("strong_open", "em_open", "strong_close", "em_close"):
            opening = child.type.endswith("_open")
            if opening:
                literal.append(child.markup.startswith("_"))
            if literal[-1]:
                # only **bold** and *italics* are the plan's Markdown; __init__ and snake_case are words
                runs.append((child.markup, bold, italic))
            elif child.type.startswith("strong"):
                bold = opening
            else:
                italic = opening
            if not opening:
                literal.pop()
            continue
        elif child.type in ("text", "code_inline", "html_inline"):
            text = child.content
            runs.append((council_references(text) if references else text, bold, italic))
        elif child.type == "softbreak":
            runs.append((" ", bold, italic))
        elif child.type == "hardbreak":
            runs.append(("\n", bold, italic))
        elif child.type == "link_open":
            link_words = len(runs)
            target = child.attrs.get("href", "")
        elif child.type == "link_close":
            # documents without hyperlinks (the plan, the tracker) print the target after the words
            if "".join(run[0] for run in runs[link_words:]).strip() != target:
                runs.append((f" ({target})", bold, italic))
        elif child.type == "image":
            alt = "".join(grandchild.content for grandchild in child.children or [])
            runs.append((f"[{alt or child.attrs.get('src', '')}]", bold, True))
    return Inline(runs)


# Text with none of these is one plain paragraph to CommonMark, so it need not be parsed: most cells
# of a plan (issues, steps, short actions) are like that, and parsing was most of a large plan's
# context-building time.
MARKUP = re.compile(r"[\n\r*_`\\\[\]<>&#|!~]|^\s*(?:[-+>=]|\d+[.)])|^\s{4}|\s$|^\s")


def _simple_blocks(text: str, references: bool) -> list[dict] | None:
    """Paragraphs and '- ' bullets whose every line is free of markup (MARKUP, line by line), as
    CommonMark reads them: a bullet interrupts a paragraph, a line straight after a bullet continues
    it, a blank line ends a paragraph, and after a blank line a line that is not a bullet ends the
    list. Most of a plan's actions are like that; None for anything else (held to markdown-it's
    reading by a test)."""
    blocks: list[dict] = []
    current = None  # the block whose lines are being joined
    blank_before = True
    for line in text.split("\n"):
        if not line:
            current, blank_before = None, True
            continue
        bullet = line.startswith("- ")
        words = line[2:] if bullet else line
        if not words or MARKUP.search(words):
            return None
        run = (council_references(words) if references else words, False, False)
        if bullet:
            current = {"kind": "bullet", "inline": Inline([run])}
            blocks.append(current)
        elif current is not None and (current["kind"] == "paragraph" or not blank_before):
            current["inline"].runs += [(" ", False, False), run]  # a soft line break reads as a space
        else:
            current = {"kind": "paragraph", "inline": Inline([run])}
            blocks.append(current)
        blank_before = False
    return blocks


def parse(text: str, references: bool = False) -> list[dict]:
    """Markdown -> [{kind, inline}] (and {kind: 'table', rows: [[Inline]]} for pipe tables)."""
    if not text or not str(text).strip():
        return []
    text = clean(text)
    if not MARKUP.search(text):
        return [{"kind": "paragraph", "inline": Inline([(text, False, False)])}]
    simple = _simple_blocks(text, references)
    if simple is not None:
        return simple
    tokens = _parser().parse(text)
    blocks: list[dict] = []
    depth = 0
    table_rows: list[list[Inline]] | None = None
    row: list[Inline] = []
    numbers: list[int | None] = []  # per open list: the next item's number, None for bullets
    number = None
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            numbers.append(int(token.attrs.get("start", 1)) if token.type == "ordered_list_open" else None)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            numbers.pop()
        elif token.type == "list_item_open" and numbers and numbers[-1] is not None:
            number = int(token.info) if token.info.isdigit() else numbers[-1]
            numbers[-1] = number + 1
        elif token.type == "table_open":
            table_rows = []
        elif token.type == "table_close":
            blocks.append({"kind": "table", "rows": table_rows or []})
            table_rows = None
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and table_rows is not None:
            table_rows.append(row)
        elif token.type == "inline":
            inline = _inline(token, references)
            if table_rows is not None:
                row.append(inline)
                continue
            if number is not None:
                # an ordered item keeps its number, as typed (the start value included)
                blocks.append({"kind": "paragraph", "inline": Inline([(f"{number}. ", False, False)] + inline.runs)})
                number = None
                continue
            if depth == 0:
                kind = "paragraph"
            elif depth == 1:
                kind = "bullet"
            else:
                kind = "bullet2"
            blocks.append({"kind": kind, "inline": inline})
        elif token.type in ("fence", "code_block"):
            blocks.append({"kind": "paragraph", "inline": Inline([(token.content.strip(), False, False)])})
    if not blocks:
        # a lone list marker ("0)", "-") is an empty list to CommonMark; the clerk typed it to be printed
        return [{"kind": "paragraph", "inline": Inline([(text.strip(), False, False)])}]
    return blocks


def plain_text(text: str) -> str:
    """The words of a Markdown text without markup, for comparisons and PDF checks."""
    return " ".join(block["inline"].plain for block in parse(text) if "inline" in block)
