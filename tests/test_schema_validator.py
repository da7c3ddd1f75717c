"""plangen validates with jsonschema-rs (compiled). These tests hold it to the reference implementation,
Python's jsonschema, on real and broken data: the same verdict and the same errors (where in the file,
which keyword) for every bundled plan, the bad-input corpus and hundreds of mutated plan files; and they
check that every error is reported, each explained by the schema's x-plangen keyword where it has one."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import REPO, SCAFFOLD_PLAN, edit
from plangen import schemas
from plangen.repository import load_sources
from plangen.validate import validate
from test_bad_inputs import CASES, prepare

PLANS = {
    "bundled": REPO / "plan",
    "draft example": REPO / "examples" / "croydon-2017-10-draft" / "plan",
    "areas fixture": REPO / "tests" / "fixtures" / "areas-plan",
    "scaffold": SCAFFOLD_PLAN,
}
REGISTRY = Registry().with_resources(
    (name, Resource.from_contents(schema, default_specification=DRAFT202012)) for name, schema in schemas._schemas().items())


def reference_errors(kind: str, data) -> set[tuple]:
    checker = Draft202012Validator(schemas._schemas()[f"{kind}.schema.json"], registry=REGISTRY)
    return {(tuple(error.absolute_path), error.validator) for error in checker.iter_errors(data)}


def plangen_errors(kind: str, data) -> set[tuple]:
    return {(error.path, error.keyword) for error in schemas.errors(kind, data)}


def loaded(root: Path):
    sources, _ = load_sources(root)
    return [source for source in sources if source.data is not None]


@pytest.mark.parametrize("name", PLANS)
def test_every_file_of_a_valid_plan_conforms(name):
    sources = loaded(PLANS[name])
    assert {source.kind for source in sources} >= {"plan", "people", "priority"}
    for source in sources:
        assert reference_errors(source.kind, source.data) == set(), source.path
        assert schemas.errors(source.kind, source.data) == [], source.path


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_same_errors_as_the_reference_on_the_bad_input_corpus(case, tmp_path):
    plan = prepare(case, tmp_path)
    for source in loaded(plan):
        assert plangen_errors(source.kind, source.data) == reference_errors(source.kind, source.data), source.path


def test_recursive_report_sections_are_checked_at_depth():
    report = loaded(REPO / "plan")
    data = next(source.data for source in report if source.kind == "report")
    nested = {**data, "sections": [{"title": "Outer", "sections": [{"title": "Inner", "colour": "red"}]}]}
    assert schemas.errors("report", {**data, "sections": [{"title": "Outer", "sections": [{"title": "Inner"}]}]}) == []
    assert plangen_errors("report", nested) == reference_errors("report", nested) == {
        (("sections", 0, "sections", 0), "additionalProperties")}


def test_every_error_in_a_file_is_reported(mini_plan):
    path = mini_plan / "priorities/01-assessments.yaml"
    edit(path, "partners: [Health]", "partnrs: [Health]")
    edit(path, "due: 2027-06", "due: June 2027")
    edit(path, 'number: "1.2"', "number: 1.2")
    edit(path, "title: Assessments\n", "title: Assessments\n    colour: red\n")
    found = sorted((finding.rule, finding.message) for finding in validate(mini_plan, datetime.date(2026, 1, 1)).findings
                   if finding.file.endswith("01-assessments.yaml"))
    assert found == [
        ("bad-date", "groups[0].actions[0].due: 'June 2027' is not a valid date"),
        ("unknown-key", "groups[0].actions[0].partnrs: unknown key 'partnrs'"),
        ("unknown-key", "groups[0].colour: unknown key 'colour'"),
        ("wrong-type", "groups[0].actions[1].number: 1.2 must be text, not a number"),
    ]


def test_the_x_plangen_keyword_chooses_the_explanation():
    """The same anyOf failure is a date mistake only where the schema object says it is a due date."""
    due = schemas._schemas()["common.schema.json"]["$defs"]["due"]
    error = schemas.SchemaError(("due",), "anyOf", "June 2027", due, "not valid under any of the schemas")
    assert schemas.describe(error)[0][1:3] == ("bad-date", "due: 'June 2027' is not a valid date")
    unmarked = {key: value for key, value in due.items() if key != "x-plangen"}
    error = schemas.SchemaError(("due",), "anyOf", "June 2027", unmarked, "not valid under any of the schemas")
    assert schemas.describe(error)[0][1] == "schema"
    assert {name for name, definition in schemas._schemas()["common.schema.json"]["$defs"].items()
            if "x-plangen" in definition} == {"identifier", "date", "due", "leads"}


BUNDLED = {source.path.name: (source.kind, source.data) for source in loaded(REPO / "plan")}
REPLACEMENTS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False),
                         st.sampled_from(["", "TBC", "ongoing", "2017-12", "2017-13", "red", "green", "PS", "x-y",
                                          "yes", "1.1", "scrutiny-update", "percent", "Dec 17"]),
                         st.lists(st.sampled_from(["PS", "", "2017-12"]), max_size=2),
                         st.dictionaries(st.sampled_from(["start", "end", "review", "note", "x-extra", "bogus"]),
                                         st.sampled_from(["2017-12", "2018-04", "text", ""]), max_size=2))


def paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, path + (index,))


def replaced(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {key: (replaced(item, rest, new) if key == head else item) for key, item in value.items()}
    return [replaced(item, rest, new) if index == head else item for index, item in enumerate(value)]


@st.composite
def mutations(draw):
    name = draw(st.sampled_from(sorted(BUNDLED)))
    kind, data = BUNDLED[name]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths(data))))
        operation = draw(st.sampled_from(["replace", "add key", "drop"]))
        target = data
        for step in path:
            target = target[step]
        if operation == "add key" and isinstance(target, dict):
            key = draw(st.sampled_from(["leed", "x-council", "note", "colour", "sections", "due", "status"]))
            data = replaced(data, path, {**target, key: draw(REPLACEMENTS)})
        elif operation == "drop" and path:
            parent_path, last = path[:-1], path[-1]
            parent = data
            for step in parent_path:
                parent = parent[step]
            smaller = ({key: item for key, item in parent.items() if key != last} if isinstance(parent, dict)
                       else [item for index, item in enumerate(parent) if index != last])
            data = replaced(data, parent_path, smaller)
        else:
            data = replaced(data, path, draw(REPLACEMENTS))
    return kind, data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_the_same_errors_as_the_reference_on_mutated_plan_files(mutation):
    kind, data = mutation
    assert plangen_errors(kind, data) == reference_errors(kind, data)


def test_validation_imports_no_python_jsonschema(mini_plan):
    """Python's jsonschema is the tests' reference only: a plan with schema errors is checked without it."""
    edit(mini_plan / "priorities/01-assessments.yaml", "partners: [Health]", "partnrs: [Health]")
    code = ("import sys; from pathlib import Path; from plangen.validate import validate; "
            f"print(sorted(f.rule for f in validate(Path({str(mini_plan)!r})).findings if f.severity == 'error')); "
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('jsonschema', 'referencing')))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.splitlines() == ["['unknown-key']", "[]"]


def test_dates_are_checked_as_dates_in_a_file_with_another_mistake(mini_plan):
    """jsonschema-rs keeps annotations (x-plangen: date) only for a conforming file; the dates are
    found without them, behind a $ref into another schema file and inside a nested mapping."""
    report = mini_plan / "reports/2026-02-scrutiny-update.yaml"
    edit(report, "  date: 2026-02-10\n", "  date: 2026-02-30\n")
    edit(report, "general_release: true\n", "general_release: true\ncolour: red\nas_of: 1899-12\n")
    found = sorted((finding.rule, finding.message) for finding in validate(mini_plan, datetime.date(2026, 1, 1)).findings
                   if finding.file.endswith("scrutiny-update.yaml") and finding.severity == "error")
    assert [rule for rule, _ in found] == ["bad-date", "bad-date", "unknown-key"]
    assert found[0][1].startswith("as_of: '1899-12'") and found[1][1].startswith("meeting.date: '2026-02-30'")
