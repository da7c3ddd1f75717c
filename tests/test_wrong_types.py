"""Property test (issue 18): a value of the wrong type, or one no paper can print, at any place the
shipped JSON Schemas describe is an error at its line in `validate` and stops `build` with exit 1:
never an internal error (exit 3), never a paper.

The places come from walking the schemas themselves (properties, items, anyOf/allOf branches,
additionalProperties), matched against a small but complete plan: the example plan `plangen init`
writes, with a trimmed copy of the bundled indicators and the bundled workforce dashboard. Values
are drawn from every JSON type and from values every type check lets through but a paper cannot
hold (NaN, infinity, a 20-digit number, a control character); a drawn value counts as wrong when
jsonschema itself rejects the mutated file, or when it is one of those unprintable values.
"""

from __future__ import annotations

import io
import json
import math
import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from ruamel.yaml import YAML

from conftest import REPO, SCAFFOLD_PLAN, run_cli

SCHEMA_DIR = REPO / "src" / "plangen" / "schema"
KIND_FILES = {"plan": "plan.yaml", "people": "people.yaml", "priority": "priorities/01-assessments.yaml",
              "report": "reports/2026-02-scrutiny-update.yaml", "indicators": "indicators.yaml",
              "workforce": "workforce/2017-11.yaml"}
ANY_KEY = object()  # a pattern step matching every key of a mapping (additionalProperties)
ITEM = object()  # a pattern step matching every item of a list


def round_trip() -> YAML:
    yaml = YAML()
    yaml.width = 4096
    return yaml


@lru_cache(maxsize=None)
def schemas() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMA_DIR.glob("*.schema.json")}


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    # the schemas name each other by file name, as any JSON Schema tool reading them from a folder does
    registry = Registry().with_resources((name, Resource.from_contents(schema, default_specification=DRAFT202012))
                                         for name, schema in schemas().items())
    return Draft202012Validator(schemas()[f"{kind}.schema.json"], registry=registry)


def resolve(schema, document: str):
    """Follow $ref (into common.schema.json or within the same file)."""
    while isinstance(schema, dict) and "$ref" in schema:
        target, _, pointer = schema["$ref"].partition("#")
        document = target or document
        schema = schemas()[document]
        for part in filter(None, pointer.split("/")):
            schema = schema[part]
    return schema, document


def schema_patterns(schema, document: str, pattern: tuple = (), depth: int = 0):
    """Every place a schema describes, as a pattern of keys, ITEM and ANY_KEY steps."""
    schema, document = resolve(schema, document)
    if not isinstance(schema, dict) or depth > 12:
        return
    if pattern:
        yield pattern
    for branch in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
        yield from schema_patterns(branch, document, pattern, depth + 1)
    for key, subschema in schema.get("properties", {}).items():
        yield from schema_patterns(subschema, document, pattern + (key,), depth + 1)
    if isinstance(schema.get("items"), dict):
        yield from schema_patterns(schema["items"], document, pattern + (ITEM,), depth + 1)
    if isinstance(schema.get("additionalProperties"), dict) and schema["additionalProperties"]:
        yield from schema_patterns(schema["additionalProperties"], document, pattern + (ANY_KEY,), depth + 1)


def concrete_paths(data, pattern: tuple, path: tuple = ()):
    """Paths in `data` where the pattern's value is, or could be put (the parent exists)."""
    if not pattern:
        yield path
        return
    step, rest = pattern[0], pattern[1:]
    if step is ITEM:
        if isinstance(data, list):
            for index, item in enumerate(data[:2]):
                yield from concrete_paths(item, rest, path + (index,))
    elif step is ANY_KEY:
        if isinstance(data, dict):
            for key in list(data)[:2]:
                yield from concrete_paths(data[key], rest, path + (key,))
    elif isinstance(data, dict):
        if step in data:
            yield from concrete_paths(data[step], rest, path + (step,))
        elif not rest:
            yield path + (step,)


