"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) fused by reciprocal rank,
with papers named in the question put first and a cap per paper.

The pure steps (`rrf_fuse`, `diversify`) are plain functions; `Retriever` wires them
to the store, the embedder and the corpus (`retrieval.corpus`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from paperqa.index.encoder import Encoder, unit
from paperqa.index.store import Store
from paperqa.retrieval.corpus import Corpus, bm25_tokens, load_corpus
from paperqa.settings import RetrievalSettings
from paperqa.text.wordlists import REQUEST_WORDS, STOPWORDS
from paperqa.text.words import stem, stem_words, tokens
from paperqa.types import RetrievedChunk

#: A word of the query shorter than this is too common to call the query off-topic.
UNKNOWN_TERM_MIN_CHARS = 4


def rrf_fuse(rankings: Iterable[Sequence[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal rank fusion: id -> sum over rankings of 1 / (k + rank), rank from 1."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def diversify(ranked: Sequence[RetrievedChunk], k: int, max_per_paper: int) -> list[RetrievedChunk]:
    """The first `k` chunks in rank order, at most `max_per_paper` from any one paper."""
    taken: list[RetrievedChunk] = []
    per_paper: Counter[str] = Counter()
    for chunk in ranked:
        if per_paper[chunk.paper_id] < max_per_paper:
            taken.append(chunk)
            per_paper[chunk.paper_id] += 1
            if len(taken) == k:
                break
    return taken


class Retriever:
    """Finds the passages for a question in one library."""

    def __init__(self, store: Store, embedder: Encoder, settings: RetrievalSettings) -> None:
        self.store, self.embedder, self.settings = store, embedder, settings
        self._corpus: Corpus | None = None

    def corpus(self) -> Corpus:
        """The BM25 index and name table for the library as it is now (see `load_corpus`)."""
        self._corpus = load_corpus(self.store, self._corpus)
        return self._corpus

    def named(self, query: str) -> list[str]:
        return self.corpus().names.named(query)

    def rare_stems(self, text: str, share: float) -> dict[str, float]:
        """Stems of `text` that at most `share` of the library's papers use, with their
        inverse document frequency: the words that tell papers apart ("hallucination",
        "EEG"), not the field's ("interpretability")."""
        corpus = self.corpus()
        n = max(corpus.n_papers, 1)
        words = [w for w in tokens(text) if w not in STOPWORDS and w not in REQUEST_WORDS]
        found = {w: corpus.paper_freq.get(w, 0) for w in stem_words(words)}
        return {w: math.log(n / df) for w, df in found.items() if 0 < df <= share * n}

    def unknown_terms(self, query: str) -> list[str]:
        """Words of the query that no paper of the library uses (stemmed, request words such
        as "summarize" or "according" aside, a typo or a hyphenation of a word the library
        uses forgiven): a sign the question is about something else."""
        vocabulary = self.corpus().vocabulary
        if not vocabulary:
            return []
        words = [
            w
            for w in tokens(query)
            if len(w) >= UNKNOWN_TERM_MIN_CHARS and w not in REQUEST_WORDS and w not in STOPWORDS
        ]
        return [w for w in dict.fromkeys(words) if not known_word(w, vocabulary)]

    def retrieve(
        self,
        query: str,
        *,
        k: int | None = None,
        paper_ids: Sequence[str] | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        focus: Sequence[str] = (),
    ) -> list[RetrievedChunk]:
        """The best `k` passages for `query`, named and `focus` papers first."""
        k = k or self.settings.k
        corpus = self.corpus()
        if not corpus.ids:
            return []
        lo = _date_int(date_from) if date_from else None
        hi = _date_int(date_to) if date_to else None
        allowed = _allowed(corpus, paper_ids, lo, hi)
        n = min(self.settings.candidates, len(corpus.ids) if allowed is None else int(allowed.sum()))
        if n == 0:
            return []
        # BM25 (numpy) runs beside the query's embedding and the Chroma search (ONNX and Rust,
        # both outside the GIL): the two halves of a query overlap on a 2-core machine.
        lexical = _BM25_POOL.submit(_bm25, corpus, query, n, allowed)
        vector = self.embedder.embed([query])[0]
        if corpus.vectors is not None:
            dense = exact_nearest(corpus, vector, n, allowed)
        elif allowed is not None and int(allowed.sum()) <= FETCHED_EXACT_CHUNKS:
            rows = np.flatnonzero(allowed > 0)
            vectors = self.store.chunk_vectors([corpus.ids[i] for i in rows])
            dense = nearest_among(corpus, vector, n, rows, vectors)
        else:
            dense = self.store.nearest(vector, k=n, paper_ids=paper_ids, date_range=(lo, hi))
        bm25_rank, bm25_score = lexical.result()
        fused = rrf_fuse([[cid for cid, _ in dense], bm25_rank], self.settings.rrf_k)
        similarity = dict(dense)
        position = corpus.position
        boosted = set(corpus.names.named(query)) | set(focus)
        if paper_ids:
            boosted &= set(paper_ids)
        chunks = []
        for cid, score in fused.items():
            i = position.get(cid)
            if i is None:  # a chunk newer than the cached corpus: skip until the next rebuild
                continue
            named = corpus.paper_ids[i] in boosted
            scores = {"dense": similarity.get(cid), "bm25": bm25_score.get(cid), "fused": round(score, 6)}
            chunks.append(_chunk_at(corpus, i, named=named, **scores))
        chunks += self._missing_named(vector, boosted, {c.paper_id for c in chunks}, corpus)
        chunks.sort(key=lambda c: (not c.named, -c.fused))
        # Every chunk is of the corpus read at the store's current revision (checked above),
        # so its paper is in the library: no look-up of the papers is needed.
        # among a few chosen papers the cap would leave slots empty: a paper's k best passages
        cap = self.settings.max_per_paper
        if paper_ids and len(paper_ids) * cap < k:
            cap = -(-k // len(paper_ids))
        return diversify(chunks, k, cap)

    def _missing_named(
        self, vector: np.ndarray, boosted: set[str], present: set[str], corpus: Corpus
    ) -> list[RetrievedChunk]:
        """The best passage of each named paper that neither search proposed: its few chunks'
        vectors compared with the query's (from the corpus, else fetched by id; a filtered
        Chroma query took 150 ms at 134k chunks, a fetch by id 1 ms)."""
        query = unit(vector).astype(np.float32)
        out = []
        for pid in sorted(boosted - present):
            if pid not in corpus.paper_code:
                continue
            rows = np.flatnonzero(corpus.paper_codes == corpus.paper_code[pid])
            if corpus.vectors is not None:
                vectors = corpus.vectors[rows]
            else:
                vectors = self.store.chunk_vectors([corpus.ids[i] for i in rows])
            similarity = vectors @ query
            best = int(np.argmax(similarity))
            out.append(_chunk_at(corpus, int(rows[best]), dense=float(similarity[best]), named=True))
        return out


#: A word this long may differ from a library word by one typo ("destilation").
TYPO_MIN_CHARS = 6
#: Each part of a word written together ("repurposed" for "re-purposed") has at least this many letters.
PART_MIN_CHARS = 2
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def known_word(word: str, vocabulary: frozenset[str]) -> bool:
    """The library uses `word` (stemmed), or a word one typo away ("destilation" for
    "distillation"), or writes it in two parts ("repurposed" for "re-purposed")."""
    if stem(word) in vocabulary:
        return True
    if any(
        stem(word[:i]) in vocabulary and stem(word[i:]) in vocabulary
        for i in range(PART_MIN_CHARS, len(word) - PART_MIN_CHARS + 1)
    ):
        return True
    return len(word) >= TYPO_MIN_CHARS and any(stem(w) in vocabulary for w in _one_edit(word))


def _one_edit(word: str) -> set[str]:
    """The words one deletion, swap, replacement or insertion away (Norvig's edits1)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)


#: A filter letting at most this many chunks through (a few papers) is searched exactly, their
#: vectors fetched by id, when the corpus holds no vectors (a library over
#: `exact_search_chunks`): Chroma's filtered index query took 42 ms p50 for one paper among
#: 53,855 chunks (`bench_fulltext.py --scale 1000`), a fetch by id ~1 ms.
FETCHED_EXACT_CHUNKS = 2000

#: One thread for BM25 beside each query's embedding (shared by every Retriever of the process).
_BM25_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paperqa-bm25")


def _bm25(
    corpus: Corpus, query: str, n: int, allowed: np.ndarray | None
) -> tuple[list[str], dict[str, float]]:
    """The corpus's best `n` chunks for `query` by BM25 (ids in order, and their scores)."""
    tokens = bm25_tokens([query], ids=False)
    ranked: list[str] = []
    scores: dict[str, float] = {}
    if tokens and tokens[0]:
        docs, values = corpus.bm25.retrieve(  # type: ignore[attr-defined]
            tokens, k=n, show_progress=False, weight_mask=allowed
        )
        for i, score in zip(docs[0], values[0], strict=True):
            if score > 0:
                ranked.append(corpus.ids[i])
                scores[corpus.ids[i]] = float(score)
    return ranked, scores


def _allowed(
    corpus: Corpus, paper_ids: Sequence[str] | None, lo: int | None, hi: int | None
) -> np.ndarray | None:
    """The BM25 weight mask of the chunks a filter lets through; None when it lets all through."""
    if not paper_ids and lo is None and hi is None:
        return None
    allowed = np.ones(len(corpus.ids), dtype=bool)
    if paper_ids:
        codes = [corpus.paper_code[p] for p in paper_ids if p in corpus.paper_code]
        allowed &= np.isin(corpus.paper_codes, np.asarray(codes, dtype=np.int32))
    if lo is not None:
        allowed &= corpus.dates >= lo
    if hi is not None:
        allowed &= corpus.dates <= hi
    return allowed.astype(np.float32)


def exact_nearest(
    corpus: Corpus, vector: np.ndarray, n: int, allowed: np.ndarray | None
) -> list[tuple[str, float]]:
    """(chunk id, cosine similarity) of the `n` chunks nearest to `vector` among those
    `allowed` lets through, comparing it with every chunk's vector (`corpus.vectors`)."""
    assert corpus.vectors is not None
    scores = corpus.vectors @ unit(vector).astype(np.float32)
    if allowed is not None:
        scores = np.where(allowed > 0, scores, -np.inf)
    return [(corpus.ids[i], float(scores[i])) for i in _best(scores, n) if np.isfinite(scores[i])]


def nearest_among(
    corpus: Corpus, vector: np.ndarray, n: int, rows: np.ndarray, vectors: np.ndarray
) -> list[tuple[str, float]]:
    """(chunk id, cosine similarity) of the `n` chunks nearest to `vector` among the corpus's
    `rows`, whose unit vectors are `vectors` (fetched by id: a filter's few chunks)."""
    scores = vectors @ unit(vector).astype(np.float32)
    return [(corpus.ids[rows[i]], float(scores[i])) for i in _best(scores, n)]


def _best(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the `n` highest `scores`, highest first (ties in index order)."""
    n = min(n, len(scores))
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-scores, n - 1)[:n]
    return top[np.argsort(-scores[top], kind="stable")]


def _chunk_at(corpus: Corpus, i: int, **scores: Any) -> RetrievedChunk:
    """The corpus's `i`th chunk as retrieval returns it, with its `scores` (dense, bm25,
    fused, named)."""
    return RetrievedChunk(
        chunk_id=corpus.ids[i],
        paper_id=corpus.paper_ids[i],
        index=corpus.indexes[i],
        text=corpus.texts[i],
        start_char=corpus.spans[i][0],
        end_char=corpus.spans[i][1],
        section=place[0] if (place := corpus.places[i]) else None,
        paragraph=place[1] if place else None,
        **scores,
    )


def _date_int(date: dt.date) -> int:
    return date.year * 10000 + date.month * 100 + date.day
