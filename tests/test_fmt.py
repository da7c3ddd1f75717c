"""plangen fmt: canonical form, comments kept, idempotent, --check changes nothing."""

from __future__ import annotations

from conftest import edit, run_cli
from plangen.fmt import format_text
from plangen.yamlio import new_yaml, to_plain

PRIORITY = "priorities/01-assessments.yaml"

MESSY = '''# yaml-language-server: $schema=../../schema/priority.schema.json
# Owned by the assessment service.
title: 'Improve the quality of assessments'   # agreed wording
groups:
- actions:
  - due: 2027-06
    text: "Deliver training."
    number: "1.1"
    partners:
    - Health
    - Police
    lead: HoS  # named by the DCS
    refs:
      recommendations:
      - "1"
  title: Assessments
number: "1"
'''


def test_fmt_orders_keys_normalises_style_and_keeps_comments():
    formatted = format_text(MESSY, "priority")
    assert formatted == '''# yaml-language-server: $schema=../../schema/priority.schema.json
# Owned by the assessment service.
number: "1"
title: Improve the quality of assessments     # agreed wording
groups:
  - title: Assessments
    actions:
      - number: "1.1"
        refs: {recommendations: ["1"]}
        text: Deliver training.
        lead: HoS # named by the DCS
        partners: [Health, Police]
        due: 2027-06
'''
    assert to_plain(new_yaml().load(formatted)) == to_plain(new_yaml().load(MESSY))


def test_fmt_is_idempotent():
    once = format_text(MESSY, "priority")
    assert format_text(once, "priority") == once


def test_multiline_text_becomes_a_literal_block():
    text = 'number: "1"\ntitle: T\nintroduction: "First paragraph.\\n\\n- a bullet"\ngroups: []\n'
    assert "introduction: |-\n  First paragraph.\n\n  - a bullet\n" in format_text(text, "priority")


def test_check_reports_and_changes_nothing(mini_plan):
    path = mini_plan / PRIORITY
    edit(path, 'partners: [Health]', 'partners:\n          - Health')
    before = path.read_bytes()
    completed = run_cli("fmt", "--check", mini_plan)
    assert completed.returncode == 1
    assert f"would reformat {path}" in completed.stdout
    assert path.read_bytes() == before
    completed = run_cli("fmt", mini_plan)
    assert completed.returncode == 0
    assert "partners: [Health]" in path.read_text()
    assert run_cli("fmt", "--check", mini_plan).returncode == 0


def test_fmt_refuses_broken_files_and_names_them(mini_plan):
    edit(mini_plan / PRIORITY, "title: Improve", "title: [Improve")
    completed = run_cli("fmt", mini_plan)
    assert completed.returncode == 1
    assert "yaml-syntax" in completed.stdout
