"""The plan document itself, with the changes between two plans as Word tracked changes.

Both plans are rendered through the plan's own kind (same template, page size, orientation, header,
labels and layout, the newer plan's template for both); the two documents are then aligned
paragraph by paragraph and table row by table row. What only the older has is put back as a
deletion, what only the newer has is marked as an insertion, and a paragraph or cell that changed
holds its old words as `w:del` and its new words as `w:ins`, word by word. Accepting every change
gives the newer plan's document; rejecting every change gives the older's.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import io
import itertools
import re

from plangen.model import Plan

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RUN_CONTAINERS = (f"{W}hyperlink", f"{W}smartTag", f"{W}fldSimple")


def build(old: Plan, new: Plan, author: str = "plangen", old_label: str = "", new_label: str = "") -> bytes:
    """The .docx bytes of the newer plan's document with the older's differences as tracked changes."""
    from docx import Document

    from plangen import api, render

    kind = api.kind("plan")
    template = api.template_for(new, kind)
    old_document = Document(io.BytesIO(api.document(old, kind, template=template)))
    new_document = Document(io.BytesIO(api.document(new, kind, template=template)))
    when = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    Tracker(author, when).merge_body(old_document.element.body, new_document.element.body)
    title = f"{new.title or old.title}: changes"
    render.finish(new_document, title, author, subject=f"{old_label} → {new_label}")
    buffer = io.BytesIO()
    new_document.save(buffer)
    return buffer.getvalue()


# -- reading paragraphs as tokens ------------------------------------------------------------------------

def runs_of(paragraph) -> list:
    runs = []
    for child in paragraph:
        if child.tag == f"{W}r":
            runs.append(child)
        elif child.tag in RUN_CONTAINERS:
            runs.extend(child.iter(f"{W}r"))
    return runs


def tokens(paragraph) -> list[tuple[str, bool, object]]:
    """(token, whether a space comes before it, run properties) for every word, line break and tab of
    the paragraph. Words are split at spaces only: '**Practice**,' is the two tokens 'Practice' and ','
    with no space between, as it reads."""
    found, space = [], False
    for run in runs_of(paragraph):
        properties = run.find(f"{W}rPr")
        for node in run:
            if node.tag == f"{W}t":
                for piece in re.findall(r"\s+|\S+", node.text or ""):
                    if piece.isspace():
                        space = True
                    else:
                        found.append((piece, space and bool(found), properties))
                        space = False
            elif node.tag in (f"{W}br", f"{W}cr", f"{W}tab"):
                found.append(("\t" if node.tag == f"{W}tab" else "\n", False, properties))
                space = False
    return found


def text_of(element) -> str:
    parts = []
    for node in element.iter(f"{W}t", f"{W}br", f"{W}tab"):
        parts.append(node.text or "" if node.tag == f"{W}t" else " ")
    return " ".join("".join(parts).split())


def has_field(paragraph) -> bool:
    return any(True for _ in paragraph.iter(f"{W}fldChar", f"{W}instrText", f"{W}fldSimple", f"{W}drawing"))


def signature(element) -> str:
    if element.tag == f"{W}p":
        style = element.find(f"{W}pPr/{W}pStyle")
        return f"p|{style.get(f'{W}val') if style is not None else ''}|{text_of(element)}"
    if element.tag == f"{W}tbl":
        caption = element.find(f"{W}tblPr/{W}tblCaption")
        header = element.find(f"{W}tr")
        return f"t|{caption.get(f'{W}val') if caption is not None else ''}|{text_of(header) if header is not None else ''}"
    if element.tag == f"{W}tr":
        return "r|" + "|".join(text_of(cell) for cell in element.findall(f"{W}tc"))
    return element.tag


class Tracker:
    def __init__(self, author: str, when: str):
        self.author = author
        self.when = when
        self.ids = itertools.count(1)

    def _revision(self, tag: str):
        from lxml import etree

        element = etree.Element(f"{W}{tag}")
        element.set(f"{W}id", str(next(self.ids)))
        element.set(f"{W}author", self.author)
        element.set(f"{W}date", self.when)
        return element

    # -- whole elements inserted or deleted --------------------------------------------------------------

    def _mark_paragraph(self, paragraph, tag: str) -> None:
        from lxml import etree

        for run in runs_of(paragraph):
            if tag == "del":
                for node in run:
                    if node.tag == f"{W}t":
                        node.tag = f"{W}delText"
                    elif node.tag == f"{W}instrText":
                        node.tag = f"{W}delInstrText"
            wrapper = self._revision(tag)
            run.addprevious(wrapper)
            wrapper.append(run)
        if tag == "del":  # a bookmark would be doubled by the newer document's own
            for mark in list(paragraph.iter(f"{W}bookmarkStart", f"{W}bookmarkEnd")):
                mark.getparent().remove(mark)
        properties = paragraph.find(f"{W}pPr")
        if properties is None:
            properties = etree.Element(f"{W}pPr")
            paragraph.insert(0, properties)
        mark_properties = properties.find(f"{W}rPr")
        if mark_properties is None:
            mark_properties = etree.SubElement(properties, f"{W}rPr")
        mark_properties.insert(0, self._revision(tag))

    def _mark_row(self, row, tag: str) -> None:
        from lxml import etree

        properties = row.find(f"{W}trPr")
        if properties is None:
            properties = etree.Element(f"{W}trPr")
            row.insert(1 if row.find(f"{W}tblPrEx") is not None else 0, properties)
        properties.append(self._revision(tag))
        for paragraph in row.iter(f"{W}p"):
            self._mark_paragraph(paragraph, tag)

    def mark(self, element, tag: str):
        if element.tag == f"{W}p":
            self._mark_paragraph(element, tag)
        elif element.tag == f"{W}tbl":
            for row in element.findall(f"{W}tr"):
                self._mark_row(row, tag)
        elif element.tag == f"{W}tr":
            self._mark_row(element, tag)
        return element

    # -- alignment -----------------------------------------------------------------------------------------

    def merge_sequence(self, old: list, new: list) -> list:
        """Old and new sibling elements (paragraphs, tables, rows) as one list with tracked changes."""
        merged = []
        matcher = difflib.SequenceMatcher(None, [signature(e) for e in old], [signature(e) for e in new], autojunk=False)
        for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
            before, after = old[old_start:old_end], new[new_start:new_end]
            if operation == "equal":
                merged += [self.merge_pair(a, b) if b.tag == f"{W}tbl" else b for a, b in zip(before, after)]
                continue
            while before or after:
                if before and after and self.pairable(before[0], after[0]):
                    pair = self.merge_pair(before.pop(0), after.pop(0))
                    merged += pair if isinstance(pair, list) else [pair]
                elif before and (not after or len(before) >= len(after)):
                    merged.append(self.mark(before.pop(0), "del"))
                else:
                    merged.append(self.mark(after.pop(0), "ins"))
        return merged

    @staticmethod
    def pairable(old, new) -> bool:
        if old.tag != new.tag:
            return False
        if old.tag == f"{W}tbl":
            return len(old.findall(f"{W}tblGrid/{W}gridCol")) == len(new.findall(f"{W}tblGrid/{W}gridCol"))
        if old.tag == f"{W}tr":
            return len(old.findall(f"{W}tc")) == len(new.findall(f"{W}tc"))
        return old.tag == f"{W}p"

    def merge_pair(self, old, new):
        if new.tag == f"{W}tbl":
            return self.merge_table(old, new)
        if new.tag == f"{W}tr":
            for old_cell, new_cell in zip(old.findall(f"{W}tc"), new.findall(f"{W}tc")):
                self.merge_children(old_cell, new_cell, f"{W}p")
            return new
        if new.tag == f"{W}p":
            return self.merge_paragraph(old, new)
        return new

    def merge_children(self, old_parent, new_parent, tag: str) -> None:
        new_children = new_parent.findall(tag)
        merged = self.merge_sequence(old_parent.findall(tag), new_children)
        position = new_parent.index(new_children[0]) if new_children else len(new_parent)
        for child in new_children:
            new_parent.remove(child)
        for offset, element in enumerate(merged):
            new_parent.insert(position + offset, element)

    def merge_table(self, old, new):
        if not self.pairable(old, new):
            return new
        self.merge_children(old, new, f"{W}tr")
        return new

    def merge_body(self, old_body, new_body) -> None:
        old_children = [child for child in old_body if child.tag in (f"{W}p", f"{W}tbl")]
        new_children = [child for child in new_body if child.tag in (f"{W}p", f"{W}tbl")]
        merged = self.merge_sequence(old_children, new_children)
        section = new_body.find(f"{W}sectPr")
        for child in new_children:
            new_body.remove(child)
        for element in merged:
            if section is not None:
                section.addprevious(element)
            else:
                new_body.append(element)

    # -- one paragraph, word by word ---------------------------------------------------------------------

    def merge_paragraph(self, old, new):
        old_tokens, new_tokens = tokens(old), tokens(new)
        if [token[:2] for token in old_tokens] == [token[:2] for token in new_tokens]:
            return new
        if has_field(old) or has_field(new):
            # fields and pictures are not split into words: the old paragraph out, the new one in
            return [self.mark(old, "del"), self.mark(new, "ins")]
        from lxml import etree

        for run in runs_of(new):
            run.getparent().remove(run)
        for container in [child for child in new if child.tag in RUN_CONTAINERS]:
            new.remove(container)

        def add(token: str, spaced: bool, properties, tag: str | None):
            run = etree.Element(f"{W}r")
            if properties is not None:
                run.append(copy.deepcopy(properties))
            if token == "\n":
                etree.SubElement(run, f"{W}br")
            elif token == "\t":
                etree.SubElement(run, f"{W}tab")
            else:
                text = etree.SubElement(run, f"{W}delText" if tag == "del" else f"{W}t")
                text.text = (" " if spaced else "") + token
                text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            if tag:
                wrapper = self._revision(tag)
                wrapper.append(run)
                new.append(wrapper)
            else:
                new.append(run)

        matcher = difflib.SequenceMatcher(None, [token[:2] for token in old_tokens], [token[:2] for token in new_tokens],
                                          autojunk=False)
        for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
            if operation == "equal":
                for token in new_tokens[new_start:new_end]:
                    add(*token, None)
                continue
            for token in old_tokens[old_start:old_end]:
                add(*token, "del")
            for token in new_tokens[new_start:new_end]:
                add(*token, "ins")
        return new
