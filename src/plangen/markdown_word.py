"""The narrative dialect of report files, turned into finished WordprocessingML.

The dialect (README, "Writing narrative") is CommonMark with pipe tables, minus what would make text
print otherwise than typed: no raw HTML (`<b>` prints as typed), no entity decoding (`&amp;` prints
as typed), no underscore emphasis (`snake_case_name` prints as typed; `*italics*` and `**bold**`
work). On top of it, what committee papers need:

- ordered lists keep their numbers and start value (`3.` starts at 3); lists nest;
- a line ending in two spaces or a backslash is a hard line break;
- `[words](https://…)` is a real hyperlink;
- `![alt text](figures/chart.png "Caption")` alone in its paragraph is a figure from an image file
  in the plan repository (PNG or JPEG, relative to the file the text is in); alt text is required;
- `{-}` at the end of a paragraph or heading leaves it unnumbered;
- in a table cell, `<br>` starts a new line and a line starting `- ` is a bullet; tables that
  follow each other stay separate tables.

Everything here returns plain strings (`RawXml`). Hyperlinks and images need parts of the package
(a relationship, a media part): the XML carries them as `pg:` attributes, and `attach_pending`
turns those into real relationships after the template has rendered (see render.py).
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from plangen import text as narrative
from plangen.wordxml import RawXml, run_properties

PG = "urn:plangen"
UNNUMBERED = re.compile(r"\s*\{-\}\s*$")
CELL_BREAK = re.compile(r"<br\s*/?>", re.I)
IMAGE_TYPES = {".png", ".jpg", ".jpeg"}
EMU_PER_CM = 360000
TWIPS_PER_CM = 567
MAX_FIGURE_WIDTH_CM = 16.0
LINK_COLOUR = "0563C1"


@lru_cache(maxsize=1)
def parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("entity")


# -- parsing --------------------------------------------------------------------------------------

def _segments(token, references: bool) -> list[tuple]:
    """An inline token's children as segments: ('text', str, bold, italic), ('break',),
    ('link', url, [segments]), ('image', src, alt, caption)."""
    segments: list[tuple] = []
    stack = [segments]
    bold = italic = 0
    for child in token.children or []:
        kind = child.type
        if kind in ("em_open", "em_close", "strong_open", "strong_close") and "_" in (child.markup or ""):
            stack[-1].append(("text", child.markup, bold > 0, italic > 0))  # underscores print as typed
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in ("text", "code_inline", "html_inline"):
            content = narrative.clean(child.content)
            stack[-1].append(("text", narrative.council_references(content) if references else content, bold > 0, italic > 0))
        elif kind == "softbreak":
            stack[-1].append(("text", " ", bold > 0, italic > 0))
        elif kind == "hardbreak":
            stack[-1].append(("break",))
        elif kind == "link_open":
            inner: list[tuple] = []
            stack[-1].append(("link", child.attrs.get("href", ""), inner))
            stack.append(inner)
        elif kind == "link_close" and len(stack) > 1:
            stack.pop()
        elif kind == "image":
            alt = "".join(grandchild.content for grandchild in child.children or [])
            stack[-1].append(("image", child.attrs.get("src", ""), alt, child.attrs.get("title") or ""))
    return segments


def _strip_marker(segments: list[tuple]) -> bool:
    """Remove a trailing `{-}` from the last text segment; True when there was one."""
    for index in range(len(segments) - 1, -1, -1):
        segment = segments[index]
        if segment[0] != "text":
            return False
        if not segment[1].strip():
            continue
        if UNNUMBERED.search(segment[1]):
            segments[index] = ("text", UNNUMBERED.sub("", segment[1])) + segment[2:]
            return True
        return False
    return False


def plain(segments) -> str:
    parts = []
    for segment in segments:
        if segment[0] == "text":
            parts.append(segment[1])
        elif segment[0] == "break":
            parts.append("\n")
        elif segment[0] == "link":
            parts.append(plain(segment[2]))
        elif segment[0] == "image":
            parts.append(segment[2])
    return "".join(parts)


def _cell_lines(segments) -> list[dict]:
    """A table cell's paragraphs: split at <br> and hard breaks; a line starting '- ' is a bullet."""
    lines: list[list[tuple]] = [[]]
    for segment in segments:
        if segment[0] == "break":
            lines.append([])
        elif segment[0] == "text":
            pieces = CELL_BREAK.split(segment[1])
            for index, piece in enumerate(pieces):
                if index:
                    lines.append([])
                if piece:
                    lines[-1].append(("text", piece) + segment[2:])
        else:
            lines[-1].append(segment)
    result = []
    for line in lines:
        bullet = False
        if line and line[0][0] == "text":
            stripped = line[0][1].lstrip()
            if stripped.startswith(("- ", "• ", "* ")):
                bullet = True
                line[0] = ("text", stripped[2:]) + line[0][2:]
            elif not stripped and len(line) == 1:
                continue
        result.append({"bullet": bullet, "inline": line})
    return result or [{"bullet": False, "inline": []}]


