"""Check a Word template against the context its document kind provides, before anything renders.

docxtpl's tags are Jinja once its own markers ({%p, {%tr, {{r, …) are patched; the template's
body, headers and footers are parsed as Jinja (a malformed tag is reported here, not mid-render),
then every name and every attribute path the template reads (`item.text`, `row.value.kind`) is
followed through the shape of a real context: a top-level name the context lacks, or an attribute
that no element of a list has, is reported with the template text around it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

DICT_METHODS = {"items", "keys", "values", "get"}
UNKNOWN = None  # a value whose shape the check does not follow (loop state, filter results, scalars)


@dataclass
class TemplateProblem:
    message: str
    near: str = ""


def shape_of(value):
    """The shape of plain data: {'dict': {key: shape}} or {'list': shape} or 'scalar'. A list's
    element shape merges all its elements, so a key any element has counts as present."""
    if isinstance(value, dict):
        return {"dict": {key: shape_of(item) for key, item in value.items()}}
    if isinstance(value, list):
        merged = UNKNOWN
        for item in value:
            merged = merge(merged, shape_of(item))
        return {"list": merged}
    return "scalar"


def merge(first, second):
    if first is UNKNOWN:
        return second
    if second is UNKNOWN:
        return first
    if isinstance(first, dict) and isinstance(second, dict):
        if "dict" in first and "dict" in second:
            keys = dict(first["dict"])
            for key, value in second["dict"].items():
                keys[key] = merge(keys.get(key, UNKNOWN), value) if key in keys else value
            return {"dict": keys}
        if "list" in first and "list" in second:
            return {"list": merge(first["list"], second["list"])}
    return first


def template_source(path: Path) -> str:
    """The template's Jinja source as docxtpl renders it: body, then headers and footers."""
    from docx import Document
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(path))
    document = Document(str(path))
    source = template.patch_xml(template.xml_to_string(document._element.body))
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for relationship in document.part.rels.values():
            if relationship.reltype == uri and relationship.target_part.blob:
                source += template.patch_xml(template.xml_to_string(parse_xml(relationship.target_part.blob)))
    return source


def words_near(source: str, needle: str, lineno: int | None = None) -> str:
    """The template's own words around a tag: the XML around it with the markup taken out."""
    index = source.find(needle) if needle else -1
    if index < 0 and lineno:
        lines = source.splitlines()
        index = sum(len(line) + 1 for line in lines[: max(lineno - 1, 0)])
    if index < 0:
        return ""
    text = re.sub(r"<[^>]+>", " ", source[max(0, index - 400): index + 400])
    text = re.sub(r"\s+", " ", text).strip()
    position = text.find(needle) if needle else len(text) // 2
    position = position if position >= 0 else len(text) // 2
    return text[max(0, position - 80): position + 80]


def check(path: Path, context: dict) -> list[TemplateProblem]:
    from jinja2 import TemplateSyntaxError, meta

    from plangen import sandbox

    try:
        source = template_source(path)
    except Exception as error:  # not a .docx: say so, whatever the library raised
        return [TemplateProblem(f"not a readable .docx file ({type(error).__name__}: {error})")]
    environment = sandbox.environment()
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError as error:
        return [TemplateProblem(f"malformed tag: {error.message}", words_near(source, "", error.lineno))]
    problems = []
    known = set(context)
    for name in sorted(meta.find_undeclared_variables(tree) - known - set(environment.globals)):
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(TemplateProblem(f"'{name}' is not in the context{hint}", words_near(source, name)))
    walker = Walker(shape_of(context)["dict"], source)
    walker.visit(tree, {})
    return problems + walker.problems


class Walker:
    """Follows attribute paths through the context's shape, with loop and set variables in scope."""

    def __init__(self, top: dict, source: str):
        self.top = top
        self.source = source
        self.problems: list[TemplateProblem] = []
        self.reported: set[str] = set()

    def visit(self, node, scope: dict):
        from jinja2 import nodes

        if isinstance(node, nodes.For):
            iterated = self.evaluate(node.iter, scope)
            inner = dict(scope)
            element = iterated["list"] if isinstance(iterated, dict) and "list" in iterated else UNKNOWN
            self.bind(node.target, element, inner)
            inner["loop"] = UNKNOWN
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
            if node.test is not None:
                self.evaluate(node.test, inner)
            return
        if isinstance(node, nodes.Assign):
            self.bind(node.target, self.evaluate(node.node, scope), scope)
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            for argument in getattr(node, "args", []):
                inner[argument.name] = UNKNOWN
            for child in node.body:
                self.visit(child, inner)
            return
        if isinstance(node, nodes.Expr):
            self.evaluate(node, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def bind(self, target, shape, scope: dict):
        from jinja2 import nodes

        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, UNKNOWN, scope)

    def evaluate(self, node, scope: dict):
        """The shape of an expression, reporting attribute paths that lead nowhere."""
        from jinja2 import nodes

        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return self.top.get(node.name, UNKNOWN)
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            if isinstance(node, nodes.Getattr):
                attribute = node.attr
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                attribute = node.arg.value
            else:
                self.evaluate(node.arg, scope)
                self.evaluate(node.node, scope)
                return UNKNOWN
            owner = self.evaluate(node.node, scope)
            if isinstance(owner, dict) and "dict" in owner:
                keys = owner["dict"]
                if attribute in keys:
                    return keys[attribute]
                if attribute not in DICT_METHODS:
                    self.report(node, attribute, keys)
                return UNKNOWN
            return UNKNOWN
        if isinstance(node, (nodes.Test, nodes.Filter)) and node.node is not None and getattr(node, "name", "") in ("defined", "undefined", "default", "d"):
            return UNKNOWN  # a guarded lookup: the template expects it may be missing
        if isinstance(node, nodes.Compare):
            # `'x' in extra` tests for a key; `kind == 'table'` compares: look into the operands
            self.evaluate(node.expr, scope)
            for operand in node.ops:
                self.evaluate(operand.expr, scope)
            return UNKNOWN
        for child in node.iter_child_nodes():
            self.evaluate(child, scope)
        return UNKNOWN

    def report(self, node, attribute: str, keys: dict):
        path = dotted(node)
        if path in self.reported:
            return
        self.reported.add(path)
        close = difflib.get_close_matches(attribute, sorted(keys), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        shown = ", ".join(sorted(keys)[:12])
        self.problems.append(TemplateProblem(f"'{path}': no '{attribute}' here{hint}; there is: {shown}",
                                             words_near(self.source, path)))


def dotted(node) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{dotted(node.node)}[{node.arg.value!r}]"
    return "…"
