"""The typed objects passed between paperqa's steps."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

from pydantic import BaseModel, Field


def normalize_title(title: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive form of a title.

    Two records whose titles normalise the same are the same paper.
    """
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


class SourceRef(BaseModel):
    """Where a paper was read from."""

    path: str = Field(description="File the record came from.")
    line: int | None = Field(default=None, description="1-based line of the record, if known.")
    format: str = Field(description="Loader that read it, e.g. 'hf-daily', 'arxiv', 'bibtex'.")


class Paper(BaseModel):
    """One paper of the library: metadata plus abstract."""

    id: str = Field(description="Stable id: arXiv id, DOI, or a slug of the title plus a hash.")
    title: str
    abstract: str = Field(description="Abstract cleaned for display (no LaTeX, no hard breaks).")
    abstract_raw: str | None = Field(
        default=None, description="The abstract as the source had it, when cleaning changed it."
    )
    authors: list[str] = Field(default_factory=list)
    n_authors: int | None = Field(default=None, description="Author count when names are unknown.")
    date: dt.date | None = None
    url: str | None = None
    code_urls: list[str] = Field(default_factory=list)
    upvotes: int | None = None
    categories: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(
        default_factory=list, description="Other ids the same paper had in other sources."
    )
    source: SourceRef | None = None

    @property
    def title_key(self) -> str:
        return normalize_title(self.title)

    @property
    def author_count(self) -> int | None:
        return len(self.authors) if self.authors else self.n_authors

    def content_hash(self, salt: str = "") -> str:
        """Hash of what the index is built from (plus `salt`, e.g. chunking settings):
        a change means re-chunking and re-embedding."""
        blob = f"{self.title}\x00{self.abstract}\x00{salt}".encode()
        return hashlib.sha256(blob).hexdigest()[:32]


class Chunk(BaseModel):
    """A token-bounded piece of one paper's abstract, the unit of retrieval."""

    id: str
    paper_id: str
    index: int = Field(description="0-based position of the chunk within its paper.")
    title: str
    text: str = Field(description="The slice of the abstract.")
    start_char: int
    end_char: int
    start_token: int
    end_token: int
    date: dt.date | None = None

    @property
    def n_tokens(self) -> int:
        return self.end_token - self.start_token

    @property
    def embed_text(self) -> str:
        """What is embedded and searched: the title gives every chunk its context."""
        return f"{self.title}\n\n{self.text}"


class SkippedRecord(BaseModel):
    """A record left out of an ingest, and why."""

    location: str
    reason: str


class IngestReport(BaseModel):
    """What an ingest did."""

    added: list[str] = Field(default_factory=list, description="Ids of papers new to the library.")
    updated: list[str] = Field(default_factory=list, description="Ids whose abstract changed.")
    unchanged: list[str] = Field(default_factory=list)
    skipped: list[SkippedRecord] = Field(default_factory=list)
    files_read: int = 0
    files_ignored: list[str] = Field(
        default_factory=list, description="Files in a folder with no supported extension."
    )
    chunks_added: int = 0
    chunks_removed: int = 0
    seconds: float = 0.0
