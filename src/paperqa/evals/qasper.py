"""Questions about one paper with gold answers (QASPER's form), scored as QASPER scores them.

A QASPER-style question file is JSONL, one question a line:

    {"id": "...", "paper_id": "1909.04002", "question": "...",
     "kind": "extractive" | "abstractive" | "yes_no" | "unanswerable", "answers": ["...", ...]}

Each question is asked twice: restricted to its paper (`paperqa ask --paper ID`) and over the
whole library. Scored per answer: QASPER's answer F1 (normalised tokens, max over the gold
answers), the share of the gold answer's tokens found in the answer (recall), yes/no accuracy
(the answer's "Yes:"/"No:" against the gold; no verdict counts as wrong), and whether the
answer refused (the library declined, or the chosen paper's abstract "does not say"). Beside
the pipeline, three baselines on the same library: `quote` (the same evidence, no model),
`extractive` (quoting without the reader: the word-based gate and verdict rules) and
`lexical` (the abstract sentence sharing most words with the question).

With full texts (papers ingested with their `sections`, e.g. `../shared/data/qasper_fulltext/`,
whose questions carry each annotator's `evidence` paragraphs) the lexical baseline reads the
body too, and each answer is also scored by QASPER's evidence F1: the body paragraphs its
quoted sentences come from against the gold evidence, the best annotator.
"""

from __future__ import annotations

import json
import re
import string
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from paperqa.errors import IngestError, InputError, PaperNotFoundError
from paperqa.library import Library
from paperqa.text.sentences import split_sentences
from paperqa.text.words import content_words
from paperqa.types import Answer, Paper

Kind = Literal["extractive", "abstractive", "yes_no", "unanswerable"]
KINDS: tuple[str, ...] = ("extractive", "abstractive", "yes_no", "unanswerable")
Scope = Literal["paper", "library"]
SYSTEMS: tuple[str, ...] = ("pipeline", "quote", "extractive", "lexical")


class QasperQuestion(BaseModel):
    """One line of a QASPER-style question file."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    paper_id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    kind: Kind
    answers: list[str] = Field(default_factory=list)
    evidence: list[list[str]] = Field(
        default_factory=list, description="Per answering annotator, the paragraphs holding the answer."
    )


def is_qasper_file(path: Path) -> bool:
    """The file's first question has QASPER's fields (`paper_id`, `kind`, `answers`)."""
    try:
        with path.open(encoding="utf-8") as f:
            first = next((line for line in f if line.strip()), "")
        row = json.loads(first)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(row, dict) and {"paper_id", "kind", "answers"} <= row.keys()


def load_qasper(path: Path) -> list[QasperQuestion]:
    """The questions of a QASPER-style file; a bad line is an `IngestError` naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such question file") from None
    questions = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            questions.append(QasperQuestion.model_validate_json(line))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise IngestError(problems, path, number) from None
    if not questions:
        raise IngestError("no questions in the file", path)
    return questions


# --- QASPER's scoring -----------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_VERDICT = re.compile(r"^(Yes|No):\s*")


def normalize_answer(text: str) -> list[str]:
    """QASPER's normalisation: lower case, no punctuation, no articles, single spaces."""
    return _ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split()


def f1(common: int, predicted: int, gold: int) -> float:
    """F1 of `common` items shared by `predicted` and `gold` items (0 when none are shared)."""
    if not common:
        return 0.0
    precision, recall = common / predicted, common / gold
    return 2 * precision * recall / (precision + recall)


def tokens_f1(pred: Sequence[str], ref: Sequence[str]) -> float:
    """F1 of two token lists (as bags)."""
    return f1(sum((Counter(pred) & Counter(ref)).values()), len(pred), len(ref))


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = normalize_answer(prediction), normalize_answer(gold)
    return tokens_f1(pred, ref) if pred and ref else float(pred == ref)


def token_recall(prediction: str, gold: str) -> float:
    """Share of the gold answer's tokens that the prediction holds."""
    ref = normalize_answer(gold)
    if not ref:
        return 0.0
    return sum((Counter(normalize_answer(prediction)) & Counter(ref)).values()) / len(ref)


class QasperResult(BaseModel):
    """How one system answered one question in one scope."""

    id: str
    kind: str
    question: str
    paper_id: str
    scope: str
    system: str
    answer: str
    short_answer: str | None = None
    refused: bool = Field(description="Declined by the library, or 'the abstract does not say'.")
    verdict: str | None = None
    cited_paper: bool | None = Field(default=None, description="The answer cites the question's paper.")
    f1: float | None = None
    recall: float | None = None
    yes_no_correct: bool | None = None
    evidence_f1: float | None = Field(
        default=None, description="The paragraphs the answer quotes against the gold evidence (full texts)."
    )
    seconds: float = 0.0


