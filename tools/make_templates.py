"""Build the default Word templates in src/plangen/templates/.

The .docx files are the product: a clerk restyles them in Word (fonts, colours, logo, margins)
and plangen fills them. This script only makes the starting point reproducible; run it after
changing the default layout:  .venv/bin/python tools/make_templates.py
Jinja tags here only place values: every loop runs over lists the context builders prepare.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "plangen" / "templates"
FONT = "Arial"
DARK = RGBColor(0x1F, 0x3A, 0x5F)


# -- low-level helpers ------------------------------------------------------------------------

def set_cell_shading(cell, fill: str):
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def set_repeat_header(row):
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def set_cant_split(row):
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    properties.append(element)


def add_field(paragraph, instruction: str, placeholder: str = "1"):
    """A complex field (PAGE, NUMPAGES, TOC, …) with a cached result Word or LibreOffice refreshes."""
    def run_with(element):
        run = paragraph.add_run()
        run._r.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run_with(text)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def set_col_widths(table, widths_cm):
    table.autofit = False
    grid = table._tbl.tblGrid
    for index, column in enumerate(grid.findall(qn("w:gridCol"))):
        column.set(qn("w:w"), str(int(widths_cm[index] * 567)))
    for row in table.rows:
        column = 0
        for cell_element in row._tr.tc_lst:
            span = cell_element.grid_span
            cell_element.width = Cm(sum(widths_cm[column:column + span]))
            column += span


def set_caption(table, text: str):
    """The table's accessible caption; plangen also finds its generated-column tables by it."""
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), text)
    table._tbl.tblPr.append(caption)


def merge_row(row):
    first, last = row.cells[0], row.cells[-1]
    return first.merge(last)


def tag_row(table, tag: str):
    """A row holding only a {%tr %} tag; docxtpl replaces the whole row with the tag."""
    row = table.add_row()
    row.cells[0].paragraphs[0].text = tag
    return row


def para(container, text: str = "", style: str | None = None, page_break_before: bool = False):
    paragraph = container.add_paragraph(text, style=style)
    if page_break_before:
        paragraph.paragraph_format.page_break_before = True
    return paragraph


def blocks(container, items: str, first_paragraph=None, in_table: bool = False):
    """Markdown blocks prepared by plangen: paragraphs, bullets and lettered steps, with inline formatting.
    In a table the bullets take the table's smaller text size."""
    bullet = "Table Bullet" if in_table else "List Bullet"
    lines = [
        (f"{{%p for block in {items} %}}", None),
        ("{%p if block.kind == 'bullet' %}", None),
        ("{{r block.text }}", bullet),
        ("{%p elif block.kind == 'bullet2' %}", None),
        ("{{r block.text }}", bullet + " 2"),
        ("{%p elif block.kind == 'step' %}", None),
        ("{{r block.text }}", "Step"),
        ("{%p else %}", None),
        ("{{r block.text }}", None),
        ("{%p endif %}", None),
        ("{%p endfor %}", None),
    ]
    for index, (text, style) in enumerate(lines):
        if index == 0 and first_paragraph is not None:
            first_paragraph.text = text
        else:
            para(container, text, style)


# -- styles -----------------------------------------------------------------------------------

