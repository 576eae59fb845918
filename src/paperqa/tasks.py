"""Ask, summarize and compare, as named stages:

    retrieve -> select evidence -> generate -> ground -> assemble

`retrieve` finds passages (retrieval), `select evidence` picks the source sentences
that answer the question (evidence), `generate` lets the chat model write (free) or
rewrite those sentences (generation), `ground` checks every sentence against what it
cites (checking, grounding), and `assemble` numbers citations for the conversation
and adds the reference list. How much the model writes is `LLMSettings.answer_mode`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from paperqa import aspects, extractive
from paperqa.checking import Rules, check_model_text, names_of
from paperqa.citations import NOT_IN_LIBRARY, render, renumber
from paperqa.embeddings import PaperQAEmbeddings
from paperqa.errors import InputError
from paperqa.evidence import (
    QuestionKind,
    Ranker,
    best_per_paper,
    list_topics,
    paper_label,
    question_kind,
    select,
    verdict,
)
from paperqa.generation import OnToken, Run, Writer
from paperqa.retrieval import Retriever, stems
from paperqa.settings import Settings
from paperqa.sources import fit_budget, group_sources, make_source, render_sources, whole_paper
from paperqa.store import Store
from paperqa.types import Answer, CitedSentence, ComparisonRow, Paper, Reference, RetrievedChunk, Source

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

MAX_QUESTION_CHARS = 2000
#: Tokens of sources in one prompt: the local model's prompt processing (~290 tokens/s on
#: 2 cores) sets the time to first token; a remote model can read more.
LOCAL_CONTEXT_TOKENS = 450
REMOTE_CONTEXT_TOKENS = 3000
SUMMARY_WORDS = 130
TLDR_WORDS = 35
#: An answer quotes at most this many sentences, at most this many from one paper.
ANSWER_SENTENCES = 3
PER_PAPER_SENTENCES = 2
#: Rewrites per answer: each is one model call (~1 s locally); the first sentence answers.
REWRITE_SENTENCES = 2
#: A list question ("which papers ...") reads this many passages and names up to this many papers.
LIST_PASSAGES = 14
LIST_PAPERS = 5
#: A paper belongs in a list answer when its best passage is at least this similar to the
#: question, and within LIST_MARGIN of the best paper's (measured on the seed list questions:
#: relevant papers 0.38-0.57, the next ones 0.24-0.36).
LIST_RELEVANCE = 0.35
LIST_MARGIN = 0.1
#: ...or when its abstract holds every word of the topic that at most this share of the
#: library's papers use (words that tell papers apart).
LIST_RARE_SHARE = 0.3
#: ...weighted by rarity (inverse document frequency), at least this share of them.
LIST_COVERAGE = 0.5
#: A topic summary reads this many passages and quotes one sentence from each of up to 4 papers.
TOPIC_PASSAGES = 12
TOPIC_PAPERS = 5
TOPIC_SENTENCES = 4
#: A model's "not in the library" is a failure, not a finding, when the best passage is
#: this much above the relevance bar.
CONFIDENT_MARGIN = 0.1
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
#: Said after the reason when a model's text is replaced by quoted source sentences.
QUOTED = "the answer quotes the sources instead"


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


class Tasks:
    """Answers questions about one library.

    Args:
        settings: the library's settings (retrieval, model, answer mode).
        store: the Chroma store; embedder: the embedder that built it.
        resolve: a paper by id, title or short name (`Library.get`).
        chat_model: a LangChain chat model; defaults to the one the settings name.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: PaperQAEmbeddings,
        resolve: Callable[[str], Paper],
        chat_model: BaseChatModel | None = None,
        backend: str | None = None,
    ) -> None:
        from paperqa.llm import get_chat_model

        self.settings, self.store, self.embedder, self.resolve = settings, store, embedder, resolve
        self.writer = Writer(chat_model, backend, lambda: get_chat_model(settings.llm))

    @property
    def chat(self) -> tuple[BaseChatModel, str]:
        return self.writer.chat

    @functools.cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.settings.retrieval)

    @property
    def mode(self) -> str:
        """'free', 'rewrite' or 'quote' (see `LLMSettings.answer_mode`)."""
        llm = self.settings.llm
        if llm.answer_mode != "auto":
            return llm.answer_mode
        return "free" if llm.backend == "openai" else "rewrite"

    def find_papers(self, request: str, n: int = 1) -> list[Paper]:
        """The `n` papers a request most likely means ("summarize the CASAL paper"): papers it
        names first, then the best retrieved. None when nothing in the library is relevant."""
        chunks = self.retriever.retrieve(check_question(request), k=max(6, 2 * n))
        if not self._relevant(chunks):
            return []
        ids = list(dict.fromkeys(c.paper_id for c in chunks))[:n]
        found = self.store.papers_by_id(ids)
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

    # --- the tasks -------------------------------------------------------------------

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
        """A few cited sentences answering `question` from the library; for a question about
        several papers ("which papers ..."), one sentence per relevant paper."""
        run = Run(on_token)
        question = check_question(question)
        conversation = conversation if conversation is not None else Conversation()
        ids = [self.resolve(p).id for p in paper_ids] if paper_ids else None
        kind = question_kind(question)
        filters: dict[str, Any] = {"paper_ids": ids, "date_from": date_from, "date_to": date_to}
        if kind == QuestionKind.LIST:
            answer = self._ask_list(question, filters, conversation, run)
            conversation.turns.append(answer)
            return answer
        query, focus = self._follow_up(question, conversation)
        chunks = self._retrieve(run, query, focus=focus, **filters)
        declines = not self._relevant(chunks) or (self.mode != "free" and self._off_topic(question, chunks))
        if declines:
            answer = self._not_in_library("ask", question, chunks, conversation, run)
        else:
            answer = self._ask(question, kind, chunks, conversation, run, strict)
        conversation.turns.append(answer)
        return answer

    def _ask_list(
        self, question: str, filters: dict[str, Any], conversation: Conversation, run: Run
    ) -> Answer:
        """A question about several papers ("which papers ...", "what does the library say
        about ..."): one cited sentence per relevant paper, each paper's best on the topic.
        Every mode answers it this way: a model, small or large, drops or invents papers."""
        topic, parts = list_topics(question)
        rankings = [self._retrieve(run, part, k=LIST_PASSAGES, **filters) for part in parts]
        chunks = _interleave(rankings)
        relevant = self._list_sources(self._sources(chunks), parts)
        if not relevant:
            return self._not_in_library("ask", question, chunks, conversation, run)
        sources = [s.model_copy(update={"text": s.paper.abstract}) for s in relevant]
        chosen = best_per_paper(topic, sources, self._ranker(), LIST_PAPERS)
        sentences = extractive.quote_evidence(chosen, self._labels(sources))
        return self._assemble("ask", question, sentences, sources, conversation, run)

    def _ask(
        self,
        question: str,
        kind: QuestionKind,
        chunks: list[RetrievedChunk],
        conversation: Conversation,
        run: Run,
        strict: bool,
    ) -> Answer:
        sources = self._sources(chunks)
        rank, names = self._ranker(), names_of(sources, self._short_names())
        fallback = None
        if self.mode == "free":
            shown = fit_budget(sources, self._budget())
            raw = self.writer.generate(
                "answer",
                {"sources": render_sources(shown), "question": question, "not_in_library": NOT_IN_LIBRARY},
                run,
            )
            if NOT_IN_LIBRARY.lower()[:30] in raw.lower() and not self._confident(chunks):
                return self._not_in_library("ask", question, chunks, conversation, run)
            rules = Rules(strict=strict, show_unverified=self.settings.llm.show_unverified)
            sentences, fallback = check_model_text(
                raw, question, shown, rank, self._named_in(shown), names, rules
            )
            if not fallback:
                return self._assemble("ask", question, sentences, sources, conversation, run)
            if self._off_topic(question, chunks):
                # The model failed and the question is about words the library never uses:
                # quoting the nearest abstracts would answer a different question.
                return self._not_in_library("ask", question, chunks, conversation, run)
        # Abstracts are short: the sentence that answers may lie outside the retrieved passages.
        sources = [s.model_copy(update={"text": s.paper.abstract}) for s in sources]
        chosen = select(question, kind, sources, rank, limit=ANSWER_SENTENCES, per_source=PER_PAPER_SENTENCES)
        several = len({e.number for e in chosen}) > 1
        sentences = extractive.quote_evidence(chosen, self._labels(sources) if several else None)
        if self.mode == "rewrite":
            sentences = [
                self.writer.rewrite(question, s, names[s.citations[0]], run) if i < REWRITE_SENTENCES else s
                for i, s in enumerate(sentences)
            ]
        if chosen and (said := verdict(question, chosen[0].sentence)):
            sentences[0] = sentences[0].model_copy(update={"text": f"{said}: {sentences[0].text}"})
        note = f"{fallback}; {QUOTED}" if fallback else None
        return self._assemble("ask", question, sentences, sources, conversation, run, note)

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
        if paper is not None:
            return self.summarize_paper(paper, tldr=tldr, strict=strict, on_token=on_token)
        if tldr:
            raise InputError("A one-sentence summary (tldr) is of one paper, not a topic.")
        return self.summarize_topic(topic or "", strict=strict, on_token=on_token)

    def summarize_paper(
        self, paper: str, *, tldr: bool = False, strict: bool = False, on_token: OnToken | None = None
    ) -> Answer:
        """One cited paragraph (or with `tldr`, one sentence) on one paper."""
        run, found = Run(on_token), self.resolve(paper)
        question = f"{'TLDR' if tldr else 'Summarize'}: {found.title}"
        sources, rank = [whole_paper(found, 1)], self._ranker()
        fallback = None
        if self.mode == "free":
            raw = self.writer.generate(
                "tldr" if tldr else "summarize",
                {"sources": render_sources(sources), "title": found.title},
                run,
            )
            rules = Rules(strict=strict, summary_words=None if tldr else SUMMARY_WORDS)
            names = names_of(sources, self._short_names())
            sentences, fallback = check_model_text(
                raw, found.title, sources, rank, self._named_in(sources), names, rules
            )
            if tldr and not fallback:
                sentences = [s for s in sentences if s.supported][:1]
                if not sentences or len(sentences[0].text.split()) > 2 * TLDR_WORDS:
                    fallback = "the model wrote no short supported sentence"
            if not fallback:
                return self._assemble("summarize", question, sentences, sources, Conversation(), run)
        sentences = (
            extractive.central_sentence(sources[0], rank)
            if tldr
            else extractive.lead_summary(sources[0], rank, SUMMARY_WORDS)
        )
        note = f"{fallback}; {QUOTED}" if fallback else None
        return self._assemble("summarize", question, sentences, sources, Conversation(), run, note)

    def summarize_topic(self, topic: str, *, strict: bool = False, on_token: OnToken | None = None) -> Answer:
        """One cited paragraph on what the library's papers say about a topic."""
        run, conversation = Run(on_token), Conversation()
        topic = check_question(topic, "topic")
        question = f"Summarize topic: {topic}"
        chunks = self._retrieve(run, topic, k=TOPIC_PASSAGES)
        if not self._relevant(chunks):
            return self._not_in_library("summarize", question, chunks, conversation, run)
        first_per_paper = list({c.paper_id: c for c in reversed(chunks)}.values())[::-1][:TOPIC_PAPERS]
        sources, rank = self._sources(first_per_paper), self._ranker()
        fallback = None
        if self.mode == "free":
            shown = fit_budget(sources, self._budget())
            raw = self.writer.generate(
                "summarize_topic", {"sources": render_sources(shown), "topic": topic}, run
            )
            names = names_of(shown, self._short_names())
            rules = Rules(strict=strict, summary_words=SUMMARY_WORDS)
            sentences, fallback = check_model_text(
                raw, topic, shown, rank, self._named_in(shown), names, rules
            )
            if not fallback:
                return self._assemble("summarize", question, sentences, sources, conversation, run)
        chosen = select(
            topic, QuestionKind.GENERAL, sources, rank,
            limit=TOPIC_SENTENCES, per_source=1, max_words=SUMMARY_WORDS,
        )  # fmt: skip
        sentences = extractive.quote_evidence(chosen, self._labels(sources))
        note = f"{fallback}; {QUOTED}" if fallback else None
        return self._assemble("summarize", question, sentences, sources, conversation, run, note)

    def compare(self, paper_a: str, paper_b: str, *, on_token: OnToken | None = None) -> Answer:
        """A side-by-side table (one cited sentence per aspect and paper) and a paragraph that
        contrasts the papers aspect by aspect."""
        run, conversation = Run(on_token), Conversation()
        a, b = self.resolve(paper_a), self.resolve(paper_b)
        if a.id == b.id:
            raise InputError(
                f"Both names refer to the same paper ({a.id}: {a.title}); name two different papers."
            )
        sources, rank = [whole_paper(a, 1), whole_paper(b, 2)], self._ranker()
        labels = self._labels(sources)
        cells = [aspects.aspect_cells(s, label=labels[s.number]) for s in sources]
        rows = [ComparisonRow(aspect=x, cells=[c[x] for c in cells]) for x in aspects.ASPECTS]
        fallback = None
        if self.mode == "free":
            raw = self.writer.generate(
                "compare",
                {"sources": render_sources(sources), "title_a": a.title, "title_b": b.title},
                run,
            )
            names = names_of(sources, self._short_names())
            question = f"Compare {a.title} with {b.title}"
            sentences, fallback = check_model_text(
                raw, question, sources, rank, self._named_in(sources), names, Rules(cite_all=True)
            )
        if self.mode != "free" or fallback:
            sentences = aspects.contrast(rows, [labels[1], labels[2]]) or [
                s for src in sources for s in extractive.central_sentence(src, rank)
            ]
        note = f"{fallback}; {QUOTED}" if fallback else None
        answer = self._assemble(
            "compare", f"Compare: {a.title} | {b.title}", sentences, sources, conversation, run, note
        )
        answer.comparison = [r.model_copy(update={"cells": renumber(r.cells, {1: 1, 2: 2})}) for r in rows]
        return answer

    # --- stages and helpers ----------------------------------------------------------

    def _retrieve(self, run: Run, query: str, **options: object) -> list[RetrievedChunk]:
        t = time.perf_counter()
        chunks = self.retriever.retrieve(query, **options)  # type: ignore[arg-type]
        run.usage.retrieval_seconds = round(run.usage.retrieval_seconds + time.perf_counter() - t, 4)
        return chunks

    def _sources(self, chunks: Sequence[RetrievedChunk]) -> list[Source]:
        papers = self.store.papers_by_id(list({c.paper_id for c in chunks}))
        return group_sources(chunks, {k: v.paper for k, v in papers.items()})

    def _short_names(self) -> dict[str, set[str]]:
        return self.retriever.corpus().names.short_names()

    @staticmethod
    def _labels(sources: Sequence[Source]) -> dict[int, str]:
        return {s.number: paper_label(s.paper) for s in sources}

    def _named_in(self, sources: Sequence[Source]) -> Callable[[str], set[int]]:
        """Source numbers of the papers a text names by acronym or title."""
        number_of: Mapping[str, int] = {s.paper.id: s.number for s in sources}
        return lambda text: {number_of[pid] for pid in self.retriever.named(text) if pid in number_of}

    def _list_sources(self, sources: Sequence[Source], parts: Sequence[str]) -> list[Source]:
        """The papers that belong in an answer to a list question: named ones; those whose
        best passage clears both the list bar and the best paper's score less a margin; and
        those whose abstract holds the distinctive words of a part of the topic
        ("hallucinations": one-word topics embed poorly, but the word itself is decisive)."""

        def best(source: Source) -> float:
            return max((p.dense or 0.0) for p in source.passages)

        top = max((best(s) for s in sources), default=0.0)
        bar = max(LIST_RELEVANCE, top - LIST_MARGIN)
        rare = [r for r in (self.retriever.rare_stems(p, LIST_RARE_SHARE) for p in parts) if r]

        def coverage(source: Source) -> float:
            """The largest share (weighted by rarity) of a part's distinctive words it uses."""
            words = stems(f"{source.paper.title} {source.paper.abstract}")
            shares = (sum(v for w, v in r.items() if w in words) / sum(r.values()) for r in rare)
            return max(shares, default=0.0)

        # Where the topic has distinctive words, a paper must use most of them (weighted by
        # rarity), or be close in meaning and use some: "medical images" by "images" alone is out.
        return [
            s
            for s in sources
            if any(p.named for p in s.passages)
            or coverage(s) >= LIST_COVERAGE
            or (best(s) >= bar and (not rare or coverage(s) > 0))
        ]

    def _budget(self) -> int:
        llm = self.settings.llm
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
            any(c.named for c in chunks) or best >= self.settings.retrieval.min_relevance
        )

    def _off_topic(self, question: str, chunks: Sequence[RetrievedChunk]) -> bool:
        """Retrieval is lukewarm and the question uses words no paper of the library uses."""
        best = max((c.dense or 0.0) for c in chunks)
        if any(c.named for c in chunks) or best >= self.settings.retrieval.sure_relevance:
            return False
        return bool(self.retriever.unknown_terms(question))

    def _confident(self, chunks: Sequence[RetrievedChunk]) -> bool:
        best = max((c.dense or 0.0 for c in chunks), default=0.0)
        return (
            any(c.named for c in chunks) or best >= self.settings.retrieval.min_relevance + CONFIDENT_MARGIN
        )

    def _ranker(self) -> Ranker:
        """Cosine similarity of texts with the library's embedder, each text embedded once."""
        cache: dict[str, np.ndarray] = {}
        embed = self.embedder.embed

        def rank(query: str, texts: Sequence[str]) -> list[float]:
            missing = list(dict.fromkeys(t for t in (query, *texts) if t not in cache))
            if missing:
                cache.update(zip(missing, embed(missing), strict=True))
            return [float(cache[query] @ cache[t]) for t in texts]

        return rank

    def _assemble(
        self,
        task: str,
        question: str,
        sentences: list[CitedSentence],
        sources: list[Source],
        conversation: Conversation,
        run: Run,
        fallback: str | None = None,
    ) -> Answer:
        """Renumber to the conversation's numbers and add the reference list."""
        mapping = {s.number: conversation.number_for(s.paper.id) for s in sources}
        sentences = renumber(sentences, mapping)
        numbered = [s.model_copy(update={"number": mapping[s.number]}) for s in sources]
        cited = {c for s in sentences for c in s.citations}
        run.usage.total_seconds = run.elapsed()
        return Answer(
            task=task,
            question=question,
            text=render(sentences),
            sentences=sentences,
            references=[_reference(s) for s in sorted(numbered, key=lambda s: s.number) if s.number in cited],
            sources=numbered,
            fallback=fallback,
            backend=self.writer.backend if run.usage.llm_calls else "none",
            mode=self.mode,
            usage=run.usage,
        )

    def _not_in_library(
        self, task: str, question: str, chunks: Sequence[RetrievedChunk], conversation: Conversation, run: Run
    ) -> Answer:
        """The fixed "not in the library" answer, listing the nearest papers."""
        nearest = list(dict.fromkeys(c.paper_id for c in sorted(chunks, key=lambda c: -(c.dense or 0.0))))[:3]
        papers = self.store.papers_by_id(nearest)
        sources = [
            make_source(
                conversation.number_for(pid), papers[pid].paper, [c for c in chunks if c.paper_id == pid]
            )
            for pid in nearest
            if pid in papers
        ]
        run.usage.total_seconds = run.elapsed()
        return Answer(
            task=task,
            question=question,
            text=NOT_IN_LIBRARY,
            sentences=[CitedSentence(text=NOT_IN_LIBRARY)],
            references=[_reference(s) for s in sources],
            sources=sources,
            not_in_library=True,
            backend=self.writer.backend if run.usage.llm_calls else "none",
            mode=self.mode,
            usage=run.usage,
        )


def _interleave(rankings: Sequence[Sequence[RetrievedChunk]]) -> list[RetrievedChunk]:
    """Several rankings merged paper by paper in turn (the first paper of each, then the
    second of each...), so that each part of a question gets its papers in."""
    by_paper: dict[str, list[RetrievedChunk]] = {}
    orders = [list(dict.fromkeys(c.paper_id for c in ranking)) for ranking in rankings]
    for ranking in rankings:
        for c in ranking:
            chunks = by_paper.setdefault(c.paper_id, [])
            if all(c.chunk_id != k.chunk_id for k in chunks):
                chunks.append(c)
    papers = dict.fromkeys(
        order[i]
        for i in range(max((len(o) for o in orders), default=0))
        for order in orders
        if i < len(order)
    )
    return [c for pid in papers for c in by_paper[pid]]


def _reference(source: Source) -> Reference:
    p = source.paper
    return Reference(number=source.number, paper_id=p.id, title=p.title, date=p.date, url=p.url)
