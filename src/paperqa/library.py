"""The library: papers in, papers out. The write path of paperqa lives here."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from filelock import FileLock, Timeout
from pydantic import BaseModel, Field

from paperqa.answer.tasks import Tasks
from paperqa.errors import LibraryLockedError, PaperNotFoundError
from paperqa.index.embeddings import PaperQAEmbeddings, get_embedder
from paperqa.index.store import Store, StoredPaper
from paperqa.ingest.chunking import chunk_paper
from paperqa.ingest.loaders import load_paths, merge_papers
from paperqa.ingest.loaders.common import arxiv_id, doi
from paperqa.retrieval.names import paper_names
from paperqa.settings import Settings
from paperqa.types import Answer, Chunk, IngestReport, Paper, normalize_title

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from paperqa.interfaces.runnables import AnswerRunnable, PaperRetriever

#: Called as work advances: (papers done, papers in all).
Progress = Callable[[int, int], None]
#: Papers written per step. Each step embeds its new chunks, then commits the papers.
BATCH_PAPERS = 128


class LibraryStats(BaseModel):
    """What `paperqa stats` shows."""

    papers: int
    chunks: int
    embedding_model: str
    embedding_dim: int
    store: str
    store_bytes: int | None
    home: str
    chunk_tokens: int
    overlap_tokens: int


class CheckReport(BaseModel):
    """What `paperqa check` found (and fixed)."""

    papers: int
    chunks: int
    incomplete: dict[str, int] = Field(
        default_factory=dict, description="Paper id -> chunks it should have but has not (or has extra)."
    )
    orphan_chunks: int = Field(default=0, description="Chunks of no paper (left by an interrupted remove).")
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not self.incomplete and not self.orphan_chunks


class Library:
    """A library of papers in a Chroma index.

    Args:
        settings: defaults to `Settings()` (environment and settings file).
        embedder: defaults to the one the settings name.
        store: defaults to the Chroma store the settings name.
        chat_model: a LangChain chat model; defaults to the one the settings name.

    Example:
        >>> answer = Library().ask("How does CASAL reduce hallucinations?")
        >>> print(answer.text)
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
        return Tasks(self.settings, self.store, self.embedder, self.get, self._chat_model)

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
        return self._embedder or get_embedder(self.settings.embedding)

    @functools.cached_property
    def store(self) -> Store:
        return self._store or Store(self.settings, self.embedder.name, self.embedder.dim)

    # --- reading ----------------------------------------------------------------

    def papers(self, search: str | None = None) -> list[Paper]:
        """All papers, newest first; with `search`, those whose title, id or abstract
        contains every word of it (case-insensitive)."""
        papers = [s.paper for s in self.store.all_papers()]
        if search:
            words = normalize_title(search).split()
            papers = [
                p
                for p in papers
                if all(w in f"{p.title_key} {p.id.lower()} {normalize_title(p.abstract)}" for w in words)
            ]
        return sorted(papers, key=lambda p: (p.date or dt.date.min, p.title), reverse=True)

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
        papers = [s.paper for s in self.store.all_papers()]
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
        hits = self.store.query(self.embedder.embed([query])[0], k=4 * k)
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
            embedding_model=self.embedder.name,
            embedding_dim=self.embedder.dim,
            store=self.store.location,
            store_bytes=self.store.size_bytes(),
            home=str(self.settings.home),
            chunk_tokens=self.settings.chunking.chunk_tokens,
            overlap_tokens=self.settings.chunking.overlap_tokens,
        )

    # --- writing ----------------------------------------------------------------

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """One writer per data directory; a second one fails at once with a clear message."""
        self.settings.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.settings.home / "write.lock", timeout=0)
        try:
            with lock:
                yield
        except Timeout:
            raise LibraryLockedError(
                f"Another paperqa process is writing to the library in {self.settings.home} "
                f"(lock: {lock.lock_file}). Wait for it to finish, then run this again."
            ) from None

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        skip_bad: bool = False,
        strict: bool = False,
        listing_year: int | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Read files or folders and add their papers to the library.

        Every file is read and checked before anything is written. An entry that cannot
        be used (no abstract, no title, unparseable) is skipped and listed in
        `IngestReport.skipped`; with `strict` it raises `IngestError` instead and nothing
        is written. A file that cannot be read at all raises (with `skip_bad`, it is
        listed too). Re-ingesting unchanged papers embeds nothing.
        """
        started = time.perf_counter()
        loaded = load_paths(
            [Path(p) for p in paths], skip_bad=skip_bad, strict=strict, listing_year=listing_year
        )
        report = self.add_papers(loaded.papers, progress=progress)
        report.skipped = loaded.skipped
        report.merged = loaded.merged + report.merged
        report.warnings = loaded.warnings + report.warnings
        report.files_read = loaded.files_read
        report.files_ignored = loaded.files_ignored
        report.seconds = time.perf_counter() - started
        return report

    def add_papers(self, papers: Sequence[Paper], *, progress: Progress | None = None) -> IngestReport:
        """Write papers: new ones are added, changed ones replaced, unchanged ones left."""
        report = IngestReport()
        with self._write_lock():
            for start in range(0, len(papers), BATCH_PAPERS):
                self._write_batch(list(papers[start : start + BATCH_PAPERS]), report)
                if progress:
                    progress(min(start + BATCH_PAPERS, len(papers)), len(papers))
        return report

    def _salt(self) -> str:
        c = self.settings.chunking
        return f"{c.chunk_tokens}/{c.overlap_tokens}"

    def _resolve_same_titles(
        self, batch: list[Paper], known: dict[str, StoredPaper], report: IngestReport
    ) -> list[Paper]:
        """Papers new by id but already in the library under another id with the same title
        keep that id, unless a DOI, arXiv id or year says they are two papers."""
        new = [p for p in batch if p.id not in known]
        if not new:
            return batch
        owners = {k: v for k, v in self.store.ids_by_title_key([p.title_key for p in new]).items()}
        other_ids = sorted({owners[p.title_key] for p in new if owners.get(p.title_key, p.id) != p.id})
        if not other_ids:
            return batch
        known.update(self.store.papers_by_id(other_ids))
        resolved = []
        for p in batch:
            owner = owners.get(p.title_key)
            if p.id not in known and owner in known:
                if why := known[owner].paper.contradicts(p):
                    report.warnings.append(f"{p.id}: same title as {owner} in the library, kept apart: {why}")
                else:
                    report.merged.append(f"{p.id} -> {owner}")
                    p = merge_papers(known[owner].paper, p)
            resolved.append(p)
        return resolved

    def _write_batch(self, batch: list[Paper], report: IngestReport) -> None:
        store, salt = self.store, self._salt()
        known = store.papers_by_id([p.id for p in batch])
        batch = self._resolve_same_titles(batch, known, report)
        chunks = {p.id: chunk_paper(p, self.settings.chunking) for p in batch}
        present = store.existing_chunk_ids(c.id for cs in chunks.values() for c in cs)

        rewrite: list[Paper] = []  # new or changed: all chunks replaced, record written
        to_embed: list[Chunk] = []
        metadata_only: list[Paper] = []
        for p in batch:
            old = known.get(p.id)
            if old is None or old.content_hash != p.content_hash(salt):
                rewrite.append(p)
                to_embed.extend(chunks[p.id])
                (report.added if old is None else report.updated).append(p.id)
                continue
            report.unchanged.append(p.id)
            to_embed.extend(c for c in chunks[p.id] if c.id not in present)  # repair a crash
            if old.paper != p:
                metadata_only.append(p)

        vectors = self.embedder.embed([c.embed_text for c in to_embed]) if to_embed else None
        rewrite_ids = [p.id for p in rewrite]
        store.delete_chunks_of(rewrite_ids)
        if vectors is not None:
            store.add_chunks(to_embed, vectors)
        report.chunks_added += len(to_embed)
        if rewrite:
            vec_of = dict(zip((c.id for c in to_embed), vectors if vectors is not None else [], strict=True))
            store.put_papers(
                [StoredPaper(p, p.content_hash(salt), len(chunks[p.id])) for p in rewrite],
                np.stack([_mean_vector([vec_of[c.id] for c in chunks[p.id]]) for p in rewrite]),
            )
        if metadata_only:
            store.update_papers(
                [StoredPaper(p, p.content_hash(salt), len(chunks[p.id])) for p in metadata_only]
            )

    def remove(self, ref: str) -> Paper:
        """Remove one paper (by id or unique title prefix) and its chunks."""
        return self.remove_many([ref])[0]

    def remove_many(self, refs: Sequence[str]) -> list[Paper]:
        """Remove papers. Every reference is resolved first: an unknown one removes nothing."""
        papers = list({p.id: p for p in (self.get(ref) for ref in refs)}.values())
        with self._write_lock():
            self.store.delete_papers([p.id for p in papers])
        return papers

    def check(self, *, repair: bool = False) -> CheckReport:
        """Compare every paper's record with its chunks. With `repair`: re-embed what an
        interrupted ingest left out and delete chunks an interrupted remove left behind."""
        with self._write_lock():
            stored = self.store.all_papers()
            table = self.store.all_chunks()
            have = Counter(table.paper_ids)
            known = {s.paper.id for s in stored}
            orphans = [cid for cid, pid in zip(table.ids, table.paper_ids, strict=True) if pid not in known]
            incomplete = {
                s.paper.id: s.n_chunks - have[s.paper.id] for s in stored if have[s.paper.id] != s.n_chunks
            }
            report = CheckReport(
                papers=len(stored), chunks=len(table.ids), incomplete=incomplete, orphan_chunks=len(orphans)
            )
            if repair and not report.ok:
                self.store.delete_chunks(orphans)
                broken = [s.paper for s in stored if s.paper.id in incomplete]
                self.store.delete_chunks_of([p.id for p in broken])
                for start in range(0, len(broken), BATCH_PAPERS):
                    self._write_batch(broken[start : start + BATCH_PAPERS], IngestReport())
                report.repaired = True
        return report

    def reindex(self, *, progress: Progress | None = None) -> IngestReport:
        """Rebuild the index from the papers it holds, with the configured embedding model."""
        with self._write_lock():
            papers = [s.paper for s in Store.read_papers_unchecked(self.settings)]
            Store.drop(self.settings)
        self.__dict__.pop("store", None)
        self.__dict__.pop("tasks", None)
        self._store = None
        return self.add_papers(papers, progress=progress)


def _mean_vector(vectors: list[np.ndarray]) -> np.ndarray:
    """A paper's vector: the normalised mean of its chunks' vectors."""
    mean = np.mean(vectors, axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)
