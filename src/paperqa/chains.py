"""paperqa as LangChain parts, for people who build their own chains and agents.

`PaperRetriever` (`Library.as_retriever(...)`) is a `BaseRetriever` over a library's
hybrid retrieval: dense search and BM25 fused, papers the query names first, at most
two passages per paper. Its `Document`s carry the passage as `page_content` and the
paper's id, title, date, url, authors, the chunk's index and the retrieval scores as
metadata. It passes LangChain's `RetrieversIntegrationTests`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field


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
