"""Fit the sentence ranker and the answerability gate on outside data; write
src/paperqa/data/ranker.json. `make ranker` runs it.

Data: QASPER train (researchers' questions about NLP papers, `../shared/data/qasper/`):
for each question the abstract answers, the sentence holding most of the gold answer is the
positive; the abstract's other sentences are negatives. The gate is fitted on answerable
against unanswerable train questions. Everything is reported on QASPER dev, which the fit
never sees, next to the earlier hand-weighted score and the lexical baseline.

    python scripts/fit_ranker.py [--data ../shared/data/qasper] [--out src/paperqa/data/ranker.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import statistics
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from paperqa.answer.read import ranking
from paperqa.answer.read.evidence import source_sentences
from paperqa.answer.understand.intent import read_intent
from paperqa.evals.qasper import QasperQuestion, load_qasper, token_f1, token_recall
from paperqa.index.embeddings import LocalEmbedder
from paperqa.text.words import stems
from paperqa.types import Paper, Source

ROOT = Path(__file__).resolve().parents[1]
#: A sentence is a positive when it holds the most of the gold answer, at least this share.
MIN_GOLD_RECALL = 0.5
L2_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
#: The gate's cut-off refuses at most this share of answerable train questions.
GATE_ANSWERABLE_REFUSED = 0.05


def load(data: Path, split: str) -> tuple[list[QasperQuestion], dict[str, dict[str, str]]]:
    papers = {}
    for line in (data / f"{split}_papers.jsonl").read_text().splitlines():
        row = json.loads(line)
        papers[row["id"]] = row
    return load_qasper(data / f"{split}_questions.jsonl"), papers


class Corpus:
    """Sentences, their vectors and the idf of the stems of every QASPER abstract."""

    def __init__(self, papers: dict[str, dict[str, str]], embedder: LocalEmbedder) -> None:
        self.sentences = {
            pid: source_sentences(Source(number=1, paper=_paper(p), passages=[], text=p["abstract"]))
            for pid, p in papers.items()
        }
        flat = [s for ss in self.sentences.values() for s in ss]
        vectors = embedder.embed(flat)
        self.vectors: dict[str, np.ndarray] = {}
        at = 0
        for pid, ss in self.sentences.items():
            self.vectors[pid] = vectors[at : at + len(ss)]
            at += len(ss)
        df = Counter(s for p in papers.values() for s in stems(f"{p['title']} {p['abstract']}"))
        n = len(papers)
        self.idf_table = {s: math.log(n / c) for s, c in df.items()}
        self.titles = {pid: p["title"] for pid, p in papers.items()}

    def idf(self, stem: str) -> float:
        return self.idf_table.get(stem, 0.0)


def _paper(row: dict[str, str]) -> Paper:
    return Paper(id=row["id"], title=row["title"], abstract=row["abstract"])


def scifact_dataset(path: Path, embedder: LocalEmbedder, limit: int):  # type: ignore[no-untyped-def]
    """(rows, labels) from SciFact train: a claim, its abstract's sentences, the rationale ones positive."""
    docs = {}
    for line in (path / "corpus.jsonl").read_text().splitlines():
        row = json.loads(line)
        docs[str(row["doc_id"])] = row
    df = Counter(s for d in docs.values() for s in stems(f"{d['title']} {' '.join(d['abstract'])}"))
    idf_table = {s: math.log(len(docs) / c) for s, c in df.items()}
    claims = [json.loads(line) for line in (path / "claims_train.jsonl").read_text().splitlines()]
    pairs = [
        (c["claim"], docs[d], {i for e in ev for i in e["sentences"]})
        for c in claims
        for d, ev in c["evidence"].items()
    ]
    pairs = pairs[:limit]
    xs, ys = [], []
    for claim, doc, gold in pairs:
        sentences = doc["abstract"]
        vectors = embedder.embed([claim, *sentences])
        cosines = [float(v @ vectors[0]) for v in vectors[1:]]
        xs.append(
            ranking.features(
                read_intent(claim), sentences, cosines, lambda s: idf_table.get(s, 0.0), doc["title"]
            )
        )
        ys.append(np.array([i in gold for i in range(len(sentences))], dtype=float))
    return xs, ys


