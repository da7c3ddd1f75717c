"""Rendering: a document kind's context through its .docx template in a sandbox, then an atomic write.

Templates are untrusted: Jinja runs sandboxed (no file, module or Python-internals access),
autoescaped, and a variable the context lacks is an error naming the template and the variable.
"""

from __future__ import annotations

import gc
import io
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

from plangen.atomic import write_bytes
from plangen.errors import RenderError


@contextmanager
def collection_paused():
    """Python's cycle collector paused while a document is made: building a context and rendering
    allocate millions of objects and make almost no cycles, and the collector's passes over a
    large plan's heap were a third of the time (the render worker, forked inside, exits anyway)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def template_path(plan_root: Path, name: str) -> Path:
    """A clerk's template in the plan repository's templates/ wins over the one plangen ships."""
    local = plan_root.resolve().parent / "templates" / name
    if local.is_file():
        return local
    from importlib.resources import files

    shipped = Path(str(files("plangen") / "templates" / name))
    if not shipped.is_file():
        raise RenderError(f"template '{name}' not found", hint=f"looked in {local.parent} and in the plangen package")
    return shipped


# text in a w:t holding a character docxtpl's resolve_listing rewrites
LISTING_CHARACTERS = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")


# the shading docxtpl's {% cellbg %} writes at the start of a cell's properties, and the properties
# ECMA-376 puts after a shading
CELLBG_SHADING = re.compile(r'(<w:tcPr>)(<w:shd w:val="clear" w:color="auto" w:fill="\{\{[^}]*\}\}"/>)(.*?)(</w:tcPr>)',
                            re.DOTALL)
CELLBG_FIRST = re.compile(r'<w:tcPr[^>]*><w:shd w:val="clear" w:color="auto" w:fill="\{\{[^}]*\}\}"/><w:')
LATER_THAN_SHADING = re.compile(r"<w:(?:noWrap|tcMar|textDirection|tcFitText|vAlign|hideMark|headers|cellIns|cellDel"
                                r"|cellMerge|tcPrChange)[ />]")


CELLBG_FILL = re.compile(r'<w:shd w:val="clear" w:color="auto" w:fill="\{\{([^}]*)\}\}"/>')
RUN_START = re.compile(r"<w:r(?=[ >])[^>]*>")
AFTER_COLOUR = re.compile(r"<w:(?:spacing|w|kern|position|sz|szCs|highlight|u|effect|bdr|shd|fitText|vertAlign|rtl|cs|em"
                          r"|lang|eastAsianLayout|specVanish|oMath|rPrChange)[ />]")


def _coloured_for_fills(xml: str) -> str:
    """In each {% cellbg %} cell of the template, every run with text and no colour of its own gets
    the colour contrast.legible_cells would choose for the fill (the `legible_on` filter), placed
    where it would place it: the rendered cells' own runs need no change after rendering, and only
    runs the data makes (rich text) are looked at then. A cell holding a table is left to it."""
    pieces, done = [], 0
    for shading in CELLBG_FILL.finditer(xml):
        start = max(xml.rfind("<w:tc>", done, shading.start()), xml.rfind("<w:tc ", done, shading.start()))
        end = xml.find("</w:tc>", shading.end())
        if start < 0 or end < 0 or "<w:tbl" in xml[start:end]:
            continue
        colour = f'<w:color w:val="{{{{ ({shading.group(1)}) | legible_on }}}}"/>'
        pieces += [xml[done:start], _runs_coloured(xml[start:end], colour)]
        done = end
    return "".join(pieces) + xml[done:] if pieces else xml


def _runs_coloured(cell: str, colour: str) -> str:
    pieces, done = [], 0
    for run in RUN_START.finditer(cell):
        if run.start() < done:
            continue
        end = cell.find("</w:r>", run.end())
        if end < 0:
            break
        inside = cell[run.end():end]
        if "<w:t" not in inside or "<w:color " in inside or "<w:r>" in inside or "<w:r " in inside:
            continue
        if inside.startswith("<w:rPr>"):
            properties_end = inside.find("</w:rPr>")
            later = AFTER_COLOUR.search(inside, 0, properties_end)
            at = later.start() if later else properties_end
            inside = inside[:at] + colour + inside[at:]
        elif not inside.startswith("<w:rPr"):
            inside = f"<w:rPr>{colour}</w:rPr>" + inside
        else:
            continue  # run properties with attributes: left to legible_cells
        pieces += [cell[done:run.end()], inside]
        done = end
    return "".join(pieces) + cell[done:] if pieces else cell


# template tags that can change how many cells a table row has (docxtpl's column loop and colspan)
COLUMN_TAGS = re.compile(r"\{[%{]-?\s*tc\s|colspan")


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SET_ASIDE = "plangen-rows"  # the processing instruction standing for rows set aside: <?plangen-rows N?>
CHUNK_CHARACTERS = 2**20
# the XML a render makes in the worker itself before the rest is made in a child (worker.continued_in_child):
# a plan of a few hundred actions is made whole in the worker (the bundled plan: 0.45 M characters),
# a 10,000-action plan's 41 M almost all in the child
MADE_HERE_CHARACTERS = 2 * CHUNK_CHARACTERS


def _sandbox_environment():
    from plangen.sandbox import environment

    return environment()


def template_class():
    """docxtpl's template, made to parse the rendered document once, into python-docx's classes, and
    to set a large table's plain rows aside as it is read (see `set_aside`)."""
    from docx.document import Document as DocumentObject
    from docx.oxml.parser import element_class_lookup
    from docxtpl import DocxTemplate
    from jinja2.exceptions import TemplateError
    from lxml import etree

    class Template(DocxTemplate):
        preparing = None  # the kind's changes to the template itself (see documents/kind.py)
        finishing_table = None  # the kind's changes to each body-level table, before its rows are set aside
        set_aside_rows = True  # False: every row stays in the tree (a kind changing the whole document)
        cells_need_ordering = False  # a {% cellbg %} shading patch_xml could not put in its place

        def render(self, context, jinja_env=None, autoescape=False):
            self.rows_set_aside: list[bytes] = []
            if self.preparing is not None:
                self.init_docx()
                self.preparing(self.docx)
            super().render(context, jinja_env, autoescape)

        def patch_xml(self, xml):
            # docxtpl's {% cellbg %} puts the cell's shading first among its properties; moved here
            # to where the schema puts it, once in the template, rather than in every rendered cell
            # (order_cell_properties still checks them all)
            def placed(match):
                start, shading, rest, end = match.groups()
                later = LATER_THAN_SHADING.search(rest)
                at = later.start() if later else len(rest)
                return start + rest[:at] + shading + rest[at:] + end

            patched = CELLBG_SHADING.sub(placed, EMPTY_RUN.sub("", super().patch_xml(xml)))
            # a shading left first (a cell whose properties carry attributes) is put in order per table
            self.cells_need_ordering = self.cells_need_ordering or bool(CELLBG_FIRST.search(patched))
            return _coloured_for_fills(patched)

        def build_xml(self, context, jinja_env=None):
            # the whole document, not the body alone: the body parsed apart would have to be moved
            # into the document's tree, and lxml's cross-document move reconciles namespaces node
            # by node (over half a 10,000-action plan's render time). Without column loops it is a
            # stream of pieces that fix_tables parses as they come, never one string.
            source = self.get_xml()
            text = re.sub(r"<[^>]+>", "", source)  # the template's text, tags split by Word joined
            self.column_loops = bool(COLUMN_TAGS.search(text))
            root = self.docx._element
            placeholder = etree.Element(root.body.tag)
            root.replace(root.body, placeholder)
            before, after = etree.tostring(root, encoding="unicode").rsplit("<w:body/>", 1)
            if self.column_loops:
                return before + self.render_xml_part(self.patch_xml(source), self.docx._part, context, jinja_env) + after
            from plangen import worker

            # past its first pieces, a large document's XML is made in a child process while this
            # one reads it (fix_tables): two cores
            return worker.continued_in_child(self.streamed(before, self.patch_xml(source), after, context, jinja_env),
                                             what=f"template {shown(Path(self.template_file))}",
                                             after=MADE_HERE_CHARACTERS)

        def streamed(self, before, source, after, context, jinja_env):
            """docxtpl's render_xml_part as a stream: the same changes, made on pieces that end
            after a table row (so no paragraph is ever cut in two), one after another."""
            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
            self.current_rendering_part = self.docx._part
            yield before
            try:
                # never plain Jinja: a template is untrusted, whoever calls render
                template = (jinja_env or _sandbox_environment()).from_string(source)
                pending, size = [], 0
                for piece in template.generate(context):
                    pending.append(piece)
                    size += len(piece)
                    if size < CHUNK_CHARACTERS:
                        continue
                    text = "".join(pending)
                    cut = text.rfind("</w:tr>") + len("</w:tr>")
                    # a row ends inside a paragraph only in a text box's table: wait for the box to close
                    if cut < len("</w:tr>") or text.count("<w:txbxContent", 0, cut) != text.count("</w:txbxContent>", 0, cut):
                        pending, size = [text], len(text)
                        continue
                    yield self.finished_piece(text[:cut])
                    pending, size = [text[cut:]], len(text) - cut
                yield self.finished_piece("".join(pending))
            except TemplateError as error:
                if getattr(error, "lineno", None) is not None:
                    line_number = max(error.lineno - 4, 0)
                    error.docx_context = [re.sub(r"<[^>]+>", "", line)
                                          for line in source.splitlines()[line_number:line_number + 7]]
                raise
            yield after

        def finished_piece(self, xml):
            # docxtpl's re.sub(r"\n<w:p([ >])", r"<w:p\1", …) as two replacements in C
            xml = xml.replace("\n<w:p>", "<w:p>").replace("\n<w:p ", "<w:p ")
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            return self.resolve_listing(xml)

        def fix_tables(self, xml):
            # docxtpl matches each table's grid to the widest row, which only a {%tc %} loop or a
            # colspan tag can change; its look at every row of every table took seconds for a
            # large plan whose template has neither
            if self.column_loops:  # docxtpl's parse and fix, then python-docx's classes (a rare template)
                fixed = etree.tostring(super().fix_tables(xml), encoding="unicode")
                parser = etree.XMLParser(recover=True)
                parser.set_element_class_lookup(element_class_lookup)
                return etree.fromstring(fixed, parser=parser)
            from plangen.markdown_word import attach_link

            # python-docx's element classes for this parser's document only: docxtpl's own parse
            # needed a second one to get them (two trees of a large plan at once, over 1 GB), and
            # a lookup set for every parser would outlive the render in the process that made it
            parser = etree.XMLPullParser(events=("end",), tag=(W + "tbl", W + "hyperlink"), recover=True)
            parser.set_element_class_lookup(element_class_lookup)
            part = self.docx._part
            for piece in xml:
                parser.feed(piece)
                for _, element in parser.read_events():
                    if element.tag == W + "hyperlink":
                        attach_link(part, element)  # in document order, wherever its row ends up
                    elif element.getparent().tag == W + "body":
                        self.finish_table(element)
            return parser.close()

        def finish_table(self, table):
            """A body-level table as soon as it is read: its cells' properties in order, the kind's
            changes, legible text on its fills; then its rows that nothing after rendering looks at
            are set aside as XML (see `set_aside`)."""
            from plangen.contrast import legible_cells
            from plangen.wordxml import order_cell_properties

            if self.cells_need_ordering:
                order_cell_properties(table)
            if self.finishing_table is not None:
                self.finishing_table(table)
            legible_cells(table)
            if self.set_aside_rows:
                self.set_aside(table)

        def set_aside(self, table):
            """A table's rows between its header rows and its last row are replaced by a processing
            instruction and kept as serialized XML until the document is written (`to_bytes`), so a
            10,000-action plan never has all its rows parsed at once. Rows the finishing steps look
            at stay (`_kept_pattern`: fields, bookmarks, drawings, text boxes, sections, content
            controls, headings), and a run of rows set aside is never taken across anything else
            between them (a bookmark, a comment), so the document is written in its order."""
            from plangen.page_references import heading_style_ids

            if self.kept_pattern is None:
                self.kept_pattern = _kept_pattern(table, heading_style_ids(self.docx))
            children = list(table)
            rows = [index for index, child in enumerate(children) if child.tag == W + "tr"]
            first = 0
            while first < len(rows) and children[rows[first]].find(f"{W}trPr/{W}tblHeader") is not None:
                first += 1
            candidates = set(rows[first:-1])
            if len(candidates) < 2 or self.kept_pattern is False:
                return
            runs: list = []  # [first index, last index, the rows' XML]
            current = None
            for index in range(min(candidates), max(candidates) + 1):
                row = etree.tostring(children[index], encoding="UTF-8") if index in candidates else None
                if row is None or self.kept_pattern.search(row):
                    current = None
                    continue
                if current is None:
                    current = [index, index, []]
                    runs.append(current)
                current[1] = index
                current[2].append(self.without_declarations(row))
            # with no proxy left on them, lxml frees the rows deleted below in C; rows held by a
            # proxy would first be moved to a document of their own, node by node
            del children
            for start, end, pieces in reversed(runs):
                del table[start:end + 1]
                table.insert(start, etree.ProcessingInstruction(SET_ASIDE, str(len(self.rows_set_aside))))
                self.rows_set_aside.append(b"".join(pieces))

        kept_pattern = None  # what in a row's XML keeps it in the tree; False: nothing is set aside
        declarations = None  # what a row serialized alone declares on its first tag (the same for every row)

        def without_declarations(self, row: bytes) -> bytes:
            """A row serialized on its own declares the namespaces in scope on its first tag; in place
            in the document they are the root's. Every row declares the same ones, so they are cut
            off as one piece (a regular expression is the fallback)."""
            head_end = row.index(b">")
            name_end = row.find(b" ", 0, head_end)
            if self.declarations is None:
                self.declarations = b"".join(DECLARATION.findall(row[:head_end]))
            if name_end > 0 and self.declarations and row.startswith(self.declarations, name_end):
                return row[:name_end] + row[name_end + len(self.declarations):]
            return DECLARATION.sub(b"", row[:head_end]) + row[head_end:]

        def fix_docpr_ids(self, tree):
            # docxtpl's, by iteration: python-docx's elements have an xpath of their own
            from docx.oxml.ns import qn

            for drawing_properties in tree.iter(qn("wp:docPr")):
                self.docx_ids_index += 1
                drawing_properties.set("id", str(self.docx_ids_index))

        def map_tree(self, tree):
            part = self.docx.part
            part._element = tree
            self.docx = DocumentObject(tree, part)

        def resolve_listing(self, xml):
            # docxtpl turns tabs, newlines, \a and \f typed in text into Word breaks with regular
            # expressions over every paragraph and run of the body; only the paragraphs holding one
            # in a w:t are handed to it here
            if not any(character in xml for character in "\t\a\n\f"):  # four scans in C, most pieces
                return xml
            pieces, done = [], 0
            for match in LISTING_CHARACTERS.finditer(xml):
                if match.start() < done:
                    continue  # in the paragraph just resolved
                start = max(xml.rfind("<w:p>", done, match.start()), xml.rfind("<w:p ", done, match.start()))
                end = xml.find("</w:p>", match.end())
                if start < 0 or end < 0:
                    continue
                end += len("</w:p>")
                pieces += [xml[done:start], super().resolve_listing(xml[start:end])]
                done = end
            return "".join(pieces) + xml[done:] if pieces else xml

    return Template


