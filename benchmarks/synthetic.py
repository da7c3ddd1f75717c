"""Realistic synthetic plans of any size, deterministic from a seed, for benchmarks.

    python benchmarks/synthetic.py 1000 /tmp/plan-1000 [--seed 7]

Priorities of about twelve actions each, grouped; actions with bullets, sub-steps with their own
dates and leads, partners, progress entries; a people register; indicators with monthly values.
"""

from __future__ import annotations

import argparse
import random
import shutil
from importlib.resources import files
from pathlib import Path

WORDS = ("review implement develop embed strengthen ensure agree deliver monitor audit children families "
         "partners social workers managers assessments plans practice quality timely supervision oversight "
         "training recruitment placement permanence outcomes early help protection board data").split()
PARTNERS = ["Health", "Police", "Education", "CSCB", "Legal", "Cafcass", "Voluntary sector", "Housing", "Courts"]


def sentence(rng: random.Random, low: int = 8, high: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return (" ".join(words)).capitalize() + "."


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def month(rng: random.Random) -> str:
    return f"{rng.randint(2017, 2020)}-{rng.randint(1, 12):02d}"


def write_plan(actions: int, target: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / "priorities").mkdir(parents=True)
    scaffold = Path(str(files("plangen"))) / "scaffold" / "plan"
    plan_text = (scaffold / "plan.yaml").read_text().replace("status: draft", "status: approved")
    (target / "plan.yaml").write_text(plan_text)
    people = [f"P{index:02d}" for index in range(40)]
    lines = ["people:"]
    for person in people + ["DCS"]:
        lines += [f"  - id: {person}", f"    name: Person {person}", "    role: Head of Service"]
    (target / "people.yaml").write_text("\n".join(lines) + "\n")
    per_priority = 12
    priorities = max(1, (actions + per_priority - 1) // per_priority)
    made = 0
    for number in range(1, priorities + 1):
        lines = [f'number: "{number}"', f"title: {quoted(sentence(rng, 4, 10))}", "work_stream: practice",
                 "sro: DCS", 'recommendations: ["1"]', "issues:", f"  - {quoted(sentence(rng, 3, 6))}", "groups:"]
        count = min(per_priority, actions - made)
        for group in range(0, count, 4):
            lines += [f"  - title: {quoted(sentence(rng, 1, 3))}", "    actions:"]
            for index in range(group, min(group + 4, count)):
                made += 1
                lines += [f'      - number: "{number}.{index + 1}"', f"        issue: {quoted(sentence(rng, 2, 4))}",
                          '        refs: {recommendations: ["1"], paragraphs: ["32", "40"]}',
                          "        text: |", f"          {sentence(rng)} To include:", ""]
                lines += [f"          - {sentence(rng, 3, 8)}" for _ in range(rng.randint(1, 3))]
                if rng.random() < 0.3:
                    lines.append("        steps:")
                    for _ in range(rng.randint(2, 3)):
                        lines += [f"          - text: {quoted(sentence(rng, 5, 12))}",
                                  f"            lead: {rng.choice(people)}", f"            due: {month(rng)}"]
                lines.append(f"        lead: {rng.choice(people)}")
                lines.append("        partners: [" + ", ".join(rng.sample(PARTNERS, rng.randint(0, 3))) + "]")
                lines.append(f"        due: {month(rng)}")
                if rng.random() < 0.4:
                    lines += ["        progress:", f"          - date: {month(rng)}", "            status: on-track",
                              f"            note: {quoted(sentence(rng))}", "            source: Board report"]
        lines += ["what_good_looks_like:", f"  - {quoted(sentence(rng))}"]
        (target / "priorities" / f"{number:03d}-priority.yaml").write_text("\n".join(lines) + "\n")
    months = [f"2017-{value:02d}" for value in range(4, 11)]
    indicator_lines = ["period: 2017-10", "months: [" + ", ".join(months) + "]", "groups:", "  - name: Workforce",
                       "    indicators:"]
    for index in range(max(5, actions // 50)):
        indicator_lines += [f"      - code: W{index}", f"        title: {quoted(sentence(rng, 3, 6))}",
                            "        polarity: smaller-is-better", "        unit: number",
                            "        values: {" + ", ".join(f"{m}: {rng.randint(10, 30)}" for m in months) + "}",
                            "        target: 17", "        owner: DCS",
                            "        thresholds: [{rag: green, max: 17}, {rag: amber, min: 18, max: 20}, {rag: red, min: 21}]"]
    (target / "indicators.yaml").write_text("\n".join(indicator_lines) + "\n")
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("actions", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    print(write_plan(arguments.actions, arguments.target, arguments.seed))
