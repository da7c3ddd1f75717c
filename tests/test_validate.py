"""plangen validate on a small plan broken one way at a time: exact place, severity, message, exit code."""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import edit, position, run_cli
from plangen.validate import validate

PRIORITY = "priorities/01-assessments.yaml"


def findings_for(plan_dir, rule, as_of=None):
    result = validate(plan_dir, as_of)
    return [finding for finding in result.findings if finding.rule == rule], result


def approve(plan_dir):
    edit(plan_dir / "plan.yaml", "status: draft", "status: approved")


def test_the_example_plan_is_clean(mini_plan):
    result = validate(mini_plan, datetime.date(2026, 1, 1))
    assert result.findings == []
    completed = run_cli("validate", mini_plan, "--as-of", "2026-01-01")
    assert completed.returncode == 0
    assert completed.stdout.strip() == "0 errors, 0 warnings"


def test_unknown_lead_is_an_error_in_an_approved_plan(mini_plan):
    approve(mini_plan)
    text = edit(mini_plan / PRIORITY, "lead: HoS\n        partners: [Health]", "lead: XY\n        partners: [Health]")
    line, column = position(text, "XY")
    completed = run_cli("validate", mini_plan, "--as-of", "2026-01-01")
    assert completed.returncode == 1
    expected = (f"{mini_plan / PRIORITY}:{line}:{column}: error: action 1.1 lead: 'XY' is not in the people register "
                f"(known: DCS, HoS) [unknown-person]")
    assert expected in completed.stdout.replace(str(mini_plan.resolve()), str(mini_plan))
    assert "Traceback" not in completed.stderr


def test_unknown_lead_is_a_warning_in_a_draft(mini_plan):
    edit(mini_plan / PRIORITY, "lead: HoS\n        partners: [Health]", "lead: XY\n        partners: [Health]")
    found, result = findings_for(mini_plan, "unknown-person", datetime.date(2026, 1, 1))
    assert [finding.severity for finding in found] == ["warning"]
    assert result.ok


def test_unknown_sro(mini_plan):
    approve(mini_plan)
    text = edit(mini_plan / PRIORITY, "sro: DCS", "sro: DSC")
    found, _ = findings_for(mini_plan, "unknown-person")
    assert (found[0].line, found[0].column) == position(text, "DSC")
    assert found[0].message == "sro: 'DSC' is not in the people register (known: DCS, HoS)"
    assert found[0].hint.startswith("did you mean 'DCS'?")


def test_action_number_must_match_its_priority(mini_plan):
    text = edit(mini_plan / PRIORITY, 'number: "1.2"', 'number: "2.2"')
    found, result = findings_for(mini_plan, "action-number")
    assert not result.ok
    assert (found[0].line, found[0].column) == position(text, '"2.2"')
    assert found[0].message == "action 2.2 is in priority 1; its number should start with '1.'"


def test_duplicate_action_numbers_across_files(mini_plan):
    second = mini_plan / "priorities" / "02-copy.yaml"
    text = (mini_plan / PRIORITY).read_text().replace('number: "1"', 'number: "2"', 1).replace('"1.2"', '"2.2"')
    second.write_text(text)
    found, result = findings_for(mini_plan, "duplicate-action")
    assert not result.ok
    assert len(found) == 1
    assert found[0].file.endswith("02-copy.yaml")
    assert (found[0].line, found[0].column) == position(text, '"1.1"')
    assert found[0].message == "action 1.1 is numbered twice"
    assert found[0].hint == f"first at {mini_plan / PRIORITY}:{position(text, chr(34) + '1.1' + chr(34))[0]}".replace(
        str(mini_plan), str(mini_plan)) or found[0].hint.endswith(f"01-assessments.yaml:{position(text, chr(34) + '1.1')[0]}")


@pytest.mark.parametrize("reference, shown, number", [
    ("see action 7.8", "see action 7.8", "7.8"),
    ("[action ref 2.10]", "[action ref 2.10]", "2.10"),
])
def test_dangling_action_reference(mini_plan, reference, shown, number):
    text = edit(mini_plan / PRIORITY, "Audit assessments quarterly", f"Audit assessments quarterly ({reference})")
    found, result = findings_for(mini_plan, "dangling-reference")
    assert not result.ok
    assert found[0].message == f"'{shown}' refers to action {number}, which does not exist"
    assert found[0].line == position(text, reference)[0]