# docxtpl splits the run around each {{r }} tag in two, leaving an empty run on either side of the
# rich text: a third of a large plan's XML (to render, parse, write and lay out) that shows nothing.
# Only a run holding nothing but empty text, with simple properties if any, is taken out.
EMPTY_RUN = re.compile(r'<w:r>(?:<w:rPr>(?:(?!</?w:rPr>)[^{}%])*</w:rPr>)?<w:t xml:space="preserve"></w:t></w:r>')

# what the finishing steps after rendering look at (fields, bookmarks, drawings, text boxes, sections,
# content controls): a row holding one stays in the document's tree
KEPT_ELEMENTS = ("fldChar", "fldSimple", "instrText", "bookmarkStart", "bookmarkEnd", "drawing", "pict", "object",
                 "txbxContent", "sectPr", "sdt")
DECLARATION = re.compile(rb'\s+xmlns(?::[\w.-]+)?="[^"]*"')


def _kept_pattern(table, heading_ids: str):
    """A pattern finding, in a row's serialized XML, an element KEPT_ELEMENTS names or a paragraph in
    a heading style; False when the document's WordprocessingML has no prefix to look for."""
    prefix = next((name for name, uri in (table.nsmap or {}).items() if uri == W[1:-1] and name), None)
    if prefix is None:
        return False
    tag = re.escape(prefix).encode() + b":"
    pattern = b"<" + tag + b"(?:" + b"|".join(name.encode() for name in KEPT_ELEMENTS) + b")[ />]"
    headings = [re.escape(style_id).encode() for style_id in heading_ids.split()]
    if headings:
        pattern += b"|<" + tag + b"pStyle " + tag + b'val="(?:' + b"|".join(headings) + b')"'
    return re.compile(pattern)