def parse(text: str, references: bool = True) -> list[dict]:
    """Markdown -> blocks, each with its 0-based `line` in the text:
    paragraph {inline, unnumbered}, heading {level, inline, unnumbered}, item {ordered, number,
    depth, inline, first}, table {header, rows} (cells are lists of {bullet, inline}), figure
    {src, alt, caption}, code {text}, rule {}. Quoted text is a paragraph with `quote` set."""
    if not text or not str(text).strip():
        return []
    tokens = parser().parse(str(text))
    blocks: list[dict] = []
    lists: list[dict] = []  # open lists: {ordered, next}
    item_open: list[dict] = []  # per open list item: {number, first}
    quote = 0
    table = None
    row = None
    heading_level = None
    for token in tokens:
        kind = token.type
        line = token.map[0] if token.map else (blocks[-1]["line"] if blocks else 0)
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else None
            lists.append({"ordered": kind == "ordered_list_open", "next": start})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            current = lists[-1]
            number = None
            if current["ordered"]:
                number = int(token.info) if token.info.isdigit() else current["next"]
                current["next"] = number + 1
            item_open.append({"number": number, "first": True, "line": line})
        elif kind == "list_item_close":
            item = item_open.pop()
            if item["first"]:  # an empty item still shows its marker
                blocks.append({"kind": "item", "ordered": item["number"] is not None, "number": item["number"],
                               "depth": len(lists), "inline": [], "first": True, "line": item["line"]})
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "table_open":
            table = {"kind": "table", "header": [], "rows": [], "line": line}
        elif kind == "table_close":
            blocks.append(table)
            table = None
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and table is not None:
            if not table["header"]:
                table["header"] = row
            else:
                table["rows"].append(row)
        elif kind == "inline":
            segments = _segments(token, references)
            if table is not None:
                row.append(_cell_lines(segments))
            elif heading_level is not None:
                unnumbered = _strip_marker(segments)
                blocks.append({"kind": "heading", "level": heading_level, "inline": segments,
                               "unnumbered": unnumbered, "line": line})
                heading_level = None
            elif item_open:
                item = item_open[-1]
                blocks.append({"kind": "item", "ordered": item["number"] is not None, "number": item["number"],
                               "depth": len(lists), "inline": segments, "first": item["first"], "line": line})
                item["first"] = False
            else:
                images = [segment for segment in segments if segment[0] == "image"]
                rest = [segment for segment in segments if not (segment[0] == "text" and not segment[1].strip())]
                if len(images) == 1 and len(rest) == 1:
                    image = images[0]
                    blocks.append({"kind": "figure", "src": image[1], "alt": image[2], "caption": image[3], "line": line})
                else:
                    unnumbered = _strip_marker(segments)
                    blocks.append({"kind": "paragraph", "inline": segments, "unnumbered": unnumbered or bool(quote),
                                   "quote": bool(quote), "line": line})
        elif kind in ("fence", "code_block"):
            blocks.append({"kind": "code", "text": narrative.clean(token.content.rstrip("\n")), "line": line})
        elif kind == "hr":
            blocks.append({"kind": "rule", "line": line})
    return blocks


