"""Accuracy of the comparison-aspect classifiers on hand-labelled seed sentences.

    python benchmarks/bench_aspects.py [--labels evals/aspects.jsonl]

Every labelled paper has all its sentences labelled, in order, so the classifiers see
whole abstracts. Prints accuracy overall and on two halves of the papers (the rules were
written looking at the first half, papers 1-9; the second half shows how they carry
over), and the confusion matrix of the classifier paperqa uses; writes
benchmarks/results/aspects.json.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import sys

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

from paperqa.aspects import ASPECTS, classify, classify_by_meaning
from paperqa.embeddings import get_embedder
from paperqa.settings import EmbeddingSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=ROOT / "evals" / "aspects.jsonl")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.labels.read_text().splitlines() if line.strip()]
    papers: dict[str, list[dict]] = {}
    for row in rows:
        papers.setdefault(row["paper"], []).append(row)
    embedder = get_embedder(EmbeddingSettings())

    def rank(query: str, texts: list[str]) -> list[float]:
        vectors = embedder.embed([query, *texts])
        return [float(vectors[0] @ v) for v in vectors[1:]]

    classifiers = {
        "structure + cues (used)": lambda s: classify(s),
        "embedding meaning": lambda s: classify_by_meaning(s, rank),
    }
    order = list(papers)
    halves = {"papers 1-9": order[:9], "papers 10-18": order[9:]}
    result: dict[str, object] = {"sentences": len(rows), "papers": len(papers), "labels": Counter(r["aspect"] for r in rows)}
    confusion: Counter[tuple[str, str]] = Counter()
    for name, classifier in classifiers.items():
        correct: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for title, items in papers.items():
            predicted = classifier([r["sentence"] for r in sorted(items, key=lambda r: r["index"])])
            half = next(h for h, titles in halves.items() if title in titles)
            for row, guess in zip(sorted(items, key=lambda r: r["index"]), predicted, strict=True):
                hit = guess == row["aspect"]
                for key in ("all", half):
                    correct[key] += hit
                    total[key] += 1
                if name.endswith("(used)"):
                    confusion[(row["aspect"], guess)] += 1
        result[name] = {k: round(correct[k] / total[k], 3) for k in total}
        print(f"{name:26} " + "  ".join(f"{k}: {correct[k] / total[k]:.3f}" for k in total))
    aspects = list(ASPECTS)
    print("\nconfusion (rows: hand label, columns: classifier)")
    print(f"{'':16}" + "".join(f"{a[:10]:>11}" for a in aspects))
    for truth in aspects:
        print(f"{truth:16}" + "".join(f"{confusion[(truth, guess)]:>11}" for guess in aspects))
    result["confusion"] = {t: {g: confusion[(t, g)] for g in aspects} for t in aspects}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "aspects.json").write_text(json.dumps({**header("bench_aspects.py"), **result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