def question_rows(q: QasperQuestion, corpus: Corpus, qvec: np.ndarray) -> tuple[np.ndarray, list[str]]:
    sentences = corpus.sentences[q.paper_id]
    cosines = [float(v @ qvec) for v in corpus.vectors[q.paper_id]]
    rows = ranking.features(
        read_intent(q.question), sentences, cosines, corpus.idf, corpus.titles[q.paper_id]
    )
    return rows, sentences


def gold_recalls(q: QasperQuestion, sentences: list[str]) -> list[float]:
    return [max(token_recall(s, a) for a in q.answers) for s in sentences]


def dataset(questions: list[QasperQuestion], corpus: Corpus, qvecs: dict[str, np.ndarray]):  # type: ignore[no-untyped-def]
    """(rows, labels, groups) over the span questions whose answer a sentence holds."""
    xs, ys, groups = [], [], []
    for q in questions:
        if q.kind not in ("extractive", "abstractive"):
            continue
        rows, sentences = question_rows(q, corpus, qvecs[q.id])
        recalls = gold_recalls(q, sentences)
        best = max(recalls, default=0.0)
        if best < MIN_GOLD_RECALL:
            continue
        xs.append(rows)
        ys.append(np.array([r == best for r in recalls], dtype=float))
        groups.append(q)
    return xs, ys, groups


