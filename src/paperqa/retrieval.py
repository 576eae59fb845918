"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) fused by reciprocal rank,
with papers named in the question put first and a cap per paper.

The pure steps (`rrf_fuse`, `diversify`, `paper_names`, `NameIndex`) are
plain functions; `Retriever` wires them to the store and the embedder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import math
import os
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from paperqa.citations import STOPWORDS
from paperqa.embeddings import PaperQAEmbeddings
from paperqa.settings import RetrievalSettings
from paperqa.store import Store
from paperqa.types import Paper, RetrievedChunk, normalize_title

_ACRONYM = re.compile(
    r"(?<![\w-])([A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?![\w-])"
)


_INTRODUCED = re.compile(
    r"\b(?:[Ww]e (?:present|introduce|propose|develop)|[Tt]his (?:paper|work) (?:introduces|presents))"
    r"\s+(?:the |a |an )?([A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*)"
    # a name set off after what it names: "we present a model-specific recipe - PrISM - for",
    # "a method called LIB", "a framework, dubbed TimeX,"
    r"|\b(?:[Ww]e (?:present|introduce|propose|develop)|called|named|dubbed|termed)\s+"
    r"(?:[\w-]+\s+){0,5}?(?:[-\u2013\u2014]\s*)?([A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*)"
    r"(?=\s*[-\u2013\u2014,)]|\s+(?:for|that|which|to)\b)"
)


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


def paper_names(papers: Sequence[Paper]) -> dict[str, set[str]]:
    """Short names that identify one paper: acronyms such as CASAL, SAE-V or LIB
    that stand in its title or are defined in its abstract ("... Basis (LIB)",
    "FIND (Function ...)") and that no other paper of the library uses."""
    candidates: dict[str, set[str]] = {}
    users: Counter[str] = Counter()
    for p in papers:
        defined = set(re.findall(r"\(([A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)\)", p.abstract))
        defined |= set(re.findall(r"\b([A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)\s+\(", p.abstract))
        defined |= {m.group(1) or m.group(2) for m in _INTRODUCED.finditer(p.abstract)}
        in_title = set(_ACRONYM.findall(p.title))
        candidates[p.id] = {a for a in in_title | defined if len(a.replace("-", "")) >= 3}
        users.update(set(_ACRONYM.findall(f"{p.title} {p.abstract}")))
    return {pid: {a for a in names if users[a] == 1} for pid, names in candidates.items()}


@dataclass(frozen=True)
class NameIndex:
    """Which paper a query names: by a unique acronym (case-sensitive: "FIND", not
    "find") or by the main part of its title (before any colon, three words or more)."""

    by_acronym: dict[str, str]
    by_title: dict[str, str]  # " normalised title head " -> paper id

    @classmethod
    def build(cls, papers: Sequence[Paper]) -> NameIndex:
        by_acronym = {a: pid for pid, names in paper_names(papers).items() for a in names}
        by_title = {}
        for p in papers:
            head = normalize_title(p.title.split(":")[0])
            if len(head.split()) >= 3:
                by_title[f" {head} "] = p.id
        return cls(by_acronym, by_title)

    def short_names(self) -> dict[str, set[str]]:
        """Paper id -> the acronyms that name it alone."""
        out: dict[str, set[str]] = {}
        for acronym, pid in self.by_acronym.items():
            out.setdefault(pid, set()).add(acronym)
        return out

    def named(self, query: str) -> list[str]:
        found = [self.by_acronym[a] for a in _ACRONYM.findall(query) if a in self.by_acronym]
        key = f" {normalize_title(query)} "
        found += [pid for head, pid in self.by_title.items() if head in key]
        return list(dict.fromkeys(found))


@dataclass
class _Corpus:
    """Everything BM25 and name matching need, read once from the store."""

    key: tuple[object, ...]
    ids: list[str]
    paper_ids: list[str]
    indexes: list[int]
    texts: list[str]
    spans: list[tuple[int, int]]
    dates: np.ndarray
    bm25: object
    names: NameIndex
    vocabulary: frozenset[str]
    paper_freq: dict[str, int]  # stem -> papers that use it
    n_papers: int


# Bump when _Corpus or what goes into it changes: older cache files are then rebuilt.
CORPUS_FORMAT = 3


def _read_cache(path: Path, key: tuple[object, ...]) -> _Corpus | None:
    """The cached corpus if it was built for exactly this library state; a missing,
    stale or unreadable file just means building again. The file lives in the user's
    own data directory and is written only by paperqa."""
    try:
        with path.open("rb") as f:
            corpus = pickle.load(f)  # noqa: S301 - our own file, see above
    except Exception:
        return None
    return corpus if isinstance(corpus, _Corpus) and corpus.key == key else None


