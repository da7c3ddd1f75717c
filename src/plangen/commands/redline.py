"""`plangen redline OLD [NEW]`: the plan with its changes as Word tracked changes."""

from __future__ import annotations

from pathlib import Path

from plangen.errors import EXIT_OK


def run(old_spec: str, new_spec: str | None, plan_dir: Path | None, output: Path) -> int:
    from plangen import api, redline
    from plangen.atomic import write_bytes
    from plangen.errors import UsageError
    from plangen.repository import find_plan_dir, refuse_to_overwrite_sources

    old, new, _ = api.compare(old_spec, new_spec, plan_dir)
    roots = [old.plan.root, new.plan.root]
    try:
        roots.append(find_plan_dir(plan_dir))
    except UsageError:
        pass  # two plan directories were named and there is no working plan here
    for root in roots:
        refuse_to_overwrite_sources(output, root)
    write_bytes(output, redline.build(old.plan, new.plan, author=new.plan.meta.get("author") or "plangen",
                                      old_label=old.label, new_label=new.label))
    print(f"wrote {output}")
    return EXIT_OK
