"""The `paperqa` console script, run as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEEDS

pytestmark = pytest.mark.slow
SCRIPT = shutil.which("paperqa", path=str(Path(sys.executable).parent)) or "paperqa"


def run(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERQA_HOME": str(home), "COLUMNS": "200"}
    proc = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "cli-home"


def test_ingest_list_show_stats_remove(home: Path):
    out = run("ingest", str(SEEDS), home=home).stdout
    assert "29 added, 0 updated, 0 unchanged, 0 skipped" in out and "README.md" in out
    out = run("ingest", str(SEEDS), home=home).stdout
    assert "0 added, 0 updated, 29 unchanged" in out and "0 chunks embedded" in out

    listed = [json.loads(line) for line in run("papers", "--json", home=home).stdout.splitlines()]
    assert len(listed) == 29 and listed[0]["date"] == "2025-12-22"
    tsv = run("papers", "--search", "sparse autoencoders", home=home).stdout
    assert "SAE-V" in tsv

    shown = run("show", "CASAL", home=home).stdout
    assert "Hallucination reduction with CASAL" in shown and "8 authors" in shown
    assert json.loads(run("show", "--json", "SAE-V", home=home).stdout)["n_authors"] == 4

    stats = json.loads(run("stats", "--json", home=home).stdout)
    assert stats["papers"] == 29 and stats["embedding_model"] == "all-MiniLM-L6-v2-int8-onnx"
    assert "Removed" in run("remove", "LegalVis", home=home).stdout
    assert json.loads(run("stats", "--json", home=home).stdout)["papers"] == 28


def test_bad_file_is_one_line_and_exit_1(home: Path, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok", "abstract": "fine"}\n{"title": \n')
    proc = run("ingest", str(bad), home=home, check=False)
    assert proc.returncode == 1
    assert f"{bad}:2: not valid JSON" in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(run("stats", "--json", home=home).stdout)["papers"] == 0
    skipped = run("ingest", "--skip-bad", str(bad), home=home).stdout
    assert "1 added" in skipped and f"skipped {bad}:2" in skipped


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nothing like this"], "No paper has the id or title"),
        (["remove", "nothing like this"], "No paper has the id or title"),
        (["ingest", "/no/such/path.jsonl"], "no such file"),
    ],
)
def test_user_mistakes(home: Path, args: list[str], message: str):
    proc = run(*args, home=home, check=False)
    assert proc.returncode == 1 and message in proc.stderr and "Traceback" not in proc.stderr


def test_bad_setting_is_explained(home: Path):
    env_home = home
    proc = subprocess.run(
        [SCRIPT, "stats"],
        capture_output=True,
        text=True,
        env={**os.environ, "PAPERQA_HOME": str(env_home), "PAPERQA_CHUNKING__CHUNK_TOKENS": "five"},
    )
    assert proc.returncode == 1 and "chunking.chunk_tokens" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["", "ingest", "papers", "show", "remove", "stats", "reindex"])
def test_help(command: str, home: Path):
    out = run(*([command] if command else []), "--help", home=home).stdout
    assert "Usage" in out