def answer_text(answer: Answer) -> str:
    """The answer's sentences without citation markers (after its short answer, if any)."""
    return " ".join(
        [*([answer.short_answer] if answer.short_answer else []), *(s.text for s in answer.sentences)]
    )


def score(
    q: QasperQuestion,
    scope: str,
    system: str,
    text: str,
    refused: bool,
    cited: bool | None,
    seconds: float,
    short: str | None = None,
) -> QasperResult:
    """One answer scored: F1 on its short answer when it has one (else on the whole text),
    gold-token recall on the whole text."""
    m = _VERDICT.match(text)
    verdict = m.group(1) if m else None
    result = QasperResult(
        id=q.id, kind=q.kind, question=q.question, paper_id=q.paper_id, scope=scope, system=system,
        answer=text, short_answer=short, refused=refused, verdict=verdict, cited_paper=cited,
        seconds=round(seconds, 3),
    )  # fmt: skip
    if q.kind == "yes_no":
        result.yes_no_correct = verdict is not None and any(verdict.lower() == a.lower() for a in q.answers)
    elif q.kind != "unanswerable":
        body = "" if refused else _VERDICT.sub("", text)
        said = body if short is None or refused else short
        result.f1 = max(token_f1(said, a) for a in q.answers)
        result.recall = max(token_recall(body, a) for a in q.answers)
    return result


def lexical_answer(paper: Paper, question: str) -> str:
    """The baseline: the sentence of the abstract (and body) sharing most content words with
    the question."""
    asked = content_words(question)
    texts = [paper.abstract, *(p for _, s in paper.body for p in s.paragraphs)]
    sentences = [s for text in texts for s in split_sentences(text)]
    return max(sentences, key=lambda s: len(asked & content_words(s)), default="")


def quoted_paragraphs(paper: Paper, quoted: Sequence[str]) -> list[str]:
    """The body paragraphs of `paper` holding the `quoted` sentences (the abstract is none)."""
    found: list[str] = []
    for sentence in quoted:
        found += [p for _, s in paper.body for p in s.paragraphs if sentence and sentence in p][:1]
    return list(dict.fromkeys(found))


def evidence_f1(predicted: Sequence[str], gold: Sequence[Sequence[str]]) -> float | None:
    """QASPER's evidence F1: paragraphs predicted against each annotator's, the best annotator
    (None when no annotator marked evidence)."""
    annotators = [{" ".join(p.split()) for p in g} for g in gold if g]
    if not annotators:
        return None
    said = set(predicted)
    return max(f1(len(said & ref), len(said), len(ref)) for ref in annotators)


# --- running ------------------------------------------------------------------------


def run_qasper(
    library: Library,
    questions: Sequence[QasperQuestion],
    *,
    quote: Library | None = None,
    extractive: Library | None = None,
    scopes: Sequence[Scope] = ("paper", "library"),
    progress: Callable[[int, int], None] | None = None,
) -> list[QasperResult]:
    """Every question asked in every scope by the pipeline (and the quote and lexical baselines
    when `quote`, the same library in quote mode, is given; the extractive one with
    `extractive`, the same library quoting without the reader)."""
    results: list[QasperResult] = []
    systems = [("pipeline", library), *([("quote", quote)] if quote is not None else [])]
    systems += [("extractive", extractive)] if extractive is not None else []
    for done, q in enumerate(questions, 1):
        try:
            paper = library.get(q.paper_id)
        except PaperNotFoundError:
            raise InputError(
                f"question {q.id}: paper {q.paper_id} is not in the corpus; "
                "pass its papers file with --corpus"
            ) from None
        for scope in scopes:
            for name, lib in systems:
                started = time.perf_counter()
                answer = lib.ask(q.question, paper_ids=[paper.id] if scope == "paper" else None)
                refused = answer.not_in_library or answer.not_stated
                cited = paper.id in {r.paper_id for r in answer.references} if not refused else None
                seconds = time.perf_counter() - started
                text, short = answer_text(answer), answer.short_answer
                result = score(q, scope, name, text, refused, cited, seconds, short)
                if paper.sections and q.kind != "unanswerable":
                    number = next((r.number for r in answer.references if r.paper_id == paper.id), None)
                    quoted = [s.evidence or "" for s in answer.sentences if number in s.citations]
                    said = [] if refused else quoted_paragraphs(paper, quoted)
                    result.evidence_f1 = evidence_f1(said, q.evidence)
                results.append(result)
            if quote is not None and scope == "paper":
                text = lexical_answer(paper, q.question)
                result = score(q, scope, "lexical", text, False, True, 0.0)
                if paper.sections and q.kind != "unanswerable":
                    result.evidence_f1 = evidence_f1(quoted_paragraphs(paper, [text]), q.evidence)
                results.append(result)
        if progress:
            progress(done, len(questions))
    return results


