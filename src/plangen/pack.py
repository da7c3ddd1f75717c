"""Agenda packs: one tagged PDF per meeting, as committee systems publish them.

What belongs to a meeting is data: the report files whose `meeting` (committee and date) match,
in agenda-item order, each followed by its appendices that plangen makes (`content: plan` is the
plan paper). A report with `exempt:` (why it is exempt from publication) is listed on the public
pack's agenda without its paper, and goes into a separate restricted pack.

How a pack keeps its tags: each part (the agenda page, each paper, each appendix) is laid out and
exported by LibreOffice as its own tagged PDF, numbered from the page it will have in the pack
(its first section starts at that page number, and "of N" is the pack's page count), so printed
page numbers, the contents and page references all run on. The parts are then joined with pikepdf,
which copies the pages and also joins the structure trees (each part's tree under one root, the
parent tree renumbered), so the pack stays tagged; pypdf's and pikepdf's own merging would drop
them. The pack's outline has one entry per item and appendix, each holding that part's bookmarks.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from plangen.errors import RenderError, UsageError


@dataclass
class Part:
    label: str  # "Item 5", "Item 5, appendix 1", "Agenda"
    title: str
    data: bytes = b""  # the rendered .docx
    pages: int = 0
    pdf: Path | None = None


@dataclass
class Meeting:
    committee: str
    date: str
    items: list = field(default_factory=list)  # report SourceFiles, agenda order


def natural(text: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or "")]


def meetings(plan) -> list[Meeting]:
    from plangen.documents import registry

    found: dict[tuple[str, str], Meeting] = {}
    for report in plan.reports:
        if report.data.get("kind") not in registry.REPORT_KINDS:
            continue
        meeting = report.data["meeting"]
        key = (str(meeting["committee"]), str(meeting["date"]))
        found.setdefault(key, Meeting(*key)).items.append(report)
    for meeting in found.values():
        meeting.items.sort(key=lambda report: (natural(str(report.data.get("agenda_item", "~"))), report.path.name))
    return sorted(found.values(), key=lambda meeting: (meeting.date, meeting.committee))


def select(plan, date: str, committee: str | None) -> Meeting:
    candidates = [meeting for meeting in meetings(plan) if meeting.date == date
                  and (committee is None or meeting.committee.casefold() == committee.casefold())]
    if len(candidates) == 1:
        return candidates[0]
    known = "; ".join(f"{meeting.date} {meeting.committee}" for meeting in meetings(plan)) or "none"
    if not candidates:
        raise UsageError(f"no report file is for a meeting on {date}" + (f" of {committee}" if committee else ""),
                         hint=f"meetings in the plan's reports: {known}")
    raise UsageError(f"several committees meet on {date}", hint="name one with --committee: "
                     + ", ".join(meeting.committee for meeting in candidates))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def make_packs(plan, meeting: Meeting, folder: Path, work: Path, timeout: float, progress=print) -> list[Path]:
    """Write the public pack (and the restricted one, if any item is exempt) into `folder`."""
    from plangen.atomic import atomic_path
    from plangen.commands.render import kind_document, report_document
    from plangen.documents import registry

    public, restricted, listed = [], [], []
    for report in meeting.items:
        item = f"Item {report.data.get('agenda_item') or len(listed) + 1}"
        title = report.data["subject"]
        parts = [Part(item, title, report_document(plan, report))]
        for index, appendix in enumerate(report.data.get("appendices") or [], start=1):
            if appendix.get("content") == "plan":
                parts.append(Part(f"{item}, appendix {index}", appendix["title"],
                                  kind_document(plan, registry.KINDS["plan"])))
        exempt = report.data.get("exempt")
        listed.append((item, title, exempt, parts))
        (restricted if exempt else public).extend(parts)
    heading = f"{meeting.committee}, {long_date(meeting.date)}"
    base = folder / f"{meeting.date}-{slug(meeting.committee)}"
    written = []
    packs = [(public, f"{base}-agenda-pack.pdf", f"Agenda pack: {heading}", False)]
    if restricted:
        packs.append((restricted, f"{base}-restricted-pack.pdf", f"Restricted agenda pack (not for publication): {heading}", True))
    finished = []
    for number, (parts, target, title, is_restricted) in enumerate(packs):
        rows = [(item, subject, exempt, item_parts) for item, subject, exempt, item_parts in listed
                if bool(exempt) == is_restricted or not is_restricted]
        # each pack's parts in a folder of their own: no part of one pack can end up in the other
        own = work / f"pack-{number}"
        own.mkdir()
        finished.append((target, title, lay_out_pack(plan, parts, rows, title, is_restricted, own, timeout)))
        progress(f"  {Path(target).name}: {sum(part.pages for part in finished[-1][2])} pages")
    for target, title, parts in finished:
        joined = work / (Path(target).name + ".joined")
        join(parts, joined, title)
        with atomic_path(Path(target), staging=work) as temporary:  # nothing stray in the output if killed
            temporary.write_bytes(joined.read_bytes())
        written.append(Path(target))
    return written


def long_date(text: str) -> str:
    from plangen.dates import PlanDate

    return PlanDate.parse(text).long()


def lay_out_pack(plan, parts: list[Part], rows, title: str, restricted: bool, work: Path, timeout: float) -> list[Part]:
    """Count each part's pages, then export each numbered from its page in the pack: one LibreOffice session."""
    from plangen import office

    template_data = parts[0].data if parts else None
    agenda = Part("Agenda", title)
    with office.Session(work / "office", timeout) as session:
        for index, part in enumerate(parts):
            path = work / f"count-{index}.docx"
            path.write_bytes(part.data)
            session.submit(path, None, f"{part.label} ({part.title})")
        for part in parts:
            part.pages = session.result()[1]["pages"]
        agenda.data = agenda_document(template_data, rows, title, restricted, starts=None)
        (work / "count-agenda.docx").write_bytes(agenda.data)
        session.submit(work / "count-agenda.docx", None, "the agenda page")
        agenda.pages = session.result()[1]["pages"]
        total = agenda.pages + sum(part.pages for part in parts)
        first = agenda.pages + 1
        starts = {}
        for part in parts:
            starts[id(part)] = first
            first += part.pages
        agenda.data = agenda_document(template_data, rows, title, restricted, starts=starts)
        everything = [agenda] + parts
        page = 1
        for index, part in enumerate(everything):
            numbered = numbered_from(part.data, page, total)
            path, part.pdf = work / f"part-{index}.docx", work / f"part-{index}.pdf"
            path.write_bytes(numbered)
            session.submit(path, part.pdf, f"{part.label} ({part.title})")
            laid = session.result()[1]["pages"]
            if laid != part.pages:
                raise RenderError(f"{part.label} ({part.title}) took {laid} pages in the pack and {part.pages} alone",
                                  hint="the pack's page numbers would not run on; please report this")
            office.repair_metadata(part.pdf)
            page += part.pages
    return everything