MAX_OUTPUT_BYTES = 256 * 2**20


def produce(template: Path, context: dict, finishing=None, preparing=None, finishing_table=None,
            set_aside: bool = True, context_given_up: bool = False) -> bytes:
    """The finished .docx as bytes: the context made plain data (sandbox.template_values), then the
    template rendered in a resource-limited worker process, where the kind's `preparing(template_document)`
    and `finishing_table(table)` and the caller's `finishing(document)` (properties, post-processing)
    run too. Every shaded cell's text is made legible on its fill (contrast.legible_cells). With
    `set_aside`, the document `finishing` receives lacks the body-level tables' plain rows (see
    Template.set_aside): False for a finishing that changes table rows. `context_given_up`: the
    caller will not use `context` again, so it is made plain data where it is, not copied. Template
    problems, and templates that take too long or too much memory, become RenderError naming the template."""
    from plangen import sandbox, worker

    values = sandbox.template_values(context, in_place=context_given_up)
    hooks = (finishing, preparing, finishing_table, set_aside)
    return worker.run(_render_bytes, (template, values, hooks), what=f"template {shown(template)}")


def _render_bytes(template: Path, values: dict, hooks) -> bytes:
    finishing, preparing, finishing_table, set_aside = hooks
    document = fill(template, values, preparing, finishing_table, set_aside)
    from plangen.contrast import legible_cells
    from plangen.markdown_word import attach_pending
    from plangen.wordxml import order_cell_properties

    order_cell_properties(document.docx.element.body)

    attach_pending(document.docx)  # hyperlinks, figures and page orientation need package parts
    if finishing is not None:
        finishing(document)
    legible_cells(document.docx.element.body)
    data = to_bytes(document)
    if len(data) > MAX_OUTPUT_BYTES:
        raise RenderError(f"template {shown(template)}: the document would be {len(data) // 2**20} MiB, over the "
                          f"{MAX_OUTPUT_BYTES // 2**20} MiB limit", hint="a template loop is probably repeating too much")
    return data


