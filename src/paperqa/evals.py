"""`paperqa eval`: answer quality on a question file, measured end to end.

A question file is JSONL, one question a line:

    {"id": "q01", "type": "single", "question": "...", "papers": ["gold title", ...],
     "facts": ["30%|thirty percent", ...]}

Every question goes through the task a user would run (ask, summarize or compare) on a
library built from the corpus, and is scored on retrieval (recall@5, MRR of the gold
papers), citations (sentences cited, citations that point at a gold paper, support),
facts found, abstention and cost. `write_report` writes report.md, results.json and a
plot.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from paperqa.errors import IngestError, InputError
from paperqa.library import Library
from paperqa.types import Answer, Paper, normalize_title

QuestionType = Literal["single", "multi", "summary", "compare", "unanswerable"]
TYPES: tuple[str, ...] = ("single", "multi", "summary", "compare", "unanswerable")
RETRIEVAL_DEPTH = 5


class EvalQuestion(BaseModel):
    """One line of a question file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    type: QuestionType
    question: str = Field(min_length=1)
    papers: list[str] = Field(default_factory=list, description="Gold papers by title.")
    facts: list[str] = Field(
        default_factory=list, description="Strings the answer should contain; '|' separates alternatives."
    )

    @model_validator(mode="after")
    def _gold_fits_type(self) -> EvalQuestion:
        n = len(self.papers)
        if self.type == "unanswerable" and (n or self.facts):
            raise ValueError("an unanswerable question has empty 'papers' and 'facts'")
        if self.type in ("single", "summary") and n != 1:
            raise ValueError(f"a {self.type} question has exactly one gold paper, not {n}")
        if self.type == "compare" and n != 2:
            raise ValueError(f"a compare question has exactly two gold papers, not {n}")
        if self.type == "multi" and n < 2:
            raise ValueError(f"a multi question has at least two gold papers, not {n}")
        return self


