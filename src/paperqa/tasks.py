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
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from paperqa import aspects, extractive, metadata
from paperqa.assemble import Conversation, assemble, nearest, not_in_library
from paperqa.checking import Rules, check_model_text, names_of
from paperqa.citations import NOT_IN_LIBRARY, renumber
from paperqa.embeddings import PaperQAEmbeddings
from paperqa.errors import InputError
from paperqa.evidence import (
    QuestionKind,
    Ranker,
    paper_label,
    question_kind,
    select,
    verdict,
)
from paperqa.generation import OnToken, Run, Writer
from paperqa.listing import (
    LIST_PAPERS,
    LIST_PASSAGES,
    LIST_RARE_SHARE,
    best_per_paper,
    interleave,
    list_sources,
    list_topics,
)
from paperqa.relevance import confident, find_pair, find_papers, off_topic, relevant
from paperqa.retrieval import Retriever
from paperqa.settings import Settings
from paperqa.sources import fit_budget, group_sources, render_sources, whole_paper
from paperqa.store import Store
from paperqa.types import Answer, CitedSentence, ComparisonRow, Paper, RetrievedChunk, Source

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
#: A follow-up ("what are its limits?") puts first the papers the last answer cited, up to this many.
FOLLOW_UP_PAPERS = 2
#: A topic summary reads this many passages and quotes one sentence from each of up to 4 papers.
TOPIC_PASSAGES = 12
TOPIC_PAPERS = 5
TOPIC_SENTENCES = 4
_REFERS_BACK = re.compile(
    r"\b(it|its|it's|they|their|them|this|that|these|those|the paper|the method|the authors)\b", re.I
)
#: Said after the reason when a model's text is replaced by quoted source sentences.
QUOTED = "the answer quotes the sources instead"


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

    def find_papers(self, request: str, n: int = 1) -> list[Paper]:
        """The `n` papers a request most likely means ("summarize the CASAL paper"): papers it
        names first, then the best retrieved. None when nothing in the library is relevant."""
        return find_papers(self.retriever, self.store, self.settings.retrieval, check_question(request), n)

    def find_pair(self, request: str) -> list[Paper]:
        """The two papers a comparison request ("Compare A with B") means; [] when either side
        matches nothing in the library."""
        return find_pair(self.retriever, self.store, self.settings.retrieval, check_question(request))

    @property
    def mode(self) -> str:
        """'free', 'rewrite' or 'quote' (see `LLMSettings.answer_mode`)."""
        llm = self.settings.llm
        if llm.answer_mode != "auto":
            return llm.answer_mode
        return "free" if llm.backend == "openai" else "rewrite"

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
        callbacks: Any = None,
    ) -> Answer:
        """A few cited sentences answering `question` from the library; for a question about
        several papers ("which papers ..."), one sentence per relevant paper. `callbacks`
        (LangChain) see the stages as child runs."""
        run = Run(on_token, callbacks=callbacks)
        question = check_question(question)
        conversation = conversation if conversation is not None else Conversation()
        ids = [self.resolve(p).id for p in paper_ids] if paper_ids else None
        filters: dict[str, Any] = {"paper_ids": ids, "date_from": date_from, "date_to": date_to}
        if (request := metadata.parse(question)) is not None and (
            found := metadata.answer(request, self._all_papers, self._papers_meant(question, conversation))
        ):
            answer = self._assemble("ask", question, *found, conversation, run)
            conversation.turns.append(answer)
            return answer
        kind = question_kind(question)
        if kind == QuestionKind.LIST:
            topic, since, until = metadata.year_filter(question)  # "which papers from 2025 ..."
            filters["date_from"], filters["date_to"] = date_from or since, date_to or until
            answer = self._ask_list(topic, filters, conversation, run, asked=question)
            conversation.turns.append(answer)
            return answer
        query, focus = self._follow_up(question, conversation)
        chunks = self._retrieve(run, query, focus=focus, **filters)
        declines = not relevant(self.settings.retrieval, chunks) or (
            self.mode != "free" and self._off_topic(question, chunks)
        )
        if declines:
            answer = self._not_in_library("ask", question, chunks, conversation, run)
        else:
            answer = self._ask(question, kind, chunks, conversation, run, strict, focus)
        conversation.turns.append(answer)
        return answer

    def _ask_list(
        self, question: str, filters: dict[str, Any], conversation: Conversation, run: Run, asked: str
    ) -> Answer:
        """A question about several papers ("which papers ...", "what does the library say
        about ..."): one cited sentence per relevant paper, each paper's best on the topic.
        Every mode answers it this way: a model, small or large, drops or invents papers."""
        topic, parts = list_topics(question)
        rankings = [self._retrieve(run, part, k=LIST_PASSAGES, **filters) for part in parts]
        chunks = interleave(rankings)
        relevant = self._list_sources(self._sources(chunks), parts)
        if not relevant:
            return self._not_in_library("ask", asked, chunks, conversation, run)
        sources = [s.model_copy(update={"text": s.paper.abstract}) for s in relevant]
        chosen = best_per_paper(topic, sources, self._ranker(), LIST_PAPERS)
        sentences = extractive.quote_evidence(chosen, self._labels(sources))
        return self._assemble("ask", asked, sentences, sources, conversation, run)

    def _ask(
        self,
        question: str,
        kind: QuestionKind,
        chunks: list[RetrievedChunk],
        conversation: Conversation,
        run: Run,
        strict: bool,
        focus: Sequence[str] = (),
    ) -> Answer:
        """`focus`: the papers a follow-up refers back to ("what are its results?"); the
        evidence comes from them when they have any, not from a paper that merely shares a word."""
        sources = self._sources(chunks)
        rank, names = self._ranker(), names_of(sources, self._short_names())
        fallback = None
        if self.mode == "free":
            shown = fit_budget(sources, self._budget())
            variables = {"question": question, "not_in_library": NOT_IN_LIBRARY}
            raw, sentences, fallback = self._write(
                "answer", variables, question, shown, Rules(strict=strict), run
            )
            if NOT_IN_LIBRARY.lower()[:30] in raw.lower() and not confident(self.settings.retrieval, chunks):
                return self._not_in_library("ask", question, chunks, conversation, run)
            if not fallback:
                return self._assemble("ask", question, sentences, sources, conversation, run)
            if self._off_topic(question, chunks):
                # The model failed and the question is about words the library never uses:
                # quoting the nearest abstracts would answer a different question.
                return self._not_in_library("ask", question, chunks, conversation, run)
        # Abstracts are short: the sentence that answers may lie outside the retrieved passages.
        sources = [s.model_copy(update={"text": s.paper.abstract}) for s in sources]
        meant = [s for s in sources if s.paper.id in focus] or sources
        chosen = run.stage(
            "select evidence",
            lambda: select(
                question, kind, meant, rank, limit=ANSWER_SENTENCES, per_source=PER_PAPER_SENTENCES
            ),
            {"question": question},
        )
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
        callbacks: Any = None,
    ) -> Answer:
        """One cited paragraph on one paper, or across the library's papers on a topic.
        With `tldr`, one sentence on one paper."""
        if (paper is None) == (topic is None):
            raise InputError("Summarize either one paper or one topic.")
        if paper is not None:
            return self.summarize_paper(
                paper, tldr=tldr, strict=strict, on_token=on_token, callbacks=callbacks
            )
        if tldr:
            raise InputError("A one-sentence summary (tldr) is of one paper, not a topic.")
        return self.summarize_topic(topic or "", strict=strict, on_token=on_token, callbacks=callbacks)

    def summarize_paper(
        self,
        paper: str,
        *,
        tldr: bool = False,
        strict: bool = False,
        on_token: OnToken | None = None,
        callbacks: Any = None,
    ) -> Answer:
        """One cited paragraph (or with `tldr`, one sentence) on one paper."""
        run, found = Run(on_token, callbacks=callbacks), self.resolve(paper)
        question = f"{'TLDR' if tldr else 'Summarize'}: {found.title}"
        sources, rank = [whole_paper(found, 1)], self._ranker()
        fallback = None
        if self.mode == "free":
            rules = Rules(strict=strict, summary_words=None if tldr else SUMMARY_WORDS)
            prompt = "tldr" if tldr else "summarize"
            _, sentences, fallback = self._write(
                prompt, {"title": found.title}, found.title, sources, rules, run
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

    def summarize_topic(
        self, topic: str, *, strict: bool = False, on_token: OnToken | None = None, callbacks: Any = None
    ) -> Answer:
        """One cited paragraph on what the library's papers say about a topic."""
        run, conversation = Run(on_token, callbacks=callbacks), Conversation()
        topic = check_question(topic, "topic")
        question = f"Summarize topic: {topic}"
        chunks = self._retrieve(run, topic, k=TOPIC_PASSAGES)
        if not relevant(self.settings.retrieval, chunks):
            return self._not_in_library("summarize", question, chunks, conversation, run)
        first_per_paper = list({c.paper_id: c for c in reversed(chunks)}.values())[::-1][:TOPIC_PAPERS]
        sources, rank = self._sources(first_per_paper), self._ranker()
        fallback = None
        if self.mode == "free":
            shown = fit_budget(sources, self._budget())
            rules = Rules(strict=strict, summary_words=SUMMARY_WORDS)
            _, sentences, fallback = self._write(
                "summarize_topic", {"topic": topic}, topic, shown, rules, run
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

    def compare(
        self, paper_a: str, paper_b: str, *, on_token: OnToken | None = None, callbacks: Any = None
    ) -> Answer:
        """A side-by-side table (one cited sentence per aspect and paper) and a paragraph that
        contrasts the papers aspect by aspect."""
        run, conversation = Run(on_token, callbacks=callbacks), Conversation()
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
            variables = {"title_a": a.title, "title_b": b.title}
            question = f"Compare {a.title} with {b.title}"
            _, sentences, fallback = self._write(
                "compare", variables, question, sources, Rules(cite_all=True), run
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
        chunks = run.stage(
            "retrieve",
            lambda: self.retriever.retrieve(query, **options),  # type: ignore[arg-type]
            {"query": query},
        )
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

    def _write(
        self,
        prompt: str,
        variables: dict[str, str],
        question: str,
        sources: Sequence[Source],
        rules: Rules,
        run: Run,
    ) -> tuple[str, list[CitedSentence], str | None]:
        """Free generation then the check stage: (the model's text, the sentences that may be
        shown, the reason the model failed or None)."""
        raw = self.writer.generate(prompt, {"sources": render_sources(sources), **variables}, run)
        rules = replace(rules, show_unverified=self.settings.llm.show_unverified)
        names = names_of(sources, self._short_names())
        sentences, fallback = run.stage(
            "check",
            lambda: check_model_text(
                raw, question, sources, self._ranker(), self._named_in(sources), names, rules
            ),
            {"text": raw},
        )
        return raw, sentences, fallback

    def _list_sources(self, sources: Sequence[Source], parts: Sequence[str]) -> list[Source]:
        rare = [r for r in (self.retriever.rare_stems(p, LIST_RARE_SHARE) for p in parts) if r]
        return list_sources(sources, rare)

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
        return assemble(
            task, question, sentences, sources, conversation, run,
            backend=self.writer.backend if run.usage.llm_calls else "none", mode=self.mode, fallback=fallback,
        )  # fmt: skip

    def _not_in_library(
        self, task: str, question: str, chunks: Sequence[RetrievedChunk], conversation: Conversation, run: Run
    ) -> Answer:
        papers = {k: v.paper for k, v in self.store.papers_by_id(nearest(chunks)).items()}
        return not_in_library(
            task, question, chunks, papers, conversation, run,
            backend=self.writer.backend if run.usage.llm_calls else "none", mode=self.mode,
        )  # fmt: skip

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
        return f"{question} {previous}", conversation.last_cited()[:FOLLOW_UP_PAPERS]

    def _all_papers(self) -> list[Paper]:
        return [s.paper for s in self.store.all_papers()]

    def _papers_meant(self, question: str, conversation: Conversation) -> list[Paper]:
        """The papers a question about one paper's record means: those it names, else the one
        the last answer cited first ("when was it published?"), else the best retrieved."""
        ids = self.retriever.named(question)
        if not ids and conversation.turns and _REFERS_BACK.search(question):
            ids = conversation.last_cited()[:1]
        if ids:
            found = self.store.papers_by_id(ids)
            return [found[i].paper for i in ids if i in found]
        return self.find_papers(question)

    def _off_topic(self, question: str, chunks: Sequence[RetrievedChunk]) -> bool:
        return off_topic(self.settings.retrieval, chunks, lambda: self.retriever.unknown_terms(question))

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