def problems(text: str, base: Path, repository: Path) -> list[tuple[int, str, str]]:
    """What the dialect refuses, as (0-based line, message, hint): figures without alt text, image
    files missing, outside the repository or of another type, images inside running text or cells."""
    found = []
    if "![" not in str(text or ""):
        return found
    for block in parse(text, references=False):
        if block["kind"] == "figure":
            if not block["alt"].strip():
                found.append((block["line"], f"the figure {block['src']} has no alt text",
                              "write what the figure shows between the brackets: ![Staffing by month, Apr–Nov](…)"))
            problem = image_problem(block["src"], base, repository)
            if problem:
                found.append((block["line"], problem[0], problem[1]))
            continue
        inline = []
        if block["kind"] in ("paragraph", "heading", "item"):
            inline = block["inline"]
        elif block["kind"] == "table":
            inline = [segment for row in [block["header"]] + block["rows"] for cell in row
                      for line in cell for segment in line["inline"]]
        if any(segment[0] == "image" for segment in _flatten(inline)):
            found.append((block["line"], "an image inside running text, a list or a table cell is not printed",
                          "put the figure in a paragraph of its own: ![alt text](path \"caption\")"))
    return found


def _flatten(segments):
    for segment in segments:
        yield segment
        if segment[0] == "link":
            yield from _flatten(segment[2])


def image_problem(src: str, base: Path, repository: Path) -> tuple[str, str] | None:
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
        return (f"the figure {src} is not a file in the plan repository",
                "save the image in the repository (for example plan/figures/) and give its relative path")
    path = (base / src).resolve()
    if not path.is_relative_to(repository.resolve()):
        return (f"the figure {src} is outside the plan repository", "keep figures inside the repository")
    if path.suffix.lower() not in IMAGE_TYPES:
        return (f"the figure {src} is not a PNG or JPEG file", "save the figure as .png or .jpg")
    if not path.is_file():
        return (f"the figure file {src} does not exist (looked for {path})", "check the path, relative to this file")
    return None


# -- WordprocessingML -----------------------------------------------------------------------------

def run(text: str, bold: bool = False, italic: bool = False, size: float | None = None, link: bool = False) -> str:
    properties = run_properties(bold, italic, size, LINK_COLOUR if link else None, underline=link)
    parts = []
    for index, piece in enumerate(str(text).split("\n")):
        if index:
            parts.append(f"<w:r>{properties}<w:br/></w:r>")
        if piece:
            parts.append(f'<w:r>{properties}<w:t xml:space="preserve">{escape(piece)}</w:t></w:r>')
    return "".join(parts)


def runs(segments, size: float | None = None, link: bool = False) -> str:
    parts = []
    for segment in segments:
        if segment[0] == "text":
            parts.append(_with_page_references(segment[1], segment[2], segment[3], size, link))
        elif segment[0] == "break":
            parts.append("<w:r><w:br/></w:r>")
        elif segment[0] == "link":
            url = segment[1]
            words = segment[2] or [("text", url, False, False)]
            parts.append(f'<w:hyperlink xmlns:pg="{PG}" pg:url={quoteattr(url)} w:history="1">'
                         + runs(words, size, link=True) + "</w:hyperlink>")
        elif segment[0] == "image":  # validation refuses these; never print nothing silently
            parts.append(run(f"[{segment[2] or segment[1]}]", italic=True, size=size))
    return "".join(parts)


def _with_page_references(text: str, bold: bool, italic: bool, size: float | None, link: bool) -> str:
    """Runs of text in which '[page: …]' and '[plan page: …]' become page numbers (plangen.page_references)."""
    from plangen import page_references

    parts, position = [], 0
    for match in page_references.REFERENCE.finditer(text):
        parts.append(run(text[position:match.start()], bold, italic, size, link))
        parts.append(page_references.reference_xml(match))
        position = match.end()
    parts.append(run(text[position:], bold, italic, size, link))
    return "".join(parts)


def runs_xml(segments) -> RawXml:
    return RawXml(runs(segments))


