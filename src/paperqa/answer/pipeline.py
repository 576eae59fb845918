"""The stages every task shares, over one library: retrieve, select evidence, write
(free generation and its check), and assemble; and the one place that decides between
the model's text and quoted sources (`Pipeline.compose`)."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from paperqa.answer.check.checking import Rules, check_model_text, names_of
from paperqa.answer.conversation import Conversation, Short
from paperqa.answer.find.gate import NOT_IN_LIBRARY, off_topic
from paperqa.answer.find.sources import group_sources, render_sources
from paperqa.answer.quoting import paper_label
from paperqa.answer.read.evidence import Ranker, source_paragraphs
from paperqa.answer.read.ranking import Idf, bundled_models
from paperqa.answer.read.reader import ReadResult, Reads, bundled_reader
from paperqa.answer.run import Run
from paperqa.answer.session import Refusal, Session
from paperqa.answer.write.assemble import assemble, nearest, not_in_library
from paperqa.answer.write.generation import Writer
from paperqa.index.encoder import Encoder
from paperqa.index.store import Store
from paperqa.retrieval.hybrid import Retriever
from paperqa.settings import Settings
from paperqa.types import Answer, CitedSentence, Paper, RetrievedChunk, Source

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

#: Tokens of sources in one prompt: the local model's prompt processing (~290 tokens/s on
#: 2 cores) sets the time to first token; a remote model can read more.
LOCAL_CONTEXT_TOKENS = 450
REMOTE_CONTEXT_TOKENS = 3000
#: Said after the reason when a model's text is replaced by quoted source sentences.
QUOTED = "the answer quotes the sources instead"


@dataclass(frozen=True)
class Draft:
    """What the model wrote freely, after the check stage: the sentences that may be shown,
    or `failure`, the reason they may not."""

    raw: str
    sentences: list[CitedSentence]
    failure: str | None


@dataclass(frozen=True)
class Written:
    """What `Pipeline.written` decided: the answer's sentences, the reason the model's text was
    replaced by quotes (`fallback`), or that the model says the library has nothing."""

    sentences: list[CitedSentence]
    fallback: str | None = None
    declined: bool = False


class Pipeline:
    """The shared stages of ask, summarize and compare over one library.

    Args:
        settings: the library's settings (retrieval, model, answer mode).
        store: the Chroma store; embedder: the embedder that built it.
        chat_model: a LangChain chat model; defaults to the one the settings name.
        reader: what reads passages for answerability and answers; defaults to the shipped one.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Encoder,
        chat_model: BaseChatModel | None = None,
        backend: str | None = None,
        reader: Reads | None = None,
    ) -> None:
        self.settings, self.store, self.embedder = settings, store, embedder
        self.writer = Writer(chat_model, backend, lambda: _chat_model(settings))
        self._reader = reader

    @functools.cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.settings.retrieval)

    @property
    def mode(self) -> str:
        """'free', 'rewrite' or 'quote' (see `LLMSettings.answer_mode`). 'auto' quotes with the
        embedded model: its rewrites measured no better than the quotes on QASPER dev (answer F1
        0.172 against 0.166, gold-token recall 0.588 against 0.595) or the seed questions (facts
        0.98 both), at three times the time; a capable remote model writes freely."""
        llm = self.settings.llm
        if llm.answer_mode != "auto":
            return llm.answer_mode
        return "free" if llm.backend == "openai" else "quote"

    # --- retrieve ---------------------------------------------------------------------

    def retrieve(self, run: Run, query: str, **options: object) -> list[RetrievedChunk]:
        t = time.perf_counter()
        chunks = run.stage(
            "retrieve",
            lambda: self.retriever.retrieve(query, **options),  # type: ignore[arg-type]
            {"query": query},
        )
        run.usage.retrieval_seconds = round(run.usage.retrieval_seconds + time.perf_counter() - t, 4)
        return chunks

    def sources(self, chunks: Sequence[RetrievedChunk]) -> list[Source]:
        papers = self.store.papers_by_id(list({c.paper_id for c in chunks}))
        return group_sources(chunks, {k: v.paper for k, v in papers.items()})

    def off_topic(self, question: str, chunks: Sequence[RetrievedChunk]) -> bool:
        return off_topic(self.settings.retrieval, chunks, lambda: self.retriever.unknown_terms(question))

    def all_papers(self) -> list[Paper]:
        return [s.paper for s in self.store.all_papers()]

    # --- select -----------------------------------------------------------------------

    def ranker(self) -> Ranker:
        """Cosine similarity of texts with the library's embedder, each text embedded once."""
        cache: dict[str, np.ndarray] = {}
        embed = self.embedder.embed

        def rank(query: str, texts: Sequence[str]) -> list[float]:
            missing = list(dict.fromkeys(t for t in (query, *texts) if t not in cache))
            if missing:
                cache.update(zip(missing, embed(missing), strict=True))
            return [float(cache[query] @ cache[t]) for t in texts]

        return rank

    def idf(self) -> Idf:
        """Stem -> its inverse document frequency among the library's papers (0 if none uses it)."""
        corpus = self.retriever.corpus()
        n, freq = max(corpus.n_papers, 1), corpus.paper_freq
        return lambda stem: math.log(n / freq[stem]) if freq.get(stem) else 0.0

    # --- read -------------------------------------------------------------------------

    @property
    def reader(self) -> Reads | None:
        """The reader, unless the settings turn it off (`retrieval.reader`)."""
        if not self.settings.retrieval.reader:
            return None
        return self._reader or bundled_reader()

    def read(self, run: Run, question: str, sources: Sequence[Source]) -> dict[int, ReadResult]:
        """Source number -> what the reader makes of the source's text for `question` (empty
        when the reader is off)."""
        reader = self.reader
        if reader is None or not sources:
            return {}
        results = run.stage(
            "read", lambda: reader.read(question, [s.text for s in sources]), {"question": question}
        )
        return {s.number: r for s, r in zip(sources, results, strict=True)}

    def read_paragraphs(self, run: Run, question: str, source: Source) -> dict[str, ReadResult]:
        """Paragraph -> what the reader makes of it for `question` (empty when the reader is
        off): a whole paper's source read paragraph by paragraph (`source_paragraphs`), to rank
        its sentences."""
        reader = self.reader
        if reader is None:
            return {}
        paragraphs = source_paragraphs(source)
        if not paragraphs:
            return {}
        results = run.stage(
            "read paragraphs", lambda: reader.read(question, paragraphs), {"question": question}
        )
        return dict(zip(paragraphs, results, strict=True))

    def answerable_cut(self) -> float:
        """The probability under which a passage does not answer: the setting, else the cut the
        reader was shipped with (or, with the reader off, the one fitted with the gate)."""
        cut = self.settings.retrieval.answerable_cut
        if cut is not None:
            return cut
        reader = self.reader
        return reader.cut if reader is not None else bundled_models().gate_cut

    def paper_cut(self) -> float:
        """The probability under which no passage of a whole paper read alone answers: the
        answerability setting, else the reader's (`Reader.paper_cut`)."""
        reader = self.reader
        if reader is None or self.settings.retrieval.answerable_cut is not None:
            return self.answerable_cut()
        return reader.paper_cut

    @staticmethod
    def labels(sources: Sequence[Source]) -> dict[int, str]:
        return {s.number: paper_label(s.paper) for s in sources}

    def names(self, sources: Sequence[Source]) -> dict[int, list[str]]:
        """Source number -> the names its paper goes by (title, label, short names)."""
        return names_of(sources, self.retriever.corpus().names.short_names())

    def named_in(self, sources: Sequence[Source]) -> Callable[[str], set[int]]:
        """Source numbers of the papers a text names by acronym or title."""
        number_of: Mapping[str, int] = {s.paper.id: s.number for s in sources}
        return lambda text: {number_of[pid] for pid in self.retriever.named(text) if pid in number_of}

    # --- write ------------------------------------------------------------------------

    def budget(self) -> int:
        """Tokens of sources one prompt may hold."""
        llm = self.settings.llm
        return llm.context_tokens or (
            LOCAL_CONTEXT_TOKENS if llm.backend == "local" else REMOTE_CONTEXT_TOKENS
        )

    def draft(
        self,
        prompt: str,
        variables: dict[str, str],
        question: str,
        sources: Sequence[Source],
        rules: Rules,
        run: Run,
    ) -> Draft:
        """Free generation from a prompt of `prompts/`, then the check stage."""
        raw = self.writer.generate(prompt, {"sources": render_sources(sources), **variables}, run)
        rules = replace(
            rules,
            show_unverified=self.settings.llm.show_unverified,
            support_threshold=self.settings.retrieval.support_threshold,
        )
        names, named_in, rank = self.names(sources), self.named_in(sources), self.ranker()
        # The reader's contradiction probability is not part of the check: measured, it flags a
        # sentence for holding a "not" rather than for contradicting ("LIB is not applicable
        # to LLMs" against the abstract saying so), and catches no removed negation
        # (`benchmarks/bench_grounding.py`); `grounding.ground(..., contradicts=)` keeps the hook.
        sentences, failure = run.stage(
            "check",
            lambda: check_model_text(raw, question, sources, rank, named_in, names, rules),
            {"text": raw},
        )
        return Draft(raw, sentences, failure)

    def written(
        self,
        quote: Callable[[], list[CitedSentence]],
        draft: Callable[[], Draft] | None = None,
        declines: Callable[[Draft], bool] | None = None,
    ) -> Written:
        """Free -> fallback -> quote, decided here once. In 'free' mode the model's `draft`
        when it passes the checks (`declined` when `declines` says the library has nothing);
        otherwise the `quote`d source sentences, with the reason the draft failed."""
        if self.mode == "free" and draft is not None:
            text = draft()
            if declines is not None and declines(text):
                return Written([], declined=True)
            if text.failure is None:
                return Written(text.sentences)
            return Written(quote(), fallback=f"{text.failure}; {QUOTED}")
        return Written(quote())

    def compose(
        self,
        task: str,
        question: str,
        sources: list[Source],
        conversation: Conversation,
        run: Run,
        *,
        quote: Callable[[], list[CitedSentence]],
        draft: Callable[[], Draft] | None = None,
        declines: Callable[[Draft], bool] | None = None,
        chunks: Sequence[RetrievedChunk] = (),
    ) -> Answer:
        """What `written` decides, assembled (or the library's decline)."""
        written = self.written(quote, draft, declines)
        if written.declined:
            return self.decline(task, question, chunks, conversation, run)
        return self.assemble(task, question, written.sentences, sources, conversation, run, written.fallback)

    def finish(self, session: Session) -> Answer:
        """The one exit of `ask`: the refusal `Session.refusal` decides (the library's decline,
        or the paper's "does not state" note) or the sentences written, assembled."""
        s = session
        refusal = s.refusal()
        if refusal is Refusal.NOT_IN_LIBRARY:
            return self.decline("ask", s.question, s.chunks, s.conversation, s.run, s.decline_text)
        return self.assemble(
            "ask", s.question, s.sentences, s.sources, s.conversation, s.run, s.fallback,
            not_stated=refusal is Refusal.NOT_STATED, short=s.short,
        )  # fmt: skip

    # --- assemble ---------------------------------------------------------------------

    def assemble(
        self,
        task: str,
        question: str,
        sentences: list[CitedSentence],
        sources: list[Source],
        conversation: Conversation,
        run: Run,
        fallback: str | None = None,
        not_stated: bool = False,
        short: Short | None = None,
    ) -> Answer:
        return assemble(
            task, question, sentences, sources, conversation, run,
            backend=self.writer.backend if run.usage.llm_calls else "none", mode=self.mode, fallback=fallback,
            not_stated=not_stated, short=short,
        )  # fmt: skip

    def decline(
        self,
        task: str,
        question: str,
        chunks: Sequence[RetrievedChunk],
        conversation: Conversation,
        run: Run,
        text: str = NOT_IN_LIBRARY,
    ) -> Answer:
        """The fixed "not in the library" answer (or `text`), with the nearest papers."""
        papers = {k: v.paper for k, v in self.store.papers_by_id(nearest(chunks)).items()}
        return not_in_library(
            task, question, chunks, papers, conversation, run,
            backend=self.writer.backend if run.usage.llm_calls else "none", mode=self.mode, text=text,
        )  # fmt: skip


def _chat_model(settings: Settings) -> tuple[BaseChatModel, str]:
    """The configured chat model, built (and LangChain's model classes imported) only when an
    answer is written: quoted answers never need one."""
    from paperqa.answer.write.llm import get_chat_model

    return get_chat_model(settings.llm)
