"""Cut a paper's abstract into token-bounded, overlapping chunks."""

from __future__ import annotations

import hashlib

from paperqa.settings import ChunkingSettings
from paperqa.text.tokens import encoding
from paperqa.types import Chunk, Paper


def chunk_id(paper_id: str, index: int, text: str) -> str:
    """Content-derived id: the same text of the same paper always gets the same id."""
    digest = hashlib.sha256(f"{paper_id}\x00{index}\x00{text}".encode()).hexdigest()[:24]
    return f"{paper_id}#{index}-{digest}"


def token_windows(n_tokens: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Start/end token offsets of windows of `size` tokens that overlap by `overlap`.

    The last window ends at `n_tokens`; a window is never empty. Zero tokens give
    one empty window so that every paper has at least one chunk (its title).
    """
    if n_tokens <= size:
        return [(0, n_tokens)]
    step = size - overlap
    windows = []
    start = 0
    while True:
        end = min(start + size, n_tokens)
        windows.append((start, end))
        if end == n_tokens:
            return windows
        start += step


def chunk_paper(paper: Paper, settings: ChunkingSettings | None = None) -> list[Chunk]:
    """The chunks of one paper, each with its token and character span in the abstract."""
    settings = settings or ChunkingSettings()
    enc = encoding()
    tokens = enc.encode_ordinary(paper.abstract)
    # Character offset of every token, so chunk text is cut between whole characters.
    _, offsets = enc.decode_with_offsets(tokens)
    chunks = []
    for index, (start, end) in enumerate(
        token_windows(len(tokens), settings.chunk_tokens, settings.overlap_tokens)
    ):
        start_char = offsets[start] if start < len(tokens) else len(paper.abstract)
        end_char = offsets[end] if end < len(tokens) else len(paper.abstract)
        text = paper.abstract[start_char:end_char].strip()
        chunks.append(
            Chunk(
                id=chunk_id(paper.id, index, text),
                paper_id=paper.id,
                index=index,
                title=paper.title,
                text=text,
                start_char=start_char,
                end_char=end_char,
                start_token=start,
                end_token=end,
                date=paper.date,
            )
        )
    return chunks