def test_indicator_reference_needs_an_indicator(mini_plan):
    edit(mini_plan / PRIORITY, "Audit assessments quarterly", "Audit assessments quarterly [indicator FD 8]")
    found, _ = findings_for(mini_plan, "dangling-reference")
    assert found[0].message == "'[indicator FD 8]' refers to indicator FD8, which does not exist"


def test_resolving_reference_is_fine(mini_plan):
    edit(mini_plan / PRIORITY, "Audit assessments quarterly", "Audit assessments quarterly (see action 1.1)")
    found, _ = findings_for(mini_plan, "dangling-reference")
    assert found == []


def test_unaddressed_recommendation_is_a_warning(mini_plan):
    text = edit(mini_plan / "plan.yaml", "      to: local authority\n",
                "      to: local authority\n    - number: \"2\"\n      text: Improve planning.\n")
    found, result = findings_for(mini_plan, "unaddressed-recommendation")
    assert result.ok
    assert [(finding.severity, finding.message) for finding in found] == [
        ("warning", "recommendation 2 is not addressed by any priority or action")]
    assert found[0].line == position(text, '- number: "2"')[0]


@pytest.mark.parametrize("bad, message", [
    ("2027-13", "'2027-13' has month 13; months run from 01 to 12"),
    ("2027-02-31", "'2027-02-31': Feb 2027 has 28 days"),
])
def test_impossible_dates(mini_plan, bad, message):
    text = edit(mini_plan / PRIORITY, "due: 2027-03", f"due: {bad}")
    found, result = findings_for(mini_plan, "bad-date")
    assert not result.ok
    assert found[0].message == message
    assert (found[0].line, found[0].column) == position(text, bad)


def test_free_text_date_is_refused_with_the_forms_that_work(mini_plan):
    text = edit(mini_plan / PRIORITY, "due: 2027-06\n", "due: Dec 17\n")
    found, _ = findings_for(mini_plan, "bad-date")
    assert found[0].message == "groups[0].actions[0].due: 'Dec 17' is not a valid date"
    assert "YYYY-MM" in found[0].hint
    assert (found[0].line, found[0].column) == position(text, "Dec 17")


def test_overdue_at_as_of_is_a_warning_for_each_step_by_its_letter(mini_plan):
    text = (mini_plan / PRIORITY).read_text()
    found, result = findings_for(mini_plan, "overdue", datetime.date(2027, 7, 1))
    assert result.ok
    assert [finding.message for finding in found] == [
        "action 1.1 was due Jun 27 and is not complete at 2027-07-01",
        "action 1.2a (Agree the audit tool) was due Mar 27 and is not complete at 2027-07-01",
        "action 1.2b (First quarterly audit) was due Jun 27 and is not complete at 2027-07-01",
    ]
    assert (found[1].line, found[1].column) == position(text, "2027-03")
    # the first step's date has passed while the action's last date has not: the step is reported
    found, _ = findings_for(mini_plan, "overdue", datetime.date(2027, 6, 30))
    assert [finding.message for finding in found] == [
        "action 1.2a (Agree the audit tool) was due Mar 27 and is not complete at 2027-06-30"]
    assert findings_for(mini_plan, "overdue", datetime.date(2027, 3, 31))[0] == []
    # progress recorded after the as-of date does not count at it
    edit(mini_plan / PRIORITY, "        lead: HoS\n        partners: []\n",
         "        lead: HoS\n        partners: []\n        progress:\n          - {date: 2027-07-15, status: complete, source: test}\n")
    assert len(findings_for(mini_plan, "overdue", datetime.date(2027, 7, 1))[0]) == 3
    assert len(findings_for(mini_plan, "overdue", datetime.date(2027, 7, 16))[0]) == 1


def test_a_step_without_a_date_is_reported_when_another_step_has_one(mini_plan):
    approve(mini_plan)
    text = edit(mini_plan / PRIORITY, "          - text: Agree the audit tool\n            due: 2027-03\n",
                "          - text: Agree the audit tool\n")
    found, _ = findings_for(mini_plan, "missing-due")
    assert [(finding.severity, finding.message) for finding in found] == [
        ("error", "action 1.2a has no date, though other steps of the action do")]
    assert (found[0].line, found[0].column) == position(text, "Agree the audit tool")
    # a date on the action covers steps without their own
    edit(mini_plan / PRIORITY, "        lead: HoS\n        partners: []\n", "        lead: HoS\n        partners: []\n        due: 2027-09\n")
    assert findings_for(mini_plan, "missing-due")[0] == []


