"""Fit the whole-paper sentence model (`paperqa.answer.read.ranking.Models.body`) on QASPER
full-text train and write `src/paperqa/data/body_sentences.json`, with the dev figures it was
chosen on.

Each answerable train question (but list questions, answered paper by paper) is taken through
the answer's find stage restricted to its paper, as `paperqa ask --paper` does: its source is
the abstract and the body paragraphs the paragraph reranker chose. Each sentence of that
source is a row (`ranking.FEATURES` + `ranking.BODY_FEATURES`), labelled 1 when it lies in an
annotator's evidence paragraph and, for a question with a written answer, holds at least
half of a gold answer's words (QASPER's normalised tokens); a yes/no question's sentence in
an evidence paragraph is 1. A logistic regression (`linear.fit`: Newton's method, no
randomness) is fitted on train; dev only reports how often each question's first sentence is
in the gold evidence and how much of the gold answer it holds, before (the abstract ranker
with the paragraph prior) and after. Never run by CI (`make body-sentences`):

    python scripts/fit_body_sentences.py --data ../shared/data/qasper_fulltext \
        [--train-home DIR --dev-home DIR]

Without the homes, each split's papers are ingested into build/paragraphs/<split> first (the
libraries `make paragraphs` uses; about 10 minutes for train on 2 cores).
"""

from __future__ import annotations

import json
from pathlib import Path

import data_sums
import numpy as np
from _fulltext import ROOT, arguments, found, library, train_files

from paperqa.answer.linear import LinearModel, fit
from paperqa.answer.read.evidence import body_features, sentence_rows, source_sentences
from paperqa.answer.read.ranking import BODY_FEATURES, FEATURES
from paperqa.answer.understand.intent import QuestionKind
from paperqa.evals.qasper import QasperQuestion, load_qasper, score
from paperqa.library import Library

OUT = ROOT / "src" / "paperqa" / "data" / "body_sentences.json"
L2 = 1.0
#: a sentence holding at least this share of a gold answer's words answers it
ANSWER_SHARE = 0.5
NAMES = FEATURES + BODY_FEATURES


def identity() -> dict[str, object]:
    """The model that scores as the abstract ranker does (its `score` feature, weight 1): what
    paperqa did before this model, and the start when no model is there yet."""
    weights = np.zeros(len(NAMES))
    weights[NAMES.index("score")] = 1.0
    return LinearModel(weights, 0.0, np.zeros(len(NAMES)), np.ones(len(NAMES))).to_dict(NAMES)


Question = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, labels, each sentence's answer share


def dataset(lib: Library, data: Path, split: str) -> list[Question]:
    """One (rows, labels, shares) triple per answerable question whose paper has a body."""
    pipeline = lib.tasks.pipeline
    rank, idf = pipeline.ranker(), pipeline.idf()
    out = []
    for q in load_qasper(data / f"{split}_questions.jsonl"):
        if q.kind == "unanswerable":
            continue
        paper = lib.get(q.paper_id)
        if not paper.sections:
            continue
        session = found(pipeline, q.question, paper.id)
        intent = session.intent
        if intent.kind == QuestionKind.LIST or not session.meant:
            continue
        source = session.meant[0]
        sentences = source_sentences(source)
        if not sentences:
            continue
        rows, scores = sentence_rows(intent, source, sentences, rank, idf)
        shares = np.array([_share(q, s) for s in sentences])
        gold = [" ".join(p.split()) for group in q.evidence for p in group]
        in_gold = np.array([any(" ".join(s.split()) in g for g in gold) for s in sentences])
        labels = in_gold & ((shares >= ANSWER_SHARE) if q.kind != "yes_no" else True)
        out.append(
            (np.hstack([rows, body_features(source, sentences, scores)]), labels.astype(float), shares)
        )
    return out


def _share(q: QasperQuestion, sentence: str) -> float:
    if q.kind not in ("extractive", "abstractive"):
        return 0.0
    return score(q, "paper", "sentence", sentence, False, None, 0.0).recall or 0.0


def figures(data: list[Question], logits) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Over the questions: the first sentence in the gold evidence and answering; the gold
    answer's words it holds (questions with a written answer)."""
    firsts = [int(np.argmax(logits(x))) for x, _, _ in data]
    written = [(f, shares) for f, (_, _, shares) in zip(firsts, data, strict=True) if shares.any()]
    return {
        "questions": len(data),
        "first_answers": round(float(np.mean([y[f] for f, (_, y, _) in zip(firsts, data, strict=True)])), 3),
        "first_answer_words": round(float(np.mean([shares[f] for f, shares in written])), 3),
    }


def main() -> None:
    args = arguments(__doc__)
    if not OUT.exists() or json.loads(OUT.read_text())["features"] != list(NAMES):
        # the features the score feature is computed with load the bundled models: start from
        # the model that scores as before
        OUT.write_text(json.dumps(identity(), indent=1) + "\n", encoding="utf-8")
        data_sums.main()  # paperqa checks the file's sha256 before loading it
    train = dataset(library(args.data, "train", args.train_home), args.data, "train")
    dev = dataset(library(args.data, "dev", args.dev_home), args.data, "dev")
    x = np.vstack([r for r, _, _ in train])
    y = np.concatenate([labels for _, labels, _ in train])
    model = LinearModel(*fit(x, y, L2))
    before = lambda rows: rows[:, NAMES.index("score")]  # noqa: E731  the abstract ranker's
    report = {
        split: {"abstract_ranker": figures(data, before), "body_model": figures(data, model.logits)}
        for split, data in (("train", train), ("dev", dev))
    }
    print(json.dumps(report, indent=1))
    body = model.to_dict(
        NAMES,
        trained_on="QASPER v0.3 full text, train split (../shared/data/qasper_fulltext: answerable "
        "questions but list ones asked of their paper; a sentence of the abstract or of a chosen "
        "body paragraph is 1 when it lies in an annotator's evidence paragraph and holds half of "
        "a gold answer's words, or any evidence sentence for yes/no)",
        licence="CC BY 4.0 (QASPER, Dasigi et al. 2021)",
        files=train_files(args.data),
        rows=int(len(y)),
        positives=int(y.sum()),
        l2=L2,
        measured=report,
        command="make body-sentences",
    )
    OUT.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