def _write_cache(path: Path, corpus: _Corpus) -> None:
    """Write atomically (a reader never sees half a file); a read-only or full disk only
    costs the next process a rebuild."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".corpus-", delete=False) as f:
            tmp = f.name
            pickle.dump(corpus, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


class Retriever:
    """Finds the passages for a question in one library."""

    def __init__(self, store: Store, embedder: PaperQAEmbeddings, settings: RetrievalSettings) -> None:
        self.store, self.embedder, self.settings = store, embedder, settings
        self._corpus: _Corpus | None = None

    def corpus(self) -> _Corpus:
        """The BM25 index and name table: kept in memory while the library is unchanged,
        else read from the cache file another process left for this revision of the
        library, else built from the store (about a minute at 134k chunks) and cached."""
        key = (CORPUS_FORMAT, self.store.revision())  # 0.3 ms; counting 134k chunks took 15-60 ms
        if self._corpus is not None and self._corpus.key == key:
            return self._corpus
        cached = _read_cache(self._cache_path(), key)
        self._corpus = cached or self._build(key)
        if cached is None:
            _write_cache(self._cache_path(), self._corpus)
        return self._corpus

    def _cache_path(self) -> Path:
        settings = self.store.settings
        where = hashlib.sha256((settings.chroma_url or "local").encode()).hexdigest()[:12]
        return settings.home / "cache" / f"corpus-{settings.collection}-{where}.pickle"

    def _build(self, key: tuple[object, ...]) -> _Corpus:
        import bm25s

        rows = self.store.all_chunks()
        papers = [s.paper for s in self.store.all_papers()]
        titles = {p.id: p.title for p in papers}
        texts = [
            f"{titles.get(pid, '')} {text}" for pid, text in zip(rows.paper_ids, rows.texts, strict=True)
        ]
        paper_freq = _paper_frequencies(rows.paper_ids, texts)
        bm25 = bm25s.BM25()
        if texts:
            bm25.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
        return _Corpus(
            key=key,
            ids=rows.ids,
            paper_ids=rows.paper_ids,
            indexes=rows.indexes,
            texts=rows.texts,
            spans=rows.spans,
            dates=np.asarray(rows.dates, dtype=np.int64),
            bm25=bm25,
            names=NameIndex.build(papers),
            vocabulary=frozenset(paper_freq),
            paper_freq=paper_freq,
            n_papers=len(papers),
        )

    def named(self, query: str) -> list[str]:
        return self.corpus().names.named(query)

    def rare_stems(self, text: str, share: float) -> dict[str, float]:
        """Stems of `text` that at most `share` of the library's papers use, with their
        inverse document frequency: the words that tell papers apart ("hallucination",
        "EEG"), not the field's ("interpretability")."""
        corpus = self.corpus()
        n = max(corpus.n_papers, 1)
        words = [w for w in _WORDS.findall(text.lower()) if w not in STOPWORDS and w not in REQUEST_WORDS]
        found = {w: corpus.paper_freq.get(w, 0) for w in _stemmer().stemWords(words)}
        return {w: math.log(n / df) for w, df in found.items() if 0 < df <= share * n}

    def unknown_terms(self, query: str) -> list[str]:
        """Words of the query that no paper of the library uses (stemmed, request words such
        as "summarize" or "according" aside): a sign the question is about something else."""
        vocabulary = self.corpus().vocabulary
        if not vocabulary:
            return []
        words = [w for w in _WORDS.findall(query.lower()) if len(w) >= 4 and w not in REQUEST_WORDS]
        return [w for w in dict.fromkeys(words) if _stemmer().stemWord(w) not in vocabulary]

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
        import bm25s

        k = k or self.settings.k
        corpus = self.corpus()
        if not corpus.ids:
            return []
        lo = _date_int(date_from) if date_from else None
        hi = _date_int(date_to) if date_to else None
        allowed = np.ones(len(corpus.ids), dtype=bool)
        if paper_ids:
            allowed &= np.isin(np.asarray(corpus.paper_ids), list(paper_ids))
        if lo is not None:
            allowed &= corpus.dates >= lo
        if hi is not None:
            allowed &= corpus.dates <= hi
        n = min(self.settings.candidates, int(allowed.sum()))
        if n == 0:
            return []
        vector = self.embedder.embed([query])[0]
        dense = self.store.query(vector, k=n, paper_ids=paper_ids, date_range=(lo, hi))
        tokens = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)
        bm25_rank: list[str] = []
        bm25_score: dict[str, float] = {}
        if tokens and tokens[0]:
            docs, scores = corpus.bm25.retrieve(  # type: ignore[attr-defined]
                tokens, k=n, show_progress=False, weight_mask=allowed.astype(np.float32)
            )
            for i, score in zip(docs[0], scores[0], strict=True):
                if score > 0:
                    bm25_rank.append(corpus.ids[i])
                    bm25_score[corpus.ids[i]] = float(score)
        fused = rrf_fuse([[d.chunk_id for d in dense], bm25_rank], self.settings.rrf_k)
        by_id = {d.chunk_id: d for d in dense}
        position = {cid: i for i, cid in enumerate(corpus.ids)}
        boosted = set(self.named(query)) | set(focus)
        if paper_ids:
            boosted &= set(paper_ids)
        chunks = []
        for cid, score in fused.items():
            i = position.get(cid)
            if i is None:  # a chunk newer than the cached corpus: skip until the next rebuild
                continue
            d = by_id.get(cid)
            chunks.append(
                RetrievedChunk(
                    chunk_id=cid,
                    paper_id=corpus.paper_ids[i],
                    index=corpus.indexes[i],
                    text=corpus.texts[i],
                    dense=d.similarity if d else None,
                    bm25=bm25_score.get(cid),
                    fused=round(score, 6),
                    named=corpus.paper_ids[i] in boosted,
                    start_char=corpus.spans[i][0],
                    end_char=corpus.spans[i][1],
                )
            )
        chunks += self._missing_named(vector, boosted, {c.paper_id for c in chunks}, corpus)
        chunks.sort(key=lambda c: (not c.named, -c.fused))
        live = self.store.papers_by_id(list({c.paper_id for c in chunks}))
        return diversify([c for c in chunks if c.paper_id in live], k, self.settings.max_per_paper)

    def _missing_named(
        self, vector: np.ndarray, boosted: set[str], present: set[str], corpus: _Corpus
    ) -> list[RetrievedChunk]:
        """The best passage of each named paper that neither search proposed."""
        out = []
        for pid in sorted(boosted - present):
            for hit in self.store.query(vector, k=1, paper_ids=[pid]):
                out.append(
                    RetrievedChunk(
                        chunk_id=hit.chunk_id,
                        paper_id=pid,
                        index=hit.index,
                        text=hit.text,
                        dense=hit.similarity,
                        named=True,
                        start_char=hit.span[0],
                        end_char=hit.span[1],
                    )
                )
        return out


