"""`paperqa ask` as a whole process (start-up included) on a quiet machine and beside other
CPU-bound programs, as a laptop runs it: the median and p95 of each, and their ratio.

    python benchmarks/bench_contention.py [--runs 3] [--competitors 2] [--mode default quote rewrite]

The competitors are busy loops in other processes (a browser tab, a build). The library is
the seed papers, ingested into a temporary home first.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

QUESTION = "What is CASAL?"


def spin() -> None:
    while True:
        pass


def ask(home: Path, mode: str) -> float:
    args = [str(Path(sys.executable).with_name("paperqa"))]
    args += ["--mode", mode] if mode != "default" else []
    env = {**os.environ, "PAPERQA_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run([*args, "ask", QUESTION], env=env, check=True, capture_output=True, timeout=900)
    return time.perf_counter() - started


def timings(home: Path, mode: str, runs: int) -> dict[str, float]:
    seconds = [ask(home, mode) for _ in range(runs)]
    ordered = sorted(seconds)
    return {
        "p50": round(statistics.median(seconds), 2),
        "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--competitors", type=int, default=2)
    parser.add_argument("--mode", nargs="+", default=["default", "quote", "rewrite"])
    args = parser.parse_args()
    result: dict[str, object] = {**header("bench_contention.py"), "question": QUESTION}
    with tempfile.TemporaryDirectory(prefix="paperqa-contention-") as tmp:
        home = Path(tmp)
        env = {**os.environ, "PAPERQA_HOME": str(home)}
        paperqa = str(Path(sys.executable).with_name("paperqa"))
        subprocess.run([paperqa, "ingest", str(ROOT / "seeds")], env=env, check=True, capture_output=True)
        ask(home, "quote")  # warm: the BM25 corpus cache and the page cache
        for mode in args.mode:
            quiet = timings(home, mode, args.runs)
            busy = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.competitors)]
            for p in busy:
                p.start()
            try:
                loaded = timings(home, mode, args.runs)
            finally:
                for p in busy:
                    p.terminate()
            result[mode] = {
                "quiet": quiet,
                f"with_{args.competitors}_competitors": loaded,
                "ratio_p50": round(loaded["p50"] / quiet["p50"], 2),
            }
            print(mode, json.dumps(result[mode]), file=sys.stderr)
    print(json.dumps(result, indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "contention.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
