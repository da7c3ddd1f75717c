"""Builds are all-or-nothing under faults: LibreOffice hanging or dying half-way, a full disk, Ctrl-C,
and SIGKILL at fixed and seeded random points. After each fault the output folder holds the complete
previous set or the complete new set; after the next run no temporary file and no process is left."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document

from conftest import SCAFFOLD_PLAN

PYTHON = sys.executable


@pytest.fixture
def repo(tmp_path) -> Path:
    shutil.copytree(SCAFFOLD_PLAN, tmp_path / "plan")
    return tmp_path


def set_generation(repo: Path, generation: int) -> None:
    """Every paper carries the plan's author in its properties: the generation marks which build made it."""
    plan = repo / "plan" / "plan.yaml"
    lines = [f"author: Generation {generation} Council" if line.startswith("author:") else line
             for line in plan.read_text(encoding="utf-8").splitlines()]
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_command(repo: Path, *extra: str) -> list[str]:
    return [PYTHON, "-m", "plangen", "build", str(repo / "plan"), "-o", str(repo / "build"), *extra]


def run_build(repo: Path, *extra: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(build_command(repo, *extra), capture_output=True, text=True, env=env, timeout=600)


def generations(repo: Path) -> dict[str, int]:
    """Each paper in the output folder and the generation its properties name."""
    found = {}
    for path in sorted((repo / "build").rglob("*.docx")):
        author = Document(str(path)).core_properties.author
        found[path.relative_to(repo / "build").as_posix()] = int(author.split()[1])
    return found


def snapshot(repo: Path) -> dict[str, bytes]:
    return {path.relative_to(repo / "build").as_posix(): path.read_bytes()
            for path in sorted((repo / "build").rglob("*")) if path.is_file()}


def processes_of(repo: Path) -> list[str]:
    """Command lines of live processes that mention this test's folder (LibreOffice's profile is in it)."""
    needle = str(repo).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in command and state != "Z":
            found.append(command.replace(b"\0", b" ").decode(errors="replace"))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until_no_processes(repo: Path, seconds: float = 10) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := processes_of(repo)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def assert_clean(repo: Path) -> None:
    """Only the lock and the version in place remain in the store; no temporary file in the set."""
    store = repo / ".build.plangen"
    current = (repo / "build").resolve()
    # the store keeps its lock, build's record of the inputs of the set in place, and that set
    assert sorted(entry.name for entry in store.iterdir()) == sorted(["lock", "inputs.json", current.name])
    assert [path.name for path in current.rglob("*") if path.name.endswith(".tmp")] == []
    assert sorted(path.name for path in repo.iterdir()) == [".build.plangen", "build", "plan"]
    assert wait_until_no_processes(repo) == []


def fake_soffice(folder: Path, script: str) -> dict:
    folder.mkdir()
    path = folder / "soffice"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"}


def test_a_hanging_libreoffice_fails_within_the_timeout_and_leaves_the_previous_set(repo):
    set_generation(repo, 1)
    assert run_build(repo).returncode == 0
    before = snapshot(repo)
    set_generation(repo, 2)
    environment = fake_soffice(repo / "bin", f"echo $$ > {repo}/fake.pid\nexec sleep 600\n")
    start = time.monotonic()
    completed = run_build(repo, "--timeout", "5", env=environment)
    assert time.monotonic() - start < 60
    assert completed.returncode == 4, completed.stderr
    assert "LibreOffice did not finish" in completed.stderr and "improvement-plan.docx within 5 s" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert snapshot(repo) == before
    fake = (repo / "fake.pid").read_text().strip()
    assert wait_until_no_processes(repo) == [] and not alive(int(fake))
    (repo / "fake.pid").unlink()
    shutil.rmtree(repo / "bin")
    assert_clean(repo)


def test_libreoffice_dying_half_way_leaves_the_previous_set(repo):
    set_generation(repo, 1)
    assert run_build(repo, "--pdf").returncode == 0
    before = snapshot(repo)
    set_generation(repo, 2)
    # the real LibreOffice, killed as soon as it starts writing this build's first PDF
    environment = fake_soffice(repo / "bin", f"""/usr/lib/libreoffice/program/soffice "$@" &
until [ -n "$(find {repo}/.build.plangen -name '*.pdf' -newer $0)" ]; do sleep 0.01; done
splash=$!
kill -9 $(cat /proc/$splash/task/*/children) $splash
wait
""")
    completed = run_build(repo, "--pdf", "--timeout", "60", env=environment)
    assert completed.returncode == 4, completed.stderr
    # which paper LibreOffice was on when it died depends on timing; the message names that one
    assert re.search(r"LibreOffice (could not lay out|stopped while laying out) "
                     r"(improvement-plan|reports/2026-02-scrutiny-update)\.docx", completed.stderr), completed.stderr
    assert "previous outputs are unchanged" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert snapshot(repo) == before
    shutil.rmtree(repo / "bin")
    assert_clean(repo)


def test_a_full_disk_leaves_the_previous_set(repo):
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        pytest.skip("needs unshare to mount a small file system")
    script = f"""
set -e
mount -t tmpfs -o size=40m tmpfs {repo}/disk
cp -r {repo}/plan {repo}/disk/plan
cd {repo}/disk
{PYTHON} -m plangen build plan -o build > /dev/null 2>&1
sha256sum build/*.docx build/reports/*.docx > {repo}/before.txt
readlink build > {repo}/link-before.txt
sed -i 's/^author:.*/author: Generation 2 Council/' plan/plan.yaml
free=$(df --output=avail -B1 . | tail -1)
head -c $((free - 30000)) /dev/zero > filler 2>/dev/null || true
set +e
{PYTHON} -m plangen build plan -o build > {repo}/out.txt 2> {repo}/err.txt
echo $? > {repo}/status.txt
set -e
sha256sum build/*.docx build/reports/*.docx > {repo}/after.txt
readlink build > {repo}/link-after.txt
ls -a .build.plangen > {repo}/store.txt
rm filler
{PYTHON} -m plangen build plan -o build > /dev/null 2>&1
ls -a .build.plangen | wc -l > {repo}/store-next.txt
"""
    (repo / "disk").mkdir()
    completed = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr
    assert (repo / "status.txt").read_text().strip() == "4"
    error = (repo / "err.txt").read_text()
    assert "No space left on device" in error and "previous outputs are unchanged" in error and "Traceback" not in error
    assert (repo / "before.txt").read_text() == (repo / "after.txt").read_text()
    assert (repo / "link-before.txt").read_text() == (repo / "link-after.txt").read_text()
    assert sorted((repo / "store.txt").read_text().split()) == sorted([".", "..", "lock", "inputs.json", (repo / "link-before.txt").read_text().strip().split("/")[-1]])
    assert (repo / "store-next.txt").read_text().strip() == "5"  # ., .., lock, inputs.json, the new version


def test_ctrl_c_ends_libreoffice_and_removes_the_staged_version_at_once(repo):
    set_generation(repo, 1)
    assert run_build(repo).returncode == 0
    before = snapshot(repo)
    set_generation(repo, 2)
    process = subprocess.Popen(build_command(repo, "--pdf"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while not any(b"soffice" in line.encode() for line in processes_of(repo)):
        assert process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, error = process.communicate(timeout=60)
    assert process.returncode == 130, error
    assert snapshot(repo) == before
    store = repo / ".build.plangen"
    assert sorted(entry.name for entry in store.iterdir()) == sorted(["lock", "inputs.json", (repo / "build").resolve().name])
    assert wait_until_no_processes(repo, 5) == []


def test_sigkill_at_fixed_and_random_points_never_leaves_a_mix(repo):
    """22 builds killed with SIGKILL: at each progress line and at seeded random times."""
    set_generation(repo, 0)
    assert run_build(repo).returncode == 0
    in_place = 0
    # at start, after each paper's progress line, just after the switch (before the old version is removed)
    fixed_points = [("line", 0), ("line", 1), ("line", 2), ("time", 0.0), ("time", 0.3), ("switch", 0)]
    chooser = random.Random(18)
    random_points = [("time", round(chooser.uniform(0.2, 9.0), 2)) for _ in range(16)]
    outcomes = []
    for generation, (kind, point) in enumerate(fixed_points + random_points, start=1):
        set_generation(repo, generation)
        extra = ("--pdf",) if generation % 2 else ()
        process = subprocess.Popen(build_command(repo, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if kind == "line":
            for _ in range(point):
                process.stderr.readline()
        elif kind == "switch":
            link = os.readlink(repo / "build")
            while os.readlink(repo / "build") == link and process.poll() is None:
                time.sleep(0.0005)
        else:
            time.sleep(point)
        process.kill()
        process.wait()
        process.stderr.close()
        found = generations(repo)
        assert set(found) == {"improvement-plan.docx", "reports/2026-02-scrutiny-update.docx"}, (kind, point)
        assert len(set(found.values())) == 1, f"a mix after a kill at {kind} {point}: {found}"
        now = set(found.values()).pop()
        assert now in (in_place, generation), (kind, point, now)
        outcomes.append(now == generation)
        if kind == "switch":
            assert now == generation
        in_place = now
        if extra:
            pdfs = sorted(path.name for path in (repo / "build").rglob("*.pdf"))
            assert pdfs in ([], ["2026-02-scrutiny-update.pdf", "improvement-plan.pdf"]) or now != generation
        # the watchdog ends LibreOffice's group as soon as plangen is gone
        assert wait_until_no_processes(repo) == [], (kind, point)
    # the next run removes what the killed ones left, and finishes the set
    completed = run_build(repo)
    assert completed.returncode == 0, completed.stderr
    assert set(generations(repo).values()) == {len(fixed_points) + len(random_points)}
    assert_clean(repo)
    # the kills fell both before and after the switch
    assert True in outcomes and False in outcomes


def test_no_libreoffice_process_runs_once_a_build_has_returned(repo):
    """The build ends LibreOffice's whole group and waits for it: soffice.bin (the session's
    grandchild) is gone, not still exiting, when plangen returns."""
    for generation in (1, 2, 3):
        set_generation(repo, generation)
        completed = run_build(repo, "--pdf")
        assert completed.returncode == 0, completed.stderr
        assert processes_of(repo) == []
