"""PAPERQA_CHROMA_URL: every command against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import SEEDS
from .servers import chroma_server
from .test_cli import SCRIPT

pytestmark = pytest.mark.slow


def run(*args: str, home: Path, url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERQA_HOME": str(home), "PAPERQA_CHROMA_URL": url, "COLUMNS": "200"}
    proc = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_ingest_ask_compare_through_a_chroma_server(tmp_path: Path):
    alice, bob = tmp_path / "alice", tmp_path / "bob"  # two users (or machines), one server
    with chroma_server(tmp_path) as url:
        assert "29 added" in run("ingest", str(SEEDS), home=alice, url=url).stdout
        stats = json.loads(run("stats", "--json", home=alice, url=url).stdout)
        assert stats["papers"] == 29 and stats["store"] == url
        assert not (alice / "chroma").exists(), "the index must live on the server, not in PAPERQA_HOME"

        # Bob sees Alice's library without ingesting anything.
        listing = run("papers", "--json", home=bob, url=url).stdout
        titles = [json.loads(line)["title"] for line in listing.splitlines() if line.strip()]
        assert len(titles) == 29
        answer = json.loads(
            run("ask", "--json", "How much does CASAL reduce hallucination?", home=bob, url=url).stdout
        )
        assert not answer["not_in_library"] and answer["sentences"]
        assert all(s["citations"] for s in answer["sentences"])
        assert any("CASAL" in r["title"] for r in answer["references"])
        compared = json.loads(run("compare", "--json", "CASAL", "SAE-V", home=bob, url=url).stdout)
        assert len(compared["comparison"]) == 5 and len(compared["sources"]) == 2

        assert "Removed" in run("remove", "LegalVis", home=bob, url=url).stdout
        assert json.loads(run("stats", "--json", home=alice, url=url).stdout)["papers"] == 28
        assert run("check", home=alice, url=url).returncode == 0

    down = run("stats", home=alice, url=url, check=False)
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert "Cannot reach the Chroma server" in down.stderr and "PAPERQA_CHROMA_URL" in down.stderr


def test_bad_server_url_is_explained(tmp_path: Path):
    proc = run("stats", home=tmp_path, url="localhost:8000", check=False)
    assert proc.returncode == 1 and "is not a URL like http://127.0.0.1:8000" in proc.stderr
