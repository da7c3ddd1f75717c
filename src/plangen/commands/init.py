from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from plangen.errors import EXIT_OK, UsageError


def scaffold(directory: Path) -> list[Path]:
    """Copy the example plan, the schemas, the templates and a pre-commit config into `directory`."""
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} is not empty", hint="choose a new directory; plangen init never overwrites files")
    package = Path(str(files("plangen")))
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(package / "scaffold", directory, dirs_exist_ok=True)
    shutil.copytree(package / "schema", directory / "schema")
    shutil.copytree(package / "templates", directory / "templates")
    (directory / ".gitignore").write_text("/build/\n", encoding="utf-8")
    return sorted(path for path in directory.rglob("*") if path.is_file())


def run(directory: Path) -> int:
    written = scaffold(directory)
    print(f"created a plan repository in {directory} ({len(written)} files)")
    print(f"next: cd {directory} && plangen validate && plangen build")
    return EXIT_OK