def paragraph(content: str, style: str | None = None, indent_cm: float | None = None, hanging_cm: float | None = None,
              keep_next: bool = False, spacing_after: int | None = None, align: str | None = None) -> str:
    properties = ""
    if style:
        properties += f'<w:pStyle w:val="{style}"/>'
    if keep_next:
        properties += "<w:keepNext/>"
    if hanging_cm:
        properties += f'<w:tabs><w:tab w:val="left" w:pos="{int(indent_cm * TWIPS_PER_CM)}"/></w:tabs>'
    if spacing_after is not None:
        properties += f'<w:spacing w:after="{spacing_after}"/>'
    if indent_cm is not None:
        hanging = f' w:hanging="{int(hanging_cm * TWIPS_PER_CM)}"' if hanging_cm else ""
        properties += f'<w:ind w:left="{int(indent_cm * TWIPS_PER_CM)}"{hanging}/>'
    if align:
        properties += f'<w:jc w:val="{align}"/>'
    return f"<w:p><w:pPr>{properties}</w:pPr>{content}</w:p>" if properties else f"<w:p>{content}</w:p>"


def list_item(block: dict, base_indent_cm: float = 1.25, bullet_style: str = "ListBullet") -> str:
    """An ordered item prints its own number ("3."), hanging; a bullet uses the template's bullet styles."""
    depth = block["depth"]
    indent = base_indent_cm + 0.63 * depth
    content = runs(block["inline"])
    if not block["first"]:
        return paragraph(content, indent_cm=indent)
    if block["ordered"]:
        return paragraph(run(f"{block['number']}.\t") + content, indent_cm=indent, hanging_cm=0.63)
    style = bullet_style if depth == 1 else f"{bullet_style}{min(depth, 3)}"
    return paragraph(content, style=style)


def table(block: dict, widths_cm: list[float] | None = None, font_size: float = 9) -> RawXml:
    """A narrative table: header row marked and repeated, each cell's lines and bullets as paragraphs."""
    columns = max([len(block["header"])] + [len(row) for row in block["rows"]])
    widths_cm = widths_cm or [17.0 / max(columns, 1)] * columns
    widths = [int(width * TWIPS_PER_CM) for width in widths_cm]

    def cell(lines, width, header: bool) -> str:
        paragraphs = []
        for line in lines or [{"bullet": False, "inline": []}]:
            segments = line["inline"]
            if header:
                segments = [("text", segment[1], True, segment[3]) if segment[0] == "text" else segment for segment in segments]
            content = runs(segments, size=font_size)
            if line["bullet"]:  # the cell's own hanging indent: the list styles' indent suits the page, not a cell
                paragraphs.append(paragraph(content, style="TableBullet", indent_cm=0.45, hanging_cm=0.45))
            else:
                paragraphs.append(paragraph(content, style="TableText", keep_next=header))
        shading = '<w:shd w:val="clear" w:color="auto" w:fill="DCE6F1"/>' if header else ""
        share = int(5000 * width / total)  # fiftieths of a percent: the table fills portrait and landscape pages alike
        return f'<w:tc><w:tcPr><w:tcW w:w="{share}" w:type="pct"/>{shading}</w:tcPr>{"".join(paragraphs)}</w:tc>'

    total = sum(widths) or 1
    parts = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/>'
             '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
             "</w:tblPr>",
             "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{width}"/>' for width in widths) + "</w:tblGrid>"]
    for index, row in enumerate([block["header"]] + block["rows"]):
        header = index == 0
        properties = '<w:trPr><w:tblHeader w:val="true"/></w:trPr>' if header else '<w:trPr><w:cantSplit w:val="true"/></w:trPr>'
        cells = list(row) + [[]] * (columns - len(row))
        parts.append(f"<w:tr>{properties}" + "".join(cell(lines, width, header) for lines, width in zip(cells, widths)) + "</w:tr>")
    parts.append("</w:tbl>")
    return RawXml("".join(parts))


def separator() -> RawXml:
    """A small empty paragraph between two tables: Word and LibreOffice merge tables that touch."""
    return RawXml(paragraph("", spacing_after=0))


