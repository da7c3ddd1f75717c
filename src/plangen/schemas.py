"""The JSON Schemas shipped inside the package, compiled once per process, and readable messages for their errors."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib.resources import files

KINDS = ("plan", "priority", "people", "indicators", "workforce", "report")


def schema_dir():
    return files("plangen") / "schema"


@lru_cache(maxsize=None)
def _schemas() -> dict[str, dict]:
    loaded = {}
    for entry in schema_dir().iterdir():
        if entry.name.endswith(".schema.json"):
            loaded[entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return loaded


# "x-plangen" names what a definition is (identifier, date, due, leads): how plangen explains its
# errors and how fmt writes its values. JSON Schema tools ignore it as an unknown keyword.
ANNOTATIONS = {"description", "examples", "title", "default", "x-plangen"}


def _at_pointer(document: str, pointer: str):
    target = _schemas()[document]
    for part in filter(None, pointer.split("/")):
        target = target[part]
    return target


def _inline(node, document: str, resolving: tuple = ()):
    """The schema with each $ref replaced by what it points to, except references back into a
    definition being resolved (a report's sections hold sections), which stay references.
    Resolving every $ref during validation was most of validation's time."""
    if isinstance(node, list):
        return [_inline(item, document, resolving) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: (value if key in ("examples", "enum", "const") else _inline(value, document, resolving))
            for key, value in node.items()}
    if "$ref" not in node:
        return node
    target_document, _, pointer = node["$ref"].partition("#")
    target_document = target_document or document
    absolute = f"{target_document}#{pointer}"
    if absolute in resolving:
        return {**node, "$ref": absolute}
    resolved = _inline(_at_pointer(target_document, pointer), target_document, resolving + (absolute,))
    siblings = {key: value for key, value in node.items() if key != "$ref"}
    if set(siblings) <= ANNOTATIONS:
        return {**resolved, **siblings}
    return {"allOf": [resolved], **siblings}


@lru_cache(maxsize=None)
def validator(kind: str):
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    from referencing.jsonschema import DRAFT202012

    # the schemas name each other by file name ("common.schema.json#/$defs/date"), as any JSON Schema
    # tool reading them from a folder resolves them
    registry = Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012)) for name, schema in _schemas().items()
    )
    return Draft202012Validator(_inlined(kind), registry=registry)


IGNORED_KEYWORDS = ANNOTATIONS | {"$schema", "$id", "$defs", "$comment"}


@lru_cache(maxsize=None)
def _inlined(kind: str) -> dict:
    name = f"{kind}.schema.json"
    return _inline(_schemas()[name], name)


@lru_cache(maxsize=None)
def _referenced(absolute: str) -> dict:
    """The schema a $ref left in place by _inline points to (a report section's sections)."""
    name, _, pointer = absolute.partition("#")
    return _inline(_at_pointer(name, pointer), name, (absolute,))


@lru_cache(maxsize=None)
def _regex(pattern: str):
    import re

    return re.compile(pattern)


def _has_type(instance, name: str) -> bool:
    if name == "string":
        return isinstance(instance, str)
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if name == "number":
        return isinstance(instance, (int, float))
    return False


def conforms_to(schema, instance) -> bool:
    """The keywords plangen's schemas use, checked as JSON Schema 2020-12 defines them. Any other
    keyword makes the answer "no" (not certain), and jsonschema then decides."""
    if schema is True:
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword in IGNORED_KEYWORDS:
            continue
        if keyword == "type":
            if not (_has_type(instance, value) if isinstance(value, str) else any(_has_type(instance, name) for name in value)):
                return False
        elif keyword == "properties":
            if isinstance(instance, dict) and not all(
                    conforms_to(subschema, instance[key]) for key, subschema in value.items() if key in instance):
                return False
        elif keyword == "additionalProperties":
            if isinstance(instance, dict):
                declared = schema.get("properties", {})
                patterns = [_regex(pattern) for pattern in schema.get("patternProperties", {})]
                for key, item in instance.items():
                    if key in declared or any(pattern.search(key) for pattern in patterns):
                        continue
                    if not conforms_to(value, item):
                        return False
        elif keyword == "patternProperties":
            if isinstance(instance, dict):
                for pattern, subschema in value.items():
                    regex = _regex(pattern)
                    if not all(conforms_to(subschema, item) for key, item in instance.items() if regex.search(key)):
                        return False
        elif keyword == "items":
            if isinstance(instance, list) and not all(conforms_to(value, item) for item in instance):
                return False
        elif keyword == "required":
            if isinstance(instance, dict) and not all(key in instance for key in value):
                return False
        elif keyword == "enum":
            # exact types only: jsonschema's equality (1 == 1.0, true != 1) is left to jsonschema
            if not any(type(instance) is type(choice) and instance == choice for choice in value):
                return False
        elif keyword == "pattern":
            if isinstance(instance, str) and not _regex(value).search(instance):
                return False
        elif keyword == "exclusiveMinimum":
            if _has_type(instance, "number") and not instance > value:
                return False
        elif keyword == "minLength":
            if isinstance(instance, str) and len(instance) < value:
                return False
        elif keyword == "minItems":
            if isinstance(instance, list) and len(instance) < value:
                return False
        elif keyword == "minProperties":
            if isinstance(instance, dict) and len(instance) < value:
                return False
        elif keyword == "anyOf":
            if not any(conforms_to(subschema, instance) for subschema in value):
                return False
        elif keyword == "allOf":
            if not all(conforms_to(subschema, instance) for subschema in value):
                return False
        elif keyword == "$ref":
            if not conforms_to(_referenced(value), instance):
                return False
        else:
            return False
    return True


def conforms(kind: str, data) -> bool:
    """True only when `data` certainly satisfies the kind's schema.

    A valid plan is the common case, and checking it here takes a tenth of the time jsonschema
    needs just to import. "False" means "not certain": jsonschema then validates and explains.
    """
    return conforms_to(_inlined(kind), data)


def date_paths(kind: str, data) -> list[tuple]:
    """Where `data` holds a value in the schema's date form (YYYY-MM[-DD]), so each can be checked
    as a real date: the pattern lets 2017-02-31 and year 0000 through."""
    date_pattern = _definition("date")["pattern"]
    found: dict[tuple, None] = {}

    def walk(schema, value, path):
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            walk(_referenced(schema["$ref"]), value, path)
        if schema.get("pattern") == date_pattern:
            if isinstance(value, str) and _regex(date_pattern).search(value):
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
                matched = [subschema for pattern, subschema in patterns.items() if _regex(pattern).search(key)]
                for subschema in matched or ([additional] if isinstance(additional, dict) else []):
                    walk(subschema, item, path + (key,))
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for index, item in enumerate(value):
                walk(schema["items"], item, path + (index,))

    walk(_inlined(kind), data, ())
    return list(found)


def _definition(name: str) -> dict:
    return _schemas()["common.schema.json"]["$defs"][name]


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


def describe(error, source=None) -> list[tuple[tuple, str, str, str | None, bool]]:
    """One jsonschema error -> [(path, rule, message, hint, at_key)]. Several for unknown keys."""
    path = tuple(error.absolute_path)
    where = dotted(path)
    value = error.instance
    kind = error.validator
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
        missing = error.message.split("'")[1] if "'" in error.message else error.message
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