def base_document(landscape: bool) -> Document:
    document = Document()
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    else:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.6)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1
    for name, size in (("Title", 30), ("Heading 1", 18), ("Heading 2", 14), ("Heading 3", 11.5), ("Subtitle", 16)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = DARK
        style.font.bold = name != "Subtitle"
        rfonts = style.element.rPr.find(qn("w:rFonts"))
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            if rfonts is not None and rfonts.get(qn(attribute)) is not None:
                del rfonts.attrib[qn(attribute)]
        style.paragraph_format.space_before = Pt(12 if name.startswith("Heading") else 0)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    styles["Title"].paragraph_format.space_after = Pt(12)
    title_border = styles["Title"].element.pPr.find(qn("w:pBdr"))
    if title_border is not None:
        styles["Title"].element.pPr.remove(title_border)
    for name in ("List Bullet", "List Bullet 2"):
        styles[name].font.name = FONT
        styles[name].paragraph_format.space_after = Pt(2)
    step = styles.add_style("Step", WD_STYLE_TYPE.PARAGRAPH)
    step.base_style = normal
    step.paragraph_format.left_indent = Cm(0.5)
    step.paragraph_format.first_line_indent = Cm(-0.5)
    step.paragraph_format.space_after = Pt(3)
    step.font.size = Pt(9)
    quote = styles["Quote"]
    quote.font.name = FONT
    quote.font.size = Pt(12)
    quote.font.color.rgb = DARK
    small = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = normal
    small.font.size = Pt(9)
    small.paragraph_format.space_after = Pt(2)
    for name in ("List Bullet", "List Bullet 2"):
        table_bullet = styles.add_style(name.replace("List", "Table"), WD_STYLE_TYPE.PARAGRAPH)
        table_bullet.base_style = styles[name]
        table_bullet.font.size = Pt(9)
        table_bullet.paragraph_format.space_after = Pt(1)
    cover = styles.add_style("Cover Line", WD_STYLE_TYPE.PARAGRAPH)
    cover.base_style = normal
    cover.font.size = Pt(14)
    cover.font.color.rgb = DARK
    cover.paragraph_format.space_after = Pt(6)
    draft = styles.add_style("Draft Mark", WD_STYLE_TYPE.CHARACTER)
    draft.font.bold = True
    draft.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    banner = styles.add_style("Banner", WD_STYLE_TYPE.PARAGRAPH)
    banner.base_style = normal
    banner.font.bold = True
    banner.font.size = Pt(12)
    banner.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    banner.paragraph_format.space_after = Pt(0)
    label = styles.add_style("Label", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = normal
    label.font.bold = True
    label.paragraph_format.space_before = Pt(6)
    label.paragraph_format.keep_with_next = True
    return document


def header_footer(document, header_text: str):
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = header_text
    header.style = document.styles["Normal"]
    header.add_run("{{ draft_mark }}", style="Draft Mark")
    footer = section.footer.paragraphs[0]
    footer.text = "Page "
    add_field(footer, "PAGE")
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES")
    footer.add_run("{{ footer_note }}")


def table(document, headers, widths, style="Table Grid"):
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = document.styles[style]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, headers):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = document.styles["Table Text"]
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        set_cell_shading(cell, "1F3A5F")
    set_repeat_header(grid.rows[0])
    return grid


def finish_table(grid, widths):
    set_col_widths(grid, widths)


# -- the plan ---------------------------------------------------------------------------------

def plan_template() -> Document:
    document = base_document(landscape=True)
    header_footer(document, "{{ council }} – {{ title }}")
    body = document

    # cover
    para(body, "{{ council }}", "Cover Line")
    para(body, "{{ title }}", "Title")
    para(body, "{{ date_long }}", "Subtitle")
    para(body, "{{ version_line }}", "Cover Line")
    para(body, "{%p for line in approval_lines %}")
    para(body, "{{ line }}")
    para(body, "{%p endfor %}")

    # contents
    para(body, "{{ labels.contents }}", "TOC Heading" if "TOC Heading" in [s.name for s in document.styles] else "Heading 1",
         page_break_before=True)
    toc = para(body)
    add_field(toc, 'TOC \\o "1-2" \\h \\z \\u', "Right-click to update the table of contents.")

    # introduction
    para(body, "{%p if introduction %}")
    para(body, "Introduction", "Heading 1", page_break_before=True)
    blocks_paragraph = para(body)
    blocks(body, "introduction", blocks_paragraph)
    para(body, "{%p endif %}")

    # our plan
    para(body, "Our plan", "Heading 1")
    first = para(body)
    blocks(body, "our_plan", first)
    grid = table(document, ["{{ labels.work_stream }}", "{{ labels.priority }}", "Ofsted recommendations", "Page"], None)
    tag_row(grid, "{%tr for row in overview_rows %}")
    row = grid.add_row()
    texts = ["{% cellbg row.work_stream_colour %}{{r row.work_stream }}", "{{ row.priority }}", "{{ row.recommendations }}",
             "{{r row.page }}"]
    for cell, text in zip(row.cells, texts):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = document.styles["Table Text"]
    set_cant_split(row)
    tag_row(grid, "{%tr endfor %}")
    finish_table(grid, [4.5, 13.5, 6.0, 2.0])
    set_caption(grid, "Our plan")

    # the plan on a page, a figure plangen draws from the data
    para(body, "{%p if plan_figure %}")
    para(body, "{{ plan_figure.heading }}", "Heading 2", page_break_before=True)
    para(body, "{{p plan_figure.table }}")
    para(body, "{%p endif %}")

    # vision
    para(body, "{%p if vision %}")
    para(body, "Our vision", "Heading 1")
    first = para(body)
    blocks(body, "vision.introduction", first)
    para(body, "{{ vision.statement }}", "Quote")
    para(body, "{%p if vision.what_we_will_do %}")
    para(body, "What we will do to achieve this:", "Label")
    para(body, "{%p for item in vision.what_we_will_do %}")
    para(body, "{{ item }}", "List Bullet")
    para(body, "{%p endfor %}")
    para(body, "{%p endif %}")
    para(body, "{%p endif %}")

    para(body, "{%p if conditions %}")
    para(body, "Our conditions for social work to flourish", "Heading 1")
    first = para(body)
    blocks(body, "conditions", first)
    para(body, "{%p endif %}")

    para(body, "{%p if governance %}")
    para(body, "Governance", "Heading 1")
    first = para(body)
    blocks(body, "governance", first)
    para(body, "{%p endif %}")

    # status key
    para(body, "{%p if show_status_key %}")
    para(body, "{{ labels.status_heading }}", "Heading 1")
    first = para(body)
    blocks(body, "status_introduction", first)
    grid = table(document, ["Colour", "Status", "What it means"], None)
    tag_row(grid, "{%tr for status in statuses %}")
    row = grid.add_row()
    row.cells[0].paragraphs[0].text = "{% cellbg status.colour %}{{ status.swatch_text }}"
    row.cells[1].paragraphs[0].text = "{{ status.label }}"
    row.cells[2].paragraphs[0].text = "{{ status.meaning }}"
    for cell in row.cells:
        cell.paragraphs[0].style = document.styles["Table Text"]
    row.cells[1].paragraphs[0].runs[0].bold = True
    tag_row(grid, "{%tr endfor %}")
    finish_table(grid, [3.0, 4.0, 19.0])
    para(body, "{%p endif %}")

    # SROs
    para(body, "{%p if sro_rows %}")
    para(body, "Senior Responsible Officers", "Heading 1")
    first = para(body)
    blocks(body, "sro_introduction", first)
    grid = table(document, ["{{ labels.work_stream }}", "{{ labels.priority }}", "{{ labels.sro }}"], None)
    tag_row(grid, "{%tr for row in sro_rows %}")
    row = grid.add_row()
    for cell, text in zip(row.cells, ["{{ row.work_stream }}", "{{ row.priority }}", "{{ row.sro }}"]):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = document.styles["Table Text"]
    set_cant_split(row)
    tag_row(grid, "{%tr endfor %}")
    finish_table(grid, [4.5, 12.0, 9.5])
    para(body, "{%p endif %}")

    # priorities, grouped by work stream
    para(body, "{%p for section in sections %}")
    para(body, "{%p if section.name %}")
    para(body, "{{ section.name }}", "Heading 1", page_break_before=True)
    para(body, "{%p endif %}")
    para(body, "{%p for priority in section.priorities %}")
    para(body, "{%p if priority.new_page %}")
    para(body, "{{r priority.bookmark }}{{ priority.heading }}", "Heading 2", page_break_before=True)
    para(body, "{%p else %}")
    para(body, "{{r priority.bookmark }}{{ priority.heading }}", "Heading 2")
    para(body, "{%p endif %}")
    para(body, "{%p if priority.banner %}")
    banner = document.add_table(rows=1, cols=1)
    banner.rows[0].cells[0].paragraphs[0].text = "{% cellbg priority.banner_colour %}{{ priority.banner }}"
    banner.rows[0].cells[0].paragraphs[0].style = document.styles["Banner"]
    finish_table(banner, [26.1])
    para(body, "{%p endif %}")
    para(body, "{%p if priority.sro %}")
    para(body, "{{ labels.sro }}: {{ priority.sro }}", "Label")
    para(body, "{%p endif %}")
    # the priority's parts, in the order and style the plan's layout gives
    para(body, "{%p for part in priority.sections %}")
    para(body, "{%p if part.heading %}")
    para(body, "{{ part.heading }}", "Heading 3")
    para(body, "{%p endif %}")
    para(body, "{%p if part.kind == 'actions' %}")
    # the action table: every column plangen knows, in a fixed order; postprocess keeps the layout's
    headers = ["{{ priority.labels.number }}", "{{ priority.labels.issue }}", "{{ priority.labels.action }}",
               "{{ priority.labels.step }}", "{{ priority.labels.due }}", "{{ priority.labels.lead }}",
               "{{ priority.labels.partners }}", "{{ priority.labels.status }}", "{{ priority.labels.progress }}"]
    widths = [1.3, 4.0, 10.6, 7.0, 2.6, 3.2, 3.2, 2.5, 7.0]
    grid = table(document, headers, widths)
    tag_row(grid, "{%tr for row in part.rows %}")
    tag_row(grid, "{%tr if row.group %}")
    group_row = grid.add_row()
    merged = merge_row(group_row)
    merged.paragraphs[0].text = "{{ row.group }}"
    merged.paragraphs[0].style = document.styles["Table Text"]
    merged.paragraphs[0].runs[0].bold = True
    merged.paragraphs[0].paragraph_format.keep_with_next = True  # a group row never ends a page alone
    para(merged, "{%p if row.note %}")
    first = para(merged)
    blocks(merged, "row.note", first, in_table=True)
    para(merged, "{%p endif %}")
    set_cell_shading(merged, "DCE6F1")
    set_cant_split(group_row)
    tag_row(grid, "{%tr else %}")
    action_row = grid.add_row()
    cells = action_row.cells
    cells[0].paragraphs[0].text = "{{ row.number }}"
    cells[0].paragraphs[0].runs[0].bold = True
    cells[1].paragraphs[0].text = "{{ row.issue }}"
    blocks(cells[2], "row.blocks", cells[2].paragraphs[0], in_table=True)
    blocks(cells[3], "row.milestone", cells[3].paragraphs[0], in_table=True)
    cells[4].paragraphs[0].text = "{{r row.due }}"
    cells[5].paragraphs[0].text = "{{r row.lead }}"
    cells[6].paragraphs[0].text = "{{r row.partners }}"
    cells[7].paragraphs[0].text = "{% cellbg row.status_colour %}{{ row.status_label }}"
    blocks(cells[8], "row.progress", cells[8].paragraphs[0], in_table=True)
    for cell in cells:
        for paragraph in cell.paragraphs:
            if paragraph.style.name == "Normal":
                paragraph.style = document.styles["Table Text"]
    set_cant_split(action_row)
    tag_row(grid, "{%tr endif %}")
    tag_row(grid, "{%tr endfor %}")
    finish_table(grid, widths)
    set_caption(grid, "Action table")
    para(body, "{%p else %}")
    first = para(body)
    blocks(body, "part.blocks", first)
    para(body, "{%p endif %}")
    para(body, "{%p endfor %}")
    para(body, "{%p endfor %}")
    para(body, "{%p endfor %}")

    # lead officers
    para(body, "{%p if show_lead_officers %}")
    para(body, "{{ labels.lead_officers }}", "Heading 1", page_break_before=True)
    first = para(body)
    blocks(body, "lead_officers_introduction", first)
    grid = table(document, ["Initials", "Name", "Role"], None)
    tag_row(grid, "{%tr for person in lead_officers %}")
    row = grid.add_row()
    for cell, text in zip(row.cells, ["{{ person.id }}", "{{ person.name }}", "{{ person.role }}"]):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = document.styles["Table Text"]
    set_cant_split(row)
    tag_row(grid, "{%tr endfor %}")
    finish_table(grid, [2.5, 7.0, 16.5])
    para(body, "{%p endif %}")

    # appendices
    para(body, "{%p if success_measures %}")
    para(body, "{{ success_measures.heading }}", "Heading 1", page_break_before=True)
    first = para(body)
    blocks(body, "success_measures.introduction", first)
    para(body, "{%p for measures in success_measures.tables %}")
    para(body, "{{ measures.title }}", "Heading 2")
    para(body, "{%p for entry in measures.entries %}")
    para(body, "{%p if entry.heading %}")
    para(body, "{{ entry.heading }}", "Heading 3")
    para(body, "{%p endif %}")
    para(body, "{%p for item in entry.measures %}")
    para(body, "{{ item }}", "List Bullet")
    para(body, "{%p endfor %}")
    para(body, "{%p endfor %}")
    para(body, "{%p endfor %}")
    para(body, "{%p endif %}")

    para(body, "{%p if plan_on_a_page %}")
    para(body, "{{ plan_on_a_page.heading }}", "Heading 1", page_break_before=True)
    para(body, "{%p if plan_on_a_page.work_streams %}")
    para(body, "Our work streams", "Heading 2")
    para(body, "{{ plan_on_a_page.work_streams }}")
    para(body, "{%p endif %}")
    para(body, "{%p if plan_on_a_page.vision %}")
    para(body, "Our vision", "Heading 2")
    para(body, "{{ plan_on_a_page.vision }}", "Quote")
    para(body, "{%p endif %}")
    para(body, "Our priorities", "Heading 2")
    para(body, "{%p for item in plan_on_a_page.priorities %}")
    para(body, "{{ item.title }}", "Label")
    para(body, "{%p for sub in item.including %}")
    para(body, "{{ sub }}", "List Bullet")
    para(body, "{%p endfor %}")
    para(body, "{%p endfor %}")
    para(body, "{%p if plan_on_a_page.actions %}")
    para(body, "Our actions", "Heading 2")
    para(body, "{%p for item in plan_on_a_page.actions %}")
    para(body, "{{ item }}", "List Bullet")
    para(body, "{%p endfor %}")
    para(body, "{%p endif %}")
    para(body, "{%p if plan_on_a_page.success_measures %}")
    para(body, "Our success measures", "Heading 2")
    para(body, "{%p for item in plan_on_a_page.success_measures %}")
    para(body, "{{ item }}", "List Bullet")
    para(body, "{%p endfor %}")
    para(body, "{%p endif %}")
    para(body, "{%p endif %}")

    # python-docx starts with one empty paragraph; drop it
    first_paragraph = document.paragraphs[0]
    if not first_paragraph.text:
        first_paragraph._element.getparent().remove(first_paragraph._element)
    return document


# -- committee papers: the council's cover-report format ----------------------------------------

def items_loop(document, items: str):
    """Numbered sections and paragraphs, bullets, generated tables and sign-offs, as plangen lays them out."""
    lines = [
        (f"{{%p for item in {items} %}}", None, False),
        ("{%p if item.kind == 'heading' %}", None, False),
        ("{{r item.text }}", "Heading 1", False),
        ("{%p elif item.kind == 'subheading' %}", None, False),
        ("{{r item.text }}", "Heading 2", False),
        ("{%p elif item.kind == 'appendix' %}", None, False),
        ("{{r item.text }}", "Heading 1", True),
        ("{%p elif item.kind == 'minor_heading' %}", None, False),
        ("{{r item.text }}", "Heading 3", False),
        ("{%p elif item.kind == 'xml' %}", None, False),
        ("{{p item.xml }}", None, False),
        ("{%p elif item.kind == 'numbered' %}", None, False),
        ("{{ item.number }}\t{{r item.text }}", "Numbered Paragraph", False),
        ("{%p elif item.kind == 'bullet' %}", None, False),
        ("{{r item.text }}", "List Bullet", False),
        ("{%p elif item.kind == 'bullet2' %}", None, False),
        ("{{r item.text }}", "List Bullet 2", False),
        ("{%p elif item.kind == 'table' %}", None, False),
        ("{{p item.table }}", None, False),
        ("{%p else %}", None, False),
        ("{{r item.text }}", None, False),
        ("{%p endif %}", None, False),
        ("{%p endfor %}", None, False),
    ]
    for text, style, page_break in lines:
        para(document, text, style, page_break_before=page_break)


def report_template(update_style: bool = False) -> Document:
    """The council's cover report. update_style: the example update's own look (examples/…/templates):
    a teal accent, the report file's x-classification above the title and x-prepared_by in the footer."""
    document = base_document(landscape=False)
    styles = document.styles
    if update_style:
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            styles[name].font.color.rgb = RGBColor(0x00, 0x6D, 0x77)
    numbered = styles.add_style("Numbered Paragraph", WD_STYLE_TYPE.PARAGRAPH)
    numbered.base_style = styles["Normal"]
    numbered.font.size = Pt(11)
    numbered.paragraph_format.left_indent = Cm(1.25)
    numbered.paragraph_format.first_line_indent = Cm(-1.25)
    numbered.paragraph_format.tab_stops.add_tab_stop(Cm(1.25))
    numbered.paragraph_format.space_after = Pt(8)
    styles["Normal"].font.size = Pt(11)
    for name in ("List Bullet", "List Bullet 2"):
        styles[name].paragraph_format.left_indent = Cm(1.9 if name == "List Bullet" else 2.5)
    styles["Heading 1"].font.size = Pt(13)
    styles["Heading 2"].font.size = Pt(12)
    section = document.sections[0]
    footer = section.footer.paragraphs[0]
    footer.text = ("{{ extra.prepared_by }} – " if update_style else "") + "{{ footer_note }} – page "
    add_field(footer, "PAGE")
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES")

    if update_style:
        para(document, "{%p if 'classification' in extra %}")
        para(document, "{{ extra.classification }}", "Label")
        para(document, "{%p endif %}")
    para(document, "{%p if general_release %}")
    release = para(document, "For general release", "Label")
    release.alignment = 2
    para(document, "{%p endif %}")
    para(document, "{{ heading }}", "Title")
    grid = document.add_table(rows=0, cols=2)
    grid.style = styles["Table Grid"]
    tag_row(grid, "{%tr for row in header_rows %}")
    row = grid.add_row()
    row.cells[0].paragraphs[0].text = "{{ row.label }}"
    row.cells[0].paragraphs[0].runs[0].bold = True
    blocks(row.cells[1], "row.value", row.cells[1].paragraphs[0])
    set_cant_split(row)
    tag_row(grid, "{%tr endfor %}")
    finish_table(grid, [5.5, 11.9])

    items_loop(document, "items")

    para(document, "CONTACT OFFICER:", "Heading 2")
    para(document, "{%p for line in contact_lines %}")
    para(document, "{{ line }}")
    para(document, "{%p endfor %}")
    para(document, "BACKGROUND DOCUMENTS:", "Heading 2")
    para(document, "{%p for line in background_documents %}")
    para(document, "{{ line }}")
    para(document, "{%p endfor %}")
    para(document, "{%p if appendix_lines %}")
    para(document, "APPENDICES:", "Heading 2")
    para(document, "{%p for line in appendix_lines %}")
    para(document, "{{ line }}")
    para(document, "{%p endfor %}")
    para(document, "{%p endif %}")
    items_loop(document, "appendix_items")
    first_paragraph = document.paragraphs[0]
    if not first_paragraph.text:
        first_paragraph._element.getparent().remove(first_paragraph._element)
    return document


def tracker_template() -> Document:
    document = base_document(landscape=True)
    header_footer(document, "{{ title }}")
    para(document, "{{ title }}", "Title")
    para(document, "{{ subtitle }}", "Subtitle")
    para(document, "{%p for line in introduction %}")
    para(document, "{{ line }}")
    para(document, "{%p endfor %}")
    para(document, "{%p if filter_line %}")
    para(document, "{{ filter_line }}", "Label")
    para(document, "{%p endif %}")
    para(document, "{%p for priority in priorities %}")
    para(document, "{{ priority.heading }}", "Heading 1")
    para(document, "{%p if priority.banner %}")
    para(document, "{{ priority.banner }}", "Label")
    para(document, "{%p endif %}")
    headers = ["Improvement Action", "Improvement Measure", "Lead Accountability", "Progress to Date",
               "Action Progress RAG", "Next Steps"]
    widths = [7.6, 4.2, 3.4, 5.4, 2.3, 3.2]
    grid = table(document, headers, widths)
    tag_row(grid, "{%tr for row in priority.rows %}")
    row = grid.add_row()
    cells = row.cells
    cells[0].paragraphs[0].text = "{{ row.number }}"
    cells[0].paragraphs[0].runs[0].bold = True
    blocks(cells[0], "row.action", in_table=True)
    cells[1].paragraphs[0].text = "{{r row.measures }}"
    cells[2].paragraphs[0].text = "{{r row.lead }}"
    cells[3].paragraphs[0].text = "{{r row.progress }}"
    cells[4].paragraphs[0].text = "{% cellbg row.status_colour %}{{ row.status_label }}"
    cells[5].paragraphs[0].text = "{{r row.next_steps }}"
    for cell in cells:
        for paragraph in cell.paragraphs:
            if paragraph.style.name == "Normal":
                paragraph.style = document.styles["Table Text"]
    set_cant_split(row)
    tag_row(grid, "{%tr endfor %}")
    finish_table(grid, widths)
    para(document, "{%p endfor %}")
    para(document, "{%p if not priorities %}")
    para(document, "{{ empty_message }}")
    para(document, "{%p endif %}")
    first_paragraph = document.paragraphs[0]
    if not first_paragraph.text:
        first_paragraph._element.getparent().remove(first_paragraph._element)
    return document


EXAMPLE_TEMPLATES = TEMPLATES.parent.parent.parent / "examples" / "improvement-update-2018-03" / "templates"


def main():
    import sys

    TEMPLATES.mkdir(parents=True, exist_ok=True)
    builds = [(TEMPLATES / "plan.docx", plan_template), (TEMPLATES / "report.docx", report_template),
              (TEMPLATES / "tracker.docx", tracker_template),
              (EXAMPLE_TEMPLATES / "improvement-update.docx", lambda: report_template(update_style=True))]
    wanted = sys.argv[1:]  # file names to rebuild; default all (each save changes the file's bytes)
    for path, build in builds:
        if wanted and path.name not in wanted:
            continue
        build().save(path)
        print("wrote", path)


if __name__ == "__main__":
    main()
