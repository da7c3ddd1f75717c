"""Reading plan YAML with ruamel.yaml so every value keeps its line and column.

A file that cannot be read becomes a Finding, not an exception, so one run reports every broken
file. Hostile input is bounded: file size, nesting depth and the number of values after aliases
are expanded (a "billion laughs" file is refused, not expanded).
"""

from __future__ import annotations

import datetime
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from plangen.findings import Finding

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40
MAX_VALUES = 500_000


def display_path(path: Path) -> str:
    """The path as the user should see it: relative to the working directory when inside it."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


@lru_cache(maxsize=None)
def _resolver_class():
    from ruamel.yaml.resolver import VersionedResolver

    class OneVersionResolver(VersionedResolver):
        """ruamel.yaml works out the document's YAML version again for every scalar it types, which
        was half of parsing a plan. The version is fixed once the document has started, so the
        table of implicit types is looked up once per document."""

        @property
        def versioned_resolver(self):
            try:
                return self._table_for_document
            except AttributeError:
                self._table_for_document = VersionedResolver.versioned_resolver.fget(self)
                return self._table_for_document

    return OneVersionResolver


def compose(text: str):
    """Parse to a node graph with every node's position, with libyaml when available (ten times faster)."""
    from ruamel.yaml import YAML

    try:
        import _ruamel_yaml  # noqa: F401  (the C extension)

        yaml = YAML(typ="safe")
    except ImportError:
        yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = _resolver_class()
    return yaml.compose(text)


def new_yaml():
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class Constructor(RoundTripConstructor):
        """An impossible date such as 2017-02-31 stays text, so validation can say what is wrong and where."""

        def construct_yaml_timestamp(self, node, values=None):
            try:
                return super().construct_yaml_timestamp(node, values)
            except ValueError:
                return self.construct_scalar(node)

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", Constructor.construct_yaml_timestamp)
    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    yaml.allow_duplicate_keys = False
    return yaml


class TooComplex(Exception):
    pass


