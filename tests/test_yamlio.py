"""yamlio parses with a resolver of its own (for speed); it must type every scalar exactly as
ruamel.yaml's own resolver does, and keep every node's position."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from conftest import REPO, SCAFFOLD_PLAN
from plangen.yamlio import compose

TRICKY = """\
plain: text
quoted: "yes"
booleans: [yes, no, on, off, true, False, TRUE]
nulls: [null, ~, Null]
blank:
ints: [1, -3, 0x1F, 0o17, 1_000, 010]
floats: [1.10, -.5, .inf, -.Inf, .nan, 6.02e23, 1e3]
dates: [2017-12-12, 2017-12, 2017-02-31]
timestamp: 2017-12-12T10:00:00
forced: !!str 3
empty_string: ''
odd: [=, <<, 1.1.1, "1.10", '0x1F', -]
"""


def nodes(node, position=()):
    """Every node as (path, kind, tag, value if scalar, line, column)."""
    value = node.value if isinstance(node.value, str) else None
    yield position, type(node).__name__, node.tag, value, node.start_mark.line, node.start_mark.column
    if isinstance(node.value, list):
        for index, item in enumerate(node.value):
            if isinstance(item, tuple):
                yield from nodes(item[0], position + (index, "key"))
                yield from nodes(item[1], position + (index, "value"))
            else:
                yield from nodes(item, position + (index,))


def yaml_files():
    roots = [REPO / "plan", REPO / "examples", REPO / "tests" / "fixtures", SCAFFOLD_PLAN]
    return sorted(path for root in roots for path in root.rglob("*.yaml"))


@pytest.mark.parametrize("text", [TRICKY] + [path.read_text(encoding="utf-8") for path in yaml_files()],
                         ids=["tricky scalars"] + [str(path.relative_to(REPO)) if REPO in path.parents else path.name
                                                   for path in yaml_files()])
def test_every_node_is_typed_and_placed_as_ruamel_yaml_does(text):
    ours = list(nodes(compose(text)))
    theirs = list(nodes(YAML(typ="safe").compose(text)))
    assert ours == theirs
    assert len(ours) > 10


def test_positions_after_validation_compose_the_file_again():
    """validate drops each file's composed tree once its findings have their positions (most of a
    large plan's memory); a position asked for later is still the right one."""
    from pathlib import Path

    from plangen.validate import validate

    root = Path(__file__).resolve().parent.parent / "plan"
    result = validate(root)
    source = next(source for source in result.plan.files if source.kind == "priority")
    assert source.tree is None and source.tree_released
    path = ("groups", 0, "actions", 0, "lead")
    line, column = source.position(path)
    typed = source.text.splitlines()[line - 1]
    assert typed[column - 1:].startswith(str(source.data["groups"][0]["actions"][0]["lead"]).strip("[]'")[:3])
    assert source.position(path, at_key=True)[1] < column and typed.lstrip().startswith("lead")
