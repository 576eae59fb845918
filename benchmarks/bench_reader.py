"""The reader alone, on each dev set: whether a passage answers (AUC, refusals at the shipped
cut), the answering words (span F1), verdicts (yes/no accuracy), its size, load time and cost.

- QASPER abstract dev (114 questions, each asked of its paper's abstract): answerability AUC,
  answerable / unanswerable refused at the cut, span F1 (max over the gold answers) for
  extractive and free-form answers, yes/no accuracy.
- QASPER full-text dev (320 questions over 98 whole papers): per question, every paragraph
  of its paper read; evidence paragraph ranked first, paragraph AUC.
- SciFact dev (claims against the abstract window holding the rationale, and windows without
  one): verdict accuracy (support / refute / neither).
- PubMedQA (the 500 items outside the official test split; never trained on): yes/no/maybe
  accuracy of the verdict read from the question's contexts ("maybe" when neither).
- Each training source's worth: the dev metrics of the reader trained with every source and
  without each (`benchmarks/results/reader-ablation.json`, which `make reader-ablation` trains;
  copied into this report when present).

`--choose` writes the cuts into `src/paperqa/data/reader.json` (what `make reader` does): the
answerability cut is the highest that refuses at most `REFUSED_ANSWERABLE` of QASPER abstract
dev's answerable questions; the span cut the one whose short answers score the best F1 there;
the whole-paper cut the highest that refuses at most `PAPER_REFUSED_ANSWERABLE` of QASPER
full-text dev's answerable questions asked of their paper (the dev papers are ingested into
build/paragraphs/dev the first time, as `make paragraphs` does).

    python benchmarks/bench_reader.py [--choose] [--model DIR] [--fulltext-limit N]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from _common import RESULTS, ROOT, header

from paperqa.answer.read.reader import Reader, ReadResult
from paperqa.answer.read.reading import combine, passages_gated
from paperqa.evals.qasper import token_f1

DATA = ROOT.parent / "shared" / "data"
#: The cut refuses at most this share of the answerable QASPER abstract dev questions.
REFUSED_ANSWERABLE = 0.075
SPAN_CUTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6)


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def auc(scores: list[float], labels: list[bool]) -> float:
    pos = np.array([s for s, y in zip(scores, labels, strict=True) if y])
    neg = np.array([s for s, y in zip(scores, labels, strict=True) if not y])
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return round(float(wins / (len(pos) * len(neg))), 4)


def mean(values: list[float] | list[bool]) -> float:
    return round(float(np.mean(values)), 3) if values else float("nan")


def best_f1(text: str, answers: list[str]) -> float:
    return max((token_f1(text, a) for a in answers), default=0.0)


def qasper_abstracts(reader: Reader) -> tuple[dict, list[tuple[dict, ReadResult]]]:
    papers = {p["id"]: p for p in jsonl(DATA / "qasper" / "dev_papers.jsonl")}
    rows = []
    started = time.perf_counter()
    seconds = []
    questions = jsonl(DATA / "qasper" / "dev_questions.jsonl")
    for q in questions:
        t = time.perf_counter()
        (result,) = reader.read(q["question"], [papers[q["paper_id"]]["abstract"]])
        seconds.append(time.perf_counter() - t)
        rows.append((q, result))
    labels = [q["kind"] != "unanswerable" for q, _ in rows]
    gate = gate_probabilities(questions, DATA / "qasper" / "dev_papers.jsonl")
    found = signals([r.p for _, r in rows], gate, labels)
    # what paperqa decides with: the reader's p combined with the gate's
    rows = [(q, replace(r, p=combine(r.p, g))) for (q, r), g in zip(rows, gate, strict=True)]
    ps = [r.p for _, r in rows]
    cut = reader.cut
    spans = [(q, r) for q, r in rows if q["kind"] in ("extractive", "abstractive")]
    yes_no = [(q, r) for q, r in rows if q["kind"] == "yes_no"]

    def share_refused(unanswerable: bool) -> float:
        return mean([r.p < cut for q, r in rows if (q["kind"] == "unanswerable") == unanswerable])

    def span_f1(kinds: tuple[str, ...]) -> float:
        return mean(
            [best_f1(r.span.text if r.span else "", q["answers"]) for q, r in spans if q["kind"] in kinds]
        )

    metrics = {
        "questions": len(rows),
        **found,
        "answerability_auc": auc(ps, labels),
        "cut": cut,
        "answerable_refused": share_refused(False),
        "unanswerable_refused": share_refused(True),
        "span_f1": span_f1(("extractive", "abstractive")),
        "span_f1_extractive": span_f1(("extractive",)),
        "span_f1_abstractive": span_f1(("abstractive",)),
        "yes_no_accuracy": mean(
            [(r.verdict or "none") == q["answers"][0].strip().lower() for q, r in yes_no]
        ),
        "ms_per_question_p50": round(1000 * statistics.median(seconds), 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return metrics, rows


def gate_probabilities(questions: list[dict], papers_file: Path) -> list[float]:
    """The word-feature gate's probability (`make ranker`) that each question's paper's abstract
    answers it, with the embedded model and the stems' idf over `papers_file` (as the product
    computes it over a library of those papers)."""
    import math

    from paperqa.answer.read.evidence import score_sentences
    from paperqa.answer.understand.intent import read_intent
    from paperqa.index.encoder import MiniLM
    from paperqa.text.words import stems
    from paperqa.types import Paper, Source

    encoder = MiniLM()
    papers = {p["id"]: p for p in jsonl(papers_file)}
    freq: dict[str, int] = {}
    for p in papers.values():
        for stem in stems(p["abstract"]):
            freq[stem] = freq.get(stem, 0) + 1
    n = len(papers)

    def idf(stem: str) -> float:
        return math.log(n / freq[stem]) if freq.get(stem) else 0.0

    def rank(query: str, texts: Sequence[str]) -> list[float]:
        vectors = encoder.embed([query, *texts])
        return [float(v) for v in vectors[1:] @ vectors[0]]

    gates = []
    for q in questions:
        paper = papers[q["paper_id"]]
        record = Paper(id=paper["id"], title=paper["title"], abstract=paper["abstract"])
        source = Source(number=1, paper=record, passages=[], text=paper["abstract"])
        scored = score_sentences(read_intent(q["question"]), [source], rank, idf)
        gates.append(max((e.answerable for e in scored), default=0.0))
    return gates


def signals(reader_p: list[float], gate: list[float], labels: list[bool]) -> dict:
    """Does the abstract answer, told by the reader, by the word-feature gate paperqa had before
    it, and by both together (the mean of their ranks, logits (`reading.combine`, what paperqa
    decides with) or probabilities): AUC each."""
    order = lambda xs: {i: k for k, i in enumerate(sorted(range(len(xs)), key=lambda i: xs[i]))}  # noqa: E731
    a, b = order(reader_p), order(gate)
    return {
        "reader_auc": auc(reader_p, labels),
        "gate_auc": auc(gate, labels),
        "reader_and_gate_rank_auc": auc([(a[i] + b[i]) / 2 for i in range(len(labels))], labels),
        "reader_and_gate_mean_logit_auc": auc(
            [combine(r, g) for r, g in zip(reader_p, gate, strict=True)], labels
        ),
        "reader_and_gate_mean_p_auc": auc([(r + g) / 2 for r, g in zip(reader_p, gate, strict=True)], labels),
    }


def choose_cuts(rows: list[tuple[dict, ReadResult]]) -> tuple[float, float, list[dict]]:
    """The answerability cut (refusing at most `REFUSED_ANSWERABLE` of the answerable) and the
    span cut (best mean F1 of short answers where shown, the whole abstract sentence's
    otherwise: what the answer's first line would score)."""
    answerable = sorted(r.p for q, r in rows if q["kind"] != "unanswerable")
    allowed = int(REFUSED_ANSWERABLE * len(answerable))
    cut = answerable[allowed] if allowed < len(answerable) else answerable[-1]
    spans = [(q, r) for q, r in rows if q["kind"] in ("extractive", "abstractive") and r.span]
    table = []
    for span_cut in SPAN_CUTS:
        shown = [(q, r) for q, r in spans if r.span and r.span.p >= span_cut]
        f1 = np.mean(
            [
                best_f1(r.span.text, q["answers"]) if r.span.p >= span_cut else sentence_f1(q, r)
                for q, r in spans
            ]
        )
        table.append({"span_cut": span_cut, "shown": len(shown), "f1": round(float(f1), 3)})
    best = max(table, key=lambda t: (t["f1"], -t["span_cut"]))
    return round(float(cut), 4), best["span_cut"], table


def sentence_f1(q: dict, r: ReadResult) -> float:
    """F1 of the abstract sentence holding the span (what an answer without a short one leads with)."""
    from paperqa.text.sentences import sentence_spans

    if not r.span:
        return 0.0
    for a, b in sentence_spans(r.passage):
        if a <= r.span.start < b:
            return best_f1(r.passage[a:b], q["answers"])
    return 0.0


#: The whole-paper cut refuses at most this share of QASPER full-text dev's answerable questions
#: asked of their paper (of those it decides: all but yes/no questions).
PAPER_REFUSED_ANSWERABLE = 0.075
PAPER_CUTS = (0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3)


def whole_papers(reader: Reader) -> list[tuple[str, float]]:
    """Per QASPER full-text dev question asked of its paper as `paperqa ask --paper` asks it
    (yes/no questions left out: the abstract and paragraphs read as one decide those), its kind
    and the best p of the passages read alone (the abstract, the body paragraphs the reranker
    chose), the reader's and the gate's combined (`reading.passages_gated`); 1.0 when the
    abstract states what was asked anyway (`aspects.stated_anyway`)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from _fulltext import found, library

    from paperqa.answer.pipeline import Pipeline
    from paperqa.answer.understand.intent import QuestionKind
    from paperqa.answer.write.aspects import stated_anyway

    lib = library(DATA / "qasper_fulltext", "dev", None)
    pipeline = Pipeline(lib.settings, lib.store, lib.embedder, reader=reader)
    rank, idf = pipeline.ranker(), pipeline.idf()
    out = []
    for q in jsonl(DATA / "qasper_fulltext" / "dev_questions.jsonl"):
        paper = lib.get(q["paper_id"])  # QASPER's arXiv id, a library id ("arxiv:...") here
        session = found(pipeline, q["question"], paper.id)
        intent = session.intent
        if intent.kind == QuestionKind.YESNO:
            continue
        if session.refusal() is not None or not session.meant or not session.meant[0].paper.sections:
            continue
        reads = pipeline.read_paragraphs(session.run, intent.question, session.meant[0])
        alone = passages_gated(reads, intent, session.meant[0], rank, idf)
        best = max(alone.values(), default=0.0)
        out.append((q["kind"], 1.0 if stated_anyway(intent, session.meant) else best))
    return out


def choose_paper_cut(reader: Reader) -> tuple[float, list[dict]]:
    """The highest cut on the best passage read alone (`whole_papers`) refusing at most
    `PAPER_REFUSED_ANSWERABLE` of the answerable; each cut's refusals beside it."""
    rows = whole_papers(reader)
    answerable = sorted(p for kind, p in rows if kind != "unanswerable")
    unanswerable = [p for kind, p in rows if kind == "unanswerable"]
    allowed = int(PAPER_REFUSED_ANSWERABLE * len(answerable))
    cut = round(float(answerable[allowed]), 4)
    table = [
        {"paper_cut": c, "answerable_refused": round(sum(p < c for p in answerable) / len(answerable), 3),
         "unanswerable_refused": round(sum(p < c for p in unanswerable) / len(unanswerable), 3)}
        for c in sorted({*PAPER_CUTS, cut})
    ]  # fmt: skip
    return cut, table


#: The reader says yes or no only where, on QASPER full-text dev's yes/no evidence paragraphs,
#: it is right at least this often, over at least `VERDICT_MIN_DECIDED` of them.
VERDICT_PRECISION = 0.75
VERDICT_MIN_DECIDED = 10
VERDICT_CUTS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def choose_verdict_cut(reader: Reader) -> tuple[float, list[dict]]:
    """The least sureness at which the reader's yes/no is right `VERDICT_PRECISION` of the time
    on QASPER full-text dev's yes/no questions read against their evidence paragraphs (1.0,
    never, when no cut is)."""
    papers = {p["id"]: p for p in jsonl(DATA / "qasper_fulltext" / "dev_papers.jsonl")}
    read = []
    for q in jsonl(DATA / "qasper_fulltext" / "dev_questions.jsonl"):
        said = [a.strip().lower() for a in q["answers"] if a.strip().lower() in ("yes", "no")]
        if q["kind"] != "yes_no" or not said:
            continue
        paragraphs = {p for s in papers[q["paper_id"]]["sections"] for p in s["paragraphs"]}
        evidence = [e for ev in q["evidence"] for e in ev if e in paragraphs]
        for result in reader.read(q["question"], evidence):
            read.append((max(set(said), key=said.count), result))
    table = []
    for cut in VERDICT_CUTS:
        decided = [(gold, r) for gold, r in read if r.verdict and max(r.verdicts[:2]) >= cut]
        right = sum(gold == r.verdict for gold, r in decided)
        table.append({"verdict_cut": cut, "decided": len(decided), "of": len(read),
                      "precision": round(right / len(decided), 3) if decided else None})  # fmt: skip
    good = [
        t for t in table if t["decided"] >= VERDICT_MIN_DECIDED and (t["precision"] or 0) >= VERDICT_PRECISION
    ]
    return (good[0]["verdict_cut"] if good else 1.0), table


def ask_cost(questions: int = 40) -> dict:
    """What the reader adds to an ask: QASPER dev questions asked of a library of its 281
    abstracts (quote mode, the library warm), restricted to the paper and over the library,
    with the reader and without it; medians in ms. Each question is asked once without the
    reader first, untimed: the embedded model's vectors of the sources' sentences are then
    cached for both runs (the two libraries share them; before, the first run paid for them),
    and the reader's own cache is still empty."""
    import tempfile

    from paperqa.library import Library
    from paperqa.settings import Settings

    asked = jsonl(DATA / "qasper" / "dev_questions.jsonl")[:questions]
    with tempfile.TemporaryDirectory() as home:
        on = Library(Settings(home=Path(home)))
        on.ingest([DATA / "qasper" / "dev_papers.jsonl"])
        retrieval = on.settings.retrieval.model_copy(update={"reader": False})
        off = Library(
            on.settings.model_copy(update={"retrieval": retrieval}), embedder=on.embedder, store=on.store
        )
        out = {}
        on.ask("Which model does the warm-up use?")  # the reader loaded before any timing
        for scope in ("paper", "library"):
            for q in asked:  # the sentences' vectors cached for both runs
                off.ask(q["question"], paper_ids=[q["paper_id"]] if scope == "paper" else None)
            for name, library in (("reader", on), ("no_reader", off)):
                times = []
                for q in asked:
                    t = time.perf_counter()
                    library.ask(q["question"], paper_ids=[q["paper_id"]] if scope == "paper" else None)
                    times.append(time.perf_counter() - t)
                out[f"{scope}_{name}_ms_p50"] = round(1000 * statistics.median(times), 1)
            out[f"{scope}_added_ms_p50"] = round(
                out[f"{scope}_reader_ms_p50"] - out[f"{scope}_no_reader_ms_p50"], 1
            )
    return out


def fulltext_abstracts(reader: Reader) -> dict:
    """QASPER full-text dev questions asked of the abstract alone (a second, larger check of
    the abstract-level decision): answerable when an annotator's extractive answer (three
    characters or more) is in the abstract; yes/no questions left out."""
    papers_file = DATA / "qasper_fulltext" / "dev_papers.jsonl"
    papers = {p["id"]: p for p in jsonl(papers_file)}
    rows = []
    for q in jsonl(DATA / "qasper_fulltext" / "dev_questions.jsonl"):
        if q["kind"] == "yes_no":
            continue
        abstract = papers[q["paper_id"]]["abstract"]
        parts = [p.strip() for a in q["answers"] for p in a.split(", ") if len(p.strip()) >= 3]
        found = q["kind"] == "extractive" and any(p.lower() in abstract.lower() for p in parts)
        (result,) = reader.read(q["question"], [abstract])
        rows.append(({**q, "answerable": found}, result))
    gate = gate_probabilities([q for q, _ in rows], papers_file)
    labels = [bool(q["answerable"]) for q, _ in rows]
    return {
        "questions": len(rows),
        "answerable": sum(labels),
        **signals([r.p for _, r in rows], gate, labels),
    }


def qasper_fulltext(reader: Reader, limit: int) -> dict:
    papers = {p["id"]: p for p in jsonl(DATA / "qasper_fulltext" / "dev_papers.jsonl")}
    questions = [
        q for q in jsonl(DATA / "qasper_fulltext" / "dev_questions.jsonl") if q["kind"] != "unanswerable"
    ]
    questions = questions[:limit] if limit else questions
    first, scores, labels = [], [], []
    started = time.perf_counter()
    for q in questions:
        paragraphs = [
            p for s in papers[q["paper_id"]]["sections"] for p in s["paragraphs"] if len(p.split()) >= 8
        ]
        evidence = {e for ev in q["evidence"] for e in ev}
        if not paragraphs or not evidence & set(paragraphs):
            continue
        results = reader.read(q["question"], paragraphs)
        ranked = sorted(zip(paragraphs, results, strict=True), key=lambda pr: -pr[1].p)
        first.append(ranked[0][0] in evidence)
        scores += [r.p for r in results]
        labels += [p in evidence for p in paragraphs]
    return {
        "questions": len(first),
        "evidence_first": round(float(np.mean(first)), 3),
        "paragraph_auc": auc(scores, labels),
        "seconds": round(time.perf_counter() - started, 1),
    }


def scifact(reader: Reader) -> dict:
    docs = {d["doc_id"]: d for d in jsonl(DATA / "scifact" / "corpus.jsonl")}
    right, n = 0, 0
    binary_right, binary_n = 0, 0
    for c in jsonl(DATA / "scifact" / "claims_dev.jsonl"):
        for doc_id, sets in c["evidence"].items():
            sentences = docs[int(doc_id)]["abstract"]
            rationale = sorted({i for s in sets for i in s["sentences"]})
            window = " ".join(sentences[max(0, rationale[0] - 1) : rationale[-1] + 2])
            (r,) = reader.read(c["claim"], [window])
            gold = {"SUPPORT": "yes", "REFUTE": "no"}[sets[0]["label"]]
            right += (r.verdict or "none") == gold
            n += 1
            binary_right += ("yes" if r.verdicts[0] >= r.verdicts[1] else "no") == gold
            binary_n += 1
        if not c["evidence"] and c.get("cited_doc_ids"):
            doc = docs.get(c["cited_doc_ids"][0])
            if doc:
                (r,) = reader.read(c["claim"], [" ".join(doc["abstract"])])
                right += r.verdict is None
                n += 1
    return {
        "pairs": n,
        "verdict_accuracy": round(right / n, 3),
        "support_vs_refute_accuracy": round(binary_right / binary_n, 3),
    }


def pubmedqa(reader: Reader) -> dict:
    items = json.loads((DATA / "pubmedqa" / "pqal_dev.json").read_text())
    predicted = {"yes": 0, "no": 0, "maybe": 0}
    right = lean_right = 0
    leaning: list[tuple[float, bool]] = []  # yes-over-no log odds, gold yes, for gold yes/no items
    for item in items.values():
        (r,) = reader.read(item["QUESTION"], [" ".join(item["CONTEXTS"])])
        if item["final_decision"] in ("yes", "no"):
            odds = math.log(r.verdicts[0] + 1e-6) - math.log(r.verdicts[1] + 1e-6)
            leaning.append((odds, item["final_decision"] == "yes"))
        said = r.verdict or "maybe"
        predicted[said] += 1
        right += said == item["final_decision"]
        lean_right += ("yes" if r.verdicts[0] >= r.verdicts[1] else "no") == item["final_decision"]
    gold = [i["final_decision"] for i in items.values()]
    return {
        "items": len(items),
        "accuracy": round(right / len(items), 3),
        "accuracy_leaning": round(lean_right / len(items), 3),
        # does the verdict head tell yes from no at all (0.5: no)
        "yes_vs_no_auc": round(auc([o for o, _ in leaning], [y for _, y in leaning]), 3),
        "majority_class": round(max(gold.count(k) for k in ("yes", "no", "maybe")) / len(gold), 3),
        "predicted": predicted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--choose", action="store_true", help="Write the chosen cuts into reader.json.")
    parser.add_argument(
        "--model", type=Path, help="A reader.onnx + reader.json folder (default: the shipped one)."
    )
    parser.add_argument(
        "--fulltext-limit", type=int, default=0, help="QASPER full-text questions read (0: all)."
    )
    parser.add_argument(
        "--skip", nargs="*", default=[], help="Parts to skip: fulltext scifact pubmedqa cost."
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "reader.json")
    args = parser.parse_args()
    directory = args.model or ROOT / "src" / "paperqa" / "data"
    meta_path = directory / "reader.json"
    started = time.perf_counter()
    reader = Reader(directory=directory)
    meta = json.loads(meta_path.read_text())
    meta.setdefault("cut", 0.5)
    meta.setdefault("span_cut", 0.0)
    reader.meta = meta  # type: ignore[misc]
    reader.read("warm up", ["a passage"])
    load_seconds = round(time.perf_counter() - started, 3)
    report: dict = {
        **header("bench_reader.py"),
        "model_bytes": meta.get("bytes"),
        "load_seconds": load_seconds,
    }
    if args.choose:
        _, rows = qasper_abstracts(reader)
        cut, span_cut, table = choose_cuts(rows)
        verdict_cut, verdicts = choose_verdict_cut(reader)
        paper_cut, papers = choose_paper_cut(reader)
        meta["cut"], meta["span_cut"], meta["verdict_cut"] = cut, span_cut, verdict_cut
        meta["paper_cut"] = paper_cut
        meta["cut_choice"] = {
            "on": "QASPER abstract dev (cut: the reader and the gate combined; span cut); QASPER "
            "full-text dev yes/no evidence paragraphs (verdict cut); QASPER full-text dev asked of "
            "the paper, its passages read alone (paper cut)",
            "answerable_refused_at_most": REFUSED_ANSWERABLE,
            "paper_answerable_refused_at_most": PAPER_REFUSED_ANSWERABLE,
            "span_cuts": table,
            "verdict_cuts": verdicts,
            "paper_cuts": papers,
        }
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
        # paperqa checks reader.json's sha256 before loading it, as the reads below do
        subprocess.run([sys.executable, str(ROOT / "scripts" / "data_sums.py")], check=True)
        reader.meta = meta  # type: ignore[misc]
        print(f"chose cut {cut}, span cut {span_cut}, verdict cut {verdict_cut}, paper cut {paper_cut}",
              file=sys.stderr)  # fmt: skip
    reader._cache.clear()  # the report times fresh reads
    report["qasper_abstract_dev"], _ = qasper_abstracts(reader)
    print(json.dumps(report["qasper_abstract_dev"]), file=sys.stderr)
    report["qasper_fulltext_dev_abstracts"] = fulltext_abstracts(reader)
    print(json.dumps(report["qasper_fulltext_dev_abstracts"]), file=sys.stderr)
    if "fulltext" not in args.skip:
        report["qasper_fulltext_dev"] = qasper_fulltext(reader, args.fulltext_limit)
        print(json.dumps(report["qasper_fulltext_dev"]), file=sys.stderr)
    if "scifact" not in args.skip:
        report["scifact_dev"] = scifact(reader)
        print(json.dumps(report["scifact_dev"]), file=sys.stderr)
    if "cost" not in args.skip:
        report["ask_cost"] = ask_cost()
        print(json.dumps(report["ask_cost"]), file=sys.stderr)
    if "pubmedqa" not in args.skip:
        report["pubmedqa"] = pubmedqa(reader)
        print(json.dumps(report["pubmedqa"]), file=sys.stderr)
    ablation = RESULTS / "reader-ablation.json"
    if ablation.exists():  # trained by `make reader-ablation` (torch), read here
        report["source_ablation"] = json.loads(ablation.read_text())["runs"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
