"""The JSON Schemas shipped inside the package, compiled by jsonschema-rs once per process, and
readable messages for their errors.

jsonschema-rs is a compiled JSON Schema 2020-12 validator that reports every error, each with the
instance path and the schema keyword that failed. The schemas refer to each other by file name, so
each is registered under its file's URI; an error's keyword location leads back to the schema object
that was broken, whose `x-plangen` keyword says what it is (identifier, date, due, leads).
"""

from __future__ import annotations

import difflib
import json
import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

KINDS = ("plan", "priority", "people", "indicators", "workforce", "report")
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


def schema_dir() -> Path:
    return SCHEMA_DIR


@lru_cache(maxsize=None)
def _schemas() -> dict[str, dict]:
    return {entry.name: json.loads(entry.read_text(encoding="utf-8"))
            for entry in SCHEMA_DIR.iterdir() if entry.name.endswith(".schema.json")}


def _uri(name: str) -> str:
    return (SCHEMA_DIR / name).as_uri()


@lru_cache(maxsize=None)
def _registry():
    """Every shipped schema under its file's URI, so the relative $refs between them resolve as any
    JSON Schema tool reading them from the folder resolves them."""
    import jsonschema_rs

    return jsonschema_rs.Registry([(_uri(name), schema) for name, schema in _schemas().items()])


@lru_cache(maxsize=None)
def validator(kind: str):
    import jsonschema_rs

    name = f"{kind}.schema.json"
    return jsonschema_rs.validator_for(_schemas()[name], registry=_registry(), base_uri=_uri(name))


@lru_cache(maxsize=None)
def dereferenced(kind: str) -> dict:
    """The kind's schema with each $ref replaced by what it names, by jsonschema-rs. A reference
    back into a definition being replaced (a report's sections hold sections) stays a $ref into
    this document: dereferenced_at(kind, that reference) is what it names."""
    import jsonschema_rs

    name = f"{kind}.schema.json"
    return jsonschema_rs.dereference(_schemas()[name], registry=_registry(), base_uri=_uri(name))


@lru_cache(maxsize=None)
def dereferenced_at(kind: str, reference: str) -> dict:
    import jsonschema_rs

    uri = _uri(f"{kind}.schema.json")
    return jsonschema_rs.Registry([(uri, dereferenced(kind))]).resolver(uri).lookup(reference).contents


@dataclass
class SchemaError:
    """One way a file breaks its schema."""

    path: tuple  # where in the file
    keyword: str  # the JSON Schema keyword that failed: type, required, additionalProperties, …
    value: object  # the value there, as read from the file
    schema: dict  # the schema object holding that keyword, as written in the shipped file
    message: str  # jsonschema-rs's own words, for keywords plangen does not explain itself
    missing: str | None = None  # for required: the key


def _schema_at(location: str) -> dict:
    """The schema object holding the keyword at an absolute keyword location (file URI#/pointer/keyword)."""
    holder = location.rpartition("/")[0]
    return _registry().resolver(holder.partition("#")[0]).lookup(holder).contents


def _value_at(data, path: tuple):
    for step in path:
        data = data[step]
    return data


