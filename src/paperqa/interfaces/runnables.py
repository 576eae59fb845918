"""paperqa as LangChain parts, for people who build their own chains and agents.

`PaperRetriever` (`Library.as_retriever(...)`) is a `BaseRetriever` over a library's
hybrid retrieval: dense search and BM25 fused, papers the query names first, at most
two passages per paper. Its `Document`s carry the passage as `page_content` and the
paper's id, title, date, url, authors, the chunk's index and the retrieval scores as
metadata. It passes LangChain's `RetrieversIntegrationTests`.

`AnswerRunnable` (`Library.as_runnable("ask" | "summarize" | "compare")`) is the answer
path as a `Runnable`: invoke, stream (draft tokens, then the checked `Answer`), batch and
their async forms, with the stages visible to LangChain callbacks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig, RunnableSerializable
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from paperqa.text.dates import date_bound
from paperqa.types import Answer

if TYPE_CHECKING:
    from paperqa.answer.tasks import Tasks


class PaperRetriever(BaseRetriever):
    """Passages of a paperqa library for a query, as LangChain `Document`s.

    Example:
        >>> retriever = Library().as_retriever(k=4, since=dt.date(2024, 1, 1))
        >>> docs = retriever.invoke("How do sparse autoencoders find features?")
        >>> docs[0].metadata["title"], docs[0].metadata["paper_id"]
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    library: Any = Field(description="The paperqa `Library` to search.")
    k: int = Field(default=4, ge=1, le=50, description="Passages returned (at most two per paper).")
    paper_ids: list[str] | None = Field(default=None, description="Search only these papers.")
    since: dt.date | None = Field(default=None, description="Only papers dated on or after this day.")
    until: dt.date | None = Field(default=None, description="Only papers dated on or before this day.")

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        chunks = self.library.tasks.retriever.retrieve(
            query, k=k, paper_ids=self.paper_ids, date_from=self.since, date_to=self.until
        )
        papers = self.library.store.papers_by_id(list(dict.fromkeys(c.paper_id for c in chunks)))
        documents = []
        for c in chunks:
            if c.paper_id not in papers:
                continue
            p = papers[c.paper_id].paper
            metadata = {
                "paper_id": p.id,
                "title": p.title,
                "date": p.date_text,
                "url": p.url,
                "authors": list(p.authors),
                "chunk_index": c.index,
                "dense_score": c.dense,
                "bm25_score": c.bm25,
                "fused_score": c.fused,
                "named_in_query": c.named,
            }
            documents.append(Document(page_content=c.text, metadata=metadata, id=c.chunk_id))
        return documents[:k]


def _bound(end: bool) -> BeforeValidator:
    return BeforeValidator(lambda v: date_bound(v, end=end) if isinstance(v, str) else v)


Since = Annotated[
    dt.date | None,
    _bound(end=False),
    Field(default=None, description="Only papers dated on or after this: 2024, 2024-05 or 2024-05-17."),
]
Until = Annotated[
    dt.date | None,
    _bound(end=True),
    Field(
        default=None, description="Only papers dated on or before this: 2024 (through December), 2024-05..."
    ),
]
#: A request with a field these inputs do not have ("date_from") is refused, not run unfiltered.
_STRICT = ConfigDict(extra="forbid")


class AskInput(BaseModel):
    """What `ask` takes, as a runnable's input (a plain string is a question)."""

    model_config = _STRICT

    question: str = Field(description="The question; at most 2,000 characters.")
    paper_ids: list[str] | None = Field(
        default=None, description="Only these papers (ids, titles, short names)."
    )
    since: Since = None
    until: Until = None
    strict: bool = False


class SummarizeInput(BaseModel):
    """What `summarize` takes: one paper (id, title or short name) or a topic."""

    model_config = _STRICT

    paper: str | None = Field(default=None, description="One paper (id, title or short name)...")
    topic: str | None = Field(default=None, description="...or a topic across the library.")
    tldr: bool = False


class CompareInput(BaseModel):
    """The two papers `compare` takes."""

    model_config = _STRICT

    paper_a: str
    paper_b: str


class TableInput(BaseModel):
    """What `table` takes: the papers (or a topic, or dates) in rows, and the columns."""

    model_config = _STRICT

    papers: list[str] = Field(
        default_factory=list, description="One row per paper (ids, titles, short names)."
    )
    columns: list[str] = Field(
        default_factory=list,
        description="What to ask each paper ('dataset', 'Which baselines?'); default: the five aspects.",
    )
    topic: str | None = Field(default=None, description="Rows: the papers most about this topic.")
    limit: int = Field(
        default=10, ge=1, le=30, description="With a topic or dates: at most this many papers."
    )
    since: Since = None
    until: Until = None


