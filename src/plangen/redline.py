"""The plan as a Word document whose differences are real tracked changes.

Reviewers who live in Word see the change set in the Review tab and can accept or reject each
change. Every action of the newer plan is printed (and every removed action, deleted); where a
field changed, the old words are a `w:del` and the new words a `w:ins`, word by word, so an
accepted document reads exactly as the newer plan and a rejected one as the older.
"""

from __future__ import annotations

import datetime
import itertools

from plangen import diff
from plangen.model import Action, Plan


class TrackedParagraph:
    """A paragraph built from plain, inserted and deleted runs."""

    def __init__(self, paragraph, author: str, when: str, ids: itertools.count):
        self.paragraph = paragraph
        self.author = author
        self.when = when
        self.ids = ids

    def plain(self, text: str, bold: bool = False):
        if text:
            self.paragraph.add_run(text).bold = bold or None
        return self

    def _revision(self, tag: str, text: str, bold: bool):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        revision = OxmlElement(tag)
        revision.set(qn("w:id"), str(next(self.ids)))
        revision.set(qn("w:author"), self.author)
        revision.set(qn("w:date"), self.when)
        run = OxmlElement("w:r")
        if bold:
            properties = OxmlElement("w:rPr")
            properties.append(OxmlElement("w:b"))
            run.append(properties)
        content = OxmlElement("w:delText" if tag == "w:del" else "w:t")
        content.set(qn("xml:space"), "preserve")
        content.text = text
        run.append(content)
        revision.append(run)
        self.paragraph._p.append(revision)

    def inserted(self, text: str, bold: bool = False):
        if text:
            self._revision("w:ins", text, bold)
        return self

    def deleted(self, text: str, bold: bool = False):
        if text:
            self._revision("w:del", text, bold)
        return self

    def words(self, old: str, new: str):
        """Old → new, word by word: unchanged words plain, the rest deleted and inserted."""
        if old == new:
            return self.plain(new)
        segments = diff.word_diff(old, new)
        for index, (operation, text) in enumerate(segments):
            spaced = text + (" " if index < len(segments) - 1 else "")
            {"equal": self.plain, "delete": self.deleted, "insert": self.inserted}[operation](spaced)
        return self


def _action_fields(action: Action) -> list[tuple[str, str]]:
    return [("Issue", " / ".join(action.issue_lines())),
            ("Action", " ".join(diff.action_text(action).split())),
            ("Lead", diff.leads_text(action)),
            ("Partners", diff.partners_text(action)),
            ("By when", diff.due_text(action)),
            ("Status", action.current_status or "")]


def build(old: Plan, new: Plan, author: str = "plangen", old_label: str = "", new_label: str = ""):
    """A python-docx Document: the newer plan, with the changes from the older as tracked changes."""
    from docx import Document

    from plangen import render

    document = Document()
    when = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    ids = itertools.count(1)

    def tracked(style: str | None = None) -> TrackedParagraph:
        return TrackedParagraph(document.add_paragraph(style=style), author, when, ids)

    title = f"{new.title or old.title}: changes"
    document.add_heading(title, level=0)
    if old_label or new_label:
        tracked().plain(f"Changes from {old_label} to {new_label}, shown as tracked changes: accept or reject "
                        "them in Word's Review tab.")

    pairs, removed, added = diff.pair_actions(old.actions, new.actions)
    old_of = {id(after): before for before, after in pairs}
    added_ids = {id(action) for action in added}
    old_priorities = {priority.number: priority for priority in old.priorities}
    removed_by_priority: dict[str, list[Action]] = {}
    for action in removed:
        removed_by_priority.setdefault(action.priority, []).append(action)

    for priority in new.priorities:
        before = old_priorities.get(priority.number)
        heading = document.add_heading(level=1)
        paragraph = TrackedParagraph(heading, author, when, ids).plain(f"{priority.number}. ")
        if before is None:
            paragraph.inserted(priority.title)
        else:
            paragraph.words(before.title, priority.title)
        for action in priority.actions:
            before_action = old_of.get(id(action))
            heading = TrackedParagraph(document.add_heading(level=2), author, when, ids)
            if id(action) in added_ids:
                heading.inserted(f"Action {action.number}")
            elif before_action.number != action.number:
                heading.plain("Action ").deleted(before_action.number).inserted(action.number)
            else:
                heading.plain(f"Action {action.number}")
            old_fields = dict(_action_fields(before_action)) if before_action else {}
            for label, value in _action_fields(action):
                if not value and not old_fields.get(label):
                    continue
                line = tracked().plain(f"{label}: ", bold=True)
                if before_action is None:
                    line.inserted(value)
                else:
                    line.words(old_fields.get(label, ""), value)
        for action in removed_by_priority.pop(priority.number, []):
            _deleted_action(document, action, author, when, ids)
    for number, actions in removed_by_priority.items():  # priorities that no longer exist
        heading = TrackedParagraph(document.add_heading(level=1), author, when, ids)
        heading.deleted(f"{number}. {old_priorities[number].title}" if number in old_priorities else number)
        for action in actions:
            _deleted_action(document, action, author, when, ids)

    render.finish(document, title, author, subject=f"{old_label} → {new_label}")
    return document


def _deleted_action(document, action: Action, author: str, when: str, ids) -> None:
    TrackedParagraph(document.add_heading(level=2), author, when, ids).deleted(f"Action {action.number}")
    for label, value in _action_fields(action):
        if value:
            TrackedParagraph(document.add_paragraph(), author, when, ids).deleted(f"{label}: ", bold=True).deleted(value)
