"""Draw the staffing graph the example update includes as a figure from an image file
(examples/improvement-update-2018-03/plan/figures/staffing-by-area.png), from the example's own
workforce dashboard. A clerk would paste a chart from elsewhere; this keeps the example reproducible.
Run: .venv/bin/python tools/make_example_figure.py
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "improvement-update-2018-03" / "plan"


def main():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    dashboard = YAML(typ="safe").load((EXAMPLE / "workforce" / "2017-11.yaml").read_text(encoding="utf-8"))
    areas = [row for row in dashboard["rows"] if not row.get("total")]
    import textwrap

    names = ["\n".join(textwrap.wrap(row["area"].rstrip(" *"), 14)) for row in areas]
    permanent = [int(row["values"]["establishment_staff"]) for row in areas]
    agency = [int(row["values"]["agency_staff"]) for row in areas]
    figure, axes = pyplot.subplots(figsize=(6.0, 2.6))
    positions = range(len(names))
    axes.bar(positions, permanent, color="#1F3A5F", label="Permanent (establishment) social workers")
    axes.bar(positions, agency, bottom=permanent, color="#9DC3E6", label="Agency social workers")
    axes.set_xticks(list(positions), names, fontsize=7)
    axes.set_ylabel("Social workers")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    output = EXAMPLE / "figures" / "staffing-by-area.png"
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=200, bbox_inches="tight", metadata={"Software": None})
    print("wrote", output)


if __name__ == "__main__":
    main()
