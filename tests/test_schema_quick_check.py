"""schemas.conforms lets validation skip jsonschema on a valid plan. It must never say "valid" where
jsonschema finds an error; these tests hold it to jsonschema's verdict on real and broken data."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, SCAFFOLD_PLAN
from plangen import schemas
from plangen.repository import load_sources
from test_bad_inputs import CASES, prepare

PLANS = {
    "bundled": REPO / "plan",
    "draft example": REPO / "examples" / "croydon-2017-10-draft" / "plan",
    "areas fixture": REPO / "tests" / "fixtures" / "areas-plan",
    "scaffold": SCAFFOLD_PLAN,
}


def jsonschema_accepts(kind: str, data) -> bool:
    return not any(True for _ in schemas.validator(kind).iter_errors(data))


def loaded(root: Path):
    sources, _ = load_sources(root)
    return [source for source in sources if source.data is not None]


@pytest.mark.parametrize("name", PLANS)
def test_every_file_of_a_valid_plan_takes_the_quick_path(name):
    sources = loaded(PLANS[name])
    assert {source.kind for source in sources} >= {"plan", "people", "priority"}
    for source in sources:
        assert jsonschema_accepts(source.kind, source.data), source.path
        assert schemas.conforms(source.kind, source.data), source.path


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_quick_check_agrees_with_jsonschema_on_the_bad_input_corpus(case, tmp_path):
    plan = prepare(case, tmp_path)
    for source in loaded(plan):
        assert schemas.conforms(source.kind, source.data) == jsonschema_accepts(source.kind, source.data), source.path


def test_a_keyword_it_does_not_know_means_not_certain():
    assert not schemas.conforms_to({"type": "integer", "maximum": 3}, 2)
    assert schemas.conforms_to({"type": "integer"}, 2)


def test_recursive_report_sections_are_checked_at_depth():
    report = loaded(REPO / "plan")
    data = next(source.data for source in report if source.kind == "report")
    nested = {**data, "sections": [{"title": "Outer", "sections": [{"title": "Inner", "colour": "red"}]}]}
    assert schemas.conforms("report", {**data, "sections": [{"title": "Outer", "sections": [{"title": "Inner"}]}]})
    assert not jsonschema_accepts("report", nested)
    assert not schemas.conforms("report", nested)


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
def test_quick_check_agrees_with_jsonschema_on_mutated_plan_files(mutation):
    kind, data = mutation
    assert schemas.conforms(kind, data) == jsonschema_accepts(kind, data)