def load_questions(path: Path) -> list[EvalQuestion]:
    """The questions of a JSONL file; a bad line is an `IngestError` naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such question file") from None
    except UnicodeDecodeError:
        raise IngestError("not UTF-8 text", path) from None
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            question = EvalQuestion.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise IngestError(f"not valid JSON ({exc.msg})", path, number) from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            )
            raise IngestError(problems, path, number) from None
        if question.id in seen:
            raise IngestError(f"question id {question.id!r} is used twice", path, number)
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise IngestError("no questions in the file", path)
    return questions


class QuestionResult(BaseModel):
    """How one question went."""

    id: str
    type: str
    question: str
    task: str
    gold: list[str] = Field(description="Gold paper ids.")
    retrieved: list[str] = Field(description=f"Top {RETRIEVAL_DEPTH} paper ids of retrieval, in order.")
    recall_at_5: float | None = None
    reciprocal_rank: float | None = None
    declined: bool = False
    sentences: int = 0
    cited_sentences: int = 0
    citations: int = 0
    gold_citations: int = 0
    mean_support: float | None = None
    facts_total: int = 0
    facts_found: int = 0
    missing_facts: list[str] = Field(default_factory=list)
    fallback: str | None = None
    backend: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    answer: str = ""


def gold_ids(question: EvalQuestion, by_title: dict[str, str], where: str) -> list[str]:
    """The gold titles of a question as paper ids of the library."""
    ids = []
    for title in question.papers:
        pid = by_title.get(normalize_title(title))
        if pid is None:
            raise InputError(
                f"{where}: question {question.id}: gold paper {title!r} is not in the corpus; "
                "check the title or pass the corpus that holds it with --corpus"
            )
        ids.append(pid)
    return ids


def fact_found(fact: str, text: str) -> bool:
    """A fact is found when any of its '|' alternatives is in the text (case and spacing ignored)."""
    flat = " ".join(text.casefold().split())
    return any(" ".join(alt.casefold().split()) in flat for alt in fact.split("|") if alt.strip())


def score(question: EvalQuestion, gold: list[str], retrieved: list[str], answer: Answer) -> QuestionResult:
    """Everything measured about one answer (pure: no model, no store)."""
    gold_set = set(gold)
    top = retrieved[:RETRIEVAL_DEPTH]
    recall = rr = None
    if gold:
        recall = len(gold_set & set(top)) / len(gold_set)
        rr = next((1 / (i + 1) for i, pid in enumerate(retrieved) if pid in gold_set), 0.0)
    number_to_paper = {s.number: s.paper.id for s in answer.sources}
    sentences = [] if answer.not_in_library else answer.sentences
    cites = [c for s in sentences for c in s.citations]
    text = answer.text + "\n" + "\n".join(c.text for row in answer.comparison or [] for c in row.cells)
    missing = [f for f in question.facts if not fact_found(f, text)]
    supports = [s.support for s in sentences if s.citations]
    return QuestionResult(
        id=question.id,
        type=question.type,
        question=question.question,
        task=answer.task,
        gold=gold,
        retrieved=top,
        recall_at_5=recall,
        reciprocal_rank=rr,
        declined=answer.not_in_library,
        sentences=len(sentences),
        cited_sentences=sum(bool(s.citations) for s in sentences),
        citations=len(cites),
        gold_citations=sum(number_to_paper.get(c) in gold_set for c in cites),
        mean_support=round(statistics.fmean(supports), 3) if supports else None,
        facts_total=len(question.facts),
        facts_found=len(question.facts) - len(missing),
        missing_facts=missing,
        fallback=answer.fallback,
        backend=answer.backend,
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        seconds=round(answer.usage.total_seconds, 3),
        answer=answer.text,
    )


def declined_answer(question: EvalQuestion, task: str) -> Answer:
    """What a summarize or compare request that names nothing in the library amounts to."""
    from paperqa.citations import NOT_IN_LIBRARY

    return Answer(
        task=task,
        question=question.question,
        text=NOT_IN_LIBRARY,
        sentences=[],
        references=[],
        sources=[],
        not_in_library=True,
        backend="none",
    )


def run_question(library: Library, question: EvalQuestion, gold: list[str]) -> QuestionResult:
    """Run one question through the task a user would use for it, and score it."""
    chunks = library.tasks.retriever.retrieve(question.question, k=4 * RETRIEVAL_DEPTH)
    retrieved = list(dict.fromkeys(c.paper_id for c in chunks))
    started = time.perf_counter()
    if question.type == "summary":
        found = library.find_papers(question.question, 1)
        answer = library.summarize(found[0].id) if found else declined_answer(question, "summarize")
    elif question.type == "compare":
        found = library.find_pair(question.question)
        answer = (
            library.compare(found[0].id, found[1].id)
            if len(found) == 2
            else declined_answer(question, "compare")
        )
    else:
        answer = library.ask(question.question)
    answer.usage.total_seconds = time.perf_counter() - started
    return score(question, gold, retrieved, answer)


def evaluate(
    library: Library,
    questions: Sequence[EvalQuestion],
    *,
    where: str = "question file",
    progress: Callable[[int, int], None] | None = None,
) -> list[QuestionResult]:
    """Run every question on `library` (which already holds the corpus)."""
    by_title = paper_titles(library.papers())
    golds = [gold_ids(q, by_title, where) for q in questions]  # all checked before any model runs
    results = []
    for i, (question, gold) in enumerate(zip(questions, golds, strict=True)):
        results.append(run_question(library, question, gold))
        if progress:
            progress(i + 1, len(questions))
    return results


def paper_titles(papers: Sequence[Paper]) -> dict[str, str]:
    """Normalised title -> id (first paper wins)."""
    out: dict[str, str] = {}
    for p in papers:
        out.setdefault(p.title_key, p.id)
    return out


# --- aggregation -----------------------------------------------------------------------


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(statistics.fmean(kept), 3) if kept else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def aggregate(results: Sequence[QuestionResult]) -> dict[str, float | int | None]:
    """The metrics of a group of results."""
    answerable = [r for r in results if r.type != "unanswerable"]
    unanswerable = [r for r in results if r.type == "unanswerable"]
    answered = [r for r in results if not r.declined]
    seconds = sorted(r.seconds for r in results)
    return {
        "questions": len(results),
        "recall_at_5": _mean([r.recall_at_5 for r in answerable]),
        "mrr": _mean([r.reciprocal_rank for r in answerable]),
        "cited_sentence_share": _share(
            sum(r.cited_sentences for r in answered), sum(r.sentences for r in answered)
        ),
        "gold_citation_share": _share(
            sum(r.gold_citations for r in answerable if not r.declined),
            sum(r.citations for r in answerable if not r.declined),
        ),
        "mean_support": _mean([r.mean_support for r in answered]),
        "fact_coverage": _share(sum(r.facts_found for r in results), sum(r.facts_total for r in results)),
        "unanswerable_declined": _share(sum(r.declined for r in unanswerable), len(unanswerable)),
        "answerable_declined": _share(sum(r.declined for r in answerable), len(answerable)),
        "fallback_share": _share(sum(bool(r.fallback) for r in answered), len(answered)),
        "prompt_tokens_mean": _mean([r.prompt_tokens for r in results]),
        "completion_tokens_mean": _mean([r.completion_tokens for r in results]),
        "seconds_mean": _mean([r.seconds for r in results]),
        "seconds_p50": round(seconds[len(seconds) // 2], 3) if seconds else None,
    }


def summarize_results(results: Sequence[QuestionResult]) -> dict[str, dict[str, float | int | None]]:
    """Metrics overall and per question type (types in the file only)."""
    out = {"overall": aggregate(results)}
    for kind in TYPES:
        group = [r for r in results if r.type == kind]
        if group:
            out[kind] = aggregate(group)
    return out


class Target(BaseModel):
    name: str
    value: float | None
    goal: str
    met: bool | None = Field(description="None when the file has no question of that kind.")


def check_targets(summary: dict[str, dict[str, float | int | None]]) -> list[Target]:
    """The product's quality targets against a summary."""

    def get(group: str, metric: str) -> float | None:
        value = summary.get(group, {}).get(metric)
        return None if value is None else float(value)

    def target(name: str, value: float | None, goal: str, ok: Callable[[float], bool]) -> Target:
        return Target(name=name, value=value, goal=goal, met=None if value is None else ok(value))

    return [
        target("recall@5 on single", get("single", "recall_at_5"), ">= 0.95", lambda v: v >= 0.95),
        target(
            "non-abstaining sentences cited",
            get("overall", "cited_sentence_share"),
            "= 1.00",
            lambda v: v >= 1.0,
        ),
        target(
            "unanswerable declined",
            get("overall", "unanswerable_declined"),
            ">= 0.90",
            lambda v: v >= 0.9,
        ),
        target("answerable declined", get("overall", "answerable_declined"), "<= 0.10", lambda v: v <= 0.1),
    ]


