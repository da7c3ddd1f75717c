"""Reading plan YAML with ruamel.yaml so every value keeps its line and column.

A file that cannot be read becomes a Finding, not an exception, so one run reports every broken
file. Hostile input is bounded: file size, nesting depth and the number of values after aliases
are expanded (a "billion laughs" file is refused, not expanded).
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
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

    @property
    def display(self) -> str:
        return display_path(self.path)

    def position(self, path: tuple = (), at_key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `path` (or of its key when at_key).

        Walks as far down the path as the tree goes, so a missing key points at its parent.
        """
        node = self.tree
        line, column = (node.lc.line, node.lc.col) if hasattr(node, "lc") else (0, 0)
        for index, step in enumerate(path):
            last = index == len(path) - 1
            try:
                if isinstance(node, dict) and step in node:
                    line, column = node.lc.key(step) if (last and at_key) else node.lc.value(step)
                elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                    line, column = node.lc.item(step)
                else:
                    break
            except (AttributeError, KeyError, TypeError):
                break
            node = node[step]
        return line + 1, column + 1

    def value_at(self, path: tuple):
        node = self.tree
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def position_in_value(self, path: tuple, offset: int) -> tuple[int, int]:
        """1-based (line, column) of character `offset` inside the text value at `path`."""
        from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

        line, column = self.position(path)
        value = self.value_at(path)
        if not isinstance(value, str) or offset <= 0:
            return line, column
        lines = self.text.splitlines()
        if isinstance(value, (LiteralScalarString, FoldedScalarString)):
            target = line + 1 + value[:offset].count("\n")
            if target - 1 >= len(lines):
                return line, column
            indent = len(lines[target - 1]) - len(lines[target - 1].lstrip(" "))
            return target, indent + offset - (value.rfind("\n", 0, offset) + 1) + 1
        if "\n" in value[:offset] or line - 1 >= len(lines):
            return line, column
        quoted = lines[line - 1][column - 1:column] in ("'", '"')
        return line, column + offset + (1 if quoted else 0)

    def finding(self, path: tuple, severity: str, rule: str, message: str,
                hint: str | None = None, subject: str | None = None, at_key: bool = False,
                offset: int = 0) -> Finding:
        if offset:
            line, column = self.position_in_value(path, offset)
        else:
            line, column = self.position(path, at_key=at_key)
        return Finding(self.display, line, column, severity, rule, message, hint, subject)


def to_plain(node: Any) -> Any:
    """ruamel tree -> plain dicts/lists/str; dates become ISO strings. Bounded against alias bombs."""
    budget = [MAX_VALUES]

    def walk(value: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooComplex(f"more than {MAX_VALUES:,} values once aliases are expanded")
        if depth > MAX_DEPTH:
            raise TooComplex(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            return {str(key) if not isinstance(key, str) else key: walk(item, depth + 1) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, depth + 1) for item in value]
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str):
            return str(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        return value

    return walk(node, 0)


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


def _yaml_error_finding(source: SourceFile, error: Exception) -> Finding:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    name = type(error).__name__
    hint = None
    if "DuplicateKey" in name:
        rule = "duplicate-key"
        key_text = str(error)
        found = key_text.split('found duplicate key "', 1)
        key = found[1].split('"', 1)[0] if len(found) > 1 else "?"
        first = _first_definition(source.text, key, line, column)
        message = f"duplicate key '{key}'" + (f" (first defined on line {first})" if first else "")
        hint = "a key may appear once in a mapping; merge the two or rename one"
        return Finding(source.display, line, column, "error", rule, message, hint)
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
    if "'\\t'" in str(error):
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


def _first_definition(text: str, key: str, line: int, column: int) -> int | None:
    """The earlier line where `key` starts at the same indentation as the duplicate."""
    lines = text.splitlines()
    for number in range(line - 1, 0, -1):
        candidate = lines[number - 1]
        indent = len(candidate) - len(candidate.lstrip(" -"))
        stripped = candidate[indent:]
        if indent < column - 1 and stripped and not stripped.startswith("#") and number < line - 1 and not candidate.startswith(" " * (column - 1)):
            break
        if indent == column - 1 and (stripped.startswith(f"{key}:") or stripped.startswith(f'"{key}":')):
            return number
    return None


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
        source.tree = new_yaml().load(text)
    except RecursionError:
        source.findings.append(Finding(source.display, 1, 1, "error", "too-complex",
                                       f"nested too deeply (more than {MAX_DEPTH} levels)"))
        return source
    except Exception as error:  # ruamel raises many error classes; each carries a position
        if type(error).__module__.startswith("ruamel"):
            source.findings.append(_yaml_error_finding(source, error))
            return source
        raise
    try:
        source.data = to_plain(source.tree)
    except (TooComplex, RecursionError) as error:
        source.findings.append(Finding(source.display, 1, 1, "error", "too-complex",
                                       f"refused: {error}",
                                       "plan files need no anchors or aliases; write values out"))
        source.tree = None
        return source
    if not isinstance(source.data, dict):
        found = "a list" if isinstance(source.data, list) else f"a {type(source.data).__name__}"
        line, column = source.position(())
        source.findings.append(Finding(source.display, line, column, "error", "not-a-mapping",
                                       f"file holds {found}, but a {kind} file must be a mapping of keys to values",
                                       "remove the leading '- ' or check you opened the right file"))
        source.data = None
    return source
