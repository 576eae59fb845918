"""The library: papers in (`index.writer`), papers out, and answers (`answer.tasks`): the public API."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from paperqa.errors import LibraryLockedError, PaperNotFoundError
from paperqa.index import catalogue
from paperqa.index.store import Store, StoredPaper
from paperqa.ingest.loaders.common import arxiv_id, doi
from paperqa.retrieval.names import paper_names
from paperqa.settings import Settings
from paperqa.types import Answer, IngestReport, Paper, normalize_title

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from paperqa.answer.tasks import Tasks
    from paperqa.index.embeddings import PaperQAEmbeddings
    from paperqa.index.encoder import Encoder, MiniLM
    from paperqa.index.writer import CheckReport, IndexWriter, Progress
    from paperqa.ingest.loaders.zotero import ZoteroSelection
    from paperqa.interfaces.runnables import AnswerRunnable, PaperRetriever


class LibraryStats(BaseModel):
    """What `paperqa stats` shows."""

    papers: int
    chunks: int
    embedding_model: str
    embedding_dim: int
    store: str
    store_bytes: int | None
    home: str | None = Field(description="The data directory (None where it is not shown: the HTTP API).")
    chunk_tokens: int
    overlap_tokens: int


class Library:
    """A library of papers in a Chroma index.

    Args:
        settings: defaults to `Settings()` (environment and settings file).
        embedder, store, chat_model: default to the ones the settings name.

    Example: `print(Library().ask("How does CASAL reduce hallucinations?").text)`
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: PaperQAEmbeddings | None = None,
        store: Store | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._store = store
        self._chat_model = chat_model

    @functools.cached_property
    def tasks(self) -> Tasks:
        from paperqa.answer.tasks import Tasks  # the answer path: imported when first asked
        from paperqa.index.vector_cache import CachedEncoder  # kept for the next command

        encoder = CachedEncoder(self.encoder, self.settings.home / "cache" / "vectors.sqlite3")
        return Tasks(self.settings, self.store, encoder, self.get, self._chat_model)

    def ask(self, question: str, **options: Any) -> Answer:
        """A few sentences answering `question`, each citing the papers it comes from.
        Options: conversation, paper_ids, date_from, date_to, strict, on_token (see `Tasks.ask`)."""
        return self.tasks.ask(question, **options)

    def summarize(self, paper: str | None = None, *, topic: str | None = None, **options: Any) -> Answer:
        """One cited paragraph on one paper (id or title) or on a topic across the library."""
        return self.tasks.summarize(paper, topic=topic, **options)

    def compare(self, paper_a: str, paper_b: str, **options: Any) -> Answer:
        """A side-by-side table of two papers and a cited comparative paragraph."""
        return self.tasks.compare(paper_a, paper_b, **options)

    def table(self, papers: Sequence[str] = (), **options: Any) -> Answer:
        """A literature table: papers in rows (named, or by `topic` with `limit`, or by
        `date_from`/`date_to`), `columns` the five aspects or your own questions; each cell the
        paper's own sentence (of its abstract, or of its body when the full text was ingested,
        cited to the section), or "Not stated in the abstract." ("... in the paper."). The rows are
        `answer.comparison` (one per column, a cell per paper); `on_cell(row, column, cell)`
        sees each cell as it is filled. See `Tasks.table`."""
        return self.tasks.table(papers, **options)

    def as_retriever(
        self,
        *,
        k: int = 4,
        paper_ids: Sequence[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> PaperRetriever:
        """This library as a LangChain retriever (`Document`s with paper metadata); see
        `paperqa.interfaces.runnables.PaperRetriever`. `paper_ids` take any reference `get` takes."""
        from paperqa.interfaces.runnables import PaperRetriever

        ids = [self.get(ref).id for ref in paper_ids] if paper_ids else None
        return PaperRetriever(library=self, k=k, paper_ids=ids, since=since, until=until)

    def as_runnable(self, task: Literal["ask", "summarize", "compare"] = "ask") -> AnswerRunnable:
        """ask, summarize or compare as a LangChain `Runnable` (see
        `paperqa.interfaces.runnables.AnswerRunnable`): input a question string or `AskInput` /
        `SummarizeInput` / `CompareInput`, output `Answer`."""
        from paperqa.interfaces.runnables import AnswerRunnable

        return AnswerRunnable(library=self, task=task)

    def find_papers(self, request: str, n: int = 1) -> list[Paper]:
        """The `n` papers a free-text request most likely means (named ones first); [] when
        nothing in the library is relevant to it."""
        return self.tasks.find_papers(request, n)

    def find_pair(self, request: str) -> list[Paper]:
        """The two papers a comparison request ("Compare A with B") means; [] when either
        side matches nothing in the library."""
        return self.tasks.find_pair(request)

    @functools.cached_property
    def embedder(self) -> PaperQAEmbeddings:
        """The library's embedder as a LangChain `Embeddings` (running `encoder`'s model)."""
        from paperqa.index.embeddings import LocalEmbedder, get_embedder  # LangChain: when asked for

        if self._embedder is not None:
            return self._embedder
        if self.settings.embedding.backend == "local":
            return LocalEmbedder(model=self._local_model)
        return get_embedder(self.settings.embedding)

    @functools.cached_property
    def encoder(self) -> Encoder:
        """What the index and answers embed with: the embedder given, else the embedded model
        itself (no LangChain import), else the configured endpoint's embedder."""
        if self._embedder is not None:
            return self._embedder
        if self.settings.embedding.backend == "local":
            return self._local_model
        return self.embedder

    @functools.cached_property
    def _local_model(self) -> MiniLM:
        from paperqa.index.encoder import MiniLM  # onnxruntime: when first used

        return MiniLM(threads=self.settings.embedding.threads, workers=self.settings.embedding.workers)

    @functools.cached_property
    def store(self) -> Store:
        if self._store is not None:
            return self._store
        # the embedded model's identity is known without loading it
        return Store(self.settings, self.encoder.name, self.encoder.dim)

    @functools.cached_property
    def writer(self) -> IndexWriter:
        from paperqa.index.writer import IndexWriter  # the loaders and the lock: only to write

        return IndexWriter(self.settings, self.store, self.encoder)

    # --- reading ----------------------------------------------------------------

    def papers(self, search: str | None = None) -> list[Paper]:
        """All papers, newest first; with `search`, those whose title, id or abstract
        contains every word of it (case-insensitive)."""
        papers = [s.paper for s in self._stored_papers()]
        if search:
            words = normalize_title(search).split()
            papers = [
                p
                for p in papers
                if all(w in f"{p.title_key} {p.id.lower()} {normalize_title(p.abstract)}" for w in words)
            ]
        return sorted(papers, key=lambda p: (p.date or dt.date.min, p.title), reverse=True)

    def _stored_papers(self) -> list[StoredPaper]:
        """Every stored paper: the store reads them from the catalogue beside an embedded
        store while it is current (no chromadb needed), else from Chroma, keeping them for
        the next reader."""
        store = self.store
        if self.settings.chroma_url or catalogue.mirrored_revision(self.settings) is not None:
            return store.all_papers()
        revision = store.revision()
        papers = store.all_papers()
        self._adopt_revision(revision, papers)
        return papers

    def _adopt_revision(self, revision: str, papers: list[StoredPaper]) -> None:
        """A library written before the revision mirror existed gets one now, so the next
        reader needs no chromadb: only while no write runs (the write lock is free) and the
        store is still at the revision its papers were just read at."""
        from paperqa.index.writer import write_lock

        with contextlib.suppress(LibraryLockedError), write_lock(self.settings.home):
            if self.store.revision() == revision:
                catalogue.mirror_revision(self.settings, revision)
                catalogue.write(self.settings, self.store.model_name, revision, papers)

    def get(self, ref: str) -> Paper:
        """A paper by id (`arxiv:2401.01234`, a bare arXiv id or DOI also work), by an
        alias, by a title prefix that only one paper has, or else by title words
        (an acronym such as `CASAL`) that only one title holds."""
        ref = ref.strip()
        if not ref:
            raise PaperNotFoundError("No paper named: give an id or the start of a title.")
        candidates = [ref]
        if aid := arxiv_id(ref):
            candidates.append(f"arxiv:{aid}")
        if d := doi(ref):
            candidates.append(f"doi:{d}")
        found = self.store.papers_by_id(candidates)
        if found:
            return next(iter(found.values())).paper
        papers = [s.paper for s in self._stored_papers()]
        if exact := [p for p in papers if ref in p.aliases]:
            return exact[0]
        key = normalize_title(ref)
        matches = [p for p in papers if key and p.title_key.startswith(key)]
        if not matches:  # then titles holding all the words: "casal", "sae v"
            words = key.split()
            matches = [p for p in papers if words and all(w in p.title_key.split() for w in words)]
        if not matches:  # then a short name the paper defines: "FIND", "LIB"
            names = paper_names(papers)
            matches = [p for p in papers if ref in names.get(p.id, set())]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise PaperNotFoundError(
                f"No paper has the id or title {ref!r}. List the library with "
                f"`paperqa papers --search WORDS`."
            )
        listed = "; ".join(f"{p.id} ({p.title[:60]})" for p in matches[:5])
        more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
        raise PaperNotFoundError(
            f"{len(matches)} papers start with {ref!r}: {listed}{more}. Use an id or more of the title."
        )

    def search(self, query: str, k: int = 5) -> list[tuple[Paper, float, str]]:
        """The `k` papers nearest to `query`: (paper, cosine similarity, best chunk text)."""
        if not query.strip():
            raise PaperNotFoundError("The search text is empty.")
        hits = self.store.query(self.encoder.embed([query])[0], k=4 * k)
        papers = self.store.papers_by_id(list(dict.fromkeys(h.paper_id for h in hits)))
        best: dict[str, tuple[Paper, float, str]] = {}
        for h in hits:  # hits come best first; chunks of removed papers are skipped
            if h.paper_id in papers and h.paper_id not in best:
                best[h.paper_id] = (papers[h.paper_id].paper, h.similarity, h.text)
        return list(best.values())[:k]

    def stats(self) -> LibraryStats:
        papers, chunks = self.store.counts()
        return LibraryStats(
            papers=papers,
            chunks=chunks,
            embedding_model=self.store.model_name,
            embedding_dim=self.store.dim,
            store=self.store.location,
            store_bytes=self.store.size_bytes(),
            home=str(self.settings.home),
            chunk_tokens=self.settings.chunking.chunk_tokens,
            overlap_tokens=self.settings.chunking.overlap_tokens,
        )

    # --- writing ----------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        skip_bad: bool = False,
        strict: bool = False,
        listing_year: int | None = None,
        progress: Progress | None = None,
        zotero: ZoteroSelection | None = None,
        prune: bool = False,
        reading: Callable[[int, int, Path], None] | None = None,
    ) -> IngestReport:
        """Read files or folders (a Zotero library in place: `zotero` picks collections and
        tags, `prune` removes what it no longer gives) and add their papers. Everything is read
        and checked before anything is written; an unusable entry is skipped and listed (with
        `strict`, it raises and nothing is written); an unreadable file raises (with `skip_bad`
        it is listed). Unchanged papers are not embedded again. `reading(done, total, file)`
        is told of each file as it is read; `progress(done, total)` of papers written."""
        started = time.perf_counter()
        from paperqa.ingest.loaders import load_paths

        loaded = load_paths(
            [Path(p) for p in paths], skip_bad=skip_bad, strict=strict, listing_year=listing_year,
            limits=self.settings.limits, zotero_selection=zotero, reading=reading,
        )  # fmt: skip
        report = self.add_papers(loaded.papers, progress=progress)
        report.removed = prune_gone(self, loaded.papers, {str(p) for p in loaded.databases}) if prune else []
        report.skipped = loaded.skipped
        report.merged = loaded.merged + report.merged
        report.warnings = loaded.warnings + report.warnings
        report.files_read = loaded.files_read
        report.files_ignored = loaded.files_ignored
        report.seconds = time.perf_counter() - started
        return report

    def add_papers(self, papers: Sequence[Paper], *, progress: Progress | None = None) -> IngestReport:
        """Write papers: new ones are added, changed ones replaced, unchanged ones left."""
        return self.writer.add_papers(papers, progress=progress)

    def remove(self, ref: str) -> Paper:
        """Remove one paper (by id or unique title prefix) and its chunks."""
        return self.remove_many([ref])[0]

    def remove_many(self, refs: Sequence[str]) -> list[Paper]:
        """Remove papers. Every reference is resolved first: an unknown one removes nothing."""
        papers = list({p.id: p for p in (self.get(ref) for ref in refs)}.values())
        with self.writer.lock():
            self.store.delete_papers([p.id for p in papers])
        return papers

    def check(self, *, repair: bool = False) -> CheckReport:
        """Compare every paper's record with its chunks. With `repair`: re-embed what an
        interrupted ingest left out and delete chunks an interrupted remove left behind."""
        return self.writer.check(repair=repair)

    def reindex(self, *, progress: Progress | None = None) -> IngestReport:
        """Rebuild the index from the papers it holds, with the configured embedding model."""
        from paperqa.index.writer import write_lock

        with write_lock(self.settings.home):
            papers = [s.paper for s in Store.read_papers_unchecked(self.settings)]
            Store.drop(self.settings)
        for cached in ("store", "tasks", "writer"):
            self.__dict__.pop(cached, None)
        self._store = None
        return self.add_papers(papers, progress=progress)


def prune_gone(library: Library, kept: Sequence[Paper], databases: set[str]) -> list[str]:
    """Remove the papers read earlier from `databases` (Zotero) that this read did not yield:
    deleted items, or items no longer in the chosen collections and tags."""
    ids = {p.id for p in kept}
    gone = [
        p.id
        for p in library.papers()
        if p.source and p.source.format == "zotero" and p.source.path in databases and p.id not in ids
    ]
    if gone:
        with library.writer.lock():
            library.store.delete_papers(gone)
    return gone
