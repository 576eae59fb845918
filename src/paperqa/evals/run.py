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

from paperqa.answer.check.checking import ground_sentences
from paperqa.answer.quoting import paper_label
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
    grounded_sentences: int = Field(default=0, description="Shown sentences that pass the grounding check.")
    rewritten_sentences: int = Field(
        default=0, description="Shown sentences the model rewrote (rewrite mode)."
    )
    ungrounded: list[str] = Field(default_factory=list, description="Shown sentences that do not, and why.")
    facts_total: int = 0
    facts_found: int = 0
    missing_facts: list[str] = Field(default_factory=list)
    fallback: str | None = None
    backend: str = ""
    mode: str = ""
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
    declined = answer.not_in_library or answer.not_stated
    # what paperqa says about the sources ("the abstract does not answer") is no claim to check
    sentences = [] if declined else [s for s in answer.sentences if s.origin != "note"]
    cites = [c for s in sentences for c in s.citations]
    text = answer.text + "\n" + "\n".join(c.text for row in answer.comparison or [] for c in row.cells)
    missing = [f for f in question.facts if not fact_found(f, text)]
    supports = [s.support for s in sentences if s.citations]
    names = {s.number: [s.paper.title, paper_label(s.paper)] for s in answer.sources}
    checked = ground_sentences(sentences, question.question, answer.sources, names)
    return QuestionResult(
        id=question.id,
        type=question.type,
        question=question.question,
        task=answer.task,
        gold=gold,
        retrieved=top,
        recall_at_5=recall,
        reciprocal_rank=rr,
        declined=declined,
        sentences=len(sentences),
        cited_sentences=sum(bool(s.citations) for s in sentences),
        citations=len(cites),
        gold_citations=sum(number_to_paper.get(c) in gold_set for c in cites),
        mean_support=round(statistics.fmean(supports), 3) if supports else None,
        grounded_sentences=sum(bool(s.grounded) for s in checked),
        rewritten_sentences=sum(s.origin == "rewrite" for s in sentences),
        ungrounded=[f"{s.text} -- {s.problem}" for s in checked if not s.grounded],
        facts_total=len(question.facts),
        facts_found=len(question.facts) - len(missing),
        missing_facts=missing,
        fallback=answer.fallback,
        backend=answer.backend,
        mode=answer.mode,
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        seconds=round(answer.usage.total_seconds, 3),
        answer=answer.text,
    )


def declined_answer(question: EvalQuestion, task: str) -> Answer:
    """What a summarize or compare request that names nothing in the library amounts to."""
    from paperqa.answer.find.gate import NOT_IN_LIBRARY

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


def quote_baseline(library: Library, reader: bool = True) -> Library:
    """The same library (store, embedder, retrieval) answering in 'quote' mode: the source
    sentences that answer each question, no model. The bar the full pipeline must clear.
    `reader=False`: without the reader too (the word-based gate and verdict rules), the
    extractive baseline every change to the answer path is compared with."""
    llm = library.settings.llm.model_copy(update={"answer_mode": "quote"})
    retrieval = library.settings.retrieval.model_copy(update={"reader": reader})
    settings = library.settings.model_copy(update={"llm": llm, "retrieval": retrieval})
    return Library(settings, embedder=library.embedder, store=library.store)


def paper_titles(papers: Sequence[Paper]) -> dict[str, str]:
    """Normalised title -> id (first paper wins)."""
    out: dict[str, str] = {}
    for p in papers:
        out.setdefault(p.title_key, p.id)
    return out
