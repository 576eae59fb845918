"""The library with real parts: the local embedder and Chroma in a temporary directory."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from paperqa.errors import IndexMismatchError, IngestError, LibraryLockedError, PaperNotFoundError
from paperqa.index.embeddings import LocalEmbedder, PaperQAEmbeddings
from paperqa.index.writer import write_lock
from paperqa.library import Library
from paperqa.retrieval.corpus import cache_path
from paperqa.settings import ChunkingSettings, Settings, default_home

from .conftest import DATA, SEEDS

pytestmark = pytest.mark.slow


class Counting(PaperQAEmbeddings):
    """The real embedder, counting what it is asked to embed."""

    def __init__(self, inner: LocalEmbedder, fail_after: int | None = None) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.texts = 0
        self.fail_after = fail_after

    def embed(self, texts: list[str]) -> np.ndarray:
        if self.fail_after is not None and self.texts + len(texts) > self.fail_after:
            raise KeyboardInterrupt("simulated crash")
        self.texts += len(texts)
        return self.inner.embed(texts)


def test_seed_ingest_and_idempotent_reingest(library: Library, embedder):
    counting = Counting(embedder)
    lib = Library(library.settings, embedder=counting)
    first = lib.ingest([SEEDS])
    assert len(first.added) == 29 and first.files_ignored == [str(SEEDS / "README.md")]
    papers, chunks = lib.store.counts()
    assert papers == 29 and chunks == first.chunks_added == counting.texts
    counting.texts = 0
    told: list[tuple[int, int, str]] = []
    again = lib.ingest([SEEDS], reading=lambda done, total, path: told.append((done, total, path.name)))
    assert len(again.unchanged) == 29 and not again.added and counting.texts == 0
    assert lib.store.counts() == (papers, chunks)
    files = sorted(p.name for p in SEEDS.iterdir())  # each file named as it is read, then the end
    assert told == [(i, len(files), name) for i, name in enumerate(files)] + [
        (len(files), len(files), files[-1])
    ]


@pytest.mark.parametrize(
    ("query", "title_start"),
    [
        (
            "benchmark of functions for judging automated descriptions of network components",
            "A Function Interpretation",
        ),
        (
            "contrastive steering vectors trained into the model to cut made-up answers",
            "Hallucination reduction",
        ),
        ("sparse autoencoder features for vision and language models alignment", "SAE-V"),
        (
            "chest radiographs of coronavirus patients classified by deep networks",
            "Exploration of Interpretability",
        ),
        ("court decisions citing earlier cases, visual analytics for lawyers", "LegalVis"),
    ],
)
def test_retrieves_right_paper_without_title_words(seed_library: Library, query, title_start):
    hits = seed_library.store.query(seed_library.embedder.embed([query])[0], k=3)
    top = seed_library.get(hits[0].paper_id)
    assert top.title.startswith(title_start)


def test_changed_abstract_replaces_chunks(library: Library, tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"title": "Paper one", "abstract": "Alpha beta gamma."}\n')
    library.ingest([f])
    old_ids = library.store.existing_chunk_ids([c for c in _all_chunk_ids(library)])
    f.write_text('{"title": "Paper one", "abstract": "Delta epsilon zeta, a new abstract."}\n')
    report = library.ingest([f])
    assert len(report.updated) == 1 and library.store.counts() == (1, 1)
    assert not old_ids & set(_all_chunk_ids(library))
    assert library.get("Paper one").abstract.startswith("Delta")


def test_a_new_date_reaches_the_passages_that_dates_filter_on(library: Library, tmp_path):
    """A re-ingest that changes only a paper's date updates it without re-embedding, and the
    passages' date (what --since/--until filter on) with it; `check` finds and repairs a
    library where only the record was updated (as ingests before 2026-12-01 left it)."""
    f = tmp_path / "p.jsonl"
    f.write_text('{"title": "Paper one", "abstract": "Alpha beta gamma."}\n')
    library.ingest([f])
    f.write_text('{"title": "Paper one", "abstract": "Alpha beta gamma.", "date": "2019-07"}\n')
    report = library.ingest([f])
    assert report.updated and report.chunks_added == 0
    since = dt.date(2019, 1, 1)
    assert library.ask("alpha beta gamma?", date_from=since).references  # found by date
    assert library.check().ok

    paper = library.get("Paper one")
    stored = library.store.papers_by_id([paper.id])[paper.id]
    moved = paper.model_copy(update={"date": dt.date(2020, 3, 1)})
    library.store.update_papers([dataclasses.replace(stored, paper=moved)])  # the record alone
    assert library.check().stale_dates == [paper.id]
    assert library.check(repair=True).repaired and library.check().ok
    assert library.ask("alpha beta gamma?", date_from=dt.date(2020, 1, 1)).references


def test_each_thread_stems_with_its_own_stemmer():
    # a Snowball stemmer "must not be called concurrently" (PyStemmer): the app's request
    # threads and retrieval's BM25 thread each get their own
    from concurrent.futures import ThreadPoolExecutor

    from paperqa.text.words import stem_words, stemmer

    words = ["corpora", "benchmarks", "hallucinations", "interpretability"] * 2000
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: stem_words(words), range(8)))
        owners = set(pool.map(lambda _: id(stemmer()), range(8)))
    assert all(r == results[0] for r in results) and results[0][:2] == ["corpus", "benchmark"]
    assert stemmer() is stemmer() and len(owners) >= 1


def test_bm25_reads_stems():
    from paperqa.retrieval.corpus import bm25_tokens

    assert bm25_tokens(["Which papers propose benchmarks?"], ids=False) == [
        ["which", "paper", "propos", "benchmark"]
    ]


def test_bm25_corpus_is_cached_per_library_revision(library: Library, tmp_path, monkeypatch):
    f = tmp_path / "p.jsonl"
    f.write_text('{"title": "Paper one", "abstract": "Alpha beta gamma."}\n')
    library.ingest([f])
    app_retriever = library.tasks.retriever  # a long-lived process, like the app
    assert "Alpha" in app_retriever.corpus().texts[0]
    cache = cache_path(app_retriever.store)
    assert cache.exists()

    # another process: the corpus comes from the cache file, nothing is rebuilt
    def no_build(store, key):
        raise AssertionError("rebuilt although the cache was valid")

    with monkeypatch.context() as m:
        m.setattr("paperqa.retrieval.corpus.build_corpus", no_build)
        assert (
            "Alpha" in Library(library.settings, embedder=library.embedder).tasks.retriever.corpus().texts[0]
        )

    # an edit that keeps the paper and chunk counts must still be seen, by both
    f.write_text('{"title": "Paper one", "abstract": "Delta omega gamma."}\n')
    library.ingest([f])
    assert library.store.counts() == (1, 1)
    assert "Delta" in app_retriever.corpus().texts[0]
    fresh = Library(library.settings, embedder=library.embedder).tasks.retriever
    assert "Delta" in fresh.corpus().texts[0]

    # a damaged cache file is rebuilt, not an error
    cache.write_bytes(b"not a pickle")
    fresh = Library(library.settings, embedder=library.embedder).tasks.retriever
    assert "Delta" in fresh.corpus().texts[0] and cache.stat().st_size > 100


def _all_chunk_ids(library: Library) -> list[str]:
    return library.store._chunks.get(include=[])["ids"]


def test_bad_file_leaves_library_as_it_was(seed_library: Library, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"title": "A new paper", "abstract": "Would be added."}\n')
    bad = tmp_path / "bad.csv"
    bad.write_text('title,abstract\nok,fine\n"unterminated,x\n')
    before = seed_library.store.counts()
    with pytest.raises(IngestError) as info:
        seed_library.ingest([good, bad])
    assert info.value.path == str(bad)
    assert seed_library.store.counts() == before
    report = seed_library.ingest([good, bad], skip_bad=True)
    assert len(report.added) == 2 and report.skipped  # "A new paper" and "ok"


def test_interrupted_ingest_resumes_without_duplicates(library: Library, embedder):
    crashing = Counting(embedder, fail_after=30)
    with pytest.raises(KeyboardInterrupt):
        Library(library.settings, embedder=crashing).ingest([DATA / "arxiv_sample.jsonl"], progress=None)
    partial = Library(library.settings, embedder=embedder)
    papers_before, _ = partial.store.counts()
    assert papers_before < 40
    report = partial.ingest([DATA / "arxiv_sample.jsonl"])
    assert len(report.added) + len(report.unchanged) == 40
    papers, chunks = partial.store.counts()
    assert papers == 40
    expected = sum(s.n_chunks for s in partial.store.all_papers())
    assert chunks == expected == len(set(_all_chunk_ids(partial)))


def test_repairs_missing_chunks(seed_library: Library):
    paper = seed_library.get("SAE-V")
    victim = [c for c in _all_chunk_ids(seed_library) if c.startswith(paper.id + "#")][0]
    seed_library.store._chunks.delete(ids=[victim])
    report = seed_library.ingest([SEEDS])
    assert report.chunks_added == 1 and victim in _all_chunk_ids(seed_library)


def test_other_embedding_model_is_refused(seed_library: Library):
    class Other(PaperQAEmbeddings):
        name, dim = "other-model", 8

        def embed(self, texts):
            return np.ones((len(texts), 8), dtype=np.float32)

    other = Library(seed_library.settings, embedder=Other())
    with pytest.raises(IndexMismatchError, match="paperqa reindex"):
        other.stats()
    report = other.reindex()
    assert len(report.added) == 29 and other.store.counts()[0] == 29
    assert other.stats().embedding_model == "other-model"


def test_a_library_of_the_earlier_embedded_model_is_told_to_reindex(tmp_path, embedder):
    class Earlier(PaperQAEmbeddings):
        name, dim = "all-MiniLM-L6-v2-int8-onnx", 384  # paperqa's embedded model until 2026-12-03

        def embed(self, texts):
            return embedder.embed(texts)

    settings = Settings(home=tmp_path / "lib")
    Library(settings, embedder=Earlier()).ingest([SEEDS])
    upgraded = Library(settings, embedder=embedder)
    with pytest.raises(IndexMismatchError, match="earlier embedded model.*`paperqa reindex`"):
        upgraded.stats()
    assert len(upgraded.reindex().added) == 29 and upgraded.stats().embedding_model == embedder.name


def test_chunking_change_rechunks(seed_library: Library, embedder):
    settings = seed_library.settings.model_copy(
        update={"chunking": ChunkingSettings(chunk_tokens=100, overlap_tokens=20)}
    )
    report = Library(settings, embedder=embedder).ingest([SEEDS])
    assert len(report.updated) == 29
    papers, chunks = Library(settings, embedder=embedder).store.counts()
    assert papers == 29 and chunks > 58


def test_get_and_remove(seed_library: Library):
    assert seed_library.get("casal").title.startswith("Hallucination reduction with CASAL")
    assert seed_library.get("sae-v-interpreting-multimodal-4c45a238").title.startswith("SAE-V")
    with pytest.raises(PaperNotFoundError, match="2 papers start with 'the'"):
        seed_library.get("the")
    with pytest.raises(PaperNotFoundError, match="paperqa papers --search"):
        seed_library.get("no such paper anywhere")
    removed = seed_library.remove("LegalVis")
    assert seed_library.store.counts() == (28, 56)
    with pytest.raises(PaperNotFoundError):
        seed_library.get(removed.id)


def test_papers_search_and_order(seed_library: Library):
    found = seed_library.papers("steering")
    assert len(found) == 3 and found == sorted(found, key=lambda p: p.date, reverse=True)
    assert len(seed_library.papers()) == 29


def test_second_writer_is_refused(seed_library: Library):
    from filelock import FileLock

    with (
        FileLock(seed_library.settings.home / "write.lock"),
        pytest.raises(LibraryLockedError, match="Another paperqa process"),
    ):
        seed_library.remove("LegalVis")


def test_settings_from_env_and_file(tmp_path, monkeypatch):
    home = tmp_path / "h"
    home.mkdir()
    (home / "paperqa.toml").write_text("[chunking]\nchunk_tokens = 120\n[llm]\nmax_tokens = 99\n")
    monkeypatch.setenv("PAPERQA_HOME", str(home))
    monkeypatch.setenv("PAPERQA_LLM__MAX_TOKENS", "77")
    s = Settings()
    assert s.home == home and s.chunking.chunk_tokens == 120 and s.llm.max_tokens == 77


def test_empty_settings_variables_count_as_unset(monkeypatch):
    # `PAPERQA_HOME= paperqa ingest ...` once built a library in the current folder
    monkeypatch.setenv("PAPERQA_HOME", "")
    monkeypatch.setenv("PAPERQA_CHROMA_URL", "")
    s = Settings()
    assert s.home == default_home() and s.chroma_url is None


def test_get_by_every_form_of_an_arxiv_id(library: Library):
    library.ingest([DATA / "arxiv_sample.jsonl"])
    first = library.papers()[-1]
    bare = first.id.removeprefix("arxiv:")
    for ref in (first.id, bare, f"arXiv:{bare}", f"https://arxiv.org/abs/{bare}", f" {first.id} "):
        assert library.get(ref).id == first.id, ref
    assert [p.id for p in library.remove_many([first.id, bare])] == [first.id]
    with pytest.raises(PaperNotFoundError):
        library.get(first.id)


def test_paper_list_kept_beside_the_store_follows_every_write(library: Library, tmp_path):
    """`papers` reads the catalogue file (no chromadb) only while the store is at the
    revision it was read at: every ingest and remove is seen; a missing token means the store."""
    f = tmp_path / "p.jsonl"
    f.write_text(
        '{"title": "Paper one", "abstract": "Alpha."}\n{"title": "Paper two", "abstract": "Beta."}\n'
    )
    library.ingest([f])
    assert len(library.papers()) == 2

    def reader() -> Library:
        return Library(library.settings, embedder=library.embedder)

    fresh = reader()
    assert [p.title for p in fresh.papers("two")] == ["Paper two"]
    assert not fresh.store.opened  # answered from the catalogue: Chroma was never opened

    library.remove("Paper two")
    assert [p.title for p in reader().papers()] == ["Paper one"]
    f.write_text('{"title": "Paper three", "abstract": "Gamma."}\n')
    library.ingest([f])
    assert sorted(p.title for p in reader().papers()) == ["Paper one", "Paper three"]

    # a write cut short (or a library older than the token) leaves no token: the store is read;
    # while a write runs the token is not made, once none runs the reader makes it
    token = next(library.settings.store_path.glob("paperqa-revision-*"))
    token.unlink()
    with write_lock(library.settings.home):
        fresh = reader()
        assert len(fresh.papers()) == 2 and fresh.store.opened and not token.exists()
    fresh = reader()
    assert len(fresh.papers()) == 2 and fresh.store.opened and token.exists()
    again = reader()
    assert len(again.papers()) == 2 and not again.store.opened


def test_embedding_workers_share_the_model_and_give_the_same_vectors(monkeypatch):
    """`embedding.workers` runs that many calls at once over one loaded model when many texts
    are embedded (an ingest), those past the CPUs less one at the lowest priority; a short
    list (a question) stays on the caller's thread."""
    import os
    import sys
    import threading
    import time

    from paperqa.index.encoder import MiniLM
    from paperqa.settings import default_threads

    texts = [f"Paper {i}: " + "sparse autoencoders find features. " * (i % 7 + 1) for i in range(40)]
    alone = MiniLM(threads=1, workers=1).embed(texts)
    workers = default_threads() + 1  # one more than the CPUs less one: the last is niced
    model = MiniLM(threads=1, workers=workers)
    seen: dict[str, int] = {}
    real = model._embed_batch

    def noted(batch):
        seen[threading.current_thread().name] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        time.sleep(0.005)  # every worker gets texts to embed
        return real(batch)

    monkeypatch.setattr(model, "_embed_batch", noted)
    assert np.array_equal(model.embed(texts), alone)  # same vectors, each text where it was
    assert len(seen) == workers and all(name.startswith("paperqa-embed") for name in seen)
    if sys.platform.startswith("linux"):
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert sorted(seen.values()) == [mine] * (workers - 1) + [19]
    seen.clear()
    model.embed(texts[:3])
    assert list(seen) == [threading.current_thread().name]