def figure(image: bytes, alt: str, caption: str = "", width_cm: float | None = None, name: str = "Figure") -> RawXml:
    """An inline picture in its own paragraph (alt text in wp:docPr/@descr), then its caption. The
    image bytes travel in a pg:image attribute until attach_pending adds the media part."""
    from docx.image.image import Image

    info = Image.from_blob(image)
    native_cm = info.px_width / (info.horz_dpi or 96) * 2.54
    width_cm = min(width_cm or native_cm, MAX_FIGURE_WIDTH_CM)
    height_cm = width_cm * info.px_height / max(info.px_width, 1)
    cx, cy = int(width_cm * EMU_PER_CM), int(height_cm * EMU_PER_CM)
    data = base64.b64encode(image).decode("ascii")
    drawing = (
        '<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="1" name={quoteattr(name)} descr={quoteattr(alt)}/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:nvPicPr><pic:cNvPr id="0" name={quoteattr(name)} descr={quoteattr(alt)}/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip xmlns:pg="{PG}" r:embed="" pg:image="{data}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
        "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )
    xml = paragraph(drawing, keep_next=bool(caption), align="center")
    if caption:
        # kept with what follows: a chart's data table, or the text that discusses the figure
        xml += paragraph(run(caption, italic=True, size=9), style="Caption", align="center", keep_next=True)
    return RawXml(xml)


def section_break(orientation: str) -> RawXml:
    """Ends a section; the section that ends here is `orientation`. attach_pending copies the
    template's own page settings (size, margins, header and footer) into it."""
    return RawXml(f'<w:p><w:pPr><w:sectPr xmlns:pg="{PG}" pg:orientation="{orientation}"/></w:pPr></w:p>')


def attach_link(part, element) -> None:
    """A hyperlink made by `run` gets its external relationship in the document part."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn
    from lxml import etree

    url_attribute = f"{{{PG}}}url"
    if url_attribute in element.attrib:
        relationship = part.relate_to(element.attrib.pop(url_attribute), RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        element.set(qn("r:id"), relationship)
        etree.cleanup_namespaces(element)


def attach_pending(docx) -> None:
    """After rendering: hyperlinks get external relationships, figures their media parts, section
    breaks the template's page settings, and drawings unique ids. Runs on a python-docx Document."""
    import copy
    import io

    from docx.oxml.ns import qn
    from lxml import etree

    part = docx.part
    body = docx.element.body
    url_attribute, image_attribute, orientation_attribute = f"{{{PG}}}url", f"{{{PG}}}image", f"{{{PG}}}orientation"
    # only the three kinds of element that carry them are looked at (lxml filters tags in C; a
    # Python look at every element of a 10,000-action plan took seconds)
    pending = [element for element in body.iter(qn("w:hyperlink"), qn("a:blip"), qn("w:sectPr"))
               if url_attribute in element.attrib or image_attribute in element.attrib or orientation_attribute in element.attrib]
    final_section = body.find(qn("w:sectPr"))
    for element in pending:
        if url_attribute in element.attrib:
            attach_link(part, element)
            continue
        if image_attribute in element.attrib:
            blob = base64.b64decode(element.attrib.pop(image_attribute))
            relationship, _ = part.get_or_add_image(io.BytesIO(blob))
            element.set(qn("r:embed"), relationship)
        else:
            orientation = element.attrib.pop(orientation_attribute)
            section = copy.deepcopy(final_section) if final_section is not None else etree.SubElement(element, qn("w:sectPr"))
            size = section.find(qn("w:pgSz"))
            if size is not None:
                width, height = int(size.get(qn("w:w"), "11906")), int(size.get(qn("w:h"), "16838"))
                landscape = orientation == "landscape"
                if (width > height) != landscape:
                    width, height = height, width
                size.set(qn("w:w"), str(width))
                size.set(qn("w:h"), str(height))
                if landscape:
                    size.set(qn("w:orient"), "landscape")
                elif qn("w:orient") in size.attrib:
                    del size.attrib[qn("w:orient")]
            element.getparent().replace(element, section)
            element = section
        etree.cleanup_namespaces(element)
    for number, properties in enumerate(body.iter(qn("wp:docPr")), start=1):
        properties.set("id", str(number))

