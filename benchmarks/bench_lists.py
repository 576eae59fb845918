"""Questions about several papers on libraries nobody here wrote: QASPER dev's 281 NLP
abstracts, asked "Which papers propose a new dataset?" and the like, where the list rules were
looked at, and QASPER train's 888, asked other questions after the rules were set (held out).

    python benchmarks/bench_lists.py            # writes benchmarks/results/lists.json

Each question's answer names up to five papers. evals/list_questions.jsonl holds, per
question, the papers judged by reading their abstracts: `yes` (the paper does what the
question asks: proposes a dataset, releases a toolkit), `partly` (counted as half) and `no`.
Precision is over the judged papers of each answer; a paper no one has judged yet is printed
as UNJUDGED with its quoted sentence, to be read and added to the file, never guessed.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

from paperqa.library import Library
from paperqa.settings import Settings

DATA = ROOT.parent / "shared" / "data" / "qasper"
LABELS = ROOT / "evals" / "list_questions.jsonl"
OUT = ROOT / "benchmarks" / "out"
SIZES = {"dev": 281, "train": 888}


def library(split: str) -> Library:
    """QASPER's abstracts of one split as a library under benchmarks/out/ (built once)."""
    lib = Library(Settings(home=OUT / f"qasper-{split}"))
    if lib.store.counts()[0] < SIZES[split]:
        lib.ingest([DATA / f"{split}_papers.jsonl"])
    return lib


def main() -> None:
    rows = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]
    libraries = {split: library(split) for split in sorted({r["split"] for r in rows})}
    results = []
    for row in rows:
        t = time.perf_counter()
        answer = libraries[row["split"]].ask(row["question"])
        seconds = time.perf_counter() - t
        titles = {r.number: (r.paper_id, r.title) for r in answer.references}
        named = []
        for s in answer.sentences:
            paper_id, title = titles[s.citations[0]] if s.citations else ("", "")
            mark = 1.0 if paper_id in row["yes"] else 0.5 if paper_id in row["partly"] else 0.0
            judged = paper_id in row["yes"] or paper_id in row["partly"] or paper_id in row["no"]
            named.append(
                {"paper_id": paper_id, "title": title, "sentence": s.text, "score": mark if judged else None}
            )
            if not judged:
                print(f"UNJUDGED {row['question']!r}: {paper_id} {title} || {s.text}", file=sys.stderr)
        scores = [n["score"] for n in named if n["score"] is not None]
        results.append(
            {
                "split": row["split"],
                "question": row["question"],
                "papers": named,
                "precision": round(statistics.fmean(scores), 3) if scores else None,
                "seconds": round(seconds, 3),
            }
        )
    summary: dict[str, object] = {
        **header("bench_lists.py"),
        "libraries": "QASPER dev (281) and train (888) abstracts",
    }
    for split in libraries:
        mine = [r for r in results if r["split"] == split]
        judged = [s for r in mine for s in (p["score"] for p in r["papers"]) if s is not None]
        summary[split] = {
            "questions": len(mine),
            "papers_named": sum(len(r["papers"]) for r in mine),
            "papers_judged": len(judged),
            "precision": round(statistics.fmean(judged), 3) if judged else None,
        }
    summary["results"] = results
    for r in results:
        print(f"{r['split']}\t{r['precision']}\t{r['question']}")
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}, indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "lists.json").write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
