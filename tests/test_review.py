"""Reviewing plan changes in git: diff, history, redline and the pre-commit hooks, on real git repositories."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import REPO, run_cli

BUNDLED = REPO / "plan"
DRAFT = REPO / "examples" / "croydon-2017-10-draft" / "plan"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# -- a real repository, edited through ruamel (independent of plangen) -------------------------------

def git(repository: Path, *arguments: str) -> str:
    environment = {**os.environ, "GIT_AUTHOR_NAME": "Plan Author", "GIT_AUTHOR_EMAIL": "author@example.org",
                   "GIT_COMMITTER_NAME": "Plan Author", "GIT_COMMITTER_EMAIL": "author@example.org"}
    return subprocess.run(["git", "-C", str(repository), *arguments], check=True, capture_output=True, text=True,
                          env=environment).stdout


def commit(repository: Path, message: str) -> str:
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message)
    return git(repository, "rev-parse", "HEAD").strip()


def yaml_tool() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def priority_file(plan: Path, number: str) -> Path:
    return next(plan.glob(f"priorities/{int(number):02d}-*.yaml"))


def edit_priority(plan: Path, number: str, change) -> None:
    path = priority_file(plan, number)
    yaml = yaml_tool()
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def find_action(data, number: str):
    for group in data["groups"]:
        for index, action in enumerate(group["actions"]):
            if action["number"] == number:
                return group["actions"], index, action
    raise AssertionError(f"no action {number}")


@pytest.fixture
def repository(tmp_path) -> Path:
    """A git repository holding a copy of the bundled plan, committed once."""
    shutil.copytree(BUNDLED, tmp_path / "plan", ignore=shutil.ignore_patterns("reports"))
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "The plan as approved")
    return tmp_path


def diff_json(repository: Path, *arguments: str) -> dict:
    completed = run_cli("diff", *arguments, "--format", "json", cwd=repository)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def kinds_by_subject(report: dict) -> set[tuple[str, str]]:
    return {(change["kind"], change["subject"]) for change in report["changes"]}


# -- plangen diff -------------------------------------------------------------------------------------

def test_diff_classifies_each_kind_of_edit(repository):
    plan = repository / "plan"
    facts = {}

    def redate_and_reassign(data):
        _, _, action = find_action(data, "1.6")
        facts["old lead"] = action["lead"]
        action["due"] = "2018-07"  # printed Apr 18: three months later
        action["lead"] = "MK"
        _, _, action = find_action(data, "1.11")
        action["text"] = action["text"].replace("Update and re-issue guidance", "Update and publish guidance")

    def renumber(data):
        _, _, action = find_action(data, "4.9")
        action["number"] = "4.10"

    def add_and_remove(data):
        actions, index, _ = find_action(data, "9.7")
        del actions[index]

    def progress(data):
        _, _, action = find_action(data, "2.10")
        action["progress"] = [{"date": "2018-01-15", "status": "complete", "note": "Representation at CSMT in place",
                               "source": "Improvement Board, January 2018"}]

    def move_out(data):
        actions, index, action = find_action(data, "11.4")
        facts["moved"] = action
        del actions[index]

    def move_in(data):
        moved = facts["moved"]
        moved["number"] = "6.13"
        data["groups"][-1]["actions"].append(moved)
        data["groups"][-1]["actions"].append({"number": "6.14", "text": "Publish a quarterly improvement newsletter for staff.",
                                              "lead": "BP", "partners": [], "due": "2018-03"})

    edit_priority(plan, "1", redate_and_reassign)
    edit_priority(plan, "4", renumber)
    edit_priority(plan, "9", add_and_remove)
    edit_priority(plan, "2", progress)
    edit_priority(plan, "11", move_out)
    edit_priority(plan, "6", move_in)
    commit(repository, "Board amendments")

    report = diff_json(repository, "HEAD~1", "HEAD")
    assert kinds_by_subject(report) == {
        ("due", "action 1.6"), ("lead", "action 1.6"), ("text", "action 1.11"),
        ("renumbered", "action 4.10"), ("removed", "action 9.7"),
        ("progress", "action 2.10"), ("status", "action 2.10"),
        ("moved", "action 6.13"), ("added", "action 6.14"),
    }
    changes = {(change["kind"], change["subject"]): change for change in report["changes"]}
    assert changes[("due", "action 1.6")]["old"] == "Apr 18"
    assert changes[("due", "action 1.6")]["new"] == "Jul 18"
    assert changes[("due", "action 1.6")]["slip_months"] == 3
    assert changes[("lead", "action 1.6")]["old"] == facts["old lead"]
    assert changes[("lead", "action 1.6")]["new"] == "MK"
    words = changes[("text", "action 1.11")]["words"]
    assert ["delete", "re-issue"] in words and ["insert", "publish"] in words
    assert changes[("moved", "action 6.13")]["old"] == "action 11.4"
    assert changes[("status", "action 2.10")]["new"] == "complete"
    assert report["actions"]["old"]["9"] - report["actions"]["new"]["9"] == 1
    assert report["actions"]["new"]["6"] - report["actions"]["old"]["6"] == 2


def test_reformatting_alone_is_no_change(repository):
    plan = repository / "plan"
    for path in sorted(plan.glob("priorities/*.yaml"))[:3]:
        yaml = YAML()
        yaml.indent(mapping=4, sequence=6, offset=4)  # different indentation, block style everywhere
        yaml.default_flow_style = False
        data = yaml.load(path.read_text(encoding="utf-8"))
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        assert buffer.getvalue() != path.read_text(encoding="utf-8")
        path.write_text(buffer.getvalue(), encoding="utf-8")
    commit(repository, "Reformat")
    report = diff_json(repository, "HEAD~1", "HEAD")
    assert report["changes"] == []
    assert "no changes" in report["summary"]


def test_diff_defaults_to_head_against_the_working_tree(repository):
    edit_priority(repository / "plan", "3", lambda data: find_action(data, "3.1")[2].__setitem__("due", "2018-04"))
    completed = run_cli("diff", cwd=repository)
    assert completed.returncode == 0, completed.stderr
    assert "action 3.1" in completed.stdout and "date changed" in completed.stdout
    assert "HEAD → working tree" in completed.stdout


def test_markdown_is_a_pull_request_comment(repository):
    edit_priority(repository / "plan", "1", lambda data: find_action(data, "1.11")[2].__setitem__(
        "text", find_action(data, "1.11")[2]["text"] + " Audit its use after three months."))
    edit_priority(repository / "plan", "3", lambda data: find_action(data, "3.1")[2].__setitem__("due", "2018-04"))
    completed = run_cli("diff", "HEAD", "--format", "markdown", cwd=repository)
    assert completed.returncode == 0
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("**plangen diff** `HEAD` → `working tree`: ")
    assert "1 date changed (1 slipped)" in lines[0]
    assert "<details><summary>action 1.11</summary>" in completed.stdout
    assert "**Audit its use after three months.**" in completed.stdout
    assert "| action 3.1 |" in completed.stdout


def test_unknown_revision_is_a_usage_error(repository):
    completed = run_cli("diff", "no-such-tag", cwd=repository)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "no-such-tag" in completed.stderr and "hint:" in completed.stderr


# -- the real October → November amendments ---------------------------------------------------------------

@pytest.fixture(scope="module")
def amendments() -> dict:
    completed = run_cli("diff", DRAFT, BUNDLED, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_draft_to_final_action_5_4(amendments):
    changes = {(change["kind"], change["subject"]): change for change in amendments["changes"]}
    assert changes[("lead", "action 5.4")]["old"] == "PS"
    assert changes[("lead", "action 5.4")]["new"] == "HD"
    inserted = " ".join(text for operation, text in changes[("text", "action 5.4")]["words"] if operation == "insert")
    assert "and reduce repeat" in inserted and "episodes." in inserted
    due = changes[("due", "action 5.4")]
    assert "Mar 18" in due["old"] and "May 18" in due["new"]
    assert due["slip_months"] == 2


def test_draft_to_final_action_6_1_split(amendments):
    changes = {(change["kind"], change["subject"]): change for change in amendments["changes"]}
    inserted = " ".join(text for operation, text in changes[("text", "action 6.1")]["words"] if operation == "insert")
    assert "Interim arrangements" in inserted and "Permanent arrangements" in inserted
    # the draft's one date (on the action) became a date on each of two new steps
    due = changes[("due", "action 6.1")]
    assert due["old"] == "Interim arrangements 2 Oct 17" and due["new"] == ""
    assert changes[("step-added", "action 6.1a")]["new"] == "Interim arrangements (due Oct 17)"
    assert changes[("step-added", "action 6.1b")]["new"] == "Permanent arrangements (due Apr 18)"


def test_draft_to_final_action_counts(amendments):
    old, new = amendments["actions"]["old"], amendments["actions"]["new"]
    assert sum(old.values()) == 123 and sum(new.values()) == 131
    net = {number: new[number] - old[number] for number in new if new[number] != old[number]}
    assert net == {"2": 1, "3": 1, "4": 2, "5": 3, "9": 1}


# -- plangen history --------------------------------------------------------------------------------------

def later(iso: str, months: int) -> str:
    year, month = (int(part) for part in str(iso).split("-")[:2])
    total = year * 12 + month - 1 + months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def test_history_follows_an_action_through_renumbering(repository):
    plan = repository / "plan"
    original = str(find_action(yaml_tool().load(priority_file(BUNDLED, "4").read_text(encoding="utf-8")), "4.2")[2]["due"])
    edit_priority(plan, "4", lambda data: find_action(data, "4.2")[2].__setitem__("due", later(original, 2)))
    commit(repository, "4.2 moved two months")

    def renumber_and_slip(data):
        _, _, action = find_action(data, "4.2")
        action["number"] = "4.10"
        action["due"] = later(original, 5)
    edit_priority(plan, "4", renumber_and_slip)
    edit_priority(plan, "7", lambda data: find_action(data, "7.1")[2].__setitem__("lead", "JE"))
    commit(repository, "4.2 becomes 4.10 and slips again")

    completed = run_cli("history", "4.10", cwd=repository)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == "action 4.10: 3 commits, due date moved 2 times, +5 months net; numbered 4.2 → 4.10"
    assert "4.2 moved two months" in completed.stdout and "Plan Author" in completed.stdout

    completed = run_cli("history", "--slipped", cwd=repository)
    assert completed.returncode == 0
    assert completed.stdout.splitlines() == ["action 4.10: 5 months later over 2 date changes (was 4.2)"]


def set_step_due(plan: Path, number: str, letter: str, due: str) -> None:
    def change(data):
        step = find_action(data, number)[2]["steps"][ord(letter) - ord("a")]
        step["due"] = due
    edit_priority(plan, number.split(".")[0], change)


def test_diff_and_history_report_a_step_that_slipped_by_its_letter(repository):
    plan = repository / "plan"
    set_step_due(plan, "6.1", "a", "2017-12")
    commit(repository, "6.1a: interim arrangements by December")
    result = diff_json(repository, "HEAD~1", "HEAD")
    dates = [change for change in result["changes"] if change["kind"] == "due"]
    assert [(change["subject"], change["old"], change["new"], change["slip_months"]) for change in dates] == [
        ("action 6.1a", "Oct 17", "Dec 17", 2)]
    assert "1 date changed (1 slipped)" in result["summary"]
    completed = run_cli("diff", "HEAD~1", "HEAD", cwd=repository)
    assert "action 6.1a  date changed: Oct 17 → Dec 17 (slipped 2 months)" in completed.stdout

    completed = run_cli("history", "6.1", cwd=repository)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[0] == "action 6.1: 2 commits, due date moved 1 time, +2 months net"
    assert "  date changed 6.1a: Oct 17 → Dec 17 (slipped 2 months)" in completed.stdout.splitlines()
    completed = run_cli("history", "--slipped", cwd=repository)
    assert completed.stdout.splitlines() == ["action 6.1: 2 months later over 1 date change (6.1a)"]


def test_a_step_inserted_before_another_reletters_it_without_slippage(repository):
    plan = repository / "plan"

    def insert_step(data):
        steps = find_action(data, "6.1")[2]["steps"]
        steps.insert(0, {"text": "Appoint an interim Director of Children's Social Care", "due": "2017-09"})
    edit_priority(plan, "6", insert_step)
    commit(repository, "6.1: a first step")
    result = diff_json(repository, "HEAD~1", "HEAD")
    kinds = {(change["kind"], change["subject"]): change for change in result["changes"]}
    assert not [change for change in result["changes"] if change["kind"] == "due"]
    assert kinds[("step-added", "action 6.1a")]["new"] == "Appoint an interim Director of Children's Social Care (due Sep 17)"
    # the old 6.1a is now 6.1b; moving its date in the same kind of change is reported under its new letter
    set_step_due(plan, "6.1", "b", "2018-01")
    commit(repository, "6.1b: interim arrangements by January")
    result = diff_json(repository, "HEAD~1", "HEAD")
    dates = [(change["subject"], change["old"], change["new"], change["slip_months"])
             for change in result["changes"] if change["kind"] == "due"]
    assert dates == [("action 6.1b", "Oct 17", "Jan 18", 3)]
    # across both commits: one step added, one step slipped, nothing else re-dated
    result = diff_json(repository, "HEAD~2", "HEAD")
    dates = [(change["subject"], change["slip_months"]) for change in result["changes"] if change["kind"] == "due"]
    assert dates == [("action 6.1b", 3)]
    completed = run_cli("history", "--slipped", cwd=repository)
    assert completed.stdout.splitlines() == ["action 6.1: 3 months later over 1 date change (6.1b)"]


def test_history_of_an_unknown_action(repository):
    completed = run_cli("history", "99.9", cwd=repository)
    assert completed.returncode == 2
    assert "action 99.9 does not appear" in completed.stderr


# -- plangen redline --------------------------------------------------------------------------------------

def revisions(docx: Path) -> tuple[list[str], list[str]]:
    with zipfile.ZipFile(docx) as archive:
        from lxml import etree
        body = etree.fromstring(archive.read("word/document.xml"))
    inserted = ["".join(node.itertext()) for node in body.iter(f"{W}ins")]
    deleted = ["".join(text.text or "" for text in node.iter(f"{W}delText")) for node in body.iter(f"{W}del")]
    return inserted, deleted


def action_row(docx: Path, number: str):
    """The table row of the plan document whose first cell is the action number."""
    with zipfile.ZipFile(docx) as archive:
        from lxml import etree
        body = etree.fromstring(archive.read("word/document.xml"))
    for row in body.iter(f"{W}tr"):
        cells = row.findall(f"{W}tc")
        if cells and "".join(cells[0].itertext()).strip() == number:
            return cells


def test_redline_holds_exactly_the_changed_words(repository, tmp_path):
    plan = repository / "plan"

    def change(data):
        _, _, action = find_action(data, "1.11")
        action["text"] = action["text"].replace("Update and re-issue guidance", "Update and publish guidance")
    edit_priority(plan, "1", change)
    output = tmp_path / "out" / "redline.docx"
    completed = run_cli("redline", "HEAD", "-o", output, cwd=repository)
    assert completed.returncode == 0, completed.stderr
    inserted, deleted = revisions(output)
    assert [text.strip() for text in inserted] == ["publish"]
    assert [text.strip() for text in deleted] == ["re-issue"]
    cells = action_row(output, "1.11")
    assert [text.strip() for cell in cells for node in cell.iter(f"{W}ins") for text in [''.join(node.itertext())]] == ["publish"]

    from docx import Document
    document = Document(str(output))
    assert document.core_properties.language == "en-GB"

    from docx_reading import convert_to_pdf_text, normalise
    text = normalise(convert_to_pdf_text(output))
    assert "Update and" in text and "guidance on ending Section 20" in text


def test_redline_of_the_real_amendments_opens_in_libreoffice(tmp_path):
    output = tmp_path / "redline.docx"
    completed = run_cli("redline", DRAFT, BUNDLED, "-o", output)
    assert completed.returncode == 0, completed.stderr
    cells = action_row(output, "5.4")
    lead = cells[3]  # Croydon's columns: No., Issue, Actions, Lead, …
    assert ["".join(node.itertext()).strip() for node in lead.iter(f"{W}ins")] == ["HD"]
    assert ["".join(node.itertext()).strip() for node in lead.iter(f"{W}del")] == ["PS"]
    from docx_reading import convert_to_pdf_text
    assert "5.4" in convert_to_pdf_text(output)
