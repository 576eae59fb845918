"""Summaries and literature tables of whole papers: what reading the body adds (QASPER full-text
dev, 98 papers and their 320 researchers' questions; nothing fitted on them).

- Summaries (`paperqa summarize`, quote mode): the whole paper's (abstract, then its method's
  and results' own sentences, cited to the section) against the abstract-only summary it
  replaced. No reference summaries exist for these papers: as a measure of what a summary
  covers, the share of the words of each paper's gold answers (extractive and free-form
  questions) found in its summary, averaged over papers; also words, and how many summaries
  quote the body.
- Aspect cells (`paperqa table`, the five default columns): how often each is filled from the
  abstract alone and with the body's parts (`aspects.body_quote`), and every cell the body
  filled, written to the JSON for reading (judged by hand in RESULTS.md).
- Own columns: each dev question as a column of its paper's row. Abstract-only cells against
  cells read as an ask restricted to the paper reads it (`table.body_for`): filled (answerable /
  unanswerable questions), the cell's sentence inside a gold evidence paragraph, gold-token
  recall; and the cost of a cell.

    python benchmarks/bench_body_parts.py [--home DIR]   # writes benchmarks/results/body_parts.json

`--home` reuses a library already holding the dev papers (`paperqa ingest
../shared/data/qasper_fulltext/dev_papers.jsonl`); without it one is built in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

from _common import RESULTS, ROOT, header

from paperqa.answer.find.sources import whole_paper
from paperqa.answer.summaries import SUMMARY_WORDS
from paperqa.answer.table import ColumnFiller, aspect_cells, body_for, column_question
from paperqa.answer.understand.intent import read_intent
from paperqa.answer.write import aspects, extractive
from paperqa.evals.qasper import token_recall
from paperqa.library import Library
from paperqa.settings import Settings

FULLTEXT = ROOT.parent / "shared" / "data" / "qasper_fulltext"


def summaries(library: Library, gold: dict[str, list[str]]) -> dict[str, object]:
    rank = library.tasks.pipeline.ranker()
    old_recall, new_recall, old_words, new_words, seconds = [], [], [], [], []
    quoting_body = 0
    for pid, answers in gold.items():
        paper = library.get(pid)
        old = " ".join(s.text for s in extractive.lead_summary(whole_paper(paper, 1), rank, SUMMARY_WORDS))
        started = time.perf_counter()
        answer = library.summarize(pid)
        seconds.append(time.perf_counter() - started)
        new = " ".join(s.text for s in answer.sentences)
        old_recall.append(statistics.mean(token_recall(old, g) for g in answers))
        new_recall.append(statistics.mean(token_recall(new, g) for g in answers))
        old_words.append(len(old.split()))
        new_words.append(len(new.split()))
        quoting_body += any(s.section is not None for s in answer.sentences)
    return {
        "papers": len(gold),
        "gold_answer_words_in_summary": {
            "abstract_only": round(statistics.mean(old_recall), 3),
            "whole_paper": round(statistics.mean(new_recall), 3),
        },
        "words": {
            "abstract_only": round(statistics.mean(old_words)),
            "whole_paper": round(statistics.mean(new_words)),
        },
        "summaries_quoting_the_body": quoting_body,
        "seconds_per_summary_p50": round(statistics.median(seconds), 3),
    }


def aspect_columns(library: Library) -> dict[str, object]:
    rank = library.tasks.pipeline.ranker()
    papers = library.papers()
    before: dict[str, int] = defaultdict(int)
    after: dict[str, int] = defaultdict(int)
    from_body = []
    for paper in papers:
        source = whole_paper(paper, 1)
        old, new = aspects.aspect_cells(source), aspect_cells(source, None, rank)
        for aspect in aspects.ASPECTS:
            before[aspect] += bool(old[aspect].citations)
            after[aspect] += bool(new[aspect].citations)
            if new[aspect].citations and not old[aspect].citations:
                from_body.append(
                    {
                        "paper": paper.title,
                        "aspect": aspect,
                        "cell": new[aspect].text,
                        "section": new[aspect].section,
                    }
                )
    n = len(papers)
    return {
        "papers": n,
        "filled": {
            a: {"abstract_only": round(before[a] / n, 2), "whole_paper": round(after[a] / n, 2)}
            for a in aspects.ASPECTS
        },
        "cells_from_the_body": from_body,
    }


def own_columns(library: Library, questions: list[dict]) -> dict[str, object]:
    pipeline = library.tasks.pipeline
    rank, idf, cut = pipeline.ranker(), pipeline.idf(), pipeline.answerable_cut()
    rows: dict[str, dict[str, list[float]]] = {
        "abstract_only": defaultdict(list),
        "whole_paper": defaultdict(list),
    }
    for q in questions:
        source = whole_paper(library.get(q["paper_id"]), 1)
        for name, find in (("abstract_only", None), ("whole_paper", partial(body_for, pipeline))):
            filler = ColumnFiller(
                read_intent(column_question(q["question"])), rank, idf, cut, pipeline.reader, find
            )
            started = time.perf_counter()
            cell = filler.cell(source, None)
            row = rows[name]
            row["seconds"].append(time.perf_counter() - started)
            filled = bool(cell.citations)
            if q["kind"] == "unanswerable":
                row["unanswerable_filled"].append(filled)
                continue
            row["answerable_filled"].append(filled)
            evidence = [e for group in q["evidence"] for e in group]
            row["in_gold_evidence"].append(
                filled and any(cell.evidence and (cell.evidence in e or e in cell.evidence) for e in evidence)
            )
            if q["kind"] in ("extractive", "abstractive"):
                row["gold_token_recall"].append(
                    max(token_recall(cell.text if filled else "", g) for g in q["answers"])
                )
    out: dict[str, object] = {}
    for name, row in rows.items():
        seconds = row.pop("seconds")
        out[name] = {k: round(statistics.mean(v), 3) for k, v in row.items()}
        out[name]["n"] = {k: len(v) for k, v in row.items()}  # type: ignore[index]
        out[name]["seconds_per_cell_p50"] = round(statistics.median(seconds), 3)  # type: ignore[index]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, help="A library already holding the 98 dev papers.")
    args = parser.parse_args()
    questions = [json.loads(line) for line in (FULLTEXT / "dev_questions.jsonl").open()]
    gold: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        if q["kind"] in ("extractive", "abstractive"):
            gold[q["paper_id"]].append(q["answers"][0])
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp) / "lib"
        library = Library(Settings(home=home))
        if args.home is None:
            library.ingest([FULLTEXT / "dev_papers.jsonl"])
        out: dict[str, object] = {"meta": header("bench_body_parts.py")}
        out["summaries"] = summaries(library, gold)
        print(json.dumps(out["summaries"]), flush=True)
        out["aspect_columns"] = aspect_columns(library)
        print(json.dumps(out["aspect_columns"]["filled"]), flush=True)  # type: ignore[index]
        out["own_columns"] = own_columns(library, questions)
        print(json.dumps(out["own_columns"]), flush=True)
    (RESULTS / "body_parts.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
