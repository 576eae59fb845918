"""The write path: papers into the index in batches (chunked, embedded, stored), under one
writer lock per data directory, and the check that every paper has all its chunks."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from filelock import FileLock, Timeout
from pydantic import BaseModel, Field

from paperqa.errors import LibraryLockedError
from paperqa.index.encoder import unit
from paperqa.index.store import Store, StoredPaper, date_int
from paperqa.ingest.chunking import chunk_paper
from paperqa.ingest.loaders import merge_papers
from paperqa.settings import Settings
from paperqa.types import Chunk, IngestReport, Paper

if TYPE_CHECKING:
    from paperqa.index.encoder import Encoder

#: Called as work advances: (papers done, papers in all).
Progress = Callable[[int, int], None]
#: Papers written per step, at most. Each step embeds its new chunks, then commits the papers.
BATCH_PAPERS = 128
#: Body paragraphs per step, at most (about 20 whole papers, ten seconds of embedding): the
#: progress bar moves, and an interrupted ingest keeps what it wrote.
BATCH_PARAGRAPHS = 1024


class CheckReport(BaseModel):
    """What `paperqa check` found (and fixed)."""

    papers: int
    chunks: int
    incomplete: dict[str, int] = Field(
        default_factory=dict, description="Paper id -> chunks it should have but has not (or has extra)."
    )
    orphan_chunks: int = Field(default=0, description="Chunks of no paper (left by an interrupted remove).")
    stale_dates: list[str] = Field(
        default_factory=list,
        description="Papers whose chunks carry another date than the paper (what --since/--until filter on).",
    )
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not self.incomplete and not self.orphan_chunks and not self.stale_dates


@contextlib.contextmanager
def write_lock(home: Path) -> Iterator[None]:
    """One writer per data directory; a second one fails at once with a clear message."""
    home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(home / "write.lock", timeout=0)
    try:
        with lock:
            yield
    except Timeout:
        raise LibraryLockedError(
            f"Another paperqa process is writing to the library in {home} "
            f"(lock: {lock.lock_file}). Wait for it to finish, then run this again."
        ) from None


def _batches(papers: Sequence[Paper]) -> Iterator[list[Paper]]:
    """`papers` in steps of at most `BATCH_PAPERS` papers and `BATCH_PARAGRAPHS` body paragraphs."""
    batch: list[Paper] = []
    paragraphs = 0
    for paper in papers:
        size = sum(len(section.paragraphs) for _, section in paper.body)
        if batch and (len(batch) == BATCH_PAPERS or paragraphs + size > BATCH_PARAGRAPHS):
            yield batch
            batch, paragraphs = [], 0
        batch.append(paper)
        paragraphs += size
    if batch:
        yield batch


class IndexWriter:
    """Writes papers into one library's store with its embedder."""

    def __init__(self, settings: Settings, store: Store, embedder: Encoder) -> None:
        self.settings, self.store, self.embedder = settings, store, embedder

    def lock(self) -> contextlib.AbstractContextManager[None]:
        return write_lock(self.settings.home)

    def add_papers(self, papers: Sequence[Paper], *, progress: Progress | None = None) -> IngestReport:
        """Write papers: new ones are added, changed ones replaced, unchanged ones left."""
        report = IngestReport()
        with self.lock():
            if progress:
                progress(0, len(papers))
            done = 0
            for batch in _batches(papers):
                self._write_batch(batch, report)
                done += len(batch)
                if progress:
                    progress(done, len(papers))
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
        batch = [keep_body(p, known.get(p.id)) for p in batch]
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
            to_embed.extend(c for c in chunks[p.id] if c.id not in present)  # repair a crash
            if old.paper != p:  # a new date, DOI, authors...: no re-embedding, but updated
                metadata_only.append(p)
                report.updated.append(p.id)
            else:
                report.unchanged.append(p.id)

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
            # the chunks carry the date that --since/--until filter on
            store.update_chunk_metadata([c for p in metadata_only for c in chunks[p.id] if c.id in present])

    def check(self, *, repair: bool = False) -> CheckReport:
        """Compare every paper's record with its chunks. With `repair`: re-embed what an
        interrupted ingest left out and delete chunks an interrupted remove left behind."""
        with self.lock():
            stored = self.store.all_papers()
            table = self.store.all_chunks()
            have = Counter(table.paper_ids)
            known = {s.paper.id for s in stored}
            orphans = [cid for cid, pid in zip(table.ids, table.paper_ids, strict=True) if pid not in known]
            incomplete = {
                s.paper.id: s.n_chunks - have[s.paper.id] for s in stored if have[s.paper.id] != s.n_chunks
            }
            dated = {s.paper.id: date_int(s.paper.date) for s in stored}
            stale = sorted(
                {
                    pid
                    for pid, d in zip(table.paper_ids, table.dates, strict=True)
                    if pid in dated and d != dated[pid]
                }
                - set(incomplete)
            )
            report = CheckReport(
                papers=len(stored),
                chunks=len(table.ids),
                incomplete=incomplete,
                orphan_chunks=len(orphans),
                stale_dates=stale,
            )
            if repair and not report.ok:
                by_id = {s.paper.id: s.paper for s in stored}
                self.store.update_chunk_metadata(
                    [c for pid in stale for c in chunk_paper(by_id[pid], self.settings.chunking)]
                )
                self.store.delete_chunks(orphans)
                broken = [s.paper for s in stored if s.paper.id in incomplete]
                self.store.delete_chunks_of([p.id for p in broken])
                for start in range(0, len(broken), BATCH_PAPERS):
                    self._write_batch(broken[start : start + BATCH_PAPERS], IngestReport())
                report.repaired = True
        return report


def keep_body(paper: Paper, stored: StoredPaper | None) -> Paper:
    """A record without a body (an export read again) keeps the full text the library
    already has for that paper: a body is only replaced by another."""
    if paper.sections or stored is None or not stored.paper.sections:
        return paper
    return paper.model_copy(update={"sections": stored.paper.sections})


def _mean_vector(vectors: list[np.ndarray]) -> np.ndarray:
    """A paper's vector: the normalised mean of its chunks' vectors."""
    return unit(np.mean(vectors, axis=0))