def test_a_tbc_step_date_is_reported_once_by_its_letter(mini_plan):
    approve(mini_plan)
    text = edit(mini_plan / PRIORITY, "            due: 2027-03\n", "            due: TBC\n")
    found, _ = findings_for(mini_plan, "tbc-date")
    assert [finding.message for finding in found] == ["action 1.2a's date is TBC"]
    assert (found[0].line, found[0].column) == position(text, "TBC")


def test_a_status_not_updated_for_three_months_is_stale(mini_plan):
    edit(mini_plan / PRIORITY, "        lead: HoS\n        partners: []\n",
         "        lead: HoS\n        partners: []\n        progress:\n          - {date: 2027-01-10, status: on-track, source: test}\n")
    text = (mini_plan / PRIORITY).read_text()
    assert findings_for(mini_plan, "stale-status", datetime.date(2027, 4, 10))[0] == []
    found, _ = findings_for(mini_plan, "stale-status", datetime.date(2027, 4, 11))
    assert [finding.message for finding in found] == [
        "action 1.2's status On track was last updated 10 Jan 27, more than 3 months before 2027-04-11"]
    assert (found[0].line, found[0].column) == position(text, "2027-01-10")
    # the plan sets its own period
    edit(mini_plan / "plan.yaml", "  statuses:\n", "  stale_after_months: 6\n  statuses:\n")
    assert findings_for(mini_plan, "stale-status", datetime.date(2027, 4, 11))[0] == []
    assert len(findings_for(mini_plan, "stale-status", datetime.date(2027, 7, 11))[0]) == 1


def test_work_stream_status_in_a_report_is_checked(mini_plan):
    report = next((mini_plan / "reports").glob("*.yaml"))
    with report.open("a", encoding="utf-8") as stream:
        stream.write("work_stream_status:\n  practise: on-track\n  practice: on-trak\n")
    text = report.read_text()
    found, result = findings_for(mini_plan, "work-stream-status")
    assert not result.ok
    assert [(finding.message, finding.hint) for finding in found] == [
        ("work stream 'practise' is not in plan.yaml", "did you mean 'practice'? known: practice"),
        ("status 'on-trak' is not in the status scale", "known: complete, on-track, at-risk, overdue"),
    ]
    assert (found[0].line, found[0].column) == position(text, "practise")


def test_a_paper_before_approval_or_leaving_out_progress_is_warned(mini_plan):
    report = next((mini_plan / "reports").glob("*.yaml"))
    edit(mini_plan / "plan.yaml", "status: draft", "status: approved\napprovals:\n  - {body: Cabinet, date: 2026-02-10, decision: approved}")
    edit(mini_plan / PRIORITY, "        lead: HoS\n        partners: []\n",
         "        lead: HoS\n        partners: []\n        progress:\n          - {date: 2026-05-01, status: on-track, source: test}\n"
         "          - {date: 2026-06-01, status: on-track, source: test}\n")
    with report.open("a", encoding="utf-8") as stream:
        stream.write("as_of: 2026-02-01\n")
    found, result = findings_for(mini_plan, "report-before-approval")
    assert [finding.message for finding in found] == [
        "the paper is as at 2026-02-01, before the plan was approved (2026-02-10): no action has a status yet"]
    found, _ = findings_for(mini_plan, "report-leaves-out-progress")
    assert [finding.message for finding in found] == [
        "the paper is as at 2026-02-01: it leaves out 2 progress entries recorded after that date (the latest 1 Jun 26)"]
    edit(report, "as_of: 2026-02-01", "as_of: 2026-05-15")
    assert findings_for(mini_plan, "report-before-approval")[0] == []
    found, _ = findings_for(mini_plan, "report-leaves-out-progress")
    assert [finding.message for finding in found] == [
        "the paper is as at 2026-05-15: it leaves out 1 progress entry recorded after that date (the latest 1 Jun 26)"]