Row = dict[str, float | int | None]


def summarize(results: Sequence[QasperResult]) -> dict[str, Row]:
    """Metrics per (system, scope), overall and per kind: F1, recall, yes/no accuracy, refusals."""
    groups: dict[str, list[QasperResult]] = {}
    for r in results:
        groups.setdefault(f"{r.system} / {r.scope}", []).append(r)
    return {name: _metrics(rows) for name, rows in groups.items()}


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _metrics(rows: Sequence[QasperResult]) -> Row:
    answerable = [r for r in rows if r.kind != "unanswerable"]
    spans = [r for r in answerable if r.kind != "yes_no"]
    yes_no = [r for r in answerable if r.kind == "yes_no"]
    unanswerable = [r for r in rows if r.kind == "unanswerable"]
    row: Row = {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "f1": _mean([r.f1 or 0.0 for r in spans]),
        "recall": _mean([r.recall or 0.0 for r in spans]),
        "yes_no_accuracy": _mean([float(bool(r.yes_no_correct)) for r in yes_no]),
        "yes_no_decided": _mean([float(r.verdict is not None) for r in yes_no]),
        "answerable_refused": _mean([float(r.refused) for r in answerable]),
        "unanswerable_refused": _mean([float(r.refused) for r in unanswerable]),
        "cites_its_paper": _mean([float(bool(r.cited_paper)) for r in answerable if not r.refused]),
        "evidence_f1": _mean([r.evidence_f1 for r in answerable if r.evidence_f1 is not None]),
        "seconds": _mean([r.seconds for r in rows]),
    }
    for kind in ("extractive", "abstractive"):
        of_kind = [r for r in spans if r.kind == kind]
        row[f"f1_{kind}"] = _mean([r.f1 or 0.0 for r in of_kind])
        row[f"recall_{kind}"] = _mean([r.recall or 0.0 for r in of_kind])
    return row


TARGETS: tuple[tuple[str, str, str, float], ...] = (
    ("answerable refused", "answerable_refused", "<=", 0.05),
    ("answer F1", "f1", ">=", 0.22),
    ("gold-token recall", "recall", ">=", 0.55),
    ("yes/no accuracy", "yes_no_accuracy", ">=", 0.70),
    ("unanswerable refused", "unanswerable_refused", ">=", 0.40),
)


def markdown(summary: dict[str, Row], meta: dict[str, str], results: Sequence[QasperResult]) -> str:
    """report.md for a QASPER-style run: the setup, the metrics table, the targets, and answers."""
    lines = ["# paperqa eval (QASPER-style questions)", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()] + [""]
    columns = list(next(iter(summary.values())).keys()) if summary else []
    lines += ["| system / scope | " + " | ".join(columns) + " |", "| --- " * (len(columns) + 1) + "|"]
    for name, row in summary.items():
        cells = ("-" if row[c] is None else str(row[c]) for c in columns)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    pipeline = summary.get("pipeline / paper", {})
    lines += ["", "## Targets (pipeline, asked restricted to the question's paper)", ""]
    lines += ["| target | value | goal | met |", "| --- | --- | --- | --- |"]
    for label, key, op, goal in TARGETS:
        value = pipeline.get(key)
        met = value is not None and (value <= goal if op == "<=" else value >= goal)
        lines.append(f"| {label} | {value} | {op} {goal} | {'yes' if met else 'no'} |")
    lines += ["", "## Answers (pipeline, restricted to the paper)", ""]
    for r in results:
        if r.system == "pipeline" and r.scope == "paper":
            mark = "refused" if r.refused else f"verdict {r.verdict}" if r.f1 is None else f"F1 {r.f1:.2f}"
            lines.append(f"- **{r.id[:8]}** ({r.kind}, {mark}) {r.question} -> {r.answer[:300]}")
    return "\n".join(lines) + "\n"


def write(out_dir: Path, results: Sequence[QasperResult], meta: dict[str, str]) -> dict[str, Row]:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize(results)
    (out_dir / "report.md").write_text(markdown(summary, meta, results), encoding="utf-8")
    payload = {"meta": meta, "summary": summary, "results": [r.model_dump() for r in results]}
    (out_dir / "results.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return summary
