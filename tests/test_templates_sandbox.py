"""Templates are untrusted: every known escape fails with exit 4 and leaves no trace.

Each gadget runs through the real command line against a copy of the bundled plan, with the
template placed where a clerk's own template goes (the plan repository's templates/ folder).
"""

from __future__ import annotations

import os
import shutil
import string
import time
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, SCAFFOLD_PLAN, run_cli

SCRUTINY = "plan/reports/2017-12-12-scrutiny-update.yaml"

# The gadget of the security issue, verbatim but for the marker file's path (filled in per test).
ISSUE_GADGET = (
    "{% if flag is defined %}{{ cycler.__init__.__globals__.os.system('id > MARKER') }}{% else %}"
    "{% for item in appendix_items|selectattr('kind','equalto','table')|list %}{% if loop.first %}"
    "{{ item.table.tpl.render({'flag':1}) }}{% endif %}{% endfor %}{% endif %}"
)

REPORT_GADGETS = [
    ISSUE_GADGET,
    "{% for item in appendix_items %}{% if item.table is defined %}{{ item.table.subdocx.save('plan/people.yaml') }}"
    "{% endif %}{% endfor %}",
    "{% for item in appendix_items %}{% if item.table is defined %}"
    "{{ item.table.tpl.replace_zipname('docProps/app.xml', '/etc/hostname') }}{% endif %}{% endfor %}",
    "{% for item in appendix_items %}{% if item.table is defined %}{{ item.table.tpl.docx.save('MARKER') }}"
    "{% endif %}{% endfor %}",
    "{% for item in items %}{{ item.text.add('x') }}{{ item.text.xml }}{% endfor %}",
    "{% for item in appendix_items %}{{ item.table|attr('tpl') }}{% endfor %}",
    "{% for item in items %}{{ item.text.__class__.__mro__ }}{% endfor %}",
]

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ title.upper.__self__ }}",
    "{{ labels.__class__.__init__.__globals__ }}",
    "{% for key in labels.__class__.__base__.__subclasses__() %}{{ key }}{% endfor %}",
    "{{ range.__call__.__self__ }}",
    "{{ title.format.__globals__ }}",
    "{{ title.format('{0.__class__}', title) }}",
    "{{ title.format_map(labels) }}",
    "{{ title.encode('utf-8') }}",
    "{{ labels.update({'x': 1}) }}",
    "{{ labels.pop('status') }}",
    "{{ labels|attr('update') }}",
    "{{ sections.append(1) }}",
    "{{ sections.__getitem__(0) }}",
    "{% include 'plan/people.yaml' %}",
    "{% import 'os' as os %}",
    "{% extends '/etc/hostname' %}",
    "{{ self.__dict__ }}",
    "{{ loop.__class__ }}",
    "{% for x in sections %}{{ loop.__init__.__globals__ }}{% endfor %}",
]

HEAVY = [
    "{{ 9**(9**9) }}",
    "{{ 2**100000 }}",
    "{{ (10**70) * (10**70) }}",
    "{{ 'x' * 10**9 }}",
    "{{ [1] * 10**9 }}",
    "{{ 'x'|center(10**9) }}",
    "{{ title.center(10**9) }}",
    "{{ '%999999999s'|format(1) }}",
    "{{ '%999999999s' % 1 }}",
    "{{ 'x'|indent(10**9) }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    # doubling a text held in a namespace is not one operator the sandbox sees: the memory limit ends it
    "{% set ns = namespace(x='ab') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x|length }}",
]


