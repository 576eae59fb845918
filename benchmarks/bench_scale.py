"""Query latency as the library grows: retrieval alone and a full answer with the embedded LLM.

Uses libraries that bench_ingest.py built and kept (default: benchmarks/out/arxiv-1000,
arxiv-10000 and arxiv-all, the whole 74,728-abstract file), and the ingest numbers it
recorded in benchmarks/results/. Questions: the seed question set (their papers are not in
the arXiv slice, so this measures the work, not the answers) plus arXiv-style queries.

    python benchmarks/bench_ingest.py --n 1000 --keep benchmarks/out/arxiv-1000
    python benchmarks/bench_scale.py            # writes benchmarks/results/scale.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

QUERIES = [
    "sparse autoencoders for interpretability of language models",
    "graph neural networks for molecular property prediction",
    "retrieval augmented generation evaluation benchmark",
    "diffusion models for image editing",
    "reinforcement learning from human feedback reward hacking",
    "efficient attention for long context transformers",
    "federated learning privacy attacks",
    "vision language models hallucination",
    "code generation with large language models",
    "speech recognition for low-resource languages",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 3)


def measure(home: Path, asks: int) -> dict[str, object]:
    from paperqa.library import Library
    from paperqa.retrieval.corpus import cache_path
    from paperqa.retrieval.hybrid import Retriever
    from paperqa.settings import Settings

    library = Library(Settings(home=home))
    papers, chunks = library.store.counts()
    retriever = Retriever(library.store, library.embedder, library.settings.retrieval)
    cache_path(retriever.store).unlink(missing_ok=True)  # measure the build from the store
    t = time.perf_counter()
    retriever.corpus()
    build = time.perf_counter() - t
    t = time.perf_counter()  # what every later process pays: read the cache file
    Retriever(library.store, library.embedder, library.settings.retrieval).corpus()
    from_cache = time.perf_counter() - t
    cache_mib = cache_path(retriever.store).stat().st_size / 2**20
    seed = [json.loads(line)["question"] for line in (ROOT / "evals" / "seed_questions.jsonl").open()]
    queries = QUERIES + seed
    retrieval = []
    for q in queries:
        t = time.perf_counter()
        retriever.retrieve(q)
        retrieval.append(time.perf_counter() - t)
    library.tasks.pipeline.__dict__["retriever"] = retriever  # reuse the built corpus, as a running app does
    (home / "cache" / "vectors.sqlite3").unlink(missing_ok=True)  # no sentence vectors kept from a last run
    library.ask("warm up the model")
    totals, firsts = [], []
    for q in QUERIES[:asks]:
        t0 = time.perf_counter()
        first: list[float] = []
        library.ask(
            q, on_token=lambda _piece, t0=t0, first=first: first or first.append(time.perf_counter() - t0)
        )
        totals.append(time.perf_counter() - t0)
        firsts.extend(first[:1])
    return {
        "papers": papers,
        "chunks": chunks,
        "bm25_and_names_build_seconds": round(build, 2),
        "bm25_and_names_from_cache_seconds": round(from_cache, 2),
        "corpus_cache_mib": round(cache_mib),
        "retrieval_p50_ms": round(1000 * pct(retrieval, 0.5), 1),
        "retrieval_p95_ms": round(1000 * pct(retrieval, 0.95), 1),
        "ask_first_token_p50_s": pct(firsts, 0.5) if firsts else None,
        "ask_total_p50_s": pct(totals, 0.5),
        "ask_total_p95_s": pct(totals, 0.95),
        "n_retrieval": len(retrieval),
        "n_ask": len(totals),
    }


def ingest_numbers(name: str) -> dict[str, object]:
    path = RESULTS / name
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if "run_1_finish_killed_library" in data:  # the whole file, finished after kills (bench_ingest --resume)
        run = data["run_1_finish_killed_library"]
        return {
            "ingest_papers_per_s": run.get("rerun_papers_per_s"),
            "ingest_peak_rss_mib": run.get("ingest_peak_rss_mib"),
        }
    if "interrupt" in data and "ingest_papers_per_s" not in data:
        run = data["interrupt"]
        return {
            "ingest_papers_per_s": run.get("papers_per_s_both_runs"),
            "ingest_peak_rss_mib": run.get("ingest_peak_rss_mib"),
        }
    return {
        "ingest_papers_per_s": data.get("ingest_papers_per_s"),
        "ingest_peak_rss_mib": data.get("peak_rss_mib"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--asks", type=int, default=10, help="full answers per library size")
    args = parser.parse_args()
    sizes = [
        ("1,000", ROOT / "benchmarks/out/arxiv-1000", "ingest-1000.json"),
        ("10,000", ROOT / "benchmarks/out/arxiv-10000", "ingest-10000.json"),
        ("74,728", ROOT / "benchmarks/out/arxiv-all", "ingest-all-resumed.json"),
    ]
    out = {**header("bench_scale.py"), "sizes": {}}
    earlier = json.loads((RESULTS / "scale.json").read_text()) if (RESULTS / "scale.json").exists() else {}
    for label, home, ingest in sizes:
        if not home.exists():
            print(f"skipping {label}: no library at {home} (see the docstring)", file=sys.stderr)
            if label in earlier.get("sizes", {}):  # keep the last measurement, with its date
                kept = earlier["sizes"][label]
                out["sizes"][label] = {**kept, "measured": kept.get("measured", earlier.get("date"))}  # type: ignore[index]
            continue
        out["sizes"][label] = {  # type: ignore[index]
            **measure(home, args.asks),
            **ingest_numbers(ingest),
            "measured": out["date"],
        }
        print(label, json.dumps(out["sizes"][label]), file=sys.stderr)  # type: ignore[index]
    (RESULTS / "scale.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
