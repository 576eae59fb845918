"""Ask, summarize and compare: retrieval, the prompt, the chat model, and the checks
that every sentence cites a source that supports it.

A chat model that fails the checks (no valid citation, unsupported sentences,
repetition, wrong length) is replaced by an extractive answer built from the
sources' own sentences, and the result says so in `Answer.fallback`.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from paperqa import extractive
from paperqa.citations import (
    NOT_IN_LIBRARY,
    cite_sentences,
    is_repetitive,
    looks_like_instruction,
    overlap,
    reattribute,
    render,
    renumber,
    score_sentence,
    split_sentences,
    widen_to_sentences,
    without_instructions,
)
from paperqa.errors import BackendError, InputError, PaperQAError
from paperqa.prompts import load_prompt
from paperqa.retrieval import Retriever
from paperqa.tokens import count_tokens
from paperqa.types import (
    Answer,
    CitedSentence,
    ComparisonRow,
    Paper,
    Reference,
    RetrievedChunk,
    Source,
    Usage,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from paperqa.library import Library

MAX_QUESTION_CHARS = 2000
LOCAL_CONTEXT_TOKENS = 450
REMOTE_CONTEXT_TOKENS = 3000
SUMMARY_WORDS = 130
TLDR_WORDS = 35
OnToken = Callable[[str], None]
# "Compare A with B"; "and" is tried last, as names themselves may hold an "and".
_COMPARE = [
    re.compile(
        rf"^\W*(?:please\s+)?(?:compare|contrast)\s+(?P<a>.+?)\s+(?:{joins})\s+(?P<b>.+?)[\s.?!]*$",
        re.IGNORECASE | re.DOTALL,
    )
    for joins in (r"with|to|against|versus|vs\.?", "and")
]
_REFERS_BACK = re.compile(
    r"\b(it|its|it's|they|their|them|this|that|these|those|the paper|the method|the authors)\b", re.I
)


@dataclass
class Conversation:
    """A chat's memory: its turns, and a citation number per paper that never changes."""

    numbers: dict[str, int] = field(default_factory=dict)
    turns: list[Answer] = field(default_factory=list)

    def number_for(self, paper_id: str) -> int:
        return self.numbers.setdefault(paper_id, len(self.numbers) + 1)

    def last_cited(self) -> list[str]:
        """Paper ids the last answer cited, in order of first citation."""
        if not self.turns:
            return []
        by_number = {r.number: r.paper_id for r in self.turns[-1].references}
        return list(
            dict.fromkeys(
                by_number[c] for s in self.turns[-1].sentences for c in s.citations if c in by_number
            )
        )


def check_question(text: str, what: str = "question") -> str:
    """The question stripped, or an `InputError` if it is empty or too long."""
    text = " ".join(text.split())
    if not text:
        raise InputError(f"The {what} is empty: type what you want to know.")
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(
            f"The {what} is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
            "Ask about one thing at a time."
        )
    return text


def render_sources(sources: Sequence[Source]) -> str:
    """Sources as the model sees them, delimited so their text cannot pose as instructions."""
    blocks = []
    for s in sources:
        body = re.sub(r"</?\s*source", "(source", without_instructions(s.text), flags=re.I)
        blocks.append(f'<source id="{s.number}" title="{html.escape(s.paper.title)}">\n{body}\n</source>')
    return "\n\n".join(blocks)


def make_source(number: int, paper: Paper, passages: list[RetrievedChunk]) -> Source:
    """A numbered source whose text is its passages widened to whole sentences."""
    spans = [(p.start_char, p.end_char) for p in passages if p.end_char > p.start_char]
    if spans and len(spans) == len(passages):
        text = widen_to_sentences(paper.abstract, spans)
    else:
        text = " ... ".join(p.text for p in sorted(passages, key=lambda p: p.index))
    return Source(number=number, paper=paper, passages=passages, text=text)


def group_sources(chunks: Sequence[RetrievedChunk], papers: dict[str, Paper]) -> list[Source]:
    """Chunks grouped into one numbered source per paper, in rank order."""
    grouped: dict[str, list[RetrievedChunk]] = {}
    for chunk in chunks:
        grouped.setdefault(chunk.paper_id, []).append(chunk)
    return [make_source(n, papers[pid], passages) for n, (pid, passages) in enumerate(grouped.items(), 1)]


