"""The literature table on the seed library: speed, and whether its cells are on their column.

    python benchmarks/bench_table.py            # writes benchmarks/results/table.json

Speed: `Library.table` (quote mode, the library warm) for 10 papers x the five aspects and
10 papers x six columns of the researcher's, median of 3, per table and per cell.

Quality, against hand labels:
- the researcher's columns: evals/table_cells.jsonl, 60 cells (10 papers x 6 columns), each
  with the sentences of the abstract that answer it (none: the abstract is silent). A filled
  cell is on-column when its sentence is one of them; "Not stated" is right when there are none.
  Swept over the answerability cut (`table.CELL_ANSWERABLE`) to show what it trades, and set
  beside the extractive baseline (the sentence sharing most words with the column, always filled).
- the aspect columns: evals/aspects.jsonl (every sentence of 18 seed abstracts labelled with
  its aspect): a filled cell is on-column when its sentence carries the column's label.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

from paperqa.answer import table as table_module
from paperqa.answer.find.sources import whole_paper
from paperqa.answer.read.evidence import source_sentences
from paperqa.answer.write.aspects import ASPECTS, NOT_STATED
from paperqa.index.embeddings import get_embedder
from paperqa.library import Library
from paperqa.settings import EmbeddingSettings, LLMSettings, Settings
from paperqa.text.words import content_words

OWN_COLUMNS = [
    "Which models do they study?",
    "baselines",
    "task",
    "How much does the method improve?",
    "How is the method evaluated?",
    "application domain",
]
CUTS = [0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5]


def timed(library: Library, ids: list[str], columns: list[str]) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        library.table(ids, columns=columns)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def score(cells: list[tuple[str | None, list[str]]]) -> dict[str, float | int]:
    """cells: (the sentence quoted or None for "Not stated", the sentences that answer)."""
    filled = [(s, gold) for s, gold in cells if s is not None]
    on = sum(s in gold for s, gold in filled)
    silent = [(s, gold) for s, gold in cells if not gold]
    answerable = [(s, gold) for s, gold in cells if gold]
    return {
        "cells": len(cells),
        "filled": len(filled),
        "on_column_of_filled": round(on / len(filled), 3) if filled else 0.0,
        "not_stated_right": round(sum(s is None for s, _ in silent) / len(silent), 3) if silent else 0.0,
        "answered_of_answerable": round(sum(s in gold for s, gold in answerable) / len(answerable), 3),
        "right_overall": round(
            sum((s in gold) if gold else (s is None) for s, gold in cells) / len(cells), 3
        ),
    }


def own_columns(library: Library) -> dict[str, object]:
    labels = [json.loads(line) for line in (ROOT / "evals" / "table_cells.jsonl").open()]
    ids = list(dict.fromkeys(row["paper_id"] for row in labels))
    gold = {(row["paper_id"], row["column"]): row["answers"] for row in labels}
    sweep = {}
    for cut in CUTS:
        table_module.CELL_ANSWERABLE = cut  # type: ignore[assignment]
        answer = library.table(ids, columns=OWN_COLUMNS)
        cells = [
            (cell.evidence if cell.citations else None, gold[(ids[i], row.aspect)])
            for row in answer.comparison or []
            for i, cell in enumerate(row.cells)
        ]
        sweep[str(cut)] = score(cells)
    table_module.CELL_ANSWERABLE = None
    baseline = []
    for pid in ids:
        sentences = source_sentences(whole_paper(library.get(pid), 1))
        for column in OWN_COLUMNS:
            asked = content_words(table_module.column_question(column))
            best = max(sentences, key=lambda s: len(asked & content_words(s)))
            baseline.append((best, gold[(pid, column)]))
    shipped = library.table(ids, columns=OWN_COLUMNS)
    cells = [
        (cell.evidence if cell.citations else None, gold[(ids[i], row.aspect)])
        for row in shipped.comparison or []
        for i, cell in enumerate(row.cells)
    ]
    return {"shipped": score(cells), "by_cut": sweep, "word_overlap_baseline": score(baseline)}


def aspect_columns(library: Library) -> dict[str, object]:
    rows = [json.loads(line) for line in (ROOT / "evals" / "aspects.jsonl").open()]
    by_title = {p.title: p.id for p in library.papers()}
    labelled: dict[str, dict[str, str]] = {}
    for row in rows:
        labelled.setdefault(row["paper"], {})[row["sentence"]] = row["aspect"]
    ids = [by_title[t] for t in labelled if t in by_title]
    answer = library.table(ids, columns=list(ASPECTS))
    cells = []
    for row in answer.comparison or []:
        for i, cell in enumerate(row.cells):
            sentence_labels = labelled[library.get(ids[i]).title]
            right = [s for s, a in sentence_labels.items() if a == row.aspect]
            cells.append((cell.evidence if cell.text != NOT_STATED else None, right))
    return {"papers": len(ids), **score(cells)}


def main() -> None:
    embedder = get_embedder(EmbeddingSettings())
    home = Path(tempfile.mkdtemp()) / "seed"
    library = Library(Settings(home=home, llm=LLMSettings(answer_mode="quote")), embedder=embedder)
    library.ingest([ROOT / "seeds"])
    ids = [p.id for p in library.papers()][:10]
    library.table(ids[:2], columns=["dataset"])  # warm: corpus, ranker, models
    aspects_s = timed(library, ids, list(ASPECTS))
    own_s = timed(library, ids, OWN_COLUMNS)
    result = {
        **header("bench_table.py"),
        "speed": {
            "10x5_aspects_seconds": round(aspects_s, 3),
            "10x5_aspects_per_cell": round(aspects_s / 50, 4),
            "10x6_own_columns_seconds": round(own_s, 3),
            "10x6_own_columns_per_cell": round(own_s / 60, 4),
        },
        "own_columns": own_columns(library),
        "aspect_columns": aspect_columns(library),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "table.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