def test_duplicate_yaml_keys(mini_plan):
    text = edit(mini_plan / PRIORITY, "work_stream: practice\n", "work_stream: practice\nwork_stream: practice\n")
    found, result = findings_for(mini_plan, "duplicate-key")
    assert not result.ok
    assert found[0].message == "duplicate key 'work_stream' (first defined on line 4)"
    assert (found[0].line, found[0].column) == position(text, "work_stream", 2)


def test_unknown_key_suggests_the_right_one(mini_plan):
    text = edit(mini_plan / PRIORITY, "partners: [Health]", "partnrs: [Health]")
    found, _ = findings_for(mini_plan, "unknown-key")
    assert found[0].message == "groups[0].actions[0].partnrs: unknown key 'partnrs'"
    assert found[0].hint.startswith("did you mean 'partners'?")
    assert (found[0].line, found[0].column) == position(text, "partnrs")


def test_unquoted_number_is_explained(mini_plan):
    text = edit(mini_plan / PRIORITY, 'number: "1.2"', "number: 1.2")
    found, _ = findings_for(mini_plan, "wrong-type")
    assert found[0].message == "groups[0].actions[1].number: 1.2 must be text, not a number"
    assert (found[0].line, found[0].column) == position(text, "1.2\n")


@pytest.mark.parametrize("status, severity", [("draft", "warning"), ("approved", "error")])
def test_severity_follows_plan_status(mini_plan, status, severity):
    edit(mini_plan / "plan.yaml", "status: draft", f"status: {status}")
    edit(mini_plan / PRIORITY, "        lead: HoS\n        partners: []\n", "        partners: []\n")
    edit(mini_plan / PRIORITY, "lead: DCS\n            due: 2027-06", "lead: TBC\n            due: TBC")
    result = validate(mini_plan, datetime.date(2026, 1, 1))
    rules = {finding.rule: finding.severity for finding in result.findings}
    assert rules == {"tbc-date": severity, "tbc-lead": severity}
    edit(mini_plan / PRIORITY, "        lead: HoS\n        partners: [Health]", "        placeholder: true\n        partners: [Health]")
    result = validate(mini_plan, datetime.date(2026, 1, 1))
    rules = {finding.rule: finding.severity for finding in result.findings}
    assert rules == {"tbc-date": severity, "tbc-lead": severity, "placeholder-action": severity}
    edit(mini_plan / PRIORITY, "            lead: TBC\n", "")
    result = validate(mini_plan, datetime.date(2026, 1, 1))
    assert [(finding.rule, finding.severity, finding.message) for finding in result.findings if finding.rule == "missing-lead"] == [
        ("missing-lead", severity, "action 1.2 has no lead")]


def test_json_and_github_formats(mini_plan):
    approve(mini_plan)
    text = edit(mini_plan / PRIORITY, "sro: DCS", "sro: ZZ")
    line, column = position(text, "ZZ")
    completed = run_cli("validate", mini_plan, "--format", "json")
    assert completed.returncode == 1
    [finding] = [item for item in json.loads(completed.stdout) if item["rule"] == "unknown-person"]
    assert (finding["line"], finding["column"], finding["severity"]) == (line, column, "error")
    completed = run_cli("validate", mini_plan, "--format", "github")
    assert f"::error file={mini_plan / PRIORITY},line={line},col={column},title=plangen unknown-person::" in completed.stdout


def test_missing_directory_is_a_usage_error(tmp_path):
    completed = run_cli("validate", tmp_path / "nowhere")
    assert completed.returncode == 2
    assert completed.stderr.strip() == f"plangen: no such directory: {tmp_path / 'nowhere'}"


def test_bad_as_of_is_a_usage_error(mini_plan):
    completed = run_cli("validate", mini_plan, "--as-of", "12/12/2017")
    assert completed.returncode == 2
    assert "--as-of '12/12/2017' is not a date" in completed.stderr


def test_all_problems_reported_in_one_run(mini_plan):
    edit(mini_plan / PRIORITY, "partners: [Health]", "partnrs: [Health]")
    edit(mini_plan / "people.yaml", "role: Head of Service, Assessment", "role: Head of Service\n    roll: x")
    result = validate(mini_plan)
    assert {finding.file.split("/")[-1] for finding in result.errors} == {"01-assessments.yaml", "people.yaml"}
