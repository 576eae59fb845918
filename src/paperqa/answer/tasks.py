"""Ask, summarize and compare, as named stages:

    retrieve -> select evidence -> generate -> ground -> assemble

`retrieve` finds passages (retrieval), `select evidence` picks the source sentences
that answer the question (evidence), `generate` lets the chat model write (free) or
rewrite those sentences (generation), `ground` checks every sentence against what it
cites (checking, grounding), and `assemble` numbers citations for the conversation
and adds the reference list. How much the model writes is `LLMSettings.answer_mode`,
decided in one place (`Pipeline.compose`). This module is the front: it checks the
input and hands each task to its module (ask, summaries, comparison, table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from paperqa.answer.ask import ask
from paperqa.answer.comparison import compare
from paperqa.answer.conversation import Conversation
from paperqa.answer.find.resolve import find_pair, find_papers
from paperqa.answer.pipeline import Pipeline
from paperqa.answer.run import OnToken, Run
from paperqa.answer.summaries import summarize_paper, summarize_topic
from paperqa.answer.table import OnCell, table, topic_papers
from paperqa.errors import InputError
from paperqa.index.encoder import Encoder
from paperqa.index.store import Store
from paperqa.retrieval.hybrid import Retriever
from paperqa.settings import Settings
from paperqa.types import Answer, Paper

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = ["Conversation", "Tasks", "check_question"]

MAX_QUESTION_CHARS = 2000


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
        embedder: Encoder,
        resolve: Callable[[str], Paper],
        chat_model: BaseChatModel | None = None,
        backend: str | None = None,
    ) -> None:
        self.pipeline = Pipeline(settings, store, embedder, chat_model, backend)
        self.settings, self.resolve = settings, resolve

    @property
    def chat(self) -> tuple[BaseChatModel, str]:
        """(chat model, description), built on first use."""
        return self.pipeline.writer.chat

    @property
    def retriever(self) -> Retriever:
        return self.pipeline.retriever

    @property
    def mode(self) -> str:
        """'free', 'rewrite' or 'quote' (see `LLMSettings.answer_mode`)."""
        return self.pipeline.mode

    def find_papers(self, request: str, n: int = 1) -> list[Paper]:
        """The `n` papers a request most likely means ("summarize the CASAL paper"): papers it
        names first, then the best retrieved. None when nothing in the library is relevant."""
        p = self.pipeline
        return find_papers(p.retriever, p.store, self.settings.retrieval, check_question(request), n)

    def find_pair(self, request: str) -> list[Paper]:
        """The two papers a comparison request ("Compare A with B") means; [] when either side
        matches nothing in the library."""
        p = self.pipeline
        return find_pair(p.retriever, p.store, self.settings.retrieval, check_question(request))

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
        answer = ask(
            self.pipeline, question, conversation, run,
            paper_ids=ids, date_from=date_from, date_to=date_to, strict=strict,
        )  # fmt: skip
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
        return summarize_paper(self.pipeline, found, run, tldr=tldr, strict=strict)

    def summarize_topic(
        self, topic: str, *, strict: bool = False, on_token: OnToken | None = None, callbacks: Any = None
    ) -> Answer:
        """One cited paragraph on what the library's papers say about a topic."""
        run = Run(on_token, callbacks=callbacks)
        return summarize_topic(self.pipeline, check_question(topic, "topic"), run, strict=strict)

    def compare(
        self, paper_a: str, paper_b: str, *, on_token: OnToken | None = None, callbacks: Any = None
    ) -> Answer:
        """A side-by-side table (one cited sentence per aspect and paper) and a paragraph that
        contrasts the papers aspect by aspect."""
        run = Run(on_token, callbacks=callbacks)
        a, b = self.resolve(paper_a), self.resolve(paper_b)
        if a.id == b.id:
            raise InputError(
                f"Both names refer to the same paper ({a.id}: {a.title}); name two different papers."
            )
        return compare(self.pipeline, a, b, run)

    def table(
        self,
        papers: Sequence[str] = (),
        *,
        columns: Sequence[str] = (),
        topic: str | None = None,
        limit: int = 10,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        on_cell: OnCell | None = None,
        callbacks: Any = None,
    ) -> Answer:
        """A literature table: the papers named (id, title or short name), else the `limit`
        papers most about `topic`, else those dated in the range; columns the five aspects
        or the researcher's own (each a question asked of each paper)."""
        run = Run(None, callbacks=callbacks)
        chosen = self.table_papers(papers, topic=topic, limit=limit, date_from=date_from, date_to=date_to)
        return table(self.pipeline, chosen, [check_question(c, "column") for c in columns], run, on_cell)

    def table_papers(
        self,
        papers: Sequence[str] = (),
        *,
        topic: str | None = None,
        limit: int = 10,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> list[Paper]:
        """The rows of a table (see `table`), in order."""
        if limit < 1:
            raise InputError(f"--limit must be at least 1 (got {limit}).")
        if papers:
            return [self.resolve(p) for p in papers]
        if topic is not None:
            topic = check_question(topic, "topic")
            chosen = topic_papers(self.pipeline, topic, limit, date_from=date_from, date_to=date_to)
            if not chosen:
                raise InputError(
                    f'No paper of the library is about "{topic}"; try other words or name papers.'
                )
            return chosen
        if date_from is None and date_to is None:
            raise InputError("Name the papers of the table, or give a topic or a date range.")
        dated = [p for p in self.pipeline.all_papers() if p.dated_within(date_from, date_to)]
        if not dated:
            raise InputError("No paper of the library is dated in that range.")
        return sorted(dated, key=lambda p: (p.date, p.title), reverse=True)[:limit]