def test_embedding_workers_come_from_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERQA_EMBEDDING__WORKERS", "2")
    library = Library(Settings(home=tmp_path / "lib"))
    assert library.encoder.workers == 2  # type: ignore[attr-defined]
    assert Library(Settings(home=tmp_path / "lib", embedding={"workers": 1})).encoder.workers == 1  # type: ignore[attr-defined]
    monkeypatch.delenv("PAPERQA_EMBEDDING__WORKERS")
    from paperqa.index.encoder import default_workers

    assert Library(Settings(home=tmp_path / "lib")).encoder.workers == default_workers()  # type: ignore[attr-defined]


def test_whole_papers_are_written_in_steps_the_progress_bar_can_follow():
    from paperqa.index.writer import BATCH_PAPERS, BATCH_PARAGRAPHS, _batches
    from paperqa.types import Paper, Section

    def paper(i: int, paragraphs: int) -> Paper:
        body = [Section(name="1 Intro", paragraphs=[f"Paragraph {j}." for j in range(paragraphs)])]
        return Paper(id=f"p{i}", title=f"Paper {i}", abstract="An abstract.", sections=body)

    whole = [paper(i, 300) for i in range(10)]  # 300 paragraphs each: 3 papers a step
    assert [len(b) for b in _batches(whole)] == [3, 3, 3, 1]
    abstracts = [paper(i, 0) for i in range(300)]
    assert [len(b) for b in _batches(abstracts)] == [BATCH_PAPERS, BATCH_PAPERS, 300 - 2 * BATCH_PAPERS]
    assert [len(b) for b in _batches([paper(0, BATCH_PARAGRAPHS + 5), paper(1, 1)])] == [1, 1]  # never empty


def test_a_failing_embedding_worker_stops_the_others(monkeypatch):
    """A worker's error (or Ctrl-C) ends the embedding at once, not after every other text."""
    import threading

    from paperqa.index.encoder import MiniLM

    texts = [f"Text number {i} about sparse autoencoders." for i in range(200)]
    model = MiniLM(threads=1, workers=2)
    calls, lock = [0], threading.Lock()
    real = model._embed_batch

    def failing(batch):
        with lock:
            calls[0] += 1
            n = calls[0]
        if n == 5:
            raise RuntimeError("onnxruntime failed")
        return real(batch)

    monkeypatch.setattr(model, "_embed_batch", failing)
    with pytest.raises(RuntimeError, match="onnxruntime failed"):
        model.embed(texts)
    assert calls[0] < 20  # the other worker stopped after its text, not after 195 more