def shown(template: Path) -> str:
    """The template's path as the clerk would type it: relative to the working directory when inside it."""
    try:
        return str(Path(template).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(template)


def fill(template: Path, values: dict, preparing=None, finishing_table=None, set_aside: bool = True):
    """Render the template with plain-data values in the sandbox; returns the docxtpl document.
    Runs inside the worker (see `produce`); every failure of the template becomes a RenderError."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError, TemplateError

    from plangen import sandbox

    source = template
    template = shown(template)
    try:
        document = template_class()(str(source))
        document.preparing = preparing
        document.finishing_table = finishing_table
        document.set_aside_rows = set_aside
        document.render(values, jinja_env=sandbox.environment(), autoescape=True)
    except RenderError:
        raise  # already names the template (the XML's maker stopped by its limits, say)
    except TemplateSyntaxError as error:
        raise RenderError(f"template {template}: syntax error: {error.message}",
                          hint="check the {{ }} and {% %} tags in the template (Word may split a tag across runs; retype it)"
                               + _around(error)) from None
    except UndefinedError as error:
        raise RenderError(f"template {template}: {error.message}",
                          hint="see 'plangen context KIND' for the variables this template receives" + _around(error)) from None
    except SecurityError as error:
        raise RenderError(f"template {template}: refused by the sandbox: {error}",
                          hint="templates may only place values from the context" + _around(error)) from None
    except TemplateError as error:
        raise RenderError(f"template {template}: {error}", hint=_around(error).strip() or None) from None
    except MemoryError:
        raise RenderError(f"template {template}: refused: the render needed more memory than its limit",
                          hint="a template loop probably builds too much text") from None
    except RecursionError:
        raise RenderError(f"template {template}: refused: it recurses too deeply",
                          hint="a macro probably calls itself without end") from None
    except Exception as error:  # the template is untrusted: whatever it provokes is its error, not a crash
        name = type(error).__name__
        if name in ("BadZipFile", "PackageNotFoundError") or isinstance(error, (KeyError, OSError)):
            raise RenderError(f"template {template} is not a readable .docx file ({name})",
                              hint="save the template from Word as a .docx document") from None
        if name == "XMLSyntaxError":
            raise RenderError(f"template {template}: the rendered document is not well-formed Word XML ({error})",
                              hint="a tag probably sits inside Word's own markup; retype it in one piece") from None
        if "no loader" in str(error):
            raise RenderError(f"template {template}: refused: include, import and extends are not available",
                              hint="a template is one .docx file; put what it needs in it") from None
        raise RenderError(f"template {template}: {name}: {error}",
                          hint="templates may only place values from the context") from None
    return document


def _around(error) -> str:
    """docxtpl keeps the template text around a failing tag; quote it so the clerk can find the tag."""
    lines = [line.strip() for line in getattr(error, "docx_context", None) or [] if line.strip()]
    return ("\n  near: " + " / ".join(lines)[:300]) if lines else ""


def finish(document, title: str, author: str, subject: str = "") -> None:
    """Accessibility and behaviour every document shares: properties, language, refresh fields on open."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    docx = document.docx if hasattr(document, "docx") else document
    properties = docx.core_properties
    properties.title = title
    properties.author = author
    properties.language = "en-GB"
    if subject:
        properties.subject = subject
    styles = docx.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        run_defaults = defaults.find(qn("w:rPrDefault"))
        if run_defaults is None:
            run_defaults = OxmlElement("w:rPrDefault")
            defaults.insert(0, run_defaults)
        run_properties = run_defaults.find(qn("w:rPr"))
        if run_properties is None:
            run_properties = OxmlElement("w:rPr")
            run_defaults.append(run_properties)
        language = run_properties.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            run_properties.append(language)
        language.set(qn("w:val"), "en-GB")
        language.set(qn("w:eastAsia"), "en-GB")
        language.set(qn("w:bidi"), "ar-SA")
    # sections are the targets of '[page: …]' references; one naming no section fails here
    from plangen import page_references

    page_references.check_targets(docx, page_references.mark_sections(docx), title)
    settings = docx.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    rows = getattr(document, "rows_set_aside", None)
    return _with_rows_in_place(buffer.getvalue(), rows) if rows else buffer.getvalue()


def _with_rows_in_place(data: bytes, rows: list[bytes]) -> bytes:
    """The package with each <?plangen-rows N?> of its document part replaced by the rows it stands
    for, written into the zip piece by piece (the whole part is never one string)."""
    marker = f"<?{SET_ASIDE} ".encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info.filename))
                continue
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            first, *others = source.read(info.filename).split(marker)
            with target.open(entry, "w") as stream:
                stream.write(first)
                for other in others:
                    number, rest = other.split(b"?>", 1)
                    stream.write(rows[int(number)])
                    stream.write(rest)
    return output.getvalue()


def write(document, output: Path) -> Path:
    write_bytes(output, to_bytes(document))
    return output