def trimmed_indicators(text: str) -> str:
    data = round_trip().load(text)
    data["narrative"] = data["narrative"][:1]
    data["action_log"] = data["action_log"][:2]
    data["groups"] = data["groups"][:2]
    for group in data["groups"]:
        group["indicators"] = group["indicators"][:2]
    buffer = io.StringIO()
    round_trip().dump(data, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def base_plan(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("base") / "plan"
    shutil.copytree(SCAFFOLD_PLAN, root)
    (root / "indicators.yaml").write_text(trimmed_indicators((REPO / "plan" / "indicators.yaml").read_text()))
    (root / "workforce").mkdir()
    shutil.copy(REPO / "plan" / "workforce" / "2017-11.yaml", root / "workforce")
    from plangen.validate import validate

    assert validate(root).ok, "the base plan must have no errors"
    return root


@lru_cache(maxsize=None)
def places(base: Path) -> tuple:
    """(kind, concrete path) for every schema place the base plan can hold a value at."""
    found = []
    for kind, name in KIND_FILES.items():
        data = YAML(typ="safe").load((base / name).read_text(encoding="utf-8"))
        patterns = dict.fromkeys(schema_patterns(schemas()[f"{kind}.schema.json"], f"{kind}.schema.json"))
        for pattern in patterns:
            for path in concrete_paths(data, pattern):
                found.append((kind, path))
    return tuple(dict.fromkeys(found))


UNPRINTABLE = [float("nan"), float("inf"), -float("inf"), 10**20, "Philip \x0b Segurolo", "bell \x07", "\ufffe"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(alphabet="abcXYZ 0123-.:", max_size=12), st.sampled_from(["TBC", "2017-13", "0000-01", "1.10"]))
VALUES = st.one_of(
    st.sampled_from(UNPRINTABLE),
    SCALARS,
    st.lists(SCALARS, max_size=3),
    # no 'x-' keys: an extension key may hold any value, so a mapping of them alone is not wrong
    st.dictionaries(st.sampled_from(["a", "text", "id"]), SCALARS, max_size=2),
    st.lists(st.lists(SCALARS, max_size=2), min_size=1, max_size=2),
)


def unprintable(value) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) >= 10**15
    return isinstance(value, str) and any(character in value for character in "\x0b\x07\ufffe")


def set_value(data, path: tuple, value):
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def line_span(text: str, path: tuple) -> tuple[int, int]:
    """1-based lines from the key of the value's parent (or its own key) to the value's last line,
    read by ruamel.yaml's composer, not by plangen."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    node, key_lines = YAML(typ="safe", pure=True).compose(text), []
    for step in path:
        if isinstance(node, MappingNode):
            key, node = next((key, value) for key, value in node.value if key.value == str(step))
            key_lines.append(key.start_mark.line)
        else:
            assert isinstance(node, SequenceNode)
            node = node.value[step]
            key_lines.append(node.start_mark.line)
    first = key_lines[-2] if len(key_lines) >= 2 else key_lines[-1]
    return first + 1, node.end_mark.line + 1


def mutate(base: Path, target: Path, kind: str, path: tuple, value) -> tuple[str, tuple[int, int]] | None:
    """Copy the base plan to `target` with `value` at `path`; None when the value is not wrong there."""
    name = KIND_FILES[kind]
    data = round_trip().load((base / name).read_text(encoding="utf-8"))
    set_value(data, path, value)
    text = dump(data)
    try:
        plain = json.loads(json.dumps(YAML(typ="safe").load(text), default=str))
    except Exception:  # ruamel.yaml's dumper wrote YAML it cannot read back: no file to test
        return None
    schema_rejects = any(True for _ in validator(kind).iter_errors(plain))
    if not schema_rejects and not unprintable(value):
        return None
    shutil.copytree(base, target)
    (target / name).write_text(text, encoding="utf-8")
    return name, line_span(text, path)


def dump(data) -> str:
    buffer = io.StringIO()
    round_trip().dump(data, buffer)
    return buffer.getvalue()


def check_validate_and_build(plan: Path, name: str, span: tuple[int, int], capsys) -> None:
    from plangen.commands.build import build
    from plangen.errors import FindingsError
    from plangen.validate import validate

    result = validate(plan)
    assert not result.ok
    located = [finding for finding in result.errors
               if finding.file.endswith(name) and span[0] <= finding.line <= span[1]]
    assert located, (span, [finding.as_text() for finding in result.errors])
    with pytest.raises(FindingsError):
        build(plan, plan.parent / "out")
    printed = capsys.readouterr().out
    assert any(finding.as_text().split("\n")[0] in printed for finding in located)
    assert not (plan.parent / "out").exists()


def test_the_schemas_give_enough_places(base_plan):
    """Of the 355 places the schemas describe, the base plan can hold a value at over 200 (the rest
    sit under optional parents it does not have, such as a due date written as a mapping)."""
    covered = set()
    for kind, name in KIND_FILES.items():
        data = YAML(typ="safe").load((base_plan / name).read_text(encoding="utf-8"))
        for pattern in schema_patterns(schemas()[f"{kind}.schema.json"], f"{kind}.schema.json"):
            if any(True for _ in concrete_paths(data, pattern)):
                covered.add((kind, pattern))
    assert len(covered) > 200
    assert {kind for kind, _ in places(base_plan)} == set(KIND_FILES)


@settings(max_examples=320, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_wrong_value_anywhere_is_a_finding_at_its_line(base_plan, tmp_path_factory, capsys, data):
    kind, path = data.draw(st.sampled_from(places(base_plan)), label="place")
    value = data.draw(VALUES, label="value")
    target = tmp_path_factory.mktemp("wrong") / "plan"
    mutated = mutate(base_plan, target, kind, path, value)
    assume(mutated is not None)  # a value the schema accepts there is not a mistake: draw another
    check_validate_and_build(target, *mutated, capsys)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_unprintable_key_anywhere_is_a_finding_at_its_line(base_plan, tmp_path_factory, capsys, data):
    kind, path = data.draw(st.sampled_from([place for place in places(base_plan) if isinstance(place[1][-1], str)]),
                           label="place")
    bad = data.draw(st.sampled_from(["\x0b", "\x01", "\ufffe"]), label="character")
    name = KIND_FILES[kind]
    document = round_trip().load((base_plan / name).read_text(encoding="utf-8"))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[f"x-note{bad}"] = "an extension key with a control character"
    target = tmp_path_factory.mktemp("key") / "plan"
    shutil.copytree(base_plan, target)
    text = dump(document)
    (target / name).write_text(text, encoding="utf-8")
    check_validate_and_build(target, name, line_span(text, path[:-1] + (f"x-note{bad}",)), capsys)


@pytest.mark.parametrize("index", range(5))
def test_a_handful_through_the_command_line(base_plan, tmp_path, index):
    """The same, as a user runs it: separate processes, exit codes, no traceback."""
    found = places(base_plan)
    kind, path = found[(index * 37) % len(found)]
    value = [[["nested"]], {"a": float("nan")}, "bell \x07", 10**20, None][index]
    mutated = mutate(base_plan, tmp_path / "plan", kind, path, value)
    if mutated is None:
        pytest.skip(f"{value!r} is allowed at {path}")
    name, (first, last) = mutated
    for command in (["validate", "plan"], ["build", "plan", "--output", "out"]):
        completed = run_cli(*command, cwd=tmp_path)
        assert completed.returncode == 1, completed.stdout + completed.stderr
        assert "Traceback" not in completed.stdout + completed.stderr
        assert any(f"plan/{name}:{line}:" in completed.stdout for line in range(first, last + 1)), completed.stdout
    assert not (tmp_path / "out").exists()