# --- report ----------------------------------------------------------------------------

COLUMNS = (
    ("questions", "n"),
    ("recall_at_5", "recall@5"),
    ("mrr", "MRR"),
    ("cited_sentence_share", "cited"),
    ("gold_citation_share", "gold cites"),
    ("mean_support", "support"),
    ("fact_coverage", "facts"),
    ("unanswerable_declined", "unans. declined"),
    ("answerable_declined", "ans. declined"),
    ("fallback_share", "fallback"),
    ("prompt_tokens_mean", "prompt tok"),
    ("completion_tokens_mean", "compl. tok"),
    ("seconds_mean", "s/question"),
)

#: The columns printed on a terminal, with labels short enough for 80 columns (report.md has all).
CONSOLE_COLUMNS = (
    ("questions", "n"),
    ("recall_at_5", "R@5"),
    ("mrr", "MRR"),
    ("cited_sentence_share", "cited"),
    ("gold_citation_share", "gold\ncites"),
    ("fact_coverage", "facts"),
    ("unanswerable_declined", "unans.\ndecl."),
    ("answerable_declined", "ans.\ndecl."),
    ("fallback_share", "fall-\nback"),
    ("seconds_mean", "s/q"),
)
CONSOLE_LEGEND = (
    "R@5: recall@5 of gold papers; gold cites: citations that point at a gold paper; "
    "unans./ans. decl.: unanswerable / answerable questions declined; fallback: model text "
    "replaced by source sentences; s/q: seconds per question."
)


