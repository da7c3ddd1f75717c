from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCAFFOLD_PLAN = Path(str(files("plangen"))) / "scaffold" / "plan"


@pytest.fixture
def mini_plan(tmp_path) -> Path:
    """A copy of the small example plan that `plangen init` scaffolds (status: draft)."""
    target = tmp_path / "plan"
    shutil.copytree(SCAFFOLD_PLAN, target)
    return target


def run_cli(*arguments, cwd=None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real command line as a user would, in a fresh process (`env`: variables added)."""
    import os

    return subprocess.run([sys.executable, "-m", "plangen", *map(str, arguments)],
                          capture_output=True, text=True, cwd=cwd, env={**os.environ, **env} if env else None)


def position(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the n-th occurrence of needle in text (independent of plangen)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def edit(path: Path, old: str, new: str, count: int = 1) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    text = text.replace(old, new, count)
    path.write_text(text, encoding="utf-8")
    return text