def agenda_document(template_data: bytes | None, rows, title: str, restricted: bool, starts) -> bytes:
    """The agenda page: the meeting, then each item with the page it starts on, in the papers' own styles."""
    from docx import Document

    document = Document(io.BytesIO(template_data)) if template_data else Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    document.add_paragraph(title, style="Title" if "Title" in [s.name for s in document.styles] else None)
    if restricted:
        document.add_paragraph("Not for publication: every item in this pack is exempt from publication.")
    table = document.add_table(rows=1, cols=3)
    try:
        table.style = "Table Grid"
    except (KeyError, ValueError):
        pass
    for cell, text in zip(table.rows[0].cells, ("Item", "Subject", "Page")):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)
    for item, subject, exempt, parts in rows:
        for part in parts:
            cells = table.add_row().cells
            cells[0].text = part.label
            if exempt and not restricted:
                cells[1].text = f"{part.title} (exempt from publication: {exempt}; not in this pack)"
                cells[2].text = "–"
            else:
                cells[1].text = part.title
                cells[2].text = str(starts[id(part)]) if starts else "000"
    from docx.shared import Cm

    table.autofit = False
    widths = (3.6, 11.4, 1.8)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        column.set(qn("w:w"), str(int(width * 567)))
    document.core_properties.title = title
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SECTION_ORDER_AFTER = ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter",
                       "docGrid", "printerSettings", "sectPrChange")


