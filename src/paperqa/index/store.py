"""The index: two Chroma collections, one of chunks and one of papers.

This is the only module that imports chromadb. The store is embedded
(`PersistentClient` under the data directory) unless `chroma_url` names a
Chroma server. Each chunk collection records which embedding model built it;
opening it with another model raises `IndexMismatchError`.

Write order gives crash safety. An ingest writes a paper's chunks before its
record (the commit point); a remove deletes the record before the chunks. So a
paper whose record exists has all its chunks, or the chunks a re-run of the
ingest adds back (`Library.check` finds them); chunks without a record are
never shown, and the next ingest of that paper or `paperqa check --repair`
deletes them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlparse

import numpy as np

from paperqa.errors import BackendError, ConfigError, IndexMismatchError
from paperqa.index import catalogue
from paperqa.index.assets import EARLIER_LOCAL_EMBEDDING_MODELS, LOCAL_EMBEDDING_MODEL
from paperqa.index.encoder import unit
from paperqa.settings import Settings
from paperqa.types import Chunk, Paper

P = ParamSpec("P")

SCHEMA_VERSION = 1
_PAGE = 5000  # rows per get(); under Chroma's max batch size of 5461


@dataclass(frozen=True)
class StoredPaper:
    """A paper as the index holds it."""

    paper: Paper
    content_hash: str
    n_chunks: int


@dataclass
class ChunkTable:
    """Columns of every chunk in the index."""

    ids: list[str]
    paper_ids: list[str]
    indexes: list[int]
    texts: list[str]
    dates: list[int]
    spans: list[tuple[int, int]]
    places: list[tuple[int, int] | None]  # (section, paragraph) of a body chunk; None: abstract
    vectors: np.ndarray | None = None  # unit rows, when asked for


@dataclass(frozen=True)
class ScoredChunk:
    """A chunk returned by a vector query, with its cosine similarity to the query."""

    chunk_id: str
    paper_id: str
    index: int
    text: str
    similarity: float
    span: tuple[int, int]
    section: int | None = None
    paragraph: int | None = None


def date_int(date: dt.date | None) -> int:
    """A date as the YYYYMMDD integer the chunks carry (0: none)."""
    return date.year * 10000 + date.month * 100 + date.day if date else 0


def _chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        "paper_id": chunk.paper_id,
        "index": chunk.index,
        "title": chunk.title,
        "date": date_int(chunk.date),
        "start_char": chunk.start_char,
        "end_char": chunk.end_char,
        "start_token": chunk.start_token,
        "end_token": chunk.end_token,
        # a paragraph of the body: its section and paragraph (Chroma keeps no None)
        **({"section": chunk.section, "paragraph": chunk.paragraph} if chunk.section is not None else {}),
    }


def _place(meta: Mapping[str, Any]) -> tuple[tuple[int, int], int | None, int | None]:
    """A stored chunk's span in the abstract ((0, 0) for a paragraph of the body: not in the
    abstract) and its section and paragraph (None, None for the abstract)."""
    if meta.get("section") is None:
        return (int(meta["start_char"]), int(meta["end_char"])), None, None
    return (0, 0), int(meta["section"]), int(meta["paragraph"])


def _changes_library(write: Callable[Concatenate[Store, P], None]) -> Callable[Concatenate[Store, P], None]:
    """Mark a Store method that writes: it sets a new revision before it starts (a write
    cut short by a crash still leaves a token no cache was built for) and after it lands
    (a reader that sees the final token also sees the data). Each takes the rows to write
    first; with none, nothing is written and the revision, and every cache keyed on it, stays."""

    @functools.wraps(write)
    def wrapper(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> None:
        if args and not len(args[0]):  # type: ignore[arg-type]
            return
        store._touch()
        write(store, *args, **kwargs)
        store._touch()

    return wrapper


class _Collections:
    """A store's Chroma client and its two collections, opened on first use (importing
    chromadb takes 0.6 s) and once, whichever of the app's threads needs them first."""

    def __init__(self, settings: Settings, model_name: str, dim: int) -> None:
        self.settings, self.model_name, self.dim = settings, model_name, dim
        self.meta = {"paperqa_schema": SCHEMA_VERSION, "embedding_model": model_name, "embedding_dim": dim}
        self.handles: tuple[Any, Any, Any] | None = None
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.store_path)

    def get(self) -> tuple[Any, Any, Any]:
        """(client, chunks, papers)."""
        if self.handles is None:
            with self._lock:
                if self.handles is None:
                    self.handles = self._opened_or_explained()
        return self.handles

    def _opened_or_explained(self) -> tuple[Any, Any, Any]:
        try:
            return self._open()
        except (IndexMismatchError, ConfigError):
            raise
        except Exception as exc:
            if not self.settings.chroma_url:
                raise
            raise BackendError(
                f"Cannot reach the Chroma server at {self.settings.chroma_url} "
                f"({type(exc).__name__}: {exc}). "
                "Start it (`chroma run --path DIR --host 127.0.0.1 --port 8000`), check the address, "
                "or unset PAPERQA_CHROMA_URL to use the library on this machine."
            ) from None

    def _open(self) -> tuple[Any, Any, Any]:
        client = _client(self.settings)
        base = self.settings.collection
        chunks = client.get_or_create_collection(
            f"{base}-chunks",
            metadata=self.meta,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        self._check(chunks.metadata or {})
        papers = client.get_or_create_collection(
            f"{base}-papers",
            metadata=self.meta,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        return client, chunks, papers

    def _check(self, meta: dict[str, Any]) -> None:
        built_with = (meta.get("embedding_model"), meta.get("embedding_dim"), meta.get("paperqa_schema"))
        if built_with[0] in EARLIER_LOCAL_EMBEDDING_MODELS and self.model_name == LOCAL_EMBEDDING_MODEL:
            raise IndexMismatchError(
                f"The library at {self.location} was built with paperqa's earlier embedded model "
                f"{built_with[0]!r}; this paperqa embeds with {self.model_name!r} (the same model "
                "at about twice the speed; its vectors differ slightly). Re-embed the library once "
                "with `paperqa reindex`: the papers' records are kept (on 2 cores about 20 s per "
                "50 whole papers)."
            )
        if built_with != (self.model_name, self.dim, SCHEMA_VERSION):
            raise IndexMismatchError(
                f"The library at {self.location} was built with embedding model "
                f"{meta.get('embedding_model')!r} ({meta.get('embedding_dim')} dimensions, index format "
                f"{meta.get('paperqa_schema')}), but {self.model_name!r} ({self.dim} dimensions, format "
                f"{SCHEMA_VERSION}) is configured. Either set the embedding settings back, or rebuild "
                "the index with the configured model: `paperqa reindex`."
            )


class Store:
    """Chunks and papers in Chroma, for one embedding model."""

    def __init__(self, settings: Settings, model_name: str, dim: int) -> None:
        self.settings = settings
        self.model_name = model_name
        self.dim = dim
        self._collections = _Collections(settings, model_name, dim)
        self._catalogue: tuple[str, catalogue.Catalogue] | None = None
        if settings.chroma_url:
            self._collections.get()  # a server that cannot be reached is said at once

    @property
    def opened(self) -> bool:
        """Whether Chroma has been opened: an embedded library's reads of its papers and
        revision need it only while the catalogue beside it is not current."""
        return self._collections.handles is not None

    @property
    def _client(self) -> Any:
        return self._collections.get()[0]

    @property
    def _chunks(self) -> Any:
        return self._collections.get()[1]

    @property
    def _papers(self) -> Any:
        return self._collections.get()[2]

    @property
    def location(self) -> str:
        return self._collections.location

    # --- papers ---------------------------------------------------------------

    def papers_by_id(self, ids: Sequence[str]) -> dict[str, StoredPaper]:
        """The stored papers among `ids` (repeats allowed)."""
        ids = list(dict.fromkeys(ids))
        if (kept := self._current_catalogue()) is not None:
            return {pid: stored for pid in ids if (stored := kept.get(pid)) is not None}
        found: dict[str, StoredPaper] = {}
        for start in range(0, len(ids), _PAGE):
            rows = self._papers.get(ids=list(ids[start : start + _PAGE]), include=["metadatas"])
            found.update(_stored(rows))
        return found

    def ids_by_title_key(self, keys: Sequence[str]) -> dict[str, str]:
        """Title key -> paper id, for the keys that a stored paper has."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), _PAGE):
            rows = self._papers.get(
                where={"title_key": {"$in": list(keys[start : start + _PAGE])}}, include=["metadatas"]
            )
            for pid, meta in zip(rows["ids"], rows["metadatas"] or [], strict=True):
                found[str(meta["title_key"])] = pid
        return found

    def all_papers(self) -> list[StoredPaper]:
        """Every paper in the library, in no particular order."""
        if (kept := self._current_catalogue()) is not None:
            return kept.all()
        return _all_papers(self._papers)

    def _current_catalogue(self) -> catalogue.Catalogue | None:
        """The paper list kept beside an embedded store, while the store is at the revision it
        was read at (see `index.catalogue`); read from the store and kept when there is none.
        None for a server, or while a write runs."""
        revision = catalogue.mirrored_revision(self.settings)
        if revision is None:
            return None
        if self._catalogue is not None and self._catalogue[0] == revision:
            return self._catalogue[1]
        kept = catalogue.read(self.settings, self.model_name, revision)
        if kept is None:
            papers = _all_papers(self._papers)
            catalogue.write(self.settings, self.model_name, revision, papers)
            kept = catalogue.Catalogue.of(papers)
        self._catalogue = (revision, kept)
        return kept

    def revision(self) -> str:
        """A token that changes after every write, by any process or machine sharing the
        library: what derived data (the BM25 cache) is keyed on. Read fresh each time: from
        the token an embedded store mirrors beside itself (no chromadb), else from Chroma."""
        if (mirrored := catalogue.mirrored_revision(self.settings)) is not None:
            return mirrored
        fresh = self._client.get_collection(self._papers.name, embedding_function=None)
        return f"{fresh.id}:{(fresh.metadata or {}).get('paperqa_revision', '')}"

    def _touch(self) -> None:
        """A new revision token (see `_changes_library`). Collection metadata is replaced
        whole, hence the merge."""
        catalogue.forget_revision(self.settings)
        token = uuid.uuid4().hex
        self._papers.modify(metadata={**self._collections.meta, "paperqa_revision": token})
        catalogue.mirror_revision(self.settings, f"{self._papers.id}:{token}")

    @_changes_library
    def put_papers(self, papers: Sequence[StoredPaper], vectors: np.ndarray) -> None:
        """Write paper records (the commit point of an ingest)."""
        for start in range(0, len(papers), _PAGE):
            part = papers[start : start + _PAGE]
            self._papers.upsert(
                ids=[s.paper.id for s in part],
                embeddings=vectors[start : start + _PAGE],
                metadatas=[_paper_metadata(s) for s in part],  # the abstract is in "json"
            )

    @_changes_library
    def update_papers(self, papers: Sequence[StoredPaper]) -> None:
        """Rewrite the metadata of papers whose text (and so vectors) did not change."""
        for start in range(0, len(papers), _PAGE):
            part = papers[start : start + _PAGE]
            self._papers.update(ids=[s.paper.id for s in part], metadatas=[_paper_metadata(s) for s in part])

    @_changes_library
    def delete_papers(self, ids: Sequence[str]) -> None:
        """Remove papers: their records first (from then on they are gone), then their chunks."""
        for start in range(0, len(ids), _PAGE):
            self._papers.delete(ids=list(ids[start : start + _PAGE]))
        self.delete_chunks_of(ids)

    @_changes_library
    def delete_chunks(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _PAGE):
            self._chunks.delete(ids=list(ids[start : start + _PAGE]))

    # --- chunks ---------------------------------------------------------------

    def existing_chunk_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` that the index holds."""
        wanted, found = list(dict.fromkeys(ids)), set()
        for start in range(0, len(wanted), _PAGE):
            found.update(self._chunks.get(ids=wanted[start : start + _PAGE], include=[])["ids"])
        return found

    @_changes_library
    def delete_chunks_of(self, paper_ids: Sequence[str]) -> None:
        for start in range(0, len(paper_ids), _PAGE):
            self._chunks.delete(where={"paper_id": {"$in": list(paper_ids[start : start + _PAGE])}})

    @_changes_library
    def add_chunks(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), _PAGE):
            part = chunks[start : start + _PAGE]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + _PAGE],
                documents=[c.text for c in part],
                metadatas=[_chunk_metadata(c) for c in part],
            )

    @_changes_library
    def update_chunk_metadata(self, chunks: Sequence[Chunk]) -> None:
        """Rewrite the metadata (title, date) of chunks whose text and vectors did not change."""
        for start in range(0, len(chunks), _PAGE):
            part = chunks[start : start + _PAGE]
            self._chunks.update(ids=[c.id for c in part], metadatas=[_chunk_metadata(c) for c in part])

    def all_chunks(self, vectors: bool = False) -> ChunkTable:
        """Every chunk's id, paper, position, text and date (for BM25 and filters), and with
        `vectors` its unit-length embedding (for exact dense search beside them)."""
        table = ChunkTable([], [], [], [], [], [], [])
        rows_of_vectors: list[np.ndarray] = []
        include = ["metadatas", "documents", *(["embeddings"] if vectors else [])]
        offset = 0
        while (rows := self._chunks.get(include=include, limit=_PAGE, offset=offset))["ids"]:
            for cid, meta, doc in zip(
                rows["ids"], rows["metadatas"] or [], rows["documents"] or [], strict=True
            ):
                table.ids.append(cid)
                table.paper_ids.append(str(meta["paper_id"]))
                table.indexes.append(int(meta["index"]))  # type: ignore[arg-type]
                table.texts.append(doc)
                table.dates.append(int(meta.get("date") or 0))  # type: ignore[arg-type]
                span, section, paragraph = _place(meta)
                table.spans.append(span)
                table.places.append(None if section is None else (section, paragraph))  # type: ignore[arg-type]
            if vectors:
                rows_of_vectors.append(np.asarray(rows["embeddings"], dtype=np.float32))
            offset += len(rows["ids"])
        if vectors:
            stacked = (
                np.concatenate(rows_of_vectors) if rows_of_vectors else np.zeros((0, self.dim), np.float32)
            )
            table.vectors = unit(stacked)
        return table

    def chunk_vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The unit-length vectors of the chunks `ids`, row by row in that order."""
        rows = self._chunks.get(ids=list(ids), include=["embeddings"])
        by_id = dict(zip(rows["ids"], np.asarray(rows["embeddings"], dtype=np.float32), strict=True))
        vectors = np.stack([by_id[i] for i in ids]) if ids else np.zeros((0, self.dim), np.float32)
        return unit(vectors)

    def nearest(
        self,
        vector: np.ndarray,
        k: int,
        paper_ids: Sequence[str] | None = None,
        date_range: tuple[int | None, int | None] = (None, None),
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the `k` chunks nearest to `vector`, as `query`
        filters them, without reading their text (what retrieval needs: it holds the texts)."""
        rows = self._chunks.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=k,
            where=_where(paper_ids, date_range),
            include=["distances"],
        )
        return [
            (cid, 1.0 - float(d))
            for cid, d in zip(rows["ids"][0], (rows["distances"] or [[]])[0], strict=True)
        ]

    def query(
        self,
        vector: np.ndarray,
        k: int,
        paper_ids: Sequence[str] | None = None,
        date_range: tuple[int | None, int | None] = (None, None),
    ) -> list[ScoredChunk]:
        """The `k` chunks nearest to `vector`, optionally among some papers or dates
        (`date_range` as YYYYMMDD integers, either end open)."""
        rows = self._chunks.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=k,
            where=_where(paper_ids, date_range),
            include=["metadatas", "documents", "distances"],
        )
        return [
            ScoredChunk(
                chunk_id=cid,
                paper_id=str(meta["paper_id"]),
                index=int(meta["index"]),  # type: ignore[arg-type]
                text=doc,
                similarity=1.0 - float(dist),
                span=span,
                section=section,
                paragraph=paragraph,
            )
            for cid, meta, doc, dist in zip(
                rows["ids"][0],
                (rows["metadatas"] or [[]])[0],
                (rows["documents"] or [[]])[0],
                (rows["distances"] or [[]])[0],
                strict=True,
            )
            for span, section, paragraph in [_place(meta)]
        ]

    # --- whole index ----------------------------------------------------------

    def counts(self) -> tuple[int, int]:
        """(papers, chunks)."""
        return self._papers.count(), self._chunks.count()

    def size_bytes(self) -> int | None:
        """Bytes on disk of an embedded store; None for a server."""
        if self.settings.chroma_url:
            return None
        return sum(p.stat().st_size for p in self.settings.store_path.rglob("*") if p.is_file())

    @staticmethod
    def read_papers_unchecked(settings: Settings) -> list[StoredPaper]:
        """The papers of an index whatever model built it (to re-index it)."""
        client = _client(settings)
        names = {c.name for c in client.list_collections()}
        if f"{settings.collection}-papers" not in names:
            return []
        return _all_papers(client.get_collection(f"{settings.collection}-papers", embedding_function=None))

    @staticmethod
    def drop(settings: Settings) -> None:
        """Delete both collections of the library (for a re-index)."""
        catalogue.forget_revision(settings)
        client = _client(settings)
        names = {c.name for c in client.list_collections()}
        for kind in ("chunks", "papers"):
            if f"{settings.collection}-{kind}" in names:
                client.delete_collection(f"{settings.collection}-{kind}")