def repository(tmp_path, body: str, name: str, plan: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(plan, root / "plan")
    (root / "templates").mkdir()
    template = Document()
    template.add_paragraph(body.replace("MARKER", str(tmp_path / "marker")))
    template.save(str(root / "templates" / name))
    return root


def snapshot(root: Path) -> dict:
    return {path: path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def assert_refused(completed, tmp_path, before: dict, root: Path, output: Path):
    assert completed.returncode == 4, completed.stdout + completed.stderr
    assert completed.stderr.startswith("plangen: template "), completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "marker").exists(), "the template ran a command or wrote a file"
    assert snapshot(root) == before, "the template changed a file of the plan repository"
    assert not output.exists() or not any(output.rglob("*.docx")), "a refused render wrote a document"


@pytest.mark.parametrize("body", REPORT_GADGETS)
def test_report_template_gadgets_are_refused_without_side_effects(tmp_path, body):
    root = repository(tmp_path, body, "report.docx", REPO / "plan")
    before = snapshot(root)
    output = tmp_path / "out"
    completed = run_cli("render", "report", root / SCRUTINY, "--output", output)
    assert_refused(completed, tmp_path, before, root, output)


@pytest.mark.parametrize("body", ESCAPES)
def test_plan_template_escapes_are_refused(tmp_path, body):
    root = repository(tmp_path, body, "plan.docx", SCAFFOLD_PLAN)
    before = snapshot(root)
    output = tmp_path / "out"
    completed = run_cli("render", "plan", "--plan", root / "plan", "--output", output)
    assert_refused(completed, tmp_path, before, root, output)


@pytest.mark.parametrize("body", HEAVY)
def test_templates_cannot_exhaust_time_or_memory(tmp_path, body):
    root = repository(tmp_path, body, "plan.docx", SCAFFOLD_PLAN)
    before = snapshot(root)
    output = tmp_path / "out"
    started = time.monotonic()
    completed = run_cli("render", "plan", "--plan", root / "plan", "--output", output)
    assert time.monotonic() - started < 60
    assert_refused(completed, tmp_path, before, root, output)
    assert "refused" in completed.stderr


def test_a_template_that_loops_for_ever_is_stopped_by_the_time_limit(tmp_path):
    body = "{% for a in range(100000) %}{% for b in range(100000) %}{{ b }}{% endfor %}{% endfor %}"
    root = repository(tmp_path, body, "plan.docx", SCAFFOLD_PLAN)
    output = tmp_path / "out"
    environment = dict(os.environ, PLANGEN_RENDER_SECONDS="3")
    started = time.monotonic()
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-m", "plangen", "render", "plan", "--plan", str(root / "plan"),
                                "--output", str(output)], capture_output=True, text=True, env=environment)
    elapsed = time.monotonic() - started
    assert completed.returncode == 4, completed.stderr
    assert "took too long" in completed.stderr or "memory" in completed.stderr
    assert elapsed < 30
    assert not output.exists() or not any(output.rglob("*.docx"))


def test_a_large_document_s_template_that_runs_away_is_stopped_in_the_process_making_its_xml(tmp_path):
    """Past its first 2 M characters a document's XML is made in a child of the render worker
    (worker.continued_in_child): a table whose rows would take hours gets there within a second,
    and is still stopped by the time limit, with the same refusal and nothing written."""
    import subprocess
    import sys

    root = tmp_path / "repo"
    shutil.copytree(SCAFFOLD_PLAN, root / "plan")
    (root / "templates").mkdir()
    template = Document()
    table = template.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = "{%tr for a in range(100000) %}"
    table.rows[1].cells[0].text = "{% for b in range(100000) %}{{ b }} {% endfor %}"
    table.rows[1].cells[1].text = "{{ title }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    template.save(str(root / "templates" / "plan.docx"))
    output = tmp_path / "out"
    environment = dict(os.environ, PLANGEN_RENDER_SECONDS="3")
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-m", "plangen", "render", "plan", "--plan", str(root / "plan"),
                                "--output", str(output)], capture_output=True, text=True, env=environment)
    assert completed.returncode == 4, completed.stderr
    assert "refused: the render took too long" in completed.stderr or "memory" in completed.stderr, completed.stderr
    assert "Traceback" not in completed.stderr
    assert time.monotonic() - started < 60
    assert not output.exists() or not any(output.rglob("*.docx"))


