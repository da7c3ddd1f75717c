"""Rendering: a document kind's context through its .docx template in a sandbox, then an atomic write.

Templates are untrusted: Jinja runs sandboxed (no file, module or Python-internals access),
autoescaped, and a variable the context lacks is an error naming the template and the variable.
"""

from __future__ import annotations

import io
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


def jinja_environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def template_class():
    """docxtpl's template, with the rendered body put in place by text rather than by moving the
    parsed tree between documents: lxml's cross-document move reconciles namespaces node by node,
    which made a 10,000-action plan spend over half its render time there (see benchmarks/)."""
    from docx.document import Document as DocumentObject
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate
    from lxml import etree

    class Template(DocxTemplate):
        def map_tree(self, tree):
            root = self.docx._element
            placeholder = etree.Element(root.body.tag)
            root.replace(root.body, placeholder)
            before, after = etree.tostring(root, encoding="unicode").rsplit("<w:body/>", 1)
            new_root = parse_xml(before + etree.tostring(tree, encoding="unicode") + after)
            part = self.docx.part
            part._element = new_root
            self.docx = DocumentObject(new_root, part)

    return Template


def fill(template: Path, context: dict):
    """Render the template; returns the python-docx Document. Template problems become RenderError."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError, TemplateError

    try:
        document = template_class()(str(template))
        context = with_tables(document, context)
        document.render(context, jinja_env=jinja_environment(), autoescape=True)
    except TemplateSyntaxError as error:
        raise RenderError(f"template {template.name}: syntax error: {error.message}",
                          hint="check the {{ }} and {% %} tags in the template (Word may split a tag across runs; retype it)") from None
    except UndefinedError as error:
        raise RenderError(f"template {template.name}: {error.message}",
                          hint="see 'plangen context KIND' for the variables this template receives") from None
    except SecurityError as error:
        raise RenderError(f"template {template.name}: refused by the sandbox: {error}",
                          hint="templates may only place values from the context") from None
    except TemplateError as error:
        raise RenderError(f"template {template.name}: {error}") from None
    except (KeyError, ValueError, OSError) as error:
        if "zip" in str(error).lower() or isinstance(error, (KeyError, OSError)):
            raise RenderError(f"template {template.name} is not a readable .docx file ({error})") from None
        raise
    except Exception as error:
        if type(error).__name__ in ("BadZipFile", "PackageNotFoundError"):
            raise RenderError(f"template {template.name} is not a .docx file",
                              hint="save the template from Word as a .docx document") from None
        raise
    return document


def with_tables(document, value):
    """Replace every TableSpec in the context with a docxtpl subdocument holding the real table."""
    from plangen.documents.common import TableSpec

    if isinstance(value, TableSpec):
        return table_subdoc(document, value)
    if isinstance(value, dict):
        return {key: with_tables(document, item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_tables(document, item) for item in value]
    return value


def table_subdoc(document, spec):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    subdoc = document.new_subdoc()
    table = subdoc.add_table(rows=1, cols=len(spec.headers))
    table.style = "Table Grid"

    def shade(cell, fill):
        properties = cell._tc.get_or_add_tcPr()
        element = OxmlElement("w:shd")
        element.set(qn("w:val"), "clear")
        element.set(qn("w:color"), "auto")
        element.set(qn("w:fill"), fill)
        properties.append(element)

    def write(cell, text, bold=False, colour=None):
        lines = str(text).split("\n")
        paragraph = cell.paragraphs[0]
        for index, line in enumerate(lines):
            if index:
                paragraph.add_run().add_break()
            run = paragraph.add_run(line)
            run.font.size = Pt(spec.font_size)
            run.bold = bold or None
            if colour:
                run.font.color.rgb = RGBColor.from_string(colour)

    for cell, header in zip(table.rows[0].cells, spec.headers):
        write(cell, header, bold=True, colour="FFFFFF")
        shade(cell, "1F3A5F")
    header_properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_properties.append(repeat)
    for row_index, values in enumerate(spec.rows):
        row = table.add_row()
        keep = OxmlElement("w:cantSplit")
        keep.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(keep)
        for column, (cell, value) in enumerate(zip(row.cells, values)):
            write(cell, value, bold=spec.bold_first_column and column == 0)
            fill = spec.fills[row_index][column] if spec.fills else None
            if fill:
                shade(cell, fill)
    if spec.widths_cm:
        table.autofit = False
        for row in table.rows:
            for cell, width in zip(row.cells, spec.widths_cm):
                cell.width = Cm(width)
        for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), spec.widths_cm):
            column.set(qn("w:w"), str(int(width * 567)))
    return subdoc


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
