"""Commands as whole processes (start-up included), as a user at a terminal runs them, on
the seed library: the median of `--runs` after one warm-up run (the OS file cache warm).

    python benchmarks/bench_startup.py [--runs 5]

`ask` runs in quote mode in three states: the same question again; a new question each run
(the vectors of the sentences earlier answers embedded are kept, as in a working session);
and a new question with the kept sentence vectors deleted first (the first question about
those papers). Writes benchmarks/results/startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

QUESTIONS = [
    "What is CASAL?",
    "How do sparse autoencoders find features in vision-language models?",
    "What accuracy did LegalVis obtain?",
    "Which robot was used in the experiments?",
    "How can hallucinations be detected from hidden states?",
    "What is a hyperdimensional probe?",
    "Which datasets were used to evaluate steering?",
]


def run(home: Path, *args: str) -> float:
    paperqa = str(Path(sys.executable).with_name("paperqa"))
    env = {**os.environ, "PAPERQA_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run([paperqa, *args], env=env, check=True, capture_output=True, timeout=900)
    return time.perf_counter() - started


def median_of(runs: int, once: Callable[[int], float]) -> float:
    once(0)  # warm-up
    return round(statistics.median(once(i + 1) for i in range(runs)), 2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result: dict[str, object] = {**header("bench_startup.py"), "runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="paperqa-startup-") as tmp:
        home = Path(tmp)
        run(home, "ingest", str(ROOT / "seeds"))
        vectors = home / "cache" / "vectors.sqlite3"

        def fresh_question(i: int, forget: bool) -> float:
            if forget:
                vectors.unlink(missing_ok=True)
            return run(home, "--mode", "quote", "ask", QUESTIONS[i % len(QUESTIONS)])

        timings = {
            "paperqa --help": median_of(args.runs, lambda i: run(home, "--help")),
            "paperqa papers": median_of(args.runs, lambda i: run(home, "papers")),
            "paperqa stats": median_of(args.runs, lambda i: run(home, "stats")),
            "ask, the same question again": median_of(
                args.runs, lambda i: run(home, "--mode", "quote", "ask", QUESTIONS[0])
            ),
            "ask, a new question (sentence vectors kept)": median_of(
                args.runs, lambda i: fresh_question(i + 1, forget=False)
            ),
            "ask, a new question (no sentence vectors kept)": median_of(
                args.runs, lambda i: fresh_question(i, forget=True)
            ),
        }
        for name, seconds in timings.items():
            print(f"{name}: {seconds} s", file=sys.stderr)
        result["seconds_p50"] = timings
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
