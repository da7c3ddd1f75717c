"""The document-kind interface: a kind from outside plangen registers through the documented
interface (an installed package's `plangen.kinds` entry point) and is then listed, its context shown,
built and rendered like the shipped kinds. The schemas' report kinds and generated tables match the registry."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from conftest import REPO
from docx_reading import convert_to_pdf_text, document_text, normalise

KIND_MODULE = '''
NAME = "action-register"
TEMPLATE = "action-register.docx"
OUTPUT = "action-register.docx"
DESCRIPTION = "Every action with its number, as one list"


def title(plan, report=None):
    return plan.title + " - action register"


def build_context(plan, report=None):
    return {"heading": "Action register", "actions": [
        {"number": action.number, "text": " ".join(action.text.split())} for action in plan.actions]}
'''


def make_template(path: Path) -> None:
    document = Document()
    document.add_heading("{{ heading }}", 1)
    document.add_paragraph("{%p for action in actions %}")
    document.add_paragraph("{{ action.number }}: {{ action.text }}")
    document.add_paragraph("{%p endfor %}")
    document.save(str(path))


@pytest.fixture
def installed_kind(tmp_path) -> dict:
    """A package on the path with a `plangen.kinds` entry point, as `pip install` would leave it."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "action_register.py").write_text(KIND_MODULE)
    make_template(site / "action-register.docx")
    info = site / "action_register-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: action-register\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[plangen.kinds]\naction-register = action_register\n")
    path = os.pathsep.join(part for part in (str(site), os.environ.get("PYTHONPATH", "")) if part)
    return {**os.environ, "PYTHONPATH": path}


def plangen(environment, *arguments) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plangen", *map(str, arguments)], capture_output=True, text=True,
                          env=environment)


def test_an_installed_kind_is_listed_shown_built_and_rendered(installed_kind, mini_plan, tmp_path):
    from plangen import api

    listed = plangen(installed_kind, "kinds")
    assert listed.returncode == 0, listed.stderr
    assert "action-register" in listed.stdout and "build/action-register.docx" in listed.stdout

    shown = plangen(installed_kind, "context", "action-register", "--plan", mini_plan, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    context = json.loads(shown.stdout)
    plan = api.load(mini_plan)
    assert [item["number"] for item in context["actions"]] == [action.number for action in plan.actions]

    built = plangen(installed_kind, "build", mini_plan, "--output", tmp_path / "out")
    assert built.returncode == 0, built.stdout + built.stderr
    written = tmp_path / "out" / "action-register.docx"
    assert (tmp_path / "out" / "improvement-plan.docx").is_file()
    text = normalise(document_text(written))
    pdf_text = normalise(convert_to_pdf_text(written))
    for action in plan.actions:
        line = normalise(f"{action.number}: {action.text}")
        assert line in text
        assert normalise(f"{action.number}:") in pdf_text
    assert Document(str(written)).core_properties.title == plan.title + " - action register"

    rendered = plangen(installed_kind, "render", "action-register", "--plan", mini_plan, "--output", tmp_path / "one")
    assert rendered.returncode == 0, rendered.stderr
    assert (tmp_path / "one" / "action-register.docx").is_file()


def test_without_the_package_the_kind_is_unknown(mini_plan):
    shown = plangen(dict(os.environ), "context", "action-register", "--plan", mini_plan)
    assert shown.returncode == 2
    assert "unknown document kind 'action-register'" in shown.stderr


def test_register_refuses_what_is_not_a_kind_and_a_taken_name():
    from types import SimpleNamespace

    from plangen.documents import registry
    from plangen.errors import UsageError

    with pytest.raises(UsageError, match="lacks TEMPLATE"):
        registry.register(SimpleNamespace(NAME="x", DESCRIPTION="", build_context=dict, title=str))
    impostor = SimpleNamespace(NAME="plan", TEMPLATE="plan.docx", DESCRIPTION="", OUTPUT="x.docx",
                               build_context=dict, title=str)
    with pytest.raises(UsageError, match="two document kinds are named 'plan'"):
        registry.register(impostor)


def test_report_kinds_in_the_schema_are_the_registered_report_kinds():
    from plangen.documents import registry

    schema = json.loads((REPO / "schema" / "report.schema.json").read_text())
    assert set(schema["properties"]["kind"]["enum"]) == set(registry.REPORT_KINDS)


def test_every_generated_table_the_schema_allows_is_generated_by_a_registered_kind():
    """Each name in the schema's `generated` list, asked of every report kind: at least one kind makes
    something other than what it makes for a name nobody generates."""
    from plangen import api
    from plangen.context_dump import to_plain
    from plangen.documents import registry

    schema = json.loads((REPO / "schema" / "report.schema.json").read_text())
    names = schema["$defs"]["section"]["properties"]["generated"]["items"]["enum"]
    plan = api.load(REPO / "plan")
    real_report = plan.reports[0]

    def report_asking_for(kind: str, name: str):
        report = copy.copy(real_report)
        report.data = {**real_report.data, "kind": kind, "sections": [{"title": "Tables", "generated": [name]}]}
        return report

    def generated_part(kind, name: str) -> str:
        shown = json.dumps(to_plain(api.context(plan, kind, report_asking_for(kind.NAME, name))), default=str)
        return shown.replace(name, "NAME")

    for name in names:
        makers = [kind.NAME for kind in registry.REPORT_KINDS.values()
                  if generated_part(kind, name) != generated_part(kind, "no-such-table")]
        assert makers, f"no registered report kind generates '{name}'"
