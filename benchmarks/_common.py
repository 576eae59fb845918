"""What every benchmark records about where and how it ran."""

from __future__ import annotations

import gzip
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARXIV = ROOT.parent / "shared" / "data" / "arxiv" / "arxiv_cs_daily_2025-03-18_to_2026-07-01.jsonl.gz"
RESULTS = ROOT / "benchmarks" / "results"


def header(script: str) -> dict[str, str]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {
        "command": f"python benchmarks/{script} " + " ".join(sys.argv[1:]),
        "machine": f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.machine()}",
        "date": time.strftime("%Y-%m-%d"),
    }


def arxiv_slice(n: int, dest: Path) -> Path:
    """The first `n` records of the arXiv file (0: all) as plain JSONL."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(ARXIV, "rt") as src, dest.open("w") as out:
        for i, line in enumerate(src):
            if n and i >= n:
                break
            out.write(line)
    return dest