def _finite(value):
    """`value` with each NaN or infinity replaced by the largest float (of its sign). jsonschema-rs
    reads them as JSON null, since JSON has neither, where JSON Schema counts them as numbers; the
    loader already reports each as bad-number."""
    if isinstance(value, float) and not math.isfinite(value):
        return math.copysign(sys.float_info.max, value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def errors(kind: str, data) -> list[SchemaError]:
    """Every error in `data` against the kind's schema; none for a file that conforms."""
    checker = validator(kind)
    if checker.is_valid(data):
        return []
    found = []
    for error in checker.iter_errors(_finite(data)):
        path = tuple(error.instance_path)
        found.append(SchemaError(path, error.kind.name, _value_at(data, path), _schema_at(error.absolute_keyword_location),
                                 error.message, getattr(error.kind, "property", None)))
    return found


def date_paths(kind: str, data) -> list[tuple]:
    """Where `data` holds a value in the schema's date form (YYYY-MM[-DD]), so each can be checked
    as a real date: the pattern lets 2017-02-31 and year 0000 through. Found by walking the data
    beside the dereferenced schema, since jsonschema-rs keeps annotations (x-plangen: date) only
    for a file that conforms, and a file with a mistake elsewhere still has its dates checked."""
    import re

    date_pattern = re.compile(_schemas()["common.schema.json"]["$defs"]["date"]["pattern"])
    found: dict[tuple, None] = {}

    def walk(schema, value, path):
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            walk(dereferenced_at(kind, schema["$ref"]), value, path)
        if schema.get("x-plangen") == "date":
            if isinstance(value, str) and date_pattern.search(value):
                found[path] = None
            return
        for branch in schema.get("anyOf", []) + schema.get("allOf", []):
            walk(branch, value, path)
        if isinstance(value, dict):
            declared = schema.get("properties", {})
            patterns = schema.get("patternProperties", {})
            additional = schema.get("additionalProperties")
            for key, item in value.items():
                if key in declared:
                    walk(declared[key], item, path + (key,))
                    continue
                matched = [subschema for pattern, subschema in patterns.items() if re.search(pattern, key)]
                for subschema in matched or ([additional] if isinstance(additional, dict) else []):
                    walk(subschema, item, path + (key,))
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for index, item in enumerate(value):
                walk(schema["items"], item, path + (index,))

    walk(dereferenced(kind), data, ())
    return list(found)


def _allowed_keys(schema: dict) -> list[str]:
    return sorted(schema.get("properties", {}))


def _suggest(word: str, choices: list[str]) -> str | None:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return match[0] if match else None


def _type_name(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


def _short(value, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= limit else text[: limit - 1] + "…'"


def dotted(path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(top level)"


def as_typed(source, path: tuple, value) -> str:
    """The value as the author typed it: 2.10, not the number 2.1 YAML read it as."""
    if source is not None and source.tree is not None:
        _, node = source.node_at(path)
        if node is not None and isinstance(getattr(node, "value", None), str):
            return node.value
    return repr(value)


def describe(error: SchemaError, source=None) -> list[tuple[tuple, str, str, str | None, bool]]:
    """One schema error -> [(path, rule, message, hint, at_key)]. Several for unknown keys."""
    path = error.path
    where = dotted(path)
    value = error.value
    kind = error.keyword
    schema = error.schema
    if kind == "additionalProperties":
        allowed = _allowed_keys(schema)
        known = set(allowed)
        results = []
        for key in value:
            if key in known or key.startswith("x-"):
                continue
            close = _suggest(key, allowed)
            hint = f"did you mean '{close}'?" if close else "known keys: " + ", ".join(allowed)
            hint += " Council-specific fields start with 'x-'."
            results.append((path + (key,), "unknown-key", f"{dotted(path + (key,))}: unknown key '{key}'", hint, True))
        return results
    if kind == "required":
        missing = error.missing or error.message
        return [(path, "missing-key", f"{where}: required key '{missing}' is missing", None, True)]
    meaning = schema.get("x-plangen") if isinstance(schema, dict) else None
    if meaning == "due":
        return [(path, "bad-date", f"{where}: {_short(value)} is not a valid date",
                 "use YYYY-MM (\"2017-12\"), YYYY-MM-DD, TBC, ongoing, or a mapping such as "
                 "{from: 2017-10, ongoing: true}, {start: 2018-01, end: 2018-04}, {review: 2018-05, note: test impact}", False)]
    if meaning == "leads":
        return [(path, "wrong-type", f"{where}: a lead must be an id from the people register, or a list of ids; found {_type_name(value)}",
                 "write lead: PS, or lead: [PS, DB] for joint leads", False)]
    if kind == "type":
        expected = schema.get("type")
        if expected == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
            typed = as_typed(source, path, value)
            return [(path, "wrong-type", f"{where}: {typed} must be text, not a number",
                     f"quote it: \"{typed}\" (unquoted, YAML reads it as the number {value!r})", False)]
        expected_name = {"string": "text", "array": "a list", "object": "a mapping", "number": "a number",
                         "integer": "a whole number", "boolean": "true or false"}
        wanted = expected_name.get(expected, expected) if isinstance(expected, str) else " or ".join(
            expected_name.get(item, item) for item in expected)
        return [(path, "wrong-type", f"{where}: expected {wanted}, found {_type_name(value)}", None, False)]
    if kind == "enum":
        choices = [str(choice) for choice in schema["enum"]]
        close = _suggest(str(value), choices)
        hint = f"did you mean '{close}'?" if close else None
        return [(path, "bad-value", f"{where}: {_short(value)} is not one of: {', '.join(choices)}", hint, False)]
    if kind == "pattern":
        if meaning == "date":
            return [(path, "bad-date", f"{where}: {_short(value)} is not a date", "write YYYY-MM or YYYY-MM-DD, e.g. 2017-12", False)]
        return [(path, "bad-value", f"{where}: {_short(value)} is not in the expected form",
                 (schema.get("description") or "").split(".")[0] or None, False)]
    if kind in ("minItems", "minLength", "minProperties"):
        return [(path, "bad-value", f"{where}: must not be empty", None, False)]
    return [(path, "schema", f"{where}: {error.message}", None, False)]