def fit_budget(sources: Sequence[Source], budget: int) -> list[Source]:
    """The leading sources (and passages) whose text, as the model will see it, fits in
    `budget` tokens; never none."""
    fitted: list[Source] = []
    used = 0
    for source in sources:
        best: tuple[Source, int] | None = None
        for n in range(1, len(source.passages) + 1):
            candidate = make_source(source.number, source.paper, source.passages[:n])
            cost = count_tokens(candidate.text) + 20
            if (fitted or best) and used + cost > budget:
                break
            best = (candidate, cost)
        if best is None:
            break
        fitted.append(best[0])
        used += best[1]
        if len(best[0].passages) < len(source.passages):
            break
    return fitted


def whole_paper(paper: Paper, number: int) -> Source:
    passage = RetrievedChunk(
        chunk_id=f"{paper.id}#abstract",
        paper_id=paper.id,
        index=0,
        text=paper.abstract,
        start_char=0,
        end_char=len(paper.abstract),
    )
    return make_source(number, paper, [passage])


class Tasks:
    """Answers questions about one library with one chat model."""

    def __init__(self, library: Library, chat_model: BaseChatModel | None = None, backend: str | None = None):
        self.library = library
        self._chat = (chat_model, backend or type(chat_model).__name__) if chat_model is not None else None

    @functools.cached_property
    def chat(self) -> tuple[BaseChatModel, str]:
        if self._chat is not None:
            return self._chat
        from paperqa.llm import get_chat_model

        return get_chat_model(self.library.settings.llm)

    @functools.cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.library.store, self.library.embedder, self.library.settings.retrieval)

    def find_papers(self, request: str, n: int = 1) -> list[Paper]:
        """The `n` papers a request most likely means ("summarize the CASAL paper"): papers it
        names first, then the best retrieved. None when nothing in the library is relevant."""
        chunks = self.retriever.retrieve(check_question(request), k=max(6, 2 * n))
        if not self._relevant(chunks):
            return []
        ids = list(dict.fromkeys(c.paper_id for c in chunks))[:n]
        found = self.library.store.papers_by_id(ids)
        return [found[i].paper for i in ids if i in found]

    def find_pair(self, request: str) -> list[Paper]:
        """The two papers a comparison request means. "Compare A with B" (or to, versus,
        and) looks each side up on its own, so a descriptive name ("the causal analysis
        paper") cannot be outranked by a third paper that matches the whole sentence."""
        match = next((m for pattern in _COMPARE if (m := pattern.match(request))), None)
        if not match:
            return self.find_papers(request, 2)
        first, second = self.find_papers(match["a"], 2), self.find_papers(match["b"], 2)
        if not first or not second:
            return []
        a = first[0]
        b = next((p for p in second if p.id != a.id), None)
        return [a, b] if b else []

    # --- the three tasks ---------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        paper_ids: Sequence[str] | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        strict: bool = False,
        on_token: OnToken | None = None,
    ) -> Answer:
        """A few cited sentences answering `question` from the library."""
        started, usage = time.perf_counter(), Usage()
        question = check_question(question)
        conversation = conversation if conversation is not None else Conversation()
        ids = [self.library.get(p).id for p in paper_ids] if paper_ids else None
        query, focus = self._follow_up(question, conversation)
        t = time.perf_counter()
        chunks = self.retriever.retrieve(
            query, paper_ids=ids, date_from=date_from, date_to=date_to, focus=focus
        )
        usage.retrieval_seconds = time.perf_counter() - t
        if not self._relevant(chunks):
            answer = self._not_in_library("ask", question, chunks, conversation, usage, started)
        else:
            papers = self.library.store.papers_by_id(list({c.paper_id for c in chunks}))
            sources = group_sources(chunks, {k: v.paper for k, v in papers.items()})
            shown = fit_budget(sources, self._budget())
            raw = self._generate(
                "answer",
                {"sources": render_sources(shown), "question": question, "not_in_library": NOT_IN_LIBRARY},
                on_token,
                usage,
            )
            if NOT_IN_LIBRARY.lower()[:30] in raw.lower() and not self._confident(chunks):
                answer = self._not_in_library("ask", question, chunks, conversation, usage, started)
            else:
                rank = self._ranker()
                sentences, fallback = self._check(raw, shown, rank, strict=strict)
                if fallback and self._off_topic(question, chunks):
                    # The model failed and the question is about words the library never uses:
                    # quoting the nearest abstracts would answer a different question.
                    answer = self._not_in_library("ask", question, chunks, conversation, usage, started)
                else:
                    if fallback:
                        sentences = extractive.best_sentences(question, sources, rank)
                    answer = self._answer(
                        "ask", question, sentences, sources, conversation, usage, started, fallback
                    )
        conversation.turns.append(answer)
        return answer

    def summarize(
        self,
        paper: str | None = None,
        *,
        topic: str | None = None,
        tldr: bool = False,
        strict: bool = False,
        on_token: OnToken | None = None,
    ) -> Answer:
        """One cited paragraph on one paper, or across the library's papers on a topic.
        With `tldr`, one sentence on one paper."""
        if (paper is None) == (topic is None):
            raise InputError("Summarize either one paper or one topic.")
        if tldr and paper is None:
            raise InputError("A one-sentence summary (tldr) is of one paper, not a topic.")
        started, usage, conversation = time.perf_counter(), Usage(), Conversation()
        rank = self._ranker()
        if paper is not None:
            found = self.library.get(paper)
            sources = [whole_paper(found, 1)]
            raw = self._generate(
                "tldr" if tldr else "summarize",
                {"sources": render_sources(sources), "title": found.title},
                on_token,
                usage,
            )
            sentences, fallback = self._check(raw, sources, rank, strict=strict, summary=not tldr)
            if tldr and not fallback:
                sentences = [s for s in sentences if s.supported][:1]
                if not sentences or len(sentences[0].text.split()) > 2 * TLDR_WORDS:
                    fallback = "the model wrote no short supported sentence; the abstract's own central "
                    fallback += "sentence is used instead"
            if fallback:
                sentences = (
                    extractive.central_sentence(sources[0], rank)
                    if tldr
                    else extractive.lead_summary(sources[0], rank, SUMMARY_WORDS)
                )
            return self._answer(
                "summarize",
                f"{'TLDR' if tldr else 'Summarize'}: {found.title}",
                sentences,
                sources,
                conversation,
                usage,
                started,
                fallback,
            )
        topic = check_question(topic or "", "topic")
        t = time.perf_counter()
        chunks = self.retriever.retrieve(topic, k=12)
        usage.retrieval_seconds = time.perf_counter() - t
        if not self._relevant(chunks):
            return self._not_in_library(
                "summarize", f"Summarize topic: {topic}", chunks, conversation, usage, started
            )
        first_per_paper = list({c.paper_id: c for c in reversed(chunks)}.values())[::-1][:5]
        papers = self.library.store.papers_by_id([c.paper_id for c in first_per_paper])
        sources = group_sources(first_per_paper, {k: v.paper for k, v in papers.items()})
        shown = fit_budget(sources, self._budget())
        raw = self._generate(
            "summarize_topic", {"sources": render_sources(shown), "topic": topic}, on_token, usage
        )
        sentences, fallback = self._check(raw, shown, rank, strict=strict, summary=True)
        if fallback:
            sentences = extractive.best_sentences(
                topic, sources, rank, limit=4, per_source=1, max_words=SUMMARY_WORDS
            )
        return self._answer(
            "summarize",
            f"Summarize topic: {topic}",
            sentences,
            sources,
            conversation,
            usage,
            started,
            fallback,
        )

    def compare(self, paper_a: str, paper_b: str, *, on_token: OnToken | None = None) -> Answer:
        """A side-by-side table (one cited sentence per aspect and paper) and a comparative paragraph."""
        started, usage, conversation = time.perf_counter(), Usage(), Conversation()
        a, b = self.library.get(paper_a), self.library.get(paper_b)
        if a.id == b.id:
            raise InputError(
                f"Both names refer to the same paper ({a.id}: {a.title}); name two different papers."
            )
        sources = [whole_paper(a, 1), whole_paper(b, 2)]
        rank = self._ranker()
        cells = [extractive.aspect_cells(s, rank) for s in sources]
        rows = [
            ComparisonRow(aspect=aspect, cells=[c[aspect] for c in cells]) for aspect in extractive.ASPECTS
        ]
        raw = self._generate(
            "compare",
            {"sources": render_sources(sources), "title_a": a.title, "title_b": b.title},
            on_token,
            usage,
        )
        sentences, fallback = self._check(raw, sources, rank, strict=False, cite_all=True)
        if fallback:
            sentences = [
                cell
                for aspect in ("Approach", "Key results")
                for cell in (c[aspect] for c in cells)
                if cell.citations
            ]
            for source, paper_cells in zip(sources, cells, strict=True):  # each paper at least once
                if not any(source.number in s.citations for s in sentences):
                    stated = [paper_cells[a] for a in extractive.ASPECTS if paper_cells[a].citations]
                    sentences += stated[:1] or extractive.central_sentence(source, rank)
        answer = self._answer(
            "compare",
            f"Compare: {a.title} | {b.title}",
            sentences,
            sources,
            conversation,
            usage,
            started,
            fallback,
        )
        answer.comparison = [
            row.model_copy(update={"cells": renumber(row.cells, {1: 1, 2: 2})}) for row in rows
        ]
        return answer

    # --- steps -------------------------------------------------------------------

    def _budget(self) -> int:
        """Tokens of sources per prompt: small for the local model, whose prompt processing
        (~290 tokens/s on 2 cores) sets the time to first token."""
        llm = self.library.settings.llm
        return llm.context_tokens or (
            LOCAL_CONTEXT_TOKENS if llm.backend == "local" else REMOTE_CONTEXT_TOKENS
        )

    def _follow_up(self, question: str, conversation: Conversation) -> tuple[str, list[str]]:
        """(retrieval query, papers to put first) for a question that may refer to earlier turns."""
        if not conversation.turns or self.retriever.named(question) or not _REFERS_BACK.search(question):
            return question, []
        previous = conversation.turns[-1].question
        return f"{question} {previous}", conversation.last_cited()[:2]

    def _relevant(self, chunks: Sequence[RetrievedChunk]) -> bool:
        best = max((c.dense or 0.0 for c in chunks), default=0.0)
        return bool(chunks) and (
            any(c.named for c in chunks) or best >= self.library.settings.retrieval.min_relevance
        )

    def _off_topic(self, question: str, chunks: Sequence[RetrievedChunk]) -> bool:
        """Retrieval is lukewarm and the question uses words no paper of the library uses."""
        best = max((c.dense or 0.0) for c in chunks)
        if any(c.named for c in chunks) or best >= self.library.settings.retrieval.sure_relevance:
            return False
        return bool(self.retriever.unknown_terms(question))

    def _confident(self, chunks: Sequence[RetrievedChunk]) -> bool:
        """Retrieval is sure enough that a model's "not in the library" is a failure, not a finding."""
        best = max((c.dense or 0.0 for c in chunks), default=0.0)
        return any(c.named for c in chunks) or best >= self.library.settings.retrieval.min_relevance + 0.1

    def _generate(
        self, prompt: str, variables: dict[str, str], on_token: OnToken | None, usage: Usage
    ) -> str:
        model, backend = self.chat
        messages = load_prompt(prompt).template().format_messages(**variables)
        usage.prompt_tokens += sum(count_tokens(str(m.content)) for m in messages)
        start, parts = time.perf_counter(), []
        try:
            for chunk in model.stream(messages):
                piece = str(chunk.content)
                if not piece:
                    continue
                if usage.first_token_seconds is None:
                    usage.first_token_seconds = round(
                        time.perf_counter() - start + usage.retrieval_seconds, 3
                    )
                parts.append(piece)
                if on_token:
                    on_token(piece)
        except PaperQAError:
            raise
        except Exception as exc:  # openai / llama.cpp raise many kinds; all mean the backend failed
            raise BackendError(
                f"The chat model ({backend}) failed: {type(exc).__name__}: {exc}. Check that the server "
                "is running and PAPERQA_LLM__BASE_URL / PAPERQA_LLM__MODEL are right."
            ) from exc
        text = "".join(parts)
        usage.completion_tokens += count_tokens(text)
        usage.llm_calls += 1
        return text

    def _ranker(self) -> extractive.Ranker:
        """Cosine similarity of texts with the library's embedder, each text embedded once."""
        cache: dict[str, np.ndarray] = {}
        embed = self.library.embedder.embed

        def rank(query: str, texts: Sequence[str]) -> list[float]:
            missing = list(dict.fromkeys(t for t in (query, *texts) if t not in cache))
            if missing:
                cache.update(zip(missing, embed(missing), strict=True))
            return [float(cache[query] @ cache[t]) for t in texts]

        return rank

    def _check(
        self,
        raw: str,
        sources: Sequence[Source],
        rank: extractive.Ranker,
        *,
        strict: bool,
        summary: bool = False,
        cite_all: bool = False,
    ) -> tuple[list[CitedSentence], str | None]:
        """The model's sentences scored against their sources, or the reason to fall back."""
        valid = {s.number for s in sources}
        evidence = {
            s.number: extractive.source_sentences(s)
            or [t for t in split_sentences(s.text) if not looks_like_instruction(t)]
            for s in sources
        }
        titles = [s.paper.title for s in sources]
        sentences = [
            score_sentence(s, evidence, rank)
            for s in cite_sentences(raw, valid)
            if not any(overlap(s.text, t) >= 0.8 for t in titles)  # a bare title is no answer
        ]
        number_of = {s.paper.id: s.number for s in sources}
        attributed = (reattribute(s, self._names_in(s.text, number_of), evidence, rank) for s in sentences)
        sentences = [s for s in attributed if s is not None]
        named = {s.number for s in sources if any(p.named for p in s.passages)}
        # A sentence that cites nothing, and for which no source could be found, is a
        # claim without a source: it is never shown.
        wrote = bool(sentences)
        sentences = [s for s in sentences if s.citations]
        if summary:
            sentences = _within_words(sentences[:6], SUMMARY_WORDS)
        cited = {c for s in sentences for c in s.citations}
        reason = None
        if is_repetitive(raw):
            reason = "the model repeated itself"
        elif wrote and not cited:
            reason = "the model cited no source"
        elif not sentences:
            reason = "the model wrote nothing usable"
        elif named and not named & cited:
            reason = "the model did not cite the paper the question names"
        elif cite_all and cited != valid:
            reason = "the model did not cite both papers"
        elif sum(s.supported for s in sentences) < max(1, len(sentences) / 2):
            reason = "most of the model's sentences are not supported by the sources it cites"
        elif summary and len(sentences) < 3:
            reason = "the model's summary was shorter than 3 sentences"
        if reason:
            return [], f"{reason}; the answer is made of the sources' own sentences instead"
        return ([s for s in sentences if s.supported] if strict else sentences), None

    def _names_in(self, text: str, number_of: Mapping[str, int]) -> set[int]:
        """Source numbers of the papers a sentence names by acronym or title."""
        return {number_of[pid] for pid in self.retriever.named(text) if pid in number_of}

    def _answer(
        self,
        task: str,
        question: str,
        sentences: list[CitedSentence],
        sources: list[Source],
        conversation: Conversation,
        usage: Usage,
        started: float,
        fallback: str | None,
    ) -> Answer:
        """Renumber to the conversation's numbers and add the reference list."""
        mapping = {s.number: conversation.number_for(s.paper.id) for s in sources}
        sentences = renumber(sentences, mapping)
        numbered = [s.model_copy(update={"number": mapping[s.number]}) for s in sources]
        cited = {c for s in sentences for c in s.citations}
        usage.total_seconds = round(time.perf_counter() - started, 3)
        return Answer(
            task=task,
            question=question,
            text=render(sentences),
            sentences=sentences,
            references=[_reference(s) for s in sorted(numbered, key=lambda s: s.number) if s.number in cited],
            sources=numbered,
            fallback=fallback,
            backend=self.chat[1] if usage.llm_calls else "none",
            usage=usage,
        )

    def _not_in_library(
        self,
        task: str,
        question: str,
        chunks: Sequence[RetrievedChunk],
        conversation: Conversation,
        usage: Usage,
        started: float,
    ) -> Answer:
        """The fixed "not in the library" answer, listing the nearest papers."""
        nearest = list(dict.fromkeys(c.paper_id for c in sorted(chunks, key=lambda c: -(c.dense or 0.0))))[:3]
        papers = self.library.store.papers_by_id(nearest)
        sources = [
            make_source(
                conversation.number_for(pid), papers[pid].paper, [c for c in chunks if c.paper_id == pid]
            )
            for pid in nearest
            if pid in papers
        ]
        usage.total_seconds = round(time.perf_counter() - started, 3)
        return Answer(
            task=task,
            question=question,
            text=NOT_IN_LIBRARY,
            sentences=[CitedSentence(text=NOT_IN_LIBRARY)],
            references=[_reference(s) for s in sources],
            sources=sources,
            not_in_library=True,
            backend=self.chat[1] if usage.llm_calls else "none (no model call: nothing relevant retrieved)",
            usage=usage,
        )


def _reference(source: Source) -> Reference:
    p = source.paper
    return Reference(number=source.number, paper_id=p.id, title=p.title, date=p.date, url=p.url)


def _within_words(sentences: list[CitedSentence], limit: int) -> list[CitedSentence]:
    kept, words = [], 0
    for s in sentences:
        words += len(s.text.split())
        if words > limit:
            break
        kept.append(s)
    return kept
