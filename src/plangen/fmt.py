"""`plangen fmt`: one canonical form for plan YAML, so a pull request's diff shows only real changes.

Canonical form: keys in schema order (unknown and x- keys keep their place after the known ones),
2-space indentation with list dashes indented under their key, identifiers double-quoted, other
text plain where YAML allows (quoted only when it must be), multi-line text as literal blocks,
short lists and mappings of plain values on one line in flow style, no line folding. Comments are kept.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from plangen import schemas
from plangen.atomic import write_text
from plangen.errors import UsageError
from plangen.repository import discover
from plangen.yamlio import load, new_yaml

FLOW_LIMIT = 72
# Lists of sentences stay one item per line even when short, so adding one is a one-line diff.
PROSE_KEYS = {"issues", "what_good_looks_like", "statements", "objectives", "measured_by", "measures", "including",
              "actions", "success_measures", "what_we_will_do", "background_documents", "footnotes", "outcomes"}
# Keys whose list items are small mappings best kept one per line.
FLOW_ITEM_KEYS = {"thresholds"}
# Mappings read best on one line only where they are small structured values.
FLOW_MAPPING_KEYS = {"refs", "due", "when", "values"}
MAX_FLOW_WORDS = 4


def _resolve(schema: dict, root: dict) -> dict:
    """Follow $ref (within the loaded schema files) and merge anyOf branches so we can read properties."""
    seen = 0
    while "$ref" in schema and seen < 10:
        reference = schema["$ref"]
        file_part, _, pointer = reference.partition("#")
        document = schemas._schemas()[file_part] if file_part else root
        target = document
        for part in pointer.strip("/").split("/") if pointer else []:
            target = target[part]
        schema, root = target, document
        seen += 1
    return schema, root


def _child(schema: dict, root: dict, key):
    schema, root = _resolve(schema, root)
    if isinstance(key, int):
        items = schema.get("items")
        if items is None:
            for branch in schema.get("anyOf", []):
                branch, branch_root = _resolve(branch, root)
                if branch.get("type") == "array":
                    return _resolve(branch.get("items", {}), branch_root)
            return {}, root
        return _resolve(items, root)
    properties = schema.get("properties")
    if properties is None:
        for branch in schema.get("anyOf", []):
            branch, branch_root = _resolve(branch, root)
            if "properties" in branch:
                properties, root = branch["properties"], branch_root
                break
    if properties and key in properties:
        return _resolve(properties[key], root)
    additional = schema.get("additionalProperties")
    if isinstance(additional, dict):
        return _resolve(additional, root)
    return {}, root


def _is_identifier(schema: dict) -> bool:
    return schema.get("x-plangen") == "identifier"


def _property_order(schema: dict, root: dict) -> list[str]:
    schema, root = _resolve(schema, root)
    if "properties" in schema:
        return list(schema["properties"])
    for branch in schema.get("anyOf", []):
        branch, _ = _resolve(branch, root)
        if "properties" in branch:
            return list(branch["properties"])
    return []


def _scalar(value):
    return not isinstance(value, (dict, list))


def _flow_length(node) -> int:
    if isinstance(node, dict):
        return sum(len(str(key)) + 2 + _flow_length(value) + 2 for key, value in node.items()) + 2
    if isinstance(node, list):
        return sum(_flow_length(item) + 2 for item in node) + 2
    return len(str(node)) + 2


def _fits_flow(node) -> bool:
    if isinstance(node, dict):
        leafy = all(_scalar(value) or (isinstance(value, list) and all(_scalar(item) for item in value)) for value in node.values())
    else:
        leafy = all(_scalar(item) for item in node)
    texts = [str(value) for value in (node.values() if isinstance(node, dict) else node) if isinstance(value, str)]
    return bool(node) and leafy and _flow_length(node) <= FLOW_LIMIT and not any("\n" in text for text in texts)


def _canonical_scalar(value, schema):
    if isinstance(value, str):
        text = str(value)
        if "\n" in text.rstrip("\n"):
            return LiteralScalarString(text)
        if _is_identifier(schema) and text[:1].isdigit():
            return DoubleQuotedScalarString(text)
        return text
    return value


def canonicalise(node, schema: dict, root: dict):
    schema, root = _resolve(schema, root)
    if isinstance(node, CommentedMap):
        order = _property_order(schema, root)
        rank = {key: index for index, key in enumerate(order)}
        keys = list(node.keys())
        wanted = sorted(keys, key=lambda key: (rank.get(key, len(rank)), keys.index(key)))
        if wanted != keys:
            for key in wanted:
                node.move_to_end(key)
        for key in wanted:
            child_schema, child_root = _child(schema, root, key)
            value = node[key]
            if isinstance(value, (CommentedMap, CommentedSeq)):
                canonicalise(value, child_schema, child_root)
            else:
                node[key] = _canonical_scalar(value, child_schema)
    elif isinstance(node, CommentedSeq):
        child_schema, child_root = _child(schema, root, 0)
        for index, value in enumerate(node):
            if isinstance(value, (CommentedMap, CommentedSeq)):
                canonicalise(value, child_schema, child_root)
            else:
                node[index] = _canonical_scalar(value, child_schema)


def _set_styles(node, key=None, parent_key=None):
    """Small collections of short values (ids, names, structured dates) go on one line; the rest in block style."""
    if not isinstance(node, (CommentedMap, CommentedSeq)):
        return
    if isinstance(node, CommentedMap):
        for child_key, child in node.items():
            _set_styles(child, child_key, key)
    else:
        for child in node:
            _set_styles(child, None, key)
    values = node.values() if isinstance(node, CommentedMap) else node
    short_words = all(len(str(value).split()) <= MAX_FLOW_WORDS for value in values if isinstance(value, str))
    if isinstance(node, CommentedMap):
        flow_here = key in FLOW_MAPPING_KEYS or (key is None and parent_key in FLOW_ITEM_KEYS)
    else:
        flow_here = short_words and key is not None and key not in PROSE_KEYS
    has_comments = bool(getattr(node.ca, "items", None))
    if flow_here and _fits_flow(node) and not has_comments:
        node.fa.set_flow_style()
    else:
        node.fa.set_block_style()


def _prefer_double_quotes(yaml):
    """Where a string must be quoted, quote it one way: double quotes (YAML's escapes are familiar)."""
    from ruamel.yaml.emitter import Emitter

    class DoubleQuotingEmitter(Emitter):
        def choose_scalar_style(self):
            style = super().choose_scalar_style()
            return '"' if style == "'" else style

    yaml.Emitter = DoubleQuotingEmitter


def format_text(text: str, kind: str) -> str:
    yaml = new_yaml()
    _prefer_double_quotes(yaml)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = False
    tree = yaml.load(text)
    root_schema = schemas._schemas()[f"{kind}.schema.json"]
    canonicalise(tree, root_schema, root_schema)
    _set_styles(tree)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


KEY = re.compile(r"""^(?:-\s+)*(?:"([^"]*)"|'([^']*)'|([^\s:#'"][^:#]*?))\s*:(?:\s|$)""")
QUOTED = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'")
INLINE_COMMENT = re.compile(r"\s(#.*)$")


def _anchor(line: str) -> str:
    """The key a line starts (list dashes ignored), or 'item' for a plain list item."""
    match = KEY.match(line.strip())
    if match:
        return next(group for group in match.groups() if group is not None).strip()
    return "item"


def comments(text: str) -> list[tuple[str, str]]:
    """Every comment with the key it belongs to: the key on its line, or for a comment on a line of
    its own, the key of the next line that holds one ('(top)' before the first key, '(end)' after
    the last). A comment formatting would move to another key, or drop, changes this list."""
    found: list[tuple[str, str]] = []
    waiting: list[str] = []
    seen_key = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            waiting.append(stripped)
            continue
        if stripped.startswith(("---", "...")) and stripped[3:4] in ("", " "):
            if "#" in stripped:  # a bare marker may go; a comment on it must not
                found.append((stripped[stripped.index("#"):], "(marker)"))
            continue
        anchor = _anchor(line) if seen_key else "(top)"
        found.extend((comment, anchor) for comment in waiting)
        waiting = []
        seen_key = True
        inline = INLINE_COMMENT.search(QUOTED.sub(lambda match: "x" * len(match.group()), line))
        if inline:
            found.append((line[inline.start(1):].strip(), _anchor(line)))
    found.extend((comment, "(end)") for comment in waiting)
    return sorted(found)


def comment_moved(original: str, formatted: str) -> str | None:
    """The first comment that formatting would lose or move to another key, or None."""
    before, after = comments(original), comments(formatted)
    if before == after:
        return None
    remaining = list(after)
    for comment, anchor in before:
        if (comment, anchor) in remaining:
            remaining.remove((comment, anchor))
        else:
            return f"'{comment}'" + ("" if anchor.startswith("(") else f" (at '{anchor}')")
    return f"'{remaining[0][0]}'"


def format_plan(root: Path, check: bool) -> tuple[list[Path], list[str]]:
    """Rewrite (or with check, only list) files not in canonical form. Returns (changed, problems)."""
    paths, _ = discover(root)
    changed, problems = [], []
    for path, kind in paths:
        source = load(path, kind)
        errors = [finding for finding in source.findings if finding.severity == "error"]
        if errors or source.tree is None:
            problems.extend(finding.as_text() for finding in errors)
            continue
        formatted = format_text(source.text, kind)
        original = path.read_bytes().decode("utf-8-sig")
        if formatted != original or path.read_bytes().startswith(b"\xef\xbb\xbf"):
            # never write a form that reads back as different data
            if not _same_data(formatted, source.text):
                raise UsageError(f"{source.display}: formatting would change the data; file left as it is",
                                 hint="please report this as a bug in plangen fmt")
            lost = comment_moved(source.text, formatted)
            if lost:
                problems.append(f"{source.display}: not formatted: the comment {lost} would be lost or move to "
                                "another key (comments inside [ ] or { }, after '...', or on a '---' line cannot be "
                                "kept)\n  hint: put the comment on a line of its own above the key it is about, or "
                                "format this file by hand")
                continue
            changed.append(path)
            if not check:
                write_in_place(path, formatted)
    return changed, problems


def write_in_place(path: Path, text: str) -> None:
    """Replace the file's text the way an editor saving it would: through a symbolic link to the file
    it names, keeping its hard links, owner and mode. A file with other hard links is rewritten where
    it is (a rename would split it from them); any other file is replaced atomically."""
    target = Path(os.path.realpath(path))
    status = target.stat()
    if status.st_nlink > 1:
        with open(target, "r+b") as handle:
            handle.write(text.encode("utf-8"))
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
        return
    write_text(target, text)
    if (status.st_uid, status.st_gid) != (target.stat().st_uid, target.stat().st_gid):
        try:
            os.chown(target, status.st_uid, status.st_gid)
        except PermissionError:
            pass  # only the owner's group could be kept by someone who is not root; the text is right


def _same_data(first: str, second: str) -> bool:
    from plangen.yamlio import to_plain

    return to_plain(new_yaml().load(first)) == to_plain(new_yaml().load(second))
