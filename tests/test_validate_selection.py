"""What an author sees from `plangen validate`: files as pre-commit passes them, rule selection, inline
ignore comments, no follow-on findings, the value as typed, and overdue actions counted unless asked for."""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import edit, position, run_cli
from plangen.validate import validate

PRIORITY = "priorities/01-assessments.yaml"


def rules_of(completed) -> list[str]:
    return [item["rule"] for item in json.loads(completed.stdout)]


def test_validate_a_file_reports_that_files_findings(mini_plan):
    edit(mini_plan / PRIORITY, "partners: [Health]", "partnrs: [Health]")
    edit(mini_plan / "people.yaml", "role: Head of Service, Assessment", "role: Head of Service\n    roll: x")
    completed = run_cli("validate", mini_plan / PRIORITY, "--format", "json", "--as-of", "2026-01-01")
    assert completed.returncode == 1
    found = json.loads(completed.stdout)
    assert [(item["file"], item["rule"]) for item in found] == [(str(mini_plan / PRIORITY), "unknown-key")]
    # two files of the same plan: one validation, both files' findings
    completed = run_cli("validate", mini_plan / PRIORITY, mini_plan / "people.yaml", "--format", "json", "--as-of", "2026-01-01")
    assert sorted(item["file"] for item in json.loads(completed.stdout)) == sorted(
        [str(mini_plan / PRIORITY), str(mini_plan / "people.yaml")])
    # a clean file of a broken plan passes
    completed = run_cli("validate", mini_plan / "plan.yaml", "--as-of", "2026-01-01")
    assert completed.returncode == 0, completed.stdout
    assert completed.stdout.strip() == "0 errors, 0 warnings"


def test_validate_a_file_outside_any_plan_is_a_usage_error(tmp_path):
    stray = tmp_path / "stray.yaml"
    stray.write_text("a: 1\n")
    completed = run_cli("validate", stray)
    assert completed.returncode == 2
    assert f"{stray} is not part of a plan" in completed.stderr


def test_plan_option_and_relative_files_from_the_repository(mini_plan):
    repository = mini_plan.parent
    assert run_cli("validate", "--plan", "plan", "--as-of", "2026-01-01", cwd=repository).returncode == 0
    assert run_cli("validate", "-p", "plan", "--as-of", "2026-01-01", cwd=repository).returncode == 0
    text = edit(mini_plan / PRIORITY, "partners: [Health]", "partnrs: [Health]")
    line, column = position(text, "partnrs")
    completed = run_cli("validate", f"plan/{PRIORITY}", "--as-of", "2026-01-01", cwd=repository)
    assert completed.returncode == 1
    assert completed.stdout.startswith(f"plan/{PRIORITY}:{line}:{column}: error: groups[0].actions[0].partnrs: unknown key")


def test_select_and_ignore(mini_plan):
    edit(mini_plan / PRIORITY, "partners: [Health]", "partnrs: [Health]")
    edit(mini_plan / PRIORITY, "sro: DCS", "sro: ZZ")
    everything = rules_of(run_cli("validate", mini_plan, "--format", "json", "--as-of", "2027-07-01"))
    assert sorted(set(everything)) == ["overdue", "unknown-key", "unknown-person"]
    completed = run_cli("validate", mini_plan, "--format", "json", "--as-of", "2027-07-01", "--select", "overdue,unknown-person")
    assert sorted(set(rules_of(completed))) == ["overdue", "unknown-person"]
    assert completed.returncode == 0  # draft plan: unknown-person is a warning; the unknown key is not selected
    completed = run_cli("validate", mini_plan, "--format", "json", "--as-of", "2027-07-01", "--ignore", "overdue", "--ignore", "unknown-key")
    assert rules_of(completed) == ["unknown-person"]
    completed = run_cli("validate", mini_plan, "--ignore", "overdu")
    assert completed.returncode == 2
    assert "--ignore overdu: no such rule" in completed.stderr and "did you mean 'overdue'?" in completed.stderr


def test_an_ignore_comment_silences_that_rule_on_that_line(mini_plan):
    edit(mini_plan / PRIORITY, "sro: DCS", "sro: ZZ  # plangen: ignore[unknown-person]")
    assert [finding.rule for finding in validate(mini_plan, datetime.date(2026, 1, 1)).findings] == []
    # another rule on the line is still reported, and the comment that silences nothing is reported too
    edit(mini_plan / PRIORITY, "ignore[unknown-person]", "ignore[overdue]")
    found = validate(mini_plan, datetime.date(2026, 1, 1)).findings
    assert sorted(finding.rule for finding in found) == ["unknown-person", "unused-ignore"]
    text = edit(mini_plan / PRIORITY, "ignore[overdue]", "ignore[unknown-persn]")
    [unused] = [finding for finding in validate(mini_plan, datetime.date(2026, 1, 1)).findings if finding.rule == "unused-ignore"]
    assert unused.message == "'# plangen: ignore' names no such rule: unknown-persn"
    assert unused.hint == "did you mean 'unknown-person'?"
    assert (unused.line, unused.column) == position(text, "# plangen")
    # a bare comment silences every rule on its line; errors too
    edit(mini_plan / "plan.yaml", "status: draft", "status: approved")
    edit(mini_plan / PRIORITY, "# plangen: ignore[unknown-persn]", "# plangen: ignore")
    result = validate(mini_plan, datetime.date(2026, 1, 1))
    assert result.findings == [] and result.ok


