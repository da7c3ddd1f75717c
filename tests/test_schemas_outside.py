"""The shipped schemas work outside plangen: any JSON Schema tool resolves them offline from a folder,
`plangen schema` writes them out, and the top-level templates/ holds the templates the README names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from docx import Document

from conftest import REPO, edit, run_cli

KIND_FILES = {"plan": ["plan.yaml"], "people": ["people.yaml"], "indicators": ["indicators.yaml"],
              "priority": ["priorities/*.yaml"], "workforce": ["workforce/*.yaml"], "report": ["reports/*.yaml"]}


def check_jsonschema(schema: Path, files: list[Path]) -> subprocess.CompletedProcess:
    """check-jsonschema with every network request sent to a port where nothing listens."""
    offline = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
               "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": ""}
    command = [str(Path(sys.executable).with_name("check-jsonschema")), "--schemafile", str(schema), *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, env=offline)


def test_no_schema_names_a_host(tmp_path):
    for path in (REPO / "schema").glob("*.schema.json"):
        schema = json.loads(path.read_text())
        assert "$id" not in schema, path.name
        references = [value for value in _walk(schema) if isinstance(value, str) and value.startswith(("http:", "https:"))]
        assert references == ["https://json-schema.org/draft/2020-12/schema"], path.name


def _walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" or key == "$schema":
                yield value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_check_jsonschema_validates_the_bundled_plan_offline_with_the_written_schemas(tmp_path):
    folder = tmp_path / "schemas"
    completed = run_cli("schema", folder)
    assert completed.returncode == 0, completed.stderr
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(path.name for path in (REPO / "schema").glob("*.schema.json"))
    assert all(line.startswith("wrote ") for line in completed.stdout.splitlines())
    assert run_cli("schema", folder).stdout.count("unchanged ") == len(names)
    for kind, patterns in KIND_FILES.items():
        files = [path for pattern in patterns for path in sorted((REPO / "plan").glob(pattern))]
        assert files, kind
        completed = check_jsonschema(folder / f"{kind}.schema.json", files)
        assert completed.returncode == 0, (kind, completed.stdout + completed.stderr)
        assert "ok -- validation done" in completed.stdout


def test_check_jsonschema_finds_a_mistake_behind_a_reference(tmp_path, mini_plan):
    """The error is in a definition of common.schema.json, so the relative $ref was followed."""
    run_cli("schema", tmp_path / "schemas")
    edit(mini_plan / "priorities/01-assessments.yaml", "due: 2027-06", "due: June 2027")
    completed = check_jsonschema(tmp_path / "schemas" / "priority.schema.json", [mini_plan / "priorities/01-assessments.yaml"])
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "June 2027" in completed.stdout
    assert "RefResolutionError" not in completed.stdout + completed.stderr


def test_plangen_schema_refuses_a_file(tmp_path):
    (tmp_path / "schema").write_text("not a folder")
    completed = run_cli("schema", tmp_path / "schema")
    assert completed.returncode == 2
    assert "not a directory" in completed.stderr


def test_the_top_level_templates_folder_holds_the_templates():
    """A relative link inside the repository (as schema/ is), so it resolves in any clone."""
    link = REPO / "templates"
    if link.is_symlink():
        target = Path(os.readlink(link))
        assert not target.is_absolute()
        assert (REPO / target).resolve().is_relative_to(REPO.resolve())
    for name in ("plan.docx", "report.docx", "tracker.docx"):
        path = link / name
        assert path.is_file(), name
        assert Document(str(path)).paragraphs