def fmt(value: float | int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def markdown_report(
    summary: dict[str, dict[str, float | int | None]],
    targets: Sequence[Target],
    results: Sequence[QuestionResult],
    meta: dict[str, object],
) -> str:
    lines = ["# paperqa eval", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    lines += ["", "## Metrics", "", "| group | " + " | ".join(label for _, label in COLUMNS) + " |"]
    lines.append("|" + " --- |" * (len(COLUMNS) + 1))
    for group, metrics in summary.items():
        lines.append(f"| {group} | " + " | ".join(fmt(metrics.get(key)) for key, _ in COLUMNS) + " |")
    lines += ["", "## Targets", "", "| target | value | goal | met |", "| --- | --- | --- | --- |"]
    for t in targets:
        met = "n/a" if t.met is None else ("yes" if t.met else "**no**")
        lines.append(f"| {t.name} | {fmt(t.value)} | {t.goal} | {met} |")
    lines += ["", "## Questions that missed something", ""]
    misses = [r for r in results if _missed(r)]
    if not misses:
        lines.append("None.")
    for r in misses:
        lines.append(f"- **{r.id}** ({r.type}) {r.question}")
        lines.append(f"  - {'; '.join(_missed(r))}")
        lines.append(f"  - answer: {_one_line(r.answer)}")
    lines += [
        "",
        "Definitions: recall@5 and MRR rank papers (gold = `papers` of the question); cited = "
        "answer sentences with a citation, among answers that did not decline; gold cites = "
        "citations pointing at a gold paper; support = the mean support score (0-1) of cited "
        "sentences; facts = share of `facts` found in the answer (and comparison table); "
        "fallback = answers whose model text failed the checks and was replaced by source sentences.",
        "",
    ]
    return "\n".join(lines)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _missed(r: QuestionResult) -> list[str]:
    out = []
    if r.type == "unanswerable" and not r.declined:
        out.append("answered an unanswerable question")
    if r.type != "unanswerable" and r.declined:
        out.append("declined an answerable question")
    if r.recall_at_5 is not None and r.recall_at_5 < 1:
        out.append(f"recall@5 {r.recall_at_5:.2f}")
    if r.missing_facts:
        out.append("facts not found: " + ", ".join(repr(f) for f in r.missing_facts))
    if r.cited_sentences < r.sentences:
        out.append(f"{r.sentences - r.cited_sentences} uncited sentence(s)")
    return out


def plot(summary: dict[str, dict[str, float | int | None]], path: Path) -> None:
    """Grouped bars of the main rates per question type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [
        ("recall_at_5", "recall@5"),
        ("mrr", "MRR"),
        ("cited_sentence_share", "cited sentences"),
        ("gold_citation_share", "citations to gold"),
        ("fact_coverage", "facts found"),
        ("unanswerable_declined", "unanswerable declined"),
        ("answerable_declined", "answerable declined"),
    ]
    groups = [g for g in summary if g != "overall"] + ["overall"]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(metrics)
    for i, (key, label) in enumerate(metrics):
        values = [summary[g].get(key) for g in groups]
        xs = [j + i * width for j in range(len(groups))]
        ax.bar(xs, [float(v) if v is not None else 0.0 for v in values], width, label=label)
    ax.set_xticks([j + width * (len(metrics) - 1) / 2 for j in range(len(groups))])
    ax.set_xticklabels([f"{g}\n(n={summary[g]['questions']})" for g in groups])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share")
    ax.set_title("paperqa eval")
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    out: Path,
    results: Sequence[QuestionResult],
    meta: dict[str, object],
) -> tuple[dict[str, dict[str, float | int | None]], list[Target]]:
    """report.md, results.json and eval.png in `out`; returns (summary, targets)."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize_results(results)
    targets = check_targets(summary)
    (out / "report.md").write_text(markdown_report(summary, targets, results, meta), encoding="utf-8")
    payload = {
        "meta": meta,
        "summary": summary,
        "targets": [t.model_dump() for t in targets],
        "questions": [r.model_dump() for r in results],
    }
    (out / "results.json").write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    plot(summary, out / "eval.png")
    return summary, targets