def test_harmless_template_features_still_work(tmp_path):
    body = ("{% set counter = namespace(total=0) %}{% for section in sections %}{% set counter.total = counter.total + 1 %}"
            "{% endfor %}[{{ counter.total }}|{{ title|upper }}|{{ title.split(' ')|length }}|{{ labels.get('status') }}|"
            "{% for key, value in labels.items() %}{% if loop.first %}{{ key }}{% endif %}{% endfor %}|"
            "{{ 6 * 7 }}|{{ 2 ** 10 }}|{{ '%05.1f'|format(3.14159) }}]")
    root = repository(tmp_path, body, "plan.docx", SCAFFOLD_PLAN)
    output = tmp_path / "out"
    completed = run_cli("render", "plan", "--plan", root / "plan", "--output", output)
    assert completed.returncode == 0, completed.stderr
    text = Document(str(output / "improvement-plan.docx")).paragraphs[0].text
    assert text.startswith("[1|")
    assert text.endswith("|42|1024|003.1]")
    assert "|Progress RAG|" in text or "|" in text


def test_template_syntax_error_is_reported(tmp_path):
    root = repository(tmp_path, "{% for x in %}", "plan.docx", SCAFFOLD_PLAN)
    completed = run_cli("render", "plan", "--plan", root / "plan", "--output", tmp_path / "out")
    assert completed.returncode == 4
    assert "plan.docx: syntax error" in completed.stderr
    assert str(root / "templates" / "plan.docx") in completed.stderr, "the message names the template's path"


def test_template_that_is_not_a_docx(tmp_path):
    root = repository(tmp_path, "x", "plan.docx", SCAFFOLD_PLAN)
    (root / "templates" / "plan.docx").write_text("not a zip")
    completed = run_cli("render", "plan", "--plan", root / "plan", "--output", tmp_path / "out")
    assert completed.returncode == 4
    assert "is not a .docx file" in completed.stderr or "not a readable .docx" in completed.stderr


def test_values_are_escaped_not_interpreted(tmp_path):
    root = repository(tmp_path, "{{ title }}", "plan.docx", SCAFFOLD_PLAN)
    plan_file = root / "plan" / "plan.yaml"
    plan_file.write_text(plan_file.read_text().replace("title: Children's Improvement Plan",
                                                        'title: "Plan <w:b/> & {{ 7*7 }} </w:t>"'))
    completed = run_cli("render", "plan", "--plan", root / "plan", "--output", tmp_path / "out")
    assert completed.returncode == 0, completed.stderr
    document = Document(str(tmp_path / "out" / "improvement-plan.docx"))
    assert document.paragraphs[0].text == "Plan <w:b/> & {{ 7*7 }} </w:t>"


# -- the context a template receives -------------------------------------------------------------

def contexts():
    """Every registered document kind's context for the bundled plan, as the renderer hands it over."""
    from plangen.documents import registry
    from plangen.sandbox import template_values
    from plangen.validate import validate

    plan = validate(REPO / "plan").plan
    found = [(name, template_values(module.build_context(plan))) for name, module in registry.KINDS.items()]
    for report in plan.reports:
        module = registry.REPORT_KINDS[report.data["kind"]]
        found.append((report.path.name, template_values(module.build_context(plan, report))))
    return found


def walk(value, where="context"):
    """Yield (where, value) for every value in a context, containers included."""
    yield where, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{where}[{index}]")


def test_every_context_holds_plain_values_only():
    from plangen.wordxml import RawXml

    plain = (dict, list, str, int, float, bool, type(None), RawXml)
    seen = set()
    for name, context in contexts():
        for where, value in walk(context, name):
            assert type(value) in plain, f"{where} is a {type(value).__name__}"
            if isinstance(value, dict):
                assert all(type(key) is str for key in value), where
            seen.add(type(value))
    assert RawXml in seen and dict in seen and list in seen  # the walk reached tables, rich text and data


