"""How far quoting can go on QASPER: answer F1 and gold-token recall of answers picked with
hindsight (the gold answer known), next to the pipeline's own answers from `make eval`.

    python benchmarks/bench_qasper_ceiling.py [--split dev]   # writes results/qasper-ceiling.json

Rows (extractive and abstractive questions, QASPER's scoring, max over gold answers):
- the pipeline's answer as `make eval` wrote it (evals/qasper-dev/results.json; dev only),
  its first sentence alone, and the better of the two per question (hindsight);
- the best clause of its first sentence (hindsight), alone and followed by the rest;
- the best single sentence of the abstract, and the best clause of any sentence (hindsight).
A clause is a run of up to four pieces of a sentence cut at commas, semicolons, colons,
dashes and "and / which / while / where / whereas / but / that / to".
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

from paperqa.evals.qasper import load_qasper, token_f1, token_recall
from paperqa.text.sentences import split_sentences

DATA = ROOT.parent / "shared" / "data" / "qasper"
_CUT = re.compile(
    r"(?<=[,;:])\s+|\s+-{1,3}\s+|\s+(?:and|which|while|where|whereas|but|that|to)\s+", re.IGNORECASE
)


def clauses(sentence: str) -> set[str]:
    parts = _CUT.split(sentence)
    runs = {" ".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, min(len(parts), i + 4) + 1)}
    return runs | {sentence}


def scored(text: str, answers: list[str]) -> tuple[float, float]:
    return max(token_f1(text, a) for a in answers), max(token_recall(text, a) for a in answers)


def best(candidates: set[str] | list[str], answers: list[str]) -> tuple[float, float]:
    return max((scored(c, answers) for c in candidates), default=(0.0, 0.0))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["dev", "train"], default="dev")
    args = parser.parse_args()
    papers = {}
    for line in (DATA / f"{args.split}_papers.jsonl").read_text().splitlines():
        row = json.loads(line)
        papers[row["id"]] = row["abstract"]
    questions = [
        q
        for q in load_qasper(DATA / f"{args.split}_questions.jsonl")
        if q.kind in ("extractive", "abstractive")
    ]
    rows: dict[str, list[tuple[float, float]]] = {}

    def add(name: str, value: tuple[float, float]) -> None:
        rows.setdefault(name, []).append(value)

    answers_file = ROOT / "evals" / "qasper-dev" / "results.json"
    pipeline = {}
    if args.split == "dev" and answers_file.exists():
        for r in json.loads(answers_file.read_text())["results"]:
            if r["system"] == "pipeline" and r["scope"] == "paper":
                pipeline[r["id"]] = r["answer"]
    for q in questions:
        sentences = split_sentences(papers[q.paper_id])
        add("best abstract sentence (hindsight)", best(sentences, q.answers))
        add(
            "best clause of any sentence (hindsight)",
            best({c for s in sentences for c in clauses(s)}, q.answers),
        )
        if q.id not in pipeline:
            continue
        answer = pipeline[q.id]
        said = split_sentences(answer)
        first, rest = (said[0], " ".join(said[1:])) if said else ("", "")
        add("pipeline answer", scored(answer, q.answers))
        add("its first sentence", scored(first, q.answers))
        add(
            "first sentence or whole answer, the better (hindsight)",
            max(scored(first, q.answers), scored(answer, q.answers)),
        )
        clause = max(clauses(first), key=lambda c: scored(c, q.answers)) if first else ""
        add("best clause of its first sentence (hindsight)", scored(clause, q.answers))
        add("that clause, then the rest of the answer", scored(f"{clause} {rest}".strip(), q.answers))
    table = {
        name: {
            "f1": round(statistics.fmean(v[0] for v in values), 3),
            "recall": round(statistics.fmean(v[1] for v in values), 3),
            "questions": len(values),
        }
        for name, values in rows.items()
    }
    result = {**header("bench_qasper_ceiling.py"), "split": args.split, "rows": table}
    print(json.dumps(result, indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"qasper-ceiling-{args.split}.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
