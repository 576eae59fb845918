"""Answer latency benchmark with the embedded models on this machine.

On the seed corpus: time to first token and total time of `ask` (every single,
multi and unanswerable question of evals/seed_questions.jsonl), `summarize` and
`compare` (their questions there), as p50 / p95, and how often the local model's
text was replaced by the extractive fallback. Retrieval-only latency is measured
on the seed library and on a large one (default: the first 5,700 arXiv abstracts,
about 10,000 chunks, built once under benchmarks/out/).

    python benchmarks/bench_answer.py            # writes benchmarks/results/answer.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, arxiv_slice, header  # noqa: E402


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 3)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": pct(values, 0.5),
        "p95": pct(values, 0.95),
        "mean": round(statistics.fmean(values), 3) if values else float("nan"),
    }


def big_library(n: int, embedder):  # type: ignore[no-untyped-def]
    from paperqa.library import Library
    from paperqa.settings import Settings

    home = ROOT / "benchmarks" / "out" / f"arxiv-{n}"
    library = Library(Settings(home=home), embedder=embedder)
    if library.store.counts()[0] < n:
        data = arxiv_slice(n, home / "slice.jsonl")
        print(f"building a {n}-abstract library (once)...", file=sys.stderr)
        library.ingest([data])
    return library


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--big", type=int, default=5700, help="abstracts in the large retrieval library (0: skip it)"
    )
    parser.add_argument(
        "--mode", default=None, help="answer mode: auto, quote, rewrite or free (default: settings)"
    )
    args = parser.parse_args()

    from paperqa.index.embeddings import LocalEmbedder
    from paperqa.library import Library
    from paperqa.retrieval.hybrid import Retriever
    from paperqa.settings import Settings

    questions = [json.loads(line) for line in (ROOT / "evals" / "seed_questions.jsonl").open()]
    embedder = LocalEmbedder()
    settings = Settings(home=Path(tempfile.mkdtemp()) / "seed")
    if args.mode:
        settings = settings.model_copy(
            update={"llm": settings.llm.model_copy(update={"answer_mode": args.mode})}
        )
    library = Library(settings, embedder=embedder)
    library.ingest([ROOT / "seeds"])

    def timed_retrieval(lib: Library, texts: list[str]) -> list[float]:
        retriever = Retriever(lib.store, lib.embedder, lib.settings.retrieval)
        retriever.corpus()  # built once per process, like the app does
        out = []
        for text in texts:
            t = time.perf_counter()
            retriever.retrieve(text)
            out.append(time.perf_counter() - t)
        return out

    asks = [q for q in questions if q["type"] in ("single", "multi", "unanswerable")]
    retrieval_seed = timed_retrieval(library, [q["question"] for q in questions])
    big = big_library(args.big, embedder) if args.big else None
    t = time.perf_counter()
    if big:
        Retriever(big.store, big.embedder, big.settings.retrieval).corpus()
    corpus_build = time.perf_counter() - t
    retrieval_big = timed_retrieval(big, [q["question"] for q in questions]) if big else []

    library.ask("warm up the model", on_token=None)  # loads the GGUF once, as a long-lived app would
    results: dict[str, dict[str, list[float]]] = {}
    fallbacks: dict[str, int] = {}
    rewritten: dict[str, list[int]] = {}

    def record(task: str, run) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        first: list[float] = []
        answer = run(lambda piece: first.append(time.perf_counter() - t0) if not first else None)
        total = time.perf_counter() - t0
        bucket = results.setdefault(task, {"first_token": [], "total": []})
        bucket["total"].append(total)
        if first:
            bucket["first_token"].append(first[0])
        fallbacks[task] = fallbacks.get(task, 0) + bool(answer.fallback)
        counts = rewritten.setdefault(task, [0, 0])
        counts[0] += sum(s.origin == "rewrite" for s in answer.sentences)
        counts[1] += len(answer.sentences)

    for q in asks:
        record("ask", lambda cb, q=q: library.ask(q["question"], on_token=cb))
    for q in questions:
        if q["type"] == "summary":
            record("summarize", lambda cb, q=q: library.summarize(q["papers"][0], on_token=cb))
        elif q["type"] == "compare":
            record("compare", lambda cb, q=q: library.compare(q["papers"][0], q["papers"][1], on_token=cb))
    for topic in (
        "activation steering",
        "concept-based explanations",
        "interpretability of medical imaging models",
    ):
        record("summarize", lambda cb, topic=topic: library.summarize(topic=topic, on_token=cb))

    out = {
        **header("bench_answer.py"),
        "llm": library.tasks.chat[1],
        "answer_mode": library.tasks.mode,
        "retrieval_seed_seconds": summary(retrieval_seed),
        "retrieval_big_seconds": summary(retrieval_big),
        "big_library": {
            "papers": big.store.counts()[0],
            "chunks": big.store.counts()[1],
            "corpus_build_seconds": round(corpus_build, 2),
        }
        if big
        else None,
        "tasks": {
            task: {
                "first_token_seconds": summary(v["first_token"]),
                "total_seconds": summary(v["total"]),
                "fallback_share": round(fallbacks[task] / len(v["total"]), 2),
                "rewritten_sentence_share": round(rewritten[task][0] / max(rewritten[task][1], 1), 2),
            }
            for task, v in results.items()
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"answer-{args.mode}.json" if args.mode else "answer.json"
    (RESULTS / name).write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