def numbered_from(data: bytes, first_page: int, total: int) -> bytes:
    """The .docx numbered from `first_page` (its first section restarts there) with every NUMPAGES
    field in headers and footers replaced by the pack's page count."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(data))
    section = document.sections[0]._sectPr
    for old in section.findall(qn("w:pgNumType")):
        section.remove(old)
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), str(first_page))
    after = next((child for child in section if child.tag in {qn(f"w:{name}") for name in SECTION_ORDER_AFTER}), None)
    if after is not None:
        after.addprevious(numbering)
    else:
        section.append(numbering)
    for part in document.sections:
        for story in (part.header, part.footer, part.first_page_header, part.first_page_footer,
                      part.even_page_header, part.even_page_footer):
            if story.is_linked_to_previous:
                continue
            replace_page_count(story._element, total)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def replace_page_count(element, total: int) -> None:
    from docx.oxml.ns import qn

    for simple in list(element.iter(qn("w:fldSimple"))):
        if "NUMPAGES" in (simple.get(qn("w:instr")) or ""):
            runs = simple.findall(qn("w:r"))
            for run in runs:
                simple.addprevious(run)
            simple.getparent().remove(simple)
            _set_text(runs, str(total))
    for paragraph in element.iter(qn("w:p")):
        runs = list(paragraph.iter(qn("w:r")))
        index = 0
        while index < len(runs):
            character = runs[index].find(qn("w:fldChar"))
            if character is None or character.get(qn("w:fldCharType")) != "begin":
                index += 1
                continue
            field_runs, instruction, results, state = [runs[index]], "", [], "instruction"
            index += 1
            while index < len(runs):
                run = runs[index]
                field_runs.append(run)
                kind = run.find(qn("w:fldChar"))
                kind = kind.get(qn("w:fldCharType")) if kind is not None else None
                if kind == "end":
                    break
                if kind == "separate":
                    state = "result"
                elif state == "instruction":
                    text = run.find(qn("w:instrText"))
                    instruction += text.text or "" if text is not None else ""
                else:
                    results.append(run)
                index += 1
            index += 1
            if "NUMPAGES" in instruction:
                keep = results[0] if results else field_runs[0]
                for run in field_runs:
                    if run is not keep:
                        run.getparent().remove(run)
                for child in list(keep):
                    if child.tag != qn("w:rPr"):
                        keep.remove(child)
                _set_text([keep], str(total))


def _set_text(runs, text: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if not runs:
        return
    for run in runs[1:]:
        run.getparent().remove(run)
    first = runs[0]
    for child in list(first):
        if child.tag != qn("w:rPr"):
            first.remove(child)
    node = OxmlElement("w:t")
    node.text = text
    first.append(node)


def join(parts: list[Part], target: Path, title: str) -> None:
    """One PDF of the parts' pages with their structure trees joined under one root, their outlines
    under one entry per part, the pack's title and language."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, OutlineItem

    pack = pikepdf.new()
    tree = pack.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pack.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree, K=Array()))
    tree.K = Array([document])
    numbers, role_map, next_key = Array(), Dictionary(), 0
    outline_entries = []
    sources = []
    for part in parts:
        source = pikepdf.open(part.pdf)
        sources.append(source)
        first = len(pack.pages)
        page_index = {page.objgen: number for number, page in enumerate(source.pages)}
        pack.pages.extend(source.pages)
        root = source.Root
        source_tree = root.get("/StructTreeRoot")
        largest = -1
        if source_tree is not None:
            for key, value in _number_tree(source_tree.get("/ParentTree")):
                numbers.append(key + next_key)
                numbers.append(_foreign(pack, value))
                largest = max(largest, key)
            kids = source_tree.get("/K")
            kids = list(kids) if isinstance(kids, Array) else ([kids] if kids is not None else [])
            for kid in kids:
                if "/P" in kid:
                    del kid["/P"]
                copied = _foreign(pack, kid)
                copied.P = document
                document.K.append(copied)
            for name, value in (source_tree.get("/RoleMap") or Dictionary()).items():
                role_map[name] = _foreign(pack, value)
            for page in pack.pages[first:]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + next_key
                for annotation in page.obj.get("/Annots") or []:
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + next_key
            next_key += largest + 1
        entry = OutlineItem(f"{part.label}: {part.title}" if part.label != "Agenda" else "Agenda", first)
        with source.open_outline() as outline:
            entry.children.extend(_copied_outline(outline.root, page_index, first))
        outline_entries.append(entry)
    tree.ParentTree = pack.make_indirect(Dictionary(Nums=numbers))
    tree.ParentTreeNextKey = next_key
    if role_map:
        tree.RoleMap = role_map
    pack.Root.StructTreeRoot = tree
    pack.Root.MarkInfo = Dictionary(Marked=True)
    pack.Root.Lang = pikepdf.String("en-GB")
    pack.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    pack.Root.PageMode = Name.UseOutlines
    with pack.open_outline() as outline:
        outline.root.extend(outline_entries)
    with pack.open_metadata(set_pikepdf_as_editor=False) as metadata:
        metadata["dc:title"] = title
        metadata["pdfuaid:part"] = "1"
    pack.docinfo[Name.Title] = title
    pack.save(target)
    for source in sources:
        source.close()


def _foreign(pack, value):
    """`value` from another PDF, copied into `pack` (a direct array or dictionary element by element)."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pack.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_foreign(pack, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _foreign(pack, item) for key, item in value.items()})
    return value


def _number_tree(node):
    if node is None:
        return
    numbers = node.get("/Nums")
    if numbers is not None:
        for index in range(0, len(numbers), 2):
            yield int(numbers[index]), numbers[index + 1]
    for kid in node.get("/Kids") or []:
        yield from _number_tree(kid)


def _copied_outline(items, page_index: dict, first: int) -> list:
    from pikepdf import OutlineItem

    copied = []
    for item in items:
        destination = item.destination
        page = None
        if destination is not None and len(destination) and hasattr(destination[0], "objgen"):
            page = page_index.get(destination[0].objgen)
        new = OutlineItem(item.title, first + page if page is not None else first)
        new.children.extend(_copied_outline(item.children, page_index, first))
        copied.append(new)
    return copied