def test_a_misspelt_key_gives_one_finding_not_a_missing_lead_too(mini_plan):
    edit(mini_plan / "plan.yaml", "status: draft", "status: approved")
    text = edit(mini_plan / PRIORITY, "        lead: HoS\n        partners: [Health]", "        laed: HoS\n        partners: [Health]")
    result = validate(mini_plan, datetime.date(2026, 1, 1))
    assert [(finding.rule, finding.message) for finding in result.findings] == [
        ("unknown-key", "groups[0].actions[0].laed: unknown key 'laed'")]
    assert (result.findings[0].line, result.findings[0].column) == position(text, "laed")
    # a lead that is really missing is still reported
    edit(mini_plan / PRIORITY, "        laed: HoS\n", "        x-note: no lead yet\n")
    assert [finding.rule for finding in validate(mini_plan, datetime.date(2026, 1, 1)).findings] == ["missing-lead"]


@pytest.mark.parametrize(("typed", "rule", "message"), [
    ("due: banana", "bad-date", "groups[0].actions[0].due: 'banana' is not a valid date"),
    ("due: [2027-06]", "bad-date", "groups[0].actions[0].due: ['2027-06'] is not a valid date"),
    ("due: 2027", "bad-date", "groups[0].actions[0].due: 2027 is not a valid date"),
    ("due: {from: banana}", "bad-date", "groups[0].actions[0].due: {'from': 'banana'} is not a valid date"),
    ("lead: 42", "wrong-type", "groups[0].actions[0].lead: a lead must be an id from the people register, or a list of ids; found a number"),
    ("lead: {name: HoS}", "wrong-type", "groups[0].actions[0].lead: a lead must be an id from the people register, or a list of ids; found a mapping"),
])
def test_a_bad_due_or_lead_gives_one_finding_not_a_missing_due_or_lead_too(mini_plan, typed, rule, message):
    """The value is wrong, not missing: missing-due and missing-lead (strict rules, errors once the
    plan is approved) would only repeat the finding at the same line."""
    edit(mini_plan / "plan.yaml", "status: draft", "status: approved")
    key = typed.split(":")[0]
    text = edit(mini_plan / PRIORITY, "        lead: HoS\n        partners: [Health]\n        due: 2027-06\n",
                "        lead: HoS\n        partners: [Health]\n        due: 2027-06\n".replace(f"{key}: " + ("HoS" if key == "lead" else "2027-06"), typed))
    result = validate(mini_plan, datetime.date(2026, 1, 1))
    assert [(finding.rule, finding.message) for finding in result.findings] == [(rule, message)]
    assert result.findings[0].line == position(text, typed)[0]
    # the same action with the key really left out is still reported
    edit(mini_plan / PRIORITY, f"        {typed}\n", "")
    assert [finding.rule for finding in validate(mini_plan, datetime.date(2026, 1, 1)).findings] == [f"missing-{key}"]


def test_an_unquoted_number_is_shown_as_typed_and_is_not_a_duplicate(mini_plan):
    edit(mini_plan / PRIORITY, 'number: "1.2"', 'number: "1.10"')
    text = edit(mini_plan / PRIORITY, 'number: "1.10"', "number: 1.10")
    result = validate(mini_plan, datetime.date(2026, 1, 1))
    assert [(finding.rule, finding.message, finding.hint) for finding in result.findings] == [
        ("wrong-type", "groups[0].actions[1].number: 1.10 must be text, not a number",
         'quote it: "1.10" (unquoted, YAML reads it as the number 1.1)')]
    assert (result.findings[0].line, result.findings[0].column) == position(text, "1.10\n")
    # the action keeps the number the author meant
    assert [action.number for action in result.plan.actions] == ["1.1", "1.10"]


def test_overdue_actions_are_counted_against_today_and_listed_when_asked(mini_plan):
    # due June 2027: overdue against any real "today" after it, and against an explicit later date
    # (action 1.2's two steps each count: 1.2a was due in March, 1.2b in June)
    completed = run_cli("validate", mini_plan, "--as-of", "2027-07-01")
    assert completed.stdout.count("[overdue]") == 3
    completed = run_cli("validate", mini_plan, "--as-of", "2027-07-01", "--format", "github")
    assert completed.stdout.strip() == ("::notice title=plangen overdue::2 actions overdue at 2027-07-01 "
                                        "(3 dates, counting each step): 1.1, 1.2a, 1.2b")
    plan_yaml = mini_plan / PRIORITY
    edit(plan_yaml, "due: 2027-06", "due: 2019-06", count=2)
    edit(plan_yaml, "due: 2027-03", "due: 2019-03")
    completed = run_cli("validate", mini_plan)
    today = datetime.date.today().isoformat()
    assert "[overdue]" not in completed.stdout
    assert completed.stdout.strip().splitlines() == [
        f"note: 2 actions past their date and not complete at {today} (today; 3 dates, counting each step); "
        "list them with --select overdue, or give --as-of DATE",
        "0 errors, 0 warnings"]
    completed = run_cli("validate", mini_plan, "--select", "overdue")
    assert completed.stdout.count("[overdue]") == 3
    completed = run_cli("validate", mini_plan, "--format", "json")
    assert rules_of(completed) == ["overdue", "overdue", "overdue"]
