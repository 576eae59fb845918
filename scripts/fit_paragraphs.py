"""Fit the paragraph reranker (`paperqa.answer.find.paragraphs`) on QASPER full-text train and
write `src/paperqa/data/paragraphs.json`, with the dev figures it was chosen on.

Each answerable train question is asked of its paper (`BODY_CANDIDATES` chunks retrieved,
restricted to it); each retrieved body paragraph is a row, labelled 1 when an annotator marked
it as evidence. A logistic regression (`ranking.fit`, Newton's method, fixed: no randomness)
is fitted on train; dev only reports how often the first paragraph (and the first 2 and 4) is
gold, in retrieval's order and reranked. Never run by CI (`make paragraphs`):

    python scripts/fit_paragraphs.py --data ../shared/data/qasper_fulltext [--train-home DIR --dev-home DIR]

Without the homes, each split's papers are ingested into build/paragraphs/<split> first
(about 10 minutes for train on 2 cores).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from _fulltext import ROOT, arguments, library, train_files

from paperqa.answer.find import paragraphs
from paperqa.answer.find.sources import BODY_CANDIDATES
from paperqa.answer.read import ranking
from paperqa.library import Library

L2 = 1.0


def dataset(lib: Library, data: Path, split: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (rows, labels) pair per answerable question with a retrieved body paragraph."""
    retriever = lib.tasks.pipeline.retriever
    out = []
    for line in (data / f"{split}_questions.jsonl").open():
        q = json.loads(line)
        if q["kind"] == "unanswerable":
            continue
        paper = lib.get(q["paper_id"])
        chunks = retriever.retrieve(q["question"], paper_ids=[paper.id], k=BODY_CANDIDATES)
        places, rows = paragraphs.features(q["question"], paper, chunks)
        if not places:
            continue
        gold = {" ".join(p.split()) for group in q["evidence"] for p in group}
        labels = [float(" ".join(paper.sections[s].paragraphs[p].split()) in gold) for s, p in places]
        out.append((rows, np.asarray(labels)))
    return out


def hits(data: list[tuple[np.ndarray, np.ndarray]], score, k: int) -> float:  # type: ignore[no-untyped-def]
    """Share of questions with a gold paragraph among the first `k` by `score`."""
    return round(float(np.mean([y[np.argsort(-score(x), kind="stable")[:k]].max() for x, y in data])), 3)


def main() -> None:
    args = arguments(__doc__)
    train = dataset(library(args.data, "train", args.train_home), args.data, "train")
    dev = dataset(library(args.data, "dev", args.dev_home), args.data, "dev")
    x = np.vstack([r for r, _ in train])
    y = np.concatenate([labels for _, labels in train])
    model = ranking.fit(x, y, L2)
    order = lambda rows: rows[:, 0]  # noqa: E731  retrieval's own order (reciprocal rank)
    rerank = lambda rows: model.logits(rows)  # noqa: E731
    report = {
        split: {
            "questions": len(data),
            "retrieval_order_gold_in_first_1_2_4": [hits(data, order, k) for k in (1, 2, 4)],
            "reranked_gold_in_first_1_2_4": [hits(data, rerank, k) for k in (1, 2, 4)],
        }
        for split, data in (("train", train), ("dev", dev))
    }
    print(json.dumps(report, indent=1))
    body = model.to_dict(
        paragraphs.FEATURES,
        trained_on="QASPER v0.3 full text, train split (../shared/data/qasper_fulltext: answerable "
        "questions asked of their paper, the annotators' evidence paragraphs as labels)",
        licence="CC BY 4.0 (QASPER, Dasigi et al. 2021)",
        files=train_files(args.data),
        rows=int(len(y)),
        l2=L2,
        candidates=BODY_CANDIDATES,
        measured=report,
        command="make paragraphs",
    )
    out = ROOT / "src" / "paperqa" / "data" / "paragraphs.json"
    out.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
