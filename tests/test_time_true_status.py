"""Time-true status (issue 15): every step's date counts, and every paper is true as at its own date.

Expected values are written out here from the published plan (the step letters past their date on
12 December 2017 are listed by hand) or read from the YAML with ruamel's safe loader.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from ruamel.yaml import YAML

from conftest import REPO, run_cli
from docx_reading import convert_to_pdf_text, normalise, paragraph_text

BUNDLED = REPO / "plan"
# On 12 December 2017 these steps' dates had passed and their actions were not complete (issue 15),
# besides actions 1.11 and 7.1, whose own dates (Nov 17) had passed.
STEPS_PAST_DUE = ["3.6a", "6.1a", "6.6b", "6.7a", "6.7b", "7.4a", "9.1a", "9.2a", "10.1a", "10.5a", "11.2a", "11.3a"]
ACTIONS_PAST_DUE = ["1.11", "7.1"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def load(path: Path):
    return YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))


def actions(plan_dir: Path) -> dict[str, dict]:
    return {str(action["number"]): action for path in sorted((plan_dir / "priorities").glob("*.yaml"))
            for group in load(path)["groups"] for action in group["actions"]}


def short(value) -> str:
    """'2017-12-12' -> '12 Dec 17'; '2017-10' -> 'Oct 17'."""
    year, month, *day = (int(part) for part in str(value).split("-"))
    text = f"{MONTHS[month - 1]} {year % 100:02d}"
    return f"{day[0]} {text}" if day else text


def label_order(label: str):
    number, letter = re.fullmatch(r"(\d+\.\d+)([a-z]?)", label).groups()
    return tuple(int(part) for part in number.split(".")) + (letter,)


def cell_text(cell) -> str:
    return "\n".join(paragraph_text(paragraph._p) for paragraph in cell.paragraphs)


def table_after(path: Path, opening: str) -> tuple[str, list[list[str]]]:
    """The note paragraph starting with `opening` and the rows of the table that follows it."""
    items = list(Document(str(path)).iter_inner_content())
    for index, item in enumerate(items):
        if isinstance(item, Paragraph) and paragraph_text(item._p).startswith(opening):
            following = items[index + 1] if index + 1 < len(items) else None
            rows = [[cell_text(cell) for cell in row.cells] for row in following.rows] if isinstance(following, Table) else []
            return paragraph_text(item._p), rows
    raise AssertionError(f"no paragraph starting {opening!r} in {path.name}")


def tables_with_header(path: Path, header: str) -> list[list[list[str]]]:
    found = []
    for table in Document(str(path)).tables:
        rows = [[cell_text(cell) for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == header:
            found.append(rows)
    return found


SCRUTINY_2019 = """kind: scrutiny-update
subject: Progress on the improvement plan, February 2019
meeting:
  committee: Scrutiny and Overview Committee
  date: 2019-02-28
sections:
  - title: STATUS
    generated: [status-counts]
  - title: PAST DUE
    generated: [past-due]
