"""`plangen diff --format markdown` as councillors read it: a table per priority first, people by name,
dates in full, the changed words struck out and in bold. The October 2017 draft against the approved plan."""

from __future__ import annotations

import re

import pytest

from conftest import REPO, run_cli

DRAFT = REPO / "examples" / "croydon-2017-10-draft" / "plan"
BUNDLED = REPO / "plan"


@pytest.fixture(scope="module")
def comment() -> str:
    completed = run_cli("diff", DRAFT, BUNDLED, "--format", "markdown")
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def row(comment: str, subject: str, section: str) -> str:
    body = comment[comment.index(f"### {section}"):]
    body = body[: body.index("\n### ", 1)] if "\n### " in body[1:] else body
    return next(line for line in body.splitlines() if line.startswith(f"| {subject} |"))


def test_the_priority_table_comes_first(comment):
    lines = comment.splitlines()
    header = lines.index("| Priority | Actions | Added | Removed | Changed | Dates slipped |")
    assert header < next(index for index, line in enumerate(lines) if line.startswith("### "))
    priority_5 = next(line for line in lines if line.startswith("| 5. Protect vulnerable adolescents"))
    cells = [cell.strip() for cell in priority_5.strip("|").split("|")]
    assert cells[1] == "11 → 14"  # counted in the files: 11 actions in the draft's priority 5 file, 14 in the approved one
    assert int(cells[5]) >= 1  # action 5.4's review point slipped


def test_people_by_name_with_the_change_marked(comment):
    # the draft named Philip Segurolo (PS) as lead of 5.4; the approved plan Hannah Doughty (HD)
    assert row(comment, "action 5.4", "Lead changed") == "| action 5.4 | ~~Philip Segurolo~~ **Hannah Doughty** |"
    assert "PS" not in row(comment, "action 5.4", "Lead changed")


def test_dates_in_full_with_the_changed_words_marked(comment):
    assert row(comment, "action 5.4", "Date changed") == \
        "| action 5.4 | Ongoing / test impact in ~~March~~ **May** 2018 (slipped 2 months) |"
    # the draft dated action 6.1 itself ("Interim arrangements 2 Oct 17"); the approved plan dates its two new steps
    dates = row(comment, "action 6.1", "Date changed")
    assert dates == "| action 6.1 | ~~Interim arrangements 2 October 2017~~ **(none)** |"
    steps = [row(comment, "action 6.1a", "Step added"), row(comment, "action 6.1b", "Step added")]
    assert steps == ["| action 6.1a | Interim arrangements (due October 2017) |",
                     "| action 6.1b | Permanent arrangements (due April 2018) |"]
    for line in [dates] + steps:
        assert not re.search(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d\b", line)


def test_reworded_text_marks_inserted_and_deleted_words(comment):
    folded = comment[comment.index("<summary>action 5.4</summary>"):]
    folded = folded[: folded.index("</details>")]
    assert "**" in folded and "reduce repeat" in folded


def test_a_long_diff_fits_the_comment_limit_leaving_out_whole_entries(comment):
    completed = run_cli("diff", DRAFT, BUNDLED, "--format", "markdown", "--max-length", "20000")
    assert completed.returncode == 0, completed.stderr
    short = completed.stdout
    assert len(comment) > 20000 >= len(short)
    assert short.count("<details>") == short.count("</details>")
    assert "| Priority | Actions | Added | Removed | Changed | Dates slipped |" in short
    def entries(text: str) -> list[str]:
        """Each change's row or folded block, after the table per priority."""
        sections = text[text.index("\n### "):]
        rows = [line for line in sections.splitlines() if line.startswith("| ") and line not in ("| | |",)]
        return rows + re.findall(r"<summary>(.*?)</summary>", sections)

    shown, everything = entries(short), entries(comment)
    shown_rows = [line for line in shown if line.startswith("|")]
    all_rows = [line for line in everything if line.startswith("|")]
    assert shown_rows == all_rows[: len(shown_rows)]  # whole entries, in order, from the start
    left_out = int(re.search(r"\*\*(\d+) more changes not shown\*\*", short).group(1))
    assert left_out == len(everything) - len(shown)
