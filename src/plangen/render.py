"""Rendering: a document kind's context through its .docx template in a sandbox, then an atomic write.

Templates are untrusted: Jinja runs sandboxed (no file, module or Python-internals access),
autoescaped, and a variable the context lacks is an error naming the template and the variable.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from plangen.atomic import write_bytes
from plangen.errors import RenderError


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


# template tags that can change how many cells a table row has (docxtpl's column loop and colspan)
COLUMN_TAGS = re.compile(r"\{[%{]-?\s*tc\s|colspan")


def template_class():
    """docxtpl's template, made to parse the rendered document once, into python-docx's classes."""
    from docx.document import Document as DocumentObject
    from docx.oxml.parser import element_class_lookup
    from docxtpl import DocxTemplate
    from lxml import etree

    class Template(DocxTemplate):
        preparing = None  # the kind's changes to the template itself (see documents/kind.py)

        def render(self, context, jinja_env=None, autoescape=False):
            # docxtpl parses the rendered body with a plain lxml parser, so python-docx's element
            # classes had to be had by serializing it and parsing it again: two trees of a large
            # plan at once (over 1 GB at 10,000 actions). Inside the render worker (a process of
            # its own) parsers without a lookup of their own, as docxtpl's, get python-docx's; one parse.
            etree.set_element_class_lookup(etree.ParserBasedElementClassLookup(fallback=element_class_lookup))
            if self.preparing is not None:
                self.init_docx()
                self.preparing(self.docx)
            super().render(context, jinja_env, autoescape)

        def build_xml(self, context, jinja_env=None):
            # the whole document, not the body alone: the body parsed apart would have to be moved
            # into the document's tree, and lxml's cross-document move reconciles namespaces node
            # by node (over half a 10,000-action plan's render time)
            text = re.sub(r"<[^>]+>", "", self.get_xml())  # the template's text, tags split by Word joined
            self.column_loops = bool(COLUMN_TAGS.search(text))
            body = super().build_xml(context, jinja_env)
            root = self.docx._element
            placeholder = etree.Element(root.body.tag)
            root.replace(root.body, placeholder)
            before, after = etree.tostring(root, encoding="unicode").rsplit("<w:body/>", 1)
            return before + body + after

        def fix_tables(self, xml):
            # docxtpl matches each table's grid to the widest row, which only a {%tc %} loop or a
            # colspan tag can change; its look at every row of every table took seconds for a
            # large plan whose template has neither
            if self.column_loops:
                return super().fix_tables(xml)
            return etree.fromstring(xml, parser=etree.XMLParser(recover=True))

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


MAX_OUTPUT_BYTES = 256 * 2**20


def produce(template: Path, context: dict, finishing=None, preparing=None) -> bytes:
    """The finished .docx as bytes: the context made plain data (sandbox.template_values), then the
    template rendered in a resource-limited worker process, where `preparing(template_document)` (the
    kind's changes to the template) and `finishing(document)` (properties, post-processing) run too. Template problems, and templates that take too long or too much
    memory, become RenderError naming the template."""
    from plangen import sandbox, worker

    values = sandbox.template_values(context)
    return worker.run(_render_bytes, (template, values, finishing, preparing), what=f"template {shown(template)}")


def _render_bytes(template: Path, values: dict, finishing, preparing=None) -> bytes:
    document = fill(template, values, preparing)
    from plangen.markdown_word import attach_pending
    from plangen.wordxml import order_cell_properties

    order_cell_properties(document.docx.element.body)

    attach_pending(document.docx)  # hyperlinks, figures and page orientation need package parts
    if finishing is not None:
        finishing(document)
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


def fill(template: Path, values: dict, preparing=None):
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
        document.render(values, jinja_env=sandbox.environment(), autoescape=True)
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
    return buffer.getvalue()


def write(document, output: Path) -> Path:
    write_bytes(output, to_bytes(document))
    return output
