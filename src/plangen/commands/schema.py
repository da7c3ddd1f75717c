from __future__ import annotations

from pathlib import Path

from plangen.atomic import write_text
from plangen.errors import EXIT_OK, UsageError
from plangen.schemas import schema_dir


def write_schemas(directory: Path) -> list[tuple[Path, bool]]:
    """Copy every shipped schema into `directory`; (path, changed) for each."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"not a directory: {directory}", hint="name a folder for the schemas, e.g. schema")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in sorted(schema_dir().iterdir(), key=lambda entry: entry.name):
        if not entry.name.endswith(".schema.json"):
            continue
        text = entry.read_text(encoding="utf-8")
        target = directory / entry.name
        changed = not target.is_file() or target.read_text(encoding="utf-8") != text
        if changed:
            write_text(target, text)
        written.append((target, changed))
    return written


def run(directory: Path) -> int:
    for path, changed in write_schemas(directory):
        print(f"{'wrote' if changed else 'unchanged'} {path}")
    return EXIT_OK
