"""What BM25 and name matching read, built once per revision of the library and cached
in the user's data directory (rebuilding takes about a minute at 134k chunks)."""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from paperqa.index.catalogue import atomic_write
from paperqa.index.store import Store
from paperqa.retrieval.names import NameIndex
from paperqa.text.words import stem_words, stemmer, tokens


@dataclass
class Corpus:
    """Everything BM25 and name matching need, read once from the store."""

    key: tuple[object, ...]
    ids: list[str]
    paper_ids: list[str]
    indexes: list[int]
    texts: list[str]
    spans: list[tuple[int, int]]
    places: list[tuple[int, int] | None]  # (section, paragraph) of a body chunk; None: abstract
    dates: np.ndarray
    bm25: object
    names: NameIndex
    vocabulary: frozenset[str]
    paper_freq: dict[str, int]  # stem -> papers that use it
    n_papers: int
    position: dict[str, int]  # chunk id -> its row (built once: 27 ms a query at 134k chunks)
    paper_codes: np.ndarray  # each chunk's paper as a small integer, for filter masks
    paper_code: dict[str, int]  # paper id -> that integer
    vectors: np.ndarray | None = None  # unit chunk vectors, row by row, for exact dense search


# Bump when Corpus or what goes into it changes: older cache files are then rebuilt.
CORPUS_FORMAT = 9


def _read_cache(path: Path, key: tuple[object, ...]) -> Corpus | None:
    """The cached corpus if it was built for exactly this library state; a missing,
    stale or unreadable file just means building again. The file lives in the user's
    own data directory and is written only by paperqa."""
    try:
        with path.open("rb") as f:
            corpus = pickle.load(f)  # noqa: S301 - our own file, see above
    except Exception:
        return None
    return corpus if isinstance(corpus, Corpus) and corpus.key == key else None


def _write_cache(path: Path, corpus: Corpus) -> None:
    atomic_write(path, pickle.dumps(corpus, protocol=pickle.HIGHEST_PROTOCOL))


def load_corpus(store: Store, cached: Corpus | None) -> Corpus:
    """The corpus for the store's current revision: `cached` when it is still current, else
    the cache file another process left for this revision, else built from the store and cached."""
    # the revision: 0.05 ms from the token mirrored beside an embedded store, 0.3 ms from
    # Chroma (counting 134k chunks took 15-60 ms); a cache built with another model is not used
    exact = store.settings.retrieval.exact_search_chunks
    key = (CORPUS_FORMAT, store.revision(), store.model_name, store.dim, exact)
    if cached is not None and cached.key == key:
        return cached
    path = cache_path(store)
    corpus = _read_cache(path, key)
    if corpus is None:
        corpus = build_corpus(store, key)
        _write_cache(path, corpus)
    return corpus


def bm25_tokens(texts: list[str], *, ids: bool = True) -> Any:
    """Texts as BM25 reads them: English stopwords out, every word stemmed (Snowball), so
    that "benchmarks" finds "benchmark" and "proposed" finds "propose". `ids=False` gives
    the query form (lists of strings) that `BM25.retrieve` takes."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=stemmer(), return_ids=ids, show_progress=False)


def cache_path(store: Store) -> Path:
    settings = store.settings
    where = hashlib.sha256((settings.chroma_url or "local").encode()).hexdigest()[:12]
    return settings.home / "cache" / f"corpus-{settings.collection}-{where}.pickle"


def build_corpus(store: Store, key: tuple[object, ...]) -> Corpus:
    import bm25s

    with_vectors = store.counts()[1] <= store.settings.retrieval.exact_search_chunks
    rows = store.all_chunks(vectors=with_vectors)
    papers = [s.paper for s in store.all_papers()]
    titles = {p.id: p.title for p in papers}
    texts = [f"{titles.get(pid, '')} {text}" for pid, text in zip(rows.paper_ids, rows.texts, strict=True)]
    paper_freq = _paper_frequencies(rows.paper_ids, texts)
    code = {pid: i for i, pid in enumerate(dict.fromkeys(rows.paper_ids))}
    bm25 = bm25s.BM25()
    if texts:
        bm25.index(bm25_tokens(texts), show_progress=False)
    return Corpus(
        key=key,
        ids=rows.ids,
        paper_ids=rows.paper_ids,
        indexes=rows.indexes,
        texts=rows.texts,
        spans=rows.spans,
        places=rows.places,
        dates=np.asarray(rows.dates, dtype=np.int64),
        bm25=bm25,
        names=NameIndex.build(papers),
        vocabulary=frozenset(paper_freq),
        paper_freq=paper_freq,
        n_papers=len(papers),
        position={cid: i for i, cid in enumerate(rows.ids)},
        paper_codes=np.asarray([code[pid] for pid in rows.paper_ids], dtype=np.int32),
        paper_code=code,
        vectors=rows.vectors,
    )


def _paper_frequencies(paper_ids: Sequence[str], texts: Sequence[str]) -> dict[str, int]:
    """Stem -> number of papers whose chunks use it (each word stemmed once)."""
    words: dict[str, set[str]] = {}
    for pid, text in zip(paper_ids, texts, strict=True):
        words.setdefault(pid, set()).update(tokens(text))
    vocabulary = sorted(set().union(*words.values())) if words else []
    stem_of = dict(zip(vocabulary, stem_words(vocabulary), strict=True))
    freq: Counter[str] = Counter()
    for used in words.values():
        freq.update({stem_of[w] for w in used})
    return dict(freq)
