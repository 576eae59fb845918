import pytest
import tiktoken

from paperqa.ingest.chunking import chunk_paper, token_windows
from paperqa.settings import ChunkingSettings
from paperqa.text.tokens import count_tokens, encoding
from paperqa.types import Paper


@pytest.mark.parametrize(
    ("n", "size", "overlap", "expected"),
    [
        (0, 10, 2, [(0, 0)]),
        (10, 10, 2, [(0, 10)]),
        (11, 10, 2, [(0, 10), (8, 11)]),
        (26, 10, 2, [(0, 10), (8, 18), (16, 26)]),
        (27, 10, 0, [(0, 10), (10, 20), (20, 27)]),
    ],
)
def test_token_windows(n, size, overlap, expected):
    assert token_windows(n, size, overlap) == expected


def test_chunks_cover_abstract_with_overlap():
    abstract = " ".join(f"Sentence number {i} says something about café interpretability." for i in range(60))
    paper = Paper(id="p1", title="A title", abstract=abstract)
    chunks = chunk_paper(paper, ChunkingSettings(chunk_tokens=64, overlap_tokens=16))
    assert len(chunks) > 3
    assert chunks[0].start_char == 0 and chunks[-1].end_char == len(abstract)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start_token == a.end_token - 16
        assert b.start_char < a.end_char  # overlapping text
    for c in chunks:
        assert c.n_tokens <= 64 and c.text == abstract[c.start_char : c.end_char].strip()
        assert c.embed_text.startswith("A title\n\n") and c.paper_id == "p1"
    assert len({c.id for c in chunks}) == len(chunks)


def test_chunk_ids_are_content_derived():
    paper = Paper(id="p1", title="T", abstract="Some abstract text.")
    assert [c.id for c in chunk_paper(paper)] == [c.id for c in chunk_paper(paper.model_copy())]
    changed = paper.model_copy(update={"abstract": "Other abstract text."})
    assert chunk_paper(paper)[0].id != chunk_paper(changed)[0].id
    assert chunk_paper(paper)[0].id.startswith("p1#0-")


def test_short_abstract_is_one_chunk():
    (chunk,) = chunk_paper(Paper(id="p", title="T", abstract="Short."))
    assert chunk.text == "Short." and chunk.start_token == 0


def test_shipped_encoding_equals_tiktokens_own(tmp_path, monkeypatch):
    """The shipped file, loaded by tiktoken's own cl100k_base constructor, tokenizes the same."""
    import hashlib
    from importlib import resources

    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    data = (resources.files("paperqa") / "data" / "cl100k_base.tiktoken").read_bytes()
    (tmp_path / hashlib.sha1(url.encode()).hexdigest()).write_bytes(data)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    from tiktoken_ext.openai_public import cl100k_base

    official = tiktoken.Encoding(**cl100k_base())
    text = "Sparse autoencoders (SAEs) find 12,345 features — naïvely <|endoftext|> 30%!\n\n  ok"
    assert encoding().encode_ordinary(text) == official.encode_ordinary(text)
    assert encoding().special_tokens_set == official.special_tokens_set
    assert count_tokens("hello world") == 2
