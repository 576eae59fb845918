"""What a command loads: an ask on an embedded library reads the files kept beside the
store (revision token, paper catalogue, BM25 cache with the chunk vectors, the vectors of
sentences already embedded) and imports neither chromadb nor LangChain; the exact dense
search it uses ranks as Chroma's index does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from paperqa.index.vector_cache import CachedEncoder
from paperqa.library import Library
from paperqa.retrieval.hybrid import exact_nearest
from paperqa.settings import Settings


def test_exact_nearest_ranks_by_cosine_within_the_filter():
    vectors = np.array([[1, 0], [0.8, 0.6], [0, 1], [-1, 0]], dtype=np.float32)
    corpus = SimpleNamespace(vectors=vectors, ids=["a", "b", "c", "d"])
    query = np.array([2.0, 0.0])  # not unit length: normalised first
    assert [cid for cid, _ in exact_nearest(corpus, query, 3, None)] == ["a", "b", "c"]  # type: ignore[arg-type]
    allowed = np.array([0, 1, 1, 0], dtype=np.float32)
    found = exact_nearest(corpus, query, 3, allowed)  # type: ignore[arg-type]
    assert [cid for cid, _ in found] == ["b", "c"] and found[0][1] == pytest.approx(0.8)


class Counting:
    name, dim = "counting", 3

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_cached_encoder_embeds_each_text_once_across_processes(tmp_path):
    inner = Counting()
    first = CachedEncoder(inner, tmp_path / "cache" / "vectors.sqlite3")
    a = first.embed(["alpha", "be", "alpha"])
    assert inner.seen == ["alpha", "be"] and a.shape == (3, 3) and a[0][0] == 5
    again = CachedEncoder(inner, tmp_path / "cache" / "vectors.sqlite3")  # a later command
    b = again.embed(["be", "gamma", "alpha"])
    assert inner.seen == ["alpha", "be", "gamma"]
    assert np.array_equal(b, np.array([[2, 1, 0], [5, 1, 0], [5, 1, 0]], dtype=np.float32))
    assert again.embed([]).shape == (0, 3)


def test_cached_encoder_without_a_usable_file_still_embeds(tmp_path):
    blocked = tmp_path / "vectors.sqlite3"
    blocked.mkdir()  # a directory where the file should be
    encoder = CachedEncoder(Counting(), blocked)
    assert encoder.embed(["x", "yy"]).tolist() == [[1, 1, 0], [2, 1, 0]]
    (corrupt := tmp_path / "corrupt.sqlite3").write_bytes(b"not a database" * 100)
    assert CachedEncoder(Counting(), corrupt).embed(["x"]).tolist() == [[1, 1, 0]]


@pytest.mark.slow
def test_exact_dense_search_ranks_as_chromas_index(seed_library: Library):
    exact = seed_library.tasks.retriever
    settings = seed_library.settings.model_copy(deep=True)
    settings.retrieval.exact_search_chunks = 0  # always Chroma's HNSW index
    hnsw = Library(settings, embedder=seed_library.embedder).tasks.retriever
    assert exact.corpus().vectors is not None and hnsw.corpus().vectors is None
    for question in ("How does CASAL reduce hallucinations?", "sparse autoencoders for vision", "EEG"):
        mine = [(c.chunk_id, round(c.dense or 0, 4)) for c in exact.retrieve(question, k=8)]
        theirs = [(c.chunk_id, round(c.dense or 0, 4)) for c in hnsw.retrieve(question, k=8)]
        assert mine == theirs, question
    # restricted to a few papers, a library without vectors in its corpus fetches theirs by id
    # and searches them exactly (Chroma's filtered query is slow at scale): the same passages
    casal = seed_library.get("CASAL").id
    other = next(p.id for p in seed_library.papers() if p.id != casal)
    for question in ("How does CASAL reduce hallucinations?", "sparse autoencoders for vision"):
        mine = [
            (c.chunk_id, round(c.dense or 0, 4)) for c in exact.retrieve(question, paper_ids=[casal, other])
        ]
        theirs = [
            (c.chunk_id, round(c.dense or 0, 4)) for c in hnsw.retrieve(question, paper_ids=[casal, other])
        ]
        assert mine == theirs and mine, question


@pytest.mark.slow
def test_an_ask_imports_neither_chromadb_nor_langchain(seed_library: Library):
    home = seed_library.settings.home
    Library(Settings(home=home)).ask("What is CASAL?")  # the caches for this revision exist
    script = (
        "import sys, json; from paperqa import Library; lib = Library(); "
        "a = lib.ask('What is CASAL?'); "
        "print(json.dumps([lib.store.opened, 'chromadb' in sys.modules, "
        "any(m.startswith('langchain') for m in sys.modules), bool(a.sentences)]))"
    )
    env = {**os.environ, "PAPERQA_HOME": str(home), "PAPERQA_LLM__ANSWER_MODE": "quote"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, False, False, True]