_WORDS = re.compile(r"[a-z0-9]+")
#: Words of a request rather than of its topic.
REQUEST_WORDS = frozenset(
    [
        "about",
        "according",
        "across",
        "also",
        "answer",
        "any",
        "approach",
        "authors",
        "both",
        "compare",
        "compared",
        "describe",
        "does",
        "each",
        "explain",
        "find",
        "findings",
        "from",
        "give",
        "have",
        "into",
        "library",
        "main",
        "many",
        "method",
        "methods",
        "much",
        "name",
        "other",
        "paper",
        "papers",
        "please",
        "propose",
        "proposed",
        "report",
        "result",
        "results",
        "said",
        "says",
        "show",
        "shown",
        "study",
        "studies",
        "summarise",
        "summarize",
        "summary",
        "tell",
        "that",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "those",
        "used",
        "uses",
        "using",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "with",
        "work",
        "works",
        "would",
    ]
)


@functools.cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def stems(text: str) -> set[str]:
    """The Snowball stems of the words of `text` (lower-cased, split at anything not a letter or digit)."""
    return set(_stemmer().stemWords(list(set(_WORDS.findall(text.lower())))))


def _paper_frequencies(paper_ids: Sequence[str], texts: Sequence[str]) -> dict[str, int]:
    """Stem -> number of papers whose chunks use it (each word stemmed once)."""
    words: dict[str, set[str]] = {}
    for pid, text in zip(paper_ids, texts, strict=True):
        words.setdefault(pid, set()).update(_WORDS.findall(text.lower()))
    vocabulary = sorted(set().union(*words.values())) if words else []
    stem_of = dict(zip(vocabulary, _stemmer().stemWords(vocabulary), strict=True))
    freq: Counter[str] = Counter()
    for used in words.values():
        freq.update({stem_of[w] for w in used})
    return dict(freq)


def _date_int(date: dt.date) -> int:
    return date.year * 10000 + date.month * 100 + date.day