@dataclass
class SourceFile:
    """One YAML file: its text, its ruamel tree (for positions and round-trip) and plain data."""

    path: Path
    kind: str
    text: str = ""
    tree: Any = None
    data: Any = None
    findings: list[Finding] = field(default_factory=list)
    tree_released: bool = False

    def release_tree(self) -> None:
        """Drop the composed tree, most of a large plan's memory (124 MB at 10,000 actions) once
        validation is done; a position asked for afterwards composes the text again."""
        if self.tree is not None:
            self.tree, self.tree_released = None, True

    def _tree(self):
        if self.tree is None and self.tree_released:
            self.tree, self.tree_released = compose(self.text), False
        return self.tree

    @property
    def display(self) -> str:
        return display_path(self.path)

    def node_at(self, path: tuple):
        """(key node, value node) at `path`, walking as far as the tree goes."""
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        node, key_node = self._tree(), None
        for step in path:
            if isinstance(node, MappingNode):
                match = next(((key, value) for key, value in node.value if key.value == step), None)
                if match is None:
                    break
                key_node, node = match
            elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                key_node, node = None, node.value[step]
            else:
                break
        return key_node, node

    def position(self, path: tuple = (), at_key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `path` (or of its key when at_key).

        Walks as far down the path as the tree goes, so a missing key points at its parent.
        """
        if self._tree() is None:
            return 1, 1
        key_node, node = self.node_at(path)
        target = key_node if (at_key and key_node is not None) else node
        return target.start_mark.line + 1, target.start_mark.column + 1

    def position_in_value(self, path: tuple, offset: int) -> tuple[int, int]:
        """1-based (line, column) of character `offset` inside the text value at `path`."""
        line, column = self.position(path)
        _, node = self.node_at(path)
        value = getattr(node, "value", None)
        if not isinstance(value, str) or offset <= 0:
            return line, column
        lines = self.text.splitlines()
        if node.style in ("|", ">"):
            target = line + 1 + value[:offset].count("\n")
            if target - 1 >= len(lines):
                return line, column
            indent = len(lines[target - 1]) - len(lines[target - 1].lstrip(" "))
            return target, indent + offset - (value.rfind("\n", 0, offset) + 1) + 1
        if "\n" in value[:offset]:
            return line, column
        return line, column + offset + (1 if node.style in ("'", '"') else 0)

    def finding(self, path: tuple, severity: str, rule: str, message: str,
                hint: str | None = None, subject: str | None = None, at_key: bool = False,
                offset: int = 0) -> Finding:
        if offset:
            line, column = self.position_in_value(path, offset)
        else:
            line, column = self.position(path, at_key=at_key)
        return Finding(self.display, line, column, severity, rule, message, hint, subject)


def to_plain(node: Any) -> Any:
    """Round-trip tree (CommentedMap, …) -> plain dicts/lists/str; dates become ISO strings. For fmt."""
    if isinstance(node, dict):
        return {str(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(value) for value in node]
    if isinstance(node, datetime.datetime):
        return node.date().isoformat()
    if isinstance(node, datetime.date):
        return node.isoformat()
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


class DuplicateKey(Exception):
    def __init__(self, key: str, node, first):
        super().__init__(key)
        self.key, self.node, self.first = key, node, first


SCALAR_TAGS = "tag:yaml.org,2002:"


def _scalar(node) -> Any:
    """A composed scalar node as a Python value. Dates stay text: plangen checks them itself."""
    tag = node.tag
    value = node.value
    if not tag.startswith(SCALAR_TAGS):
        return value
    kind = tag[len(SCALAR_TAGS):]
    try:
        if kind == "null":
            return None
        if kind == "bool":
            return value.lower() in ("true", "yes", "on")
        if kind == "int":
            return int(value.replace("_", ""), 0) if value.lower().startswith(("0x", "0o", "0b")) else int(value.replace("_", ""))
        if kind == "float":
            lowered = value.lower().replace("_", "")
            if lowered in (".inf", "+.inf"):
                return float("inf")
            if lowered == "-.inf":
                return float("-inf")
            if lowered == ".nan":
                return float("nan")
            return float(lowered)
    except ValueError:
        return value
    return value


# Characters XML 1.0 cannot hold, so no Word document can: the YAML reader refuses them typed raw,
# but a double-quoted escape ("\\v", "\\x0b", "\\ud800") still makes them.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Longer numbers are typos or pasted noise; Python also refuses to print integers of over 4,300 digits.
MAX_DIGITS = 15


NUMBER_TAGS = (SCALAR_TAGS + "int", SCALAR_TAGS + "float")


def scalar_problem(node, value) -> tuple[str, str, str] | None:
    """(rule, message, hint) for a scalar no paper can print, or None."""
    if isinstance(value, str):
        bad = XML_FORBIDDEN.search(value)
        if bad:
            return ("bad-character", f"control character {bad.group()!r} is not allowed",
                    "an escape such as \\v or \\x0b in double quotes puts an invisible control character in the "
                    "text, and a Word document cannot hold one; delete it")
    if node.tag in NUMBER_TAGS:
        digits = sum(character.isdigit() for character in node.value)
        if digits > MAX_DIGITS:
            return ("bad-number", f"a number of {digits:,} digits is too long to be a plan value",
                    f"numbers have at most {MAX_DIGITS} digits; quote it if it is text")
        if isinstance(value, float) and not math.isfinite(value):
            return ("bad-number", f"{node.value} is not a number a paper can print",
                    "write a number, or leave the value out if it is not known")
    return None


def nodes_to_plain(root, problems: list | None = None) -> Any:
    """Composed nodes -> plain data, refusing alias bombs, runaway nesting and duplicate keys.
    Scalars no paper can print are listed in `problems` as (node, rule, message, hint)."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    budget = [MAX_VALUES]
    problems = [] if problems is None else problems

    def walk(node, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooComplex(f"more than {MAX_VALUES:,} values once aliases are expanded")
        if depth > MAX_DEPTH:
            raise TooComplex(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, MappingNode):
            result: dict = {}
            seen: dict = {}
            for key_node, value_node in node.value:
                key = walk(key_node, depth + 1)
                key = key if isinstance(key, str) else str(key)
                if key in seen:
                    raise DuplicateKey(key, key_node, seen[key])
                seen[key] = key_node
                result[key] = walk(value_node, depth + 1)
            return result
        if isinstance(node, SequenceNode):
            return [walk(item, depth + 1) for item in node.value]
        value = _scalar(node)
        if (XML_FORBIDDEN.search(value) if isinstance(value, str) else value is not None and value is not True
                and value is not False) or node.tag in NUMBER_TAGS:
            problem = scalar_problem(node, value)
            if problem:
                problems.append((node, *problem))
        return value

    return walk(root, 0)


def _decode(raw: bytes, source: SourceFile) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        source.findings.append(Finding(source.display, 1, 1, "warning", "byte-order-mark",
                                       "file starts with a UTF-8 byte order mark; it was ignored",
                                       "save the file as UTF-8 without BOM ('plangen fmt' removes it)"))
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        source.findings.append(Finding(source.display, line, column, "error", "encoding",
                                       f"byte 0x{raw[error.start]:02x} is not valid UTF-8",
                                       "save the file as UTF-8 (text pasted from Word may bring Windows-1252 characters)"))
        return None


def _character_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line - 1][column - 1:column] if 0 < line <= len(lines) else ""


def _yaml_error_finding(source: SourceFile, error: Exception) -> Finding:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    name = type(error).__name__
    hint = None
    if "ReaderError" in name or "special characters" in str(error):
        position = getattr(error, "position", None)
        if position is not None and source.text:
            before = source.text[:position]
            line = before.count("\n") + 1
            column = position - (before.rfind("\n") + 1) + 1
        character = getattr(error, "character", None)
        if isinstance(character, int):
            character = chr(character)
        problem = f"control character {character!r} is not allowed" if character is not None else "character not allowed"
        hint = "text pasted from another program can carry invisible control characters; delete and retype it"
        return Finding(source.display, line, column, "error", "bad-character", problem, hint)
    if _character_at(source.text, line, column) == "\t" or "'\\t'" in str(error):
        hint = "YAML indentation must use spaces, not tabs"
    elif context and "flow sequence" in str(context):
        hint = "a [ … ] list is not closed with ], or an item in it needs quotes"
    elif context and "flow mapping" in str(context):
        hint = "a { … } mapping is not closed with }, or a value in it needs quotes"
    else:
        hint = "check indentation and quoting near this position; quote text that contains ': ' or starts with a special character"
    message = f"invalid YAML: {problem}" + (f" ({context})" if context and context not in str(problem) else "")
    return Finding(source.display, line, column, "error", "yaml-syntax", message, hint)


QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
BRACKETS = re.compile(r"[\[\]{}]")


def _nesting_depth(text: str) -> int:
    """A cheap upper bound on nesting, checked before parsing so hostile input is refused quickly:
    open flow brackets outside quotes, or block indentation (two spaces a level)."""
    deepest = depth = 0
    for bracket in BRACKETS.findall(QUOTED.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines() if line.strip()), default=0)
    return max(deepest, indent // 2)


def load(path: Path, kind: str) -> SourceFile:
    """Read and parse one file. Problems are recorded in source.findings; data is None if unusable."""
    source = SourceFile(path=path, kind=kind)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            source.findings.append(Finding(source.display, 1, 1, "error", "file-too-large",
                                           f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                                           "split the content across files (one per priority)"))
            return source
        raw = path.read_bytes()
    except OSError as error:
        source.findings.append(Finding(source.display, 1, 1, "error", "unreadable",
                                       f"cannot read file: {error.strerror or error}"))
        return source
    text = _decode(raw, source)
    if text is None:
        return source
    source.text = text
    if not text.strip() or all(line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()):
        source.findings.append(Finding(source.display, 1, 1, "error", "empty-file",
                                       "file is empty", "a plan file must be a mapping of keys to values"))
        return source
    depth = _nesting_depth(text)
    if depth > MAX_DEPTH:
        source.findings.append(Finding(source.display, 1, 1, "error", "too-complex",
                                       f"nested too deeply (more than {MAX_DEPTH} levels)",
                                       "plan files need only a few levels; check for runaway brackets"))
        return source
    try:
        source.tree = compose(text)
    except RecursionError:
        source.findings.append(Finding(source.display, 1, 1, "error", "too-complex",
                                       f"nested too deeply (more than {MAX_DEPTH} levels)"))
        return source
    except Exception as error:  # the YAML library raises many error classes; each carries a position
        if "ruamel" in type(error).__module__ or hasattr(error, "problem_mark"):
            source.findings.append(_yaml_error_finding(source, error))
            return source
        raise
    if source.tree is None:
        source.findings.append(Finding(source.display, 1, 1, "error", "empty-file",
                                       "file is empty", "a plan file must be a mapping of keys to values"))
        return source
    problems: list = []
    try:
        source.data = nodes_to_plain(source.tree, problems)
    except DuplicateKey as error:
        mark = error.node.start_mark
        source.findings.append(Finding(source.display, mark.line + 1, mark.column + 1, "error", "duplicate-key",
                                       f"duplicate key '{error.key}' (first defined on line {error.first.start_mark.line + 1})",
                                       "a key may appear once in a mapping; merge the two or rename one"))
        source.tree = None
        return source
    except (TooComplex, RecursionError) as error:
        source.findings.append(Finding(source.display, 1, 1, "error", "too-complex",
                                       f"refused: {error}",
                                       "plan files need no anchors or aliases; write values out"))
        source.tree = None
        return source
    for node, rule, message, hint in problems:
        mark = node.start_mark
        source.findings.append(Finding(source.display, mark.line + 1, mark.column + 1, "error", rule, message, hint))
    if not isinstance(source.data, dict):
        found = "a list" if isinstance(source.data, list) else f"a {type(source.data).__name__}"
        line, column = source.position(())
        source.findings.append(Finding(source.display, line, column, "error", "not-a-mapping",
                                       f"file holds {found}, but a {kind} file must be a mapping of keys to values",
                                       "remove the leading '- ' or check you opened the right file"))
        source.data = None
    return source
