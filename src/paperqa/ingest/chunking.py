"""Cut a paper's abstract, and each paragraph of its body, into token-bounded, overlapping
chunks."""

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
    """The chunks of one paper: its abstract's first, each with its token and character span
    in the abstract; then, for a full text, each paragraph's (not the references), each with
    its section, paragraph and span in that paragraph. A chunk never spans two paragraphs."""
    settings = settings or ChunkingSettings()
    chunks = _windows(paper, paper.abstract, settings, 0)
    for section_no, section in paper.body:
        for paragraph_no, paragraph in enumerate(section.paragraphs):
            if paragraph.strip():
                chunks += _windows(paper, paragraph, settings, len(chunks), (section_no, paragraph_no))
    return chunks


def _windows(
    paper: Paper, text: str, settings: ChunkingSettings, first: int, where: tuple[int, int] | None = None
) -> list[Chunk]:
    """`text` cut into windows of tokens, numbered from `first`."""
    enc = encoding()
    tokens = enc.encode_ordinary(text)
    # Character offset of every token, so chunk text is cut between whole characters.
    _, offsets = enc.decode_with_offsets(tokens)
    chunks = []
    windows = token_windows(len(tokens), settings.chunk_tokens, settings.overlap_tokens)
    for n, (start, end) in enumerate(windows):
        start_char = offsets[start] if start < len(tokens) else len(text)
        end_char = offsets[end] if end < len(tokens) else len(text)
        piece = text[start_char:end_char].strip()
        index = first + n
        chunks.append(
            Chunk(
                id=chunk_id(paper.id, index, piece),
                paper_id=paper.id,
                index=index,
                title=paper.title,
                text=piece,
                start_char=start_char,
                end_char=end_char,
                start_token=start,
                end_token=end,
                date=paper.date,
                section=where[0] if where else None,
                paragraph=where[1] if where else None,
            )
        )
    return chunks