@pytest.mark.parametrize("in_place", [False, True])
def test_a_non_plain_value_never_reaches_a_template(in_place):
    from plangen.sandbox import ContextError, template_values

    class Gadget:
        def save(self, path):
            raise AssertionError("reached")

    with pytest.raises(ContextError, match=r"context\.rows\[0\]\.cell: a Gadget"):
        template_values({"rows": [{"cell": Gadget()}]}, in_place=in_place)
    with pytest.raises(ContextError):
        template_values({"write": open}, in_place=in_place)
    with pytest.raises(ContextError):
        template_values({"rows": [{"cell": "fine"}, (1, Gadget())]}, in_place=in_place)


def test_a_context_given_up_is_made_plain_where_it_is_and_equals_the_copy():
    """api.document gives up the context it built: its dicts and lists become the plain data
    themselves (rich text replaced by its XML), equal to the copy made of a context still in use."""
    from plangen.documents import registry
    from plangen.sandbox import template_values
    from plangen.validate import validate
    from plangen.wordxml import RawXml

    plan = validate(REPO / "plan").plan
    for name, module in registry.KINDS.items():
        copied = template_values(module.build_context(plan))
        given = module.build_context(plan)
        settled = template_values(given, in_place=True)
        assert settled is given, name
        assert settled == copied, name
        kinds = {type(value) for _, value in walk(settled)}
        assert kinds <= {dict, list, str, int, float, bool, type(None), RawXml}, (name, kinds)


# -- attribute names fuzzed against the sandbox --------------------------------------------------

def _sample_objects():
    from plangen.wordxml import RawXml

    return ["text", RawXml("<w:r/>"), {"key": "value", "items": "shadowed"}, ["a", "b"], 7, 2.5, True, None]


ATTRIBUTE_NAMES = sorted({name for value in _sample_objects() for name in dir(value)}
                         | {name for kind in (type, object, Path, os.__class__) for name in dir(kind)}
                         | {"tpl", "docx", "subdocx", "save", "render", "replace_zipname", "system", "popen",
                            "read", "write", "open", "mro", "gi_frame", "f_globals", "func_globals"})


def test_format_methods_are_refused_like_any_other():
    from jinja2 import Undefined

    from plangen.sandbox import environment

    sandbox = environment()
    for name in ("format", "format_map", "encode", "maketrans"):
        assert isinstance(sandbox.getattr("text", name), Undefined), name


@settings(max_examples=400, deadline=None, derandomize=True)
@given(name=st.one_of(st.sampled_from(ATTRIBUTE_NAMES),
                      st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=20)),
       which=st.integers(min_value=0, max_value=7))
def test_fuzzed_attribute_names_reach_only_plain_values_or_allowed_methods(name, which):
    from jinja2 import Undefined

    from plangen.sandbox import SAFE_METHODS, environment, is_plain

    sandbox = environment()
    obj = _sample_objects()[which]
    for found in (sandbox.getattr(obj, name), sandbox.getitem(obj, name)):
        if isinstance(found, Undefined):
            continue
        if callable(found):
            owner = getattr(found, "__self__", None)
            assert owner is obj and name in SAFE_METHODS[type(obj)], (type(obj).__name__, name)
            assert sandbox.is_safe_callable(found)
        else:
            assert is_plain(found), (type(obj).__name__, name, type(found).__name__)
    # whatever the name, rendering it as a template expression never reaches a non-plain object
    result = sandbox.from_string("{{ obj[name] is defined }}").render(obj=obj, name=name)
    assert result in ("True", "False")


def test_a_context_given_up_never_changes_data_it_shares_with_the_plan():
    """Only the Word content a builder made is replaced where it is; a list the context shares with
    the plan's data is never changed (a context holding anything else to convert is copied)."""
    import datetime

    from docxtpl import RichText

    from plangen.sandbox import template_values

    shared = [datetime.date(2017, 11, 20), ("a", "b")]
    context = {"title": RichText("Plan"), "dates": shared, "rows": [{"cell": RichText("x")}]}
    values = template_values(context, in_place=True)
    assert shared == [datetime.date(2017, 11, 20), ("a", "b")]
    assert values["dates"] == ["2017-11-20", ["a", "b"]]
    assert values["title"] == RichText("Plan").xml and values["rows"][0]["cell"] == RichText("x").xml
