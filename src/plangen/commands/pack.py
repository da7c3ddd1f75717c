from __future__ import annotations

import sys
from pathlib import Path

from plangen.errors import EXIT_OK, RenderError


def run(date: str, plan_dir: Path | None, committee: str | None, output: Path, timeout: float) -> int:
    from plangen import office
    from plangen.atomic import staging_folder
    from plangen.commands.render import load_valid_plan
    from plangen.pack import make_packs, select

    plan = load_valid_plan(plan_dir)
    meeting = select(plan, date, committee)
    if not office.available():
        raise RenderError(f"{office.missing_notice()}, so no agenda pack can be made",
                          hint="install libreoffice-writer and python3-uno")
    with staging_folder(output, ".plangen-pack-") as work:
        written = make_packs(plan, meeting, output, work, timeout,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK
