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
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

from paperqa.answer.write.aspects import ASPECTS, classify, classify_by_meaning
from paperqa.index.embeddings import get_embedder
from paperqa.settings import EmbeddingSettings

#: The classifier paperqa used before (session 4): per aspect, 0.6 x similarity to the
#: aspect's meaning + 0.4 x cue phrases, a head start for Problem in the first sentences.
PREVIOUS_CUES = {
    "Problem": (
        ("challeng", "problem", "remain", "lack", "limited", "however", "difficult", "struggle"),
        ("crucial", "important", "question", "need", "unclear", "hard to", "but"),
    ),
    "Approach": (
        (
            "we propose",
            "we introduce",
            "we present",
            "we develop",
            "this paper introduces",
            "this work introduces",
            "we design",
            "this paper presents",
            "here we",
        ),
        ("framework", "method", "approach", "novel", "we use", "we train", "algorithm"),
    ),
    "Data / setting": (
        ("dataset", "benchmark", "experiments on", "evaluate on", "we evaluate", "trained on", "corpus"),
        ("data", "tasks", "images", "models such as", "across", "experiment"),
    ),
    "Key results": (
        ("we show", "we find", "results show", "outperform", "%", "state-of-the-art", "demonstrat"),
        ("achiev", "improv", "reduc", "significant", "reveal", "results"),
    ),
    "Limitations": (
        ("limitation", "does not", "fail", "not applicable", "future work", "struggle"),
        ("miss", "cannot", "only", "at the cost", "trade-off"),
    ),
}


def previous_classifier(sentences: list[str], rank) -> list[str]:  # type: ignore[no-untyped-def]
    sims = {a: rank(ASPECTS[a], sentences) for a in ASPECTS}
    labels = []
    for i, sentence in enumerate(sentences):
        text = sentence.lower()

        def score(aspect: str, i: int = i, text: str = text) -> float:
            strong, weak = PREVIOUS_CUES[aspect]
            cue = min(2 * any(c in text for c in strong) + any(c in text for c in weak), 2) / 2
            bonus = (0.15, 0.1)[i] if aspect == "Problem" and i < 2 else 0.0
            return 0.6 * sims[aspect][i] + 0.4 * cue + bonus

        labels.append(max(ASPECTS, key=score))
    return labels


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
        "cue + meaning scores (before)": lambda s: previous_classifier(s, rank),
        "embedding meaning": lambda s: classify_by_meaning(s, rank),
    }
    order = list(papers)
    halves = {"papers 1-9": order[:9], "papers 10-18": order[9:]}
    result: dict[str, object] = {
        "sentences": len(rows),
        "papers": len(papers),
        "labels": Counter(r["aspect"] for r in rows),
    }
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
        print(f"{name:30} " + "  ".join(f"{k}: {correct[k] / total[k]:.3f}" for k in total))
    aspects = list(ASPECTS)
    print("\nconfusion (rows: hand label, columns: classifier)")
    print(f"{'':16}" + "".join(f"{a[:10]:>11}" for a in aspects))
    for truth in aspects:
        print(f"{truth:16}" + "".join(f"{confusion[(truth, guess)]:>11}" for guess in aspects))
    result["confusion"] = {t: {g: confusion[(t, g)] for g in aspects} for t in aspects}
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {**header("bench_aspects.py"), **result}
    (RESULTS / "aspects.json").write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