TaskInput = AskInput | SummarizeInput | CompareInput | TableInput
_INPUTS: dict[str, type[TaskInput]] = {"ask": AskInput, "summarize": SummarizeInput, "compare": CompareInput}


def run_task(
    tasks: Tasks, request: TaskInput, *, on_token: Any = None, on_cell: Any = None, callbacks: Any = None
) -> Answer:
    """The answer to one request: what the runnables and `paperqa serve` both call
    (`on_cell(row, column, cell)`: a table's cells as they are filled)."""
    if isinstance(request, AskInput):
        return tasks.ask(
            request.question,
            paper_ids=request.paper_ids,
            date_from=request.since,
            date_to=request.until,
            strict=request.strict,
            on_token=on_token,
            callbacks=callbacks,
        )
    if isinstance(request, SummarizeInput):
        return tasks.summarize(
            request.paper, topic=request.topic, tldr=request.tldr, on_token=on_token, callbacks=callbacks
        )
    if isinstance(request, TableInput):
        return tasks.table(
            request.papers,
            columns=request.columns,
            topic=request.topic,
            limit=request.limit,
            date_from=request.since,
            date_to=request.until,
            on_cell=on_cell,
            callbacks=callbacks,
        )
    return tasks.compare(request.paper_a, request.paper_b, on_token=on_token, callbacks=callbacks)


class AnswerRunnable(RunnableSerializable[Any, Answer]):
    """ask, summarize or compare as a LangChain `Runnable`: `invoke` / `batch` / `ainvoke`
    return the checked `Answer`; `stream` / `astream` yield the model's draft tokens (str)
    and then the checked `Answer`. Callbacks (LangSmith or any LangChain tracer) see the
    stages as child runs: "retrieve", "select evidence", "generate" / "rewrite", "check".

    Example (in a chain of your own):
        >>> ask = Library().as_runnable("ask")
        >>> chain = RunnableLambda(lambda topic: f"What is known about {topic}?") | ask | (lambda a: a.text)
        >>> chain.invoke("activation steering")
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    library: Any
    task: Literal["ask", "summarize", "compare"] = "ask"

    @property
    def InputType(self) -> Any:  # noqa: N802 (LangChain's name)
        return str | _INPUTS[self.task]

    @property
    def OutputType(self) -> Any:  # noqa: N802
        return Answer

    def _parse(self, value: Any) -> TaskInput:
        model = _INPUTS[self.task]
        if isinstance(value, model):
            return value
        if isinstance(value, str):
            first = {"ask": "question", "summarize": "paper", "compare": "paper_a"}[self.task]
            return model.model_validate({first: value})
        return model.model_validate(value)

    def _run(self, value: Any, run_manager: Any, config: RunnableConfig, on_token: Any = None) -> Answer:
        callbacks = run_manager.get_child() if run_manager is not None else None
        return run_task(self.library.tasks, self._parse(value), on_token=on_token, callbacks=callbacks)

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:  # noqa: A002
        return self._call_with_config(
            lambda value, run_manager, config: self._run(value, run_manager, config),
            input,
            config,
            run_type="chain",
        )

    def stream(  # type: ignore[override]
        self,
        input: Any,
        config: RunnableConfig | None = None,
        **kwargs: Any,  # noqa: A002
    ) -> Iterator[str | Answer]:
        """The draft tokens as the model writes them, then the checked `Answer`."""
        from paperqa.answer.run import streamed

        for item in streamed(
            lambda on_token: self._call_with_config(
                lambda value, run_manager, config: self._run(value, run_manager, config, on_token),
                input,
                config,
                run_type="chain",
            )
        ):
            if isinstance(item, BaseException):
                raise item
            yield item

    async def astream(  # type: ignore[override]
        self,
        input: Any,
        config: RunnableConfig | None = None,
        **kwargs: Any,  # noqa: A002
    ) -> AsyncIterator[str | Answer]:
        iterator = self.stream(input, config, **kwargs)
        sentinel = object()
        while (item := await asyncio.to_thread(next, iterator, sentinel)) is not sentinel:
            yield item  # type: ignore[misc]
