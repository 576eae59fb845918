"""Ingest benchmark on the arXiv abstracts in ../shared/data/arxiv/.

Measures, in one run on the same N abstracts:
  1. the raw embedder alone on the chunk texts (the floor: what embedding costs),
  2. a first ingest into an empty library (parse + chunk + embed + store),
  3. a re-ingest of the same file (should embed nothing),
and reports papers/s, peak RSS and the overheads. Optionally (--interrupt-at) it
kills an ingest with SIGKILL part way and checks that a re-run completes the
library with every paper exactly once.

    python benchmarks/bench_ingest.py --n 10000          # writes benchmarks/results/ingest-10000.json
    python benchmarks/bench_ingest.py --n 0 --only-interrupt --interrupt-at 0.4 --keep DIR
    python benchmarks/bench_ingest.py --n 0 --resume DIR  # finish a library whose ingest was killed
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, arxiv_slice, header  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(
    n: int,
    interrupt_at: float | None,
    only_interrupt: bool = False,
    keep: Path | None = None,
    resume: Path | None = None,
) -> dict[str, object]:
    from paperqa.index.embeddings import LocalEmbedder
    from paperqa.ingest.chunking import chunk_paper
    from paperqa.ingest.loaders import load_paths
    from paperqa.library import Library
    from paperqa.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="paperqa-bench-"))
    if keep is not None and keep.exists():
        shutil.rmtree(keep)  # every run starts from an empty library
    data = arxiv_slice(n, work / "arxiv.jsonl")
    if resume is not None or only_interrupt:
        records = sum(1 for line in data.open() if line.strip())
        # Records of one paper (same normalised title) are merged: count what the library should hold.
        distinct = len(load_paths([data]).papers)
        counts = {"n_abstracts": records, "distinct_papers": distinct}
        if resume is not None:
            return {**counts, "resumed": resume_run(data, resume, distinct)}
        home = keep or work / "killed"
        return {**counts, "interrupt": interrupted_run(data, home, interrupt_at or 0.3, distinct)}
    embedder = LocalEmbedder()
    embedder.embed(["warm up"])

    t = time.perf_counter()
    papers = load_paths([data]).papers
    parse_s = time.perf_counter() - t
    settings = Settings(home=keep or work / "home")
    t = time.perf_counter()
    texts = [c.embed_text for p in papers for c in chunk_paper(p, settings.chunking)]
    chunk_s = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), 512):
        embedder.embed(texts[start : start + 512])
    embed_s, embed_cpu = time.perf_counter() - t, time.process_time() - cpu

    library = Library(settings, embedder=embedder)
    t, cpu = time.perf_counter(), time.process_time()
    first = library.ingest([data])
    ingest_s, ingest_cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    again = library.ingest([data])
    reingest_s = time.perf_counter() - t
    stats = library.stats()
    result: dict[str, object] = {
        "n_abstracts": len(papers),
        "chunks": len(texts),
        "parse_seconds": round(parse_s, 2),
        "chunk_seconds": round(chunk_s, 2),
        "raw_embed_seconds": round(embed_s, 2),
        "raw_embed_texts_per_s": round(len(texts) / embed_s, 1),
        "ingest_seconds": round(ingest_s, 2),
        "ingest_papers_per_s": round(len(papers) / ingest_s, 1),
        "overhead_vs_embedding": round((ingest_s - embed_s) / embed_s, 3),
        # CPU seconds of this process (all threads): robust when something else shares the cores.
        "raw_embed_cpu_seconds": round(embed_cpu, 1),
        "ingest_cpu_seconds": round(ingest_cpu, 1),
        "cpu_overhead_vs_embedding": round((ingest_cpu - embed_cpu) / embed_cpu, 3),
        "reingest_seconds": round(reingest_s, 2),
        "reingest_share_of_first": round(reingest_s / ingest_s, 3),
        "reingest_embedded_chunks": again.chunks_added,
        "added": len(first.added),
        "store_mib": round((stats.store_bytes or 0) / 1024**2, 1),
        "peak_rss_mib": round(peak_rss_mib(), 0),
    }
    if interrupt_at is not None:
        result["interrupt"] = interrupted_run(data, work / "killed", interrupt_at, len(papers))
    return result


def interrupted_run(data: Path, home: Path, at_share: float, n: int) -> dict[str, object]:
    """SIGKILL `paperqa ingest` when about `at_share` of the papers are in, then re-run it."""
    from paperqa.library import Library
    from paperqa.settings import Settings

    env = {**os.environ, "PAPERQA_HOME": str(home)}
    script = Path(sys.executable).with_name("paperqa")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(script), "ingest", str(data)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    library = Library(Settings(home=home))
    while proc.poll() is None:
        time.sleep(2)
        try:
            if library.store.counts()[0] >= at_share * n:
                break
        except Exception:  # the store may not exist yet
            continue
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    until_kill = time.perf_counter() - started
    papers_at_kill = library.store.counts()[0]
    rerun_s, checked = rerun_and_check(data, home, n)
    return {
        "papers_when_killed": papers_at_kill,
        "seconds_until_kill": round(until_kill, 1),
        "papers_per_s_both_runs": round(n / (until_kill + rerun_s), 1),
        **checked,
    }


def rerun_and_check(data: Path, home: Path, n: int) -> tuple[float, dict[str, object]]:
    """Run `paperqa ingest` again on a library a killed run left, then count what is in it."""
    from paperqa.library import Library
    from paperqa.settings import Settings

    env = {**os.environ, "PAPERQA_HOME": str(home)}
    script = Path(sys.executable).with_name("paperqa")
    t = time.perf_counter()
    rerun = subprocess.run(
        [str(script), "ingest", "--json", str(data)], env=env, capture_output=True, text=True, check=True
    )
    rerun_s = time.perf_counter() - t
    report = json.loads(rerun.stdout)
    fresh = Library(Settings(home=home))
    papers, chunks = fresh.store.counts()
    expected_chunks = sum(s.n_chunks for s in fresh.store.all_papers())
    return rerun_s, {
        "library": str(home),
        "rerun_seconds": round(rerun_s, 1),
        "rerun_added": len(report["added"]),
        "rerun_unchanged": len(report["unchanged"]),
        "rerun_papers_per_s": round(len(report["added"]) / rerun_s, 1),
        "papers_after": papers,
        "chunks_after": chunks,
        "chunks_expected": expected_chunks,
        "complete_without_duplicates": papers == n and chunks == expected_chunks,
        "ingest_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 0),
    }


def resume_run(data: Path, home: Path, n: int) -> dict[str, object]:
    """Finish a library whose earlier ingest was killed, and check it."""
    from paperqa.library import Library
    from paperqa.settings import Settings

    before_papers, before_chunks = Library(Settings(home=home)).store.counts()
    _, checked = rerun_and_check(data, home, n)
    return {"papers_before": before_papers, "chunks_before": before_chunks, **checked}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="abstracts (0 = the whole file)")
    parser.add_argument(
        "--interrupt-at", type=float, default=None, help="also kill an ingest at this share, re-run"
    )
    parser.add_argument(
        "--only-interrupt", action="store_true", help="run only the kill-and-re-run check (whole-file runs)"
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="build the library here and keep it (for bench_scale.py)"
    )
    parser.add_argument(
        "--resume",
        type=Path,
        default=None,
        help="re-run the ingest on this library left by a killed run, and check it (no deletion)",
    )
    args = parser.parse_args()
    result = {
        **header("bench_ingest.py"),
        **run(args.n, args.interrupt_at, args.only_interrupt, args.keep, args.resume),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "-resumed" if args.resume else "-interrupted" if args.only_interrupt else ""
    name = f"ingest-{args.n or 'all'}{suffix}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