def _all_papers(collection: Any) -> list[StoredPaper]:
    out: dict[str, StoredPaper] = {}
    offset = 0
    while (rows := collection.get(include=["metadatas"], limit=_PAGE, offset=offset))["ids"]:
        out.update(_stored(rows))
        offset += len(rows["ids"])
    return list(out.values())


def _paper_metadata(s: StoredPaper) -> dict[str, Any]:
    return {
        "title": s.paper.title,
        "title_key": s.paper.title_key,
        "date": date_int(s.paper.date),
        "content_hash": s.content_hash,
        "n_chunks": s.n_chunks,
        "json": s.paper.model_dump_json(exclude_none=True),
    }


def _stored(rows: Any) -> dict[str, StoredPaper]:
    return {
        pid: StoredPaper(
            paper=Paper.model_validate(json.loads(str(meta["json"]))),
            content_hash=str(meta["content_hash"]),
            n_chunks=int(meta["n_chunks"]),
        )
        for pid, meta in zip(rows["ids"], rows["metadatas"] or [], strict=True)
    }


def _where(
    paper_ids: Sequence[str] | None, date_range: tuple[int | None, int | None]
) -> dict[str, Any] | None:
    """The Chroma filter for some papers and a date range (YYYYMMDD integers, either end open)."""
    clauses: list[dict[str, Any]] = []
    if paper_ids:
        clauses.append({"paper_id": {"$in": list(paper_ids)}})
    if date_range[0] is not None:
        clauses.append({"date": {"$gte": date_range[0]}})
    if date_range[1] is not None:
        clauses.append({"date": {"$lte": date_range[1]}})
    return clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(
                f"PAPERQA_CHROMA_URL={settings.chroma_url!r} is not a URL like http://127.0.0.1:8000"
            )
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path: Path = settings.store_path
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