def top1(
    questions: list[QasperQuestion], corpus: Corpus, qvecs: dict[str, np.ndarray], score
) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Mean F1 and gold recall of the top-ranked sentence over span questions, and the
    share where it is the gold sentence."""
    f1s, recalls, hits = [], [], []
    for q in questions:
        if q.kind not in ("extractive", "abstractive"):
            continue
        rows, sentences = question_rows(q, corpus, qvecs[q.id])
        if not sentences:
            continue
        pick = int(np.argmax(score(rows, q, sentences)))
        f1s.append(max(token_f1(sentences[pick], a) for a in q.answers))
        gold = gold_recalls(q, sentences)
        recalls.append(gold[pick])
        hits.append(float(gold[pick] == max(gold)))
    return {
        "f1": round(statistics.fmean(f1s), 3),
        "recall": round(statistics.fmean(recalls), 3),
        "gold_sentence_first": round(statistics.fmean(hits), 3),
        "questions": len(f1s),
    }


def gate_data(questions: list[QasperQuestion], corpus: Corpus, qvecs: dict[str, np.ndarray], model):  # type: ignore[no-untyped-def]
    """(rows, labels): one row of `GATE_FEATURES` per question and its paper; 1 = answerable."""
    rows, labels = [], []
    for q in questions:
        sentence_rows, sentences = question_rows(q, corpus, qvecs[q.id])
        if not sentences:
            continue
        blended = model.blended(sentence_rows)
        abstract = f"{corpus.titles[q.paper_id]} {' '.join(sentences)}"
        rows.append(
            ranking.gate_features(read_intent(q.question), sentence_rows, blended, abstract, corpus.idf)
        )
        labels.append(float(q.kind != "unanswerable"))
    return np.array(rows), np.array(labels)


def fit_gate(x: np.ndarray, y: np.ndarray, dev_x: np.ndarray, dev_y: np.ndarray):  # type: ignore[no-untyped-def]
    """The gate, its cut-off (answerable refused at most GATE_ANSWERABLE_REFUSED on train, by
    cross-validated probabilities) and the trade-off curve on train and dev."""
    folds, cv = 5, np.zeros(len(y))
    for k in range(folds):
        held = np.arange(len(y)) % folds == k
        cv[held] = ranking.fit(x[~held], y[~held], 1.0).probabilities(x[held])
    gate = ranking.fit(x, y, 1.0)
    dev_p = gate.probabilities(dev_x)
    curve = []
    for cut in np.round(np.arange(0.05, 0.51, 0.025), 3):
        curve.append({
            "cut": float(cut),
            "train_cv_answerable_refused": round(float(np.mean(cv[y == 1] < cut)), 3),
            "train_cv_unanswerable_refused": round(float(np.mean(cv[y == 0] < cut)), 3),
            "dev_answerable_refused": round(float(np.mean(dev_p[dev_y == 1] < cut)), 3),
            "dev_unanswerable_refused": round(float(np.mean(dev_p[dev_y == 0] < cut)), 3),
        })  # fmt: skip
    allowed = [c for c in curve if c["train_cv_answerable_refused"] <= GATE_ANSWERABLE_REFUSED]
    return gate, max(c["cut"] for c in allowed), curve


def hand_score(rows: np.ndarray, q: QasperQuestion, sentences: list[str]) -> np.ndarray:
    """The earlier hand-weighted score, on the same features (meaning 0.7, words 0.3, bonuses)."""
    return ranking.hand_score(rows)


def lexical_score(rows: np.ndarray, q: QasperQuestion, sentences: list[str]) -> np.ndarray:
    return rows[:, ranking.FEATURES.index("overlap")]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "qasper")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "paperqa" / "data" / "ranker.json")
    parser.add_argument(
        "--scifact", type=int, default=0, help="Also train on this many SciFact train claim-abstract pairs."
    )
    args = parser.parse_args()
    embedder = LocalEmbedder()
    train_q, train_p = load(args.data, "train")
    dev_q, dev_p = load(args.data, "dev")
    corpus = Corpus({**train_p, **dev_p}, embedder)
    every = train_q + dev_q
    qvecs = dict(zip((q.id for q in every), embedder.embed([q.question for q in every]), strict=True))

    xs, ys, groups = dataset(train_q, corpus, qvecs)
    extra_x, extra_y = (
        scifact_dataset(args.data.parent / "scifact", embedder, args.scifact) if args.scifact else ([], [])
    )
    rows, labels = np.vstack(xs + extra_x), np.concatenate(ys + extra_y)
    print(
        f"train: {len(groups)} questions, {len(rows)} sentences, {int(labels.sum())} positives",
        file=sys.stderr,
    )
    # the L2 strength by leave-questions-out cross-validation on train (dev stays unseen)
    folds = 5
    best_l2, best_cv = L2_GRID[0], -1.0
    for l2 in L2_GRID:
        hits = []
        for k in range(folds):
            fit_idx = [i for i in range(len(xs)) if i % folds != k]
            fx = np.vstack([xs[i] for i in fit_idx] + extra_x)
            model = ranking.fit(fx, np.concatenate([ys[i] for i in fit_idx] + extra_y), l2)
            hits += [
                float(ys[i][int(np.argmax(model.logits(xs[i])))] == 1.0) for i in range(k, len(xs), folds)
            ]
        cv = statistics.fmean(hits)
        print(f"  l2={l2}: cross-validated gold sentence first {cv:.3f}", file=sys.stderr)
        if cv > best_cv:
            best_l2, best_cv = l2, cv
    model = ranking.fit(rows, labels, best_l2)

    report = {
        "learned": top1(dev_q, corpus, qvecs, lambda r, q, s: model.logits(r)),
        "learned_and_hand_blend": top1(dev_q, corpus, qvecs, lambda r, q, s: model.blended(r)),
        "hand_weighted": top1(dev_q, corpus, qvecs, hand_score),
        "cosine_only": top1(dev_q, corpus, qvecs, lambda r, q, s: r[:, 0]),
        "lexical": top1(dev_q, corpus, qvecs, lexical_score),
    }
    train_report = top1(train_q, corpus, qvecs, lambda r, q, s: model.logits(r))
    gate, cut, curve = fit_gate(
        *gate_data(train_q, corpus, qvecs, model), *gate_data(dev_q, corpus, qvecs, model)
    )
    print(
        json.dumps({"dev": report, "train_learned": train_report, "l2": best_l2, "gate_cut": cut}, indent=1)
    )
    print(json.dumps(curve, indent=0), file=sys.stderr)
    gate_body = gate.to_dict(
        ranking.GATE_FEATURES,
        trained_on="QASPER v0.3 train: answerable (123) against unanswerable (271) questions",
        cut=cut,
        curve=curve,
    )
    body = model.to_dict(
        ranking.FEATURES,
        trained_on="QASPER v0.3 train, abstract-answerable span questions (../shared/data/qasper)",
        questions=len(groups),
        l2=best_l2,
        dev_top1=report,
        date=dt.date.today().isoformat(),
        command="python scripts/fit_ranker.py",
        gate=gate_body,
    )
    args.out.write_text(json.dumps(body, indent=1) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