"""
TRACKER_2019 = """kind: board-tracker
subject: Improvement Board tracker, February 2019
meeting:
  committee: Children's Improvement Board
  date: 2019-02-28
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the bundled plan with papers at 28 February 2019 added, built once with `plangen build`."""
    root = tmp_path_factory.mktemp("time")
    plan_dir = root / "plan"
    shutil.copytree(BUNDLED, plan_dir)
    (plan_dir / "reports" / "2019-02-28-scrutiny.yaml").write_text(SCRUTINY_2019, encoding="utf-8")
    (plan_dir / "reports" / "2019-02-28-tracker.yaml").write_text(TRACKER_2019, encoding="utf-8")
    completed = run_cli("build", plan_dir, "-o", root / "out")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return plan_dir, root / "out" / "reports"


def test_validate_reports_each_step_past_its_date_by_letter():
    completed = run_cli("validate", BUNDLED, "--as-of", "2017-12-12", "--format", "json")
    assert completed.returncode == 0, completed.stdout
    overdue = [finding for finding in json.loads(completed.stdout) if finding["rule"] == "overdue"]
    labels = [re.match(r"action (\S+)", finding["message"]).group(1) for finding in overdue]
    assert sorted(labels, key=label_order) == sorted(STEPS_PAST_DUE + ACTIONS_PAST_DUE, key=label_order)
    # each named once, the step by its letter and words, at the step's date in the file
    message = next(finding for finding in overdue if finding["message"].startswith("action 6.1a "))
    assert message["message"] == "action 6.1a (Interim arrangements) was due Oct 17 and is not complete at 2017-12-12"
    text = (BUNDLED / "priorities" / "06-leadership-and-governance.yaml").read_text().splitlines()
    assert text[message["line"] - 1].strip() == "due: 2017-10"
    assert text[message["line"] - 2].strip() == "- text: Interim arrangements"


def test_scrutiny_update_lists_every_step_past_its_date_and_the_steps_due_next(built):
    _, output = built
    path = output / "2017-12-12-scrutiny-update.docx"
    note, rows = table_after(path, "Actions and steps past their date")
    assert rows[0] == ["No.", "Action", "Lead", "Due", "Status"]
    shown = [row[0] for row in rows[1:]]
    assert sorted(shown, key=label_order) == sorted(STEPS_PAST_DUE + ACTIONS_PAST_DUE, key=label_order)
    assert note.endswith(": 13 actions (14 dates, counting each step).")
    by_label = {row[0]: row for row in rows[1:]}
    assert by_label["6.1a"][1].startswith("Interim arrangements (in 6.1: Reduce the span of control")
    assert by_label["6.1a"][2:4] == ["JN", "Oct 17"]
    assert by_label["6.1a"][4].startswith("Overdue (date passed")
    _, due_rows = table_after(path, "Actions and steps due from 12 December 2017 to 12 January 2018")
    due = {row[0]: row for row in due_rows[1:]}
    assert "5.5a" in due and due["5.5a"][3] == "Dec 17"
    # the same tables survive LibreOffice
    pdf = normalise(convert_to_pdf_text(path))
    assert "6.1a" in pdf and "5.5a" in pdf and "Interim arrangements" in pdf


def test_tracker_names_each_step_and_every_ongoing_actions_date(built):
    plan_dir, output = built
    rows = {}
    for table in Document(str(output / "2017-12-05-board-tracker.docx")).tables:
        for row in table.rows[1:]:
            lines = cell_text(row.cells[0]).split("\n")
            rows[lines[0]] = lines[1:]
    assert rows["6.1"][:2] == ["6.1a: due Oct 17, past due", "6.1b: due Apr 18"]
    # the date the statuses are true at is printed before the tables
    opening = [paragraph.text for paragraph in Document(str(output / "2017-12-05-board-tracker.docx")).paragraphs[:6]]
    assert "Progress as at 5 December 2017" in opening
    # 6.2 was due in November and recorded complete only on 12 December, after this paper's date
    assert rows["6.2"][0] == "Due Nov 17, past due"
    assert rows["1.1"][0] == "Due Dec 17"
    ongoing = 0
    for number, action in actions(plan_dir).items():
        dues = [(number, action.get("due"))] + [(f"{number}{chr(ord('a') + index)}", step.get("due"))
                                                 for index, step in enumerate(action.get("steps") or [])]
        for label, due in dues:
            if not (isinstance(due, dict) and due.get("ongoing")) and due != "ongoing":
                continue
            ongoing += 1
            if isinstance(due, dict) and "review" in due:
                wanted = f"{due.get('note') or 'review'} in {short(due['review'])}"
            elif isinstance(due, dict) and "from" in due:
                wanted = f"ngoing from {short(due['from'])}"
            else:
                wanted = "Ongoing"
            assert any(wanted in line and (line.startswith(label + ":") or label == number) for line in rows[number]), (
                label, wanted, rows[number])
    assert ongoing >= 16


def test_a_tracker_two_years_on_marks_every_stale_status(built):
    plan_dir, output = built
    day = datetime.date(2019, 2, 28)
    scale = {status["id"]: status for status in load(plan_dir / "plan.yaml")["status_scale"]["statuses"]}
    marked = 0
    for table in Document(str(output / "2019-02-28-tracker.docx")).tables:
        for row in table.rows[1:]:
            number = cell_text(row.cells[0]).split("\n")[0]
            status = cell_text(row.cells[4])
            entries = actions(plan_dir)[number].get("progress") or []
            if not entries:
                assert status.startswith("Not rated") or status.startswith("Overdue (date passed; not rated)"), (number, status)
                continue
            latest = max(entries, key=lambda entry: str(entry["date"]))
            if scale[latest["status"]].get("complete"):
                assert status == scale[latest["status"]]["label"]
                continue
            # 12 December 2017 is more than three months before 28 February 2019: the cell says when
            assert datetime.date.fromisoformat(str(latest["date"])) < day.replace(year=2018, month=11)
            assert short(latest["date"]) in status, (number, status)
            assert ("last updated" in status) or ("last rated" in status), (number, status)
            marked += 1
    assert marked >= 20


def test_status_counts_agree_with_the_past_due_table(built):
    plan_dir, output = built
    path = output / "2019-02-28-scrutiny.docx"
    (counts,) = tables_with_header(path, "Priority")
    headers, total = counts[0], counts[-1]
    assert total[0] == "Total"
    overdue_count = int(total[headers.index("Overdue")])
    _, rows = table_after(path, "Actions and steps past their date")
    past_due_actions = {re.match(r"\d+\.\d+", row[0]).group(0) for row in rows[1:]}
    # every action whose date has passed and is not complete is counted Overdue; and an action counted
    # Overdue without a past date would need an "overdue" progress entry, which the plan does not have
    recorded = {str(entry["status"]) for action in actions(plan_dir).values() for entry in action.get("progress") or []}
    assert "overdue" not in recorded
    assert overdue_count == len(past_due_actions) > 100
    # the counts add up to every action
    assert int(total[headers.index("Total")]) == len(actions(plan_dir))


def plan_ratings(path: Path) -> dict[str, str]:
    """{action number: its Progress RAG cell} from every action table of the plan document."""
    ratings = {}
    for table in Document(str(path)).tables:
        header = [cell_text(cell) for cell in table.rows[0].cells]
        if header[0] != "No." or header[-1] != "Progress RAG":
            continue
        for row in table.rows[1:]:
            cells = [cell_text(cell) for cell in row.cells]
            if re.fullmatch(r"\d+\.\d+", cells[0]):
                ratings[cells[0]] = cells[-1]
    return ratings


@pytest.mark.parametrize("as_of", [None, "2017-12-12"])
def test_the_plan_document_shows_ratings_as_at_its_date(tmp_path, as_of):
    arguments = ["--as-of", as_of] if as_of else []
    completed = run_cli("render", "plan", "--plan", BUNDLED, "-o", tmp_path, *arguments)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    path = tmp_path / "improvement-plan.docx"
    ratings = plan_ratings(path)
    every = actions(BUNDLED)
    assert set(ratings) == set(every)
    scale = {status["id"]: status["label"] for status in load(BUNDLED / "plan.yaml")["status_scale"]["statuses"]}
    # by default the plan as Cabinet approved it on 20 November 2017: nothing recorded after that day
    day = datetime.date.fromisoformat(as_of or "2017-11-20")
    expected = {}
    for number, action in every.items():
        entries = [entry for entry in action.get("progress") or []
                   if datetime.date.fromisoformat(str(entry["date"])) <= day]
        status = max(entries, key=lambda entry: str(entry["date"]))["status"] if entries else action.get("status")
        expected[number] = scale[status] if status else ""
    assert ratings == expected
    rated = sum(1 for label in ratings.values() if label)
    cover = [paragraph_text(paragraph._p) for paragraph in Document(str(path)).paragraphs[:12]]
    if as_of:
        assert rated == 26  # the December ratings
        assert "Progress ratings as at 12 December 2017" in cover
    else:
        assert rated == 0
        assert "Progress ratings as at 20 November 2017: none recorded yet" in cover
        assert "Progress ratings as at 20 November 2017" in normalise(convert_to_pdf_text(path))


def test_a_bad_as_of_date_is_a_usage_error(tmp_path):
    completed = run_cli("render", "plan", "--plan", BUNDLED, "-o", tmp_path, "--as-of", "12/12/2017")
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr and "is not a date" in completed.stderr
    assert not (tmp_path / "improvement-plan.docx").exists()


def test_one_papers_errors_stay_in_that_paper(tmp_path):
    plan_dir = tmp_path / "plan"
    shutil.copytree(BUNDLED, plan_dir)
    cabinet = plan_dir / "reports" / "2017-11-20-cabinet.yaml"
    text = cabinet.read_text(encoding="utf-8")
    assert "subject:" in text
    cabinet.write_text(text.replace("subject:", "subject: See [action 99.9].\nsubjet:", 1), encoding="utf-8")
    (plan_dir / "reports" / "broken.yaml").write_text("kind: scrutiny-update\nsubject: [unclosed\n", encoding="utf-8")
    scrutiny = plan_dir / "reports" / "2017-12-12-scrutiny-update.yaml"
    completed = run_cli("render", "report", scrutiny, "-o", tmp_path / "out")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (tmp_path / "out" / "reports" / "2017-12-12-scrutiny-update.docx").is_file()
    # the broken papers still fail on their own, and in validate and build
    completed = run_cli("render", "report", cabinet, "-o", tmp_path / "out")
    assert completed.returncode == 1 and "2017-11-20-cabinet.yaml" in completed.stdout
    assert "broken.yaml" not in completed.stdout
    for arguments in (["validate", plan_dir], ["build", plan_dir, "-o", tmp_path / "all"]):
        completed = run_cli(*arguments)
        assert completed.returncode == 1, arguments
        assert "broken.yaml" in completed.stdout and "2017-11-20-cabinet.yaml" in completed.stdout
    # and an error in the plan itself still stops every paper
    edit_path = plan_dir / "priorities" / "01-consistent-social-work.yaml"
    edit_path.write_text(edit_path.read_text(encoding="utf-8").replace("lead: PS", "lead: [PS", 1), encoding="utf-8")
    completed = run_cli("render", "report", scrutiny, "-o", tmp_path / "out2")
    assert completed.returncode == 1 and "01-consistent-social-work.yaml" in completed.stdout


def test_stale_statuses_against_today_are_a_count_and_listed_at_a_date():
    completed = run_cli("validate", BUNDLED)
    assert "[stale-status]" not in completed.stdout
    # every rating in the bundled plan dates from 12 December 2017, years before any real today
    rated = sum(1 for action in actions(BUNDLED).values()
                if (action.get("progress") or []) and max(action["progress"], key=lambda entry: str(entry["date"]))["status"] != "complete")
    assert f"; {rated} statuses last updated longer ago than the plan's stale period at" in completed.stdout
    completed = run_cli("validate", BUNDLED, "--as-of", "2019-02-28")
    assert completed.stdout.count("[stale-status]") == rated
    assert "action 2.1's status On track was last updated 12 Dec 17, more than 3 months before 2019-02-28" in completed.stdout
    completed = run_cli("validate", BUNDLED, "--as-of", "2018-03-12")
    assert "[stale-status]" not in completed.stdout
