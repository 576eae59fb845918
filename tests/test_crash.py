"""SIGKILL during ingest and during remove: the library loses nothing and shows nothing half-written.

The writer is tests/crash_worker.py (the real library and Chroma, with a hash embedder so
that 3,000 papers are written in seconds); it is killed with SIGKILL part way.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .crash_worker import library

pytestmark = pytest.mark.slow
WORKER = Path(__file__).with_name("crash_worker.py")
N = 3000


def write_corpus(path: Path) -> Path:
    """N synthetic papers; every fifth is long enough for several chunks."""
    rng = random.Random(7)
    vocabulary = [
        f"{a}{b}" for a in ("neuro", "graph", "token", "sparse", "probe", "latent") for b in "abcdefghij"
    ]
    with path.open("w") as out:
        for i in range(N):
            words = 600 if i % 5 == 0 else 60
            abstract = " ".join(rng.choice(vocabulary) for _ in range(words)) + "."
            record = {"id": f"2501.{i:05d}", "title": f"Synthetic paper {i}: {rng.choice(vocabulary)}"}
            out.write(json.dumps({**record, "abstract": abstract}) + "\n")
    return path


def papers_now(home: Path) -> int:
    try:
        return library(home).store.counts()[0]
    except Exception:  # the collections may not exist yet
        return 0


def kill_when(proc: subprocess.Popen, ready, timeout: float = 240) -> None:  # type: ignore[type-arg,no-untyped-def]
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the writer finished before it could be killed; use more papers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def worker(*args: str, **popen) -> subprocess.Popen:  # type: ignore[type-arg]
    return subprocess.Popen([sys.executable, str(WORKER), *args], **popen)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("crash") / "papers.jsonl")


def test_killed_ingest_then_rerun_has_every_paper_once(tmp_path: Path, corpus: Path):
    home = tmp_path / "home"
    proc = worker("ingest", str(home), str(corpus))
    kill_when(proc, lambda: papers_now(home) >= N * 0.4)
    assert proc.returncode == -signal.SIGKILL

    after_kill = library(home).check()
    assert 0 < after_kill.papers < N
    assert after_kill.incomplete == {}, "a paper's record was written before all its chunks"

    subprocess.run([sys.executable, str(WORKER), "ingest", str(home), str(corpus)], check=True, timeout=600)
    lib = library(home)
    report = lib.check()
    assert report.ok and report.papers == N
    assert report.chunks == sum(s.n_chunks for s in lib.store.all_papers())
    ids = [s.paper.id for s in lib.store.all_papers()]
    assert len(set(ids)) == N and "arxiv:2501.02999" in ids


def test_killed_remove_leaves_no_half_removed_paper(tmp_path: Path, corpus: Path):
    home = tmp_path / "home"
    subprocess.run([sys.executable, str(WORKER), "ingest", str(home), str(corpus)], check=True, timeout=600)
    lib = library(home)
    targets = sorted(s.paper.id for s in lib.store.all_papers())[:1500]
    proc = worker("remove", str(home), *targets, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    removed = [proc.stdout.readline().strip() for _ in range(300)]  # the worker prints each removal
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    removed += [line for line in proc.stdout.read().split() if line]  # printed before the kill
    assert 300 <= len(removed) < len(targets), "the remover finished before it could be killed"
    lib = library(home)
    report = lib.check()
    assert report.incomplete == {}, "a paper kept its record but lost chunks"
    assert N - len(removed) - 1 <= report.papers <= N - len(removed)
    assert not ({s.paper.id for s in lib.store.all_papers()} & set(removed))
    # A stray chunk or two of the paper being removed at the kill: invisible, and repaired.
    assert report.orphan_chunks <= 10
    assert lib.check(repair=True).repaired or report.ok
    assert lib.check().ok

    left = [pid for pid in targets if pid in lib.store.papers_by_id(targets)]
    lib.remove_many(left)
    final = lib.check()
    assert final.ok and final.papers == N - len(targets)


def test_second_ingest_process_is_refused_and_a_killed_writer_leaves_no_lock(tmp_path: Path, corpus: Path):
    """Two real `paperqa ingest` processes on one data directory: the second fails at once
    with a message saying what to do; after the first is killed the lock is free (the OS
    drops it with the process), the library checks clean and ingesting works again."""
    from paperqa.library import Library
    from paperqa.settings import Settings

    from .conftest import SEEDS
    from .test_cli import SCRIPT

    home = tmp_path / "home"
    env = {**os.environ, "PAPERQA_HOME": str(home)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([SCRIPT, *args], env=env, capture_output=True, text=True, timeout=300)

    def papers_in() -> int:
        try:
            return Library(Settings(home=home)).store.counts()[0]
        except Exception:  # the collections may not exist yet
            return 0

    first = subprocess.Popen([SCRIPT, "ingest", str(corpus)], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while papers_in() == 0 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert first.poll() is None, "the first ingest finished too early to be overlapped"
        second = cli("ingest", str(SEEDS))
        assert second.returncode == 1 and "Traceback" not in second.stderr
        assert "Another paperqa process is writing to the library" in second.stderr
        assert "Wait for it to finish" in second.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    check = cli("check", "--repair")
    assert check.returncode == 0, check.stderr
    again = cli("ingest", str(SEEDS))
    assert again.returncode == 0 and "29 added" in again.stdout, again.stderr
