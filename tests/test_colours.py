"""Fill colours come from the plan's data (status and work-stream colours). `validate` refuses a
malformed one at its line with a hint; a well-formed one needs no contrast check, because the text
colour on every fill is chosen by the code, black or white, and one of the two always reaches
WCAG's 4.5:1 (shown here over the whole sRGB cube, with the ratio computed independently)."""

from __future__ import annotations

import shutil

import numpy
import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import SCAFFOLD_PLAN, edit, position, run_cli
from plangen.contrast import text_colour_for


def wcag_luminance(red, green, blue):
    def linear(channel):
        channel = channel / 255
        return numpy.where(channel <= 0.04045, channel / 12.92, ((channel + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def test_black_or_white_reaches_4_5_to_1_on_every_possible_fill():
    levels = numpy.arange(256, dtype=float)
    red, green, blue = numpy.meshgrid(levels, levels, levels, indexing="ij")
    luminance = wcag_luminance(red, green, blue)
    best = numpy.maximum((luminance + 0.05) / 0.05, 1.05 / (luminance + 0.05))
    assert best.min() > 4.58  # the worst fill of all still gets 4.58:1 (the square root of 21)


@pytest.mark.parametrize("fill", ["777777", "767676", "757575", "0070C0", "FF0000", "FFC000", "00B050", "CF0DCC", "808080"])
def test_the_text_colour_chosen_for_a_fill_reaches_4_5_to_1(fill):
    ink = text_colour_for(fill)
    values = [numpy.array(float(int(colour[index:index + 2], 16))) for colour in (fill, ink) for index in (0, 2, 4)]
    first, second = float(wcag_luminance(*values[:3])), float(wcag_luminance(*values[3:]))
    high, low = max(first, second), min(first, second)
    assert (high + 0.05) / (low + 0.05) >= 4.5, (fill, ink)


def test_malformed_colours_in_the_data_are_refused_at_their_line_with_a_hint(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(SCAFFOLD_PLAN, plan)
    edit(plan / "plan.yaml", "colour: 0070C0", 'colour: "#0070C0"')
    edit(plan / "plan.yaml", "colour: 00B050", "colour: green")
    text = edit(plan / "plan.yaml", "colour: FFC000", "colour: 777777")
    completed = run_cli("validate", plan, cwd=tmp_path)
    assert completed.returncode == 1  # README, exit codes: the plan has errors
    assert "Traceback" not in completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    expected = [
        ('"#0070C0"', "error: status_scale.statuses[0].colour: '#0070C0' is not in the expected form [bad-value]",
         "six hex digits RRGGBB without '#'"),
        ("green", "error: status_scale.statuses[1].colour: 'green' is not in the expected form [bad-value]",
         "six hex digits RRGGBB without '#'"),
        ("777777", "error: status_scale.statuses[2].colour: 777777 must be text, not a number [wrong-type]",
         'quote it: "777777"'),
    ]
    for at, message, hint in expected:
        line, column = position(text, at)
        shown = f"plan/plan.yaml:{line}:{column}: {message}"
        assert shown in lines, completed.stdout
        assert hint in lines[lines.index(shown) + 1], completed.stdout


def test_a_work_stream_colour_is_checked_too(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(SCAFFOLD_PLAN, plan)
    text = edit(plan / "plan.yaml", "colour: 5B9BD5", "colour: 5B9BD")
    completed = run_cli("validate", plan, cwd=tmp_path)
    assert completed.returncode == 1
    line, column = position(text, "5B9BD\n")
    shown = f"plan/plan.yaml:{line}:{column}: error: work_streams[0].colour: '5B9BD' is not in the expected form [bad-value]"
    lines = completed.stdout.splitlines()
    assert shown in lines, completed.stdout
    assert "six hex digits RRGGBB without '#'" in lines[lines.index(shown) + 1]


def test_a_mid_grey_status_from_the_data_gets_legible_text_in_the_paper(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(SCAFFOLD_PLAN, plan)
    edit(plan / "plan.yaml", "colour: 00B050", 'colour: "777777"')
    edit(plan / "plan.yaml", "colour: 5B9BD5", 'colour: "777777"')
    completed = run_cli("build", plan, "-o", tmp_path / "out")
    assert completed.returncode == 0, completed.stderr
    document = Document(str(tmp_path / "out" / "improvement-plan.docx"))
    found = 0
    for cell in document.element.body.iter(qn("w:tc")):
        shading = cell.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
        if shading is None or shading.get(qn("w:fill"), "").upper() != "777777":
            continue
        for run in cell.iter(qn("w:r")):
            if run.find(qn("w:t")) is None or not run.find(qn("w:t")).text:
                continue
            colour = run.find(f"{qn('w:rPr')}/{qn('w:color')}")
            assert colour is not None and colour.get(qn("w:val")).upper() == "000000"  # 4.69:1; white is 4.48:1
            found += 1
    assert found >= 3  # the status key's swatch, the work stream's banner and its cells
