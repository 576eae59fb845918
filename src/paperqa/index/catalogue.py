"""The paper list of an embedded library, kept beside the store so that listing papers,
and reading the few papers an answer cites, reads one file instead of importing chromadb
and scanning the papers collection (`paperqa papers`: 0.5 s of chromadb import on the seed
library, seconds at 75k papers). The store reads it (`Store.all_papers`, `papers_by_id`).

The store mirrors its revision token (see `Store.revision`) into a small file: removed
before each write starts, written after the write's own token lands in Chroma. The
catalogue file is the paper list a reader built at some revision; it is used only while
the mirrored token says the store is still at that revision. A crash mid-write leaves no
token file, so readers go back to the store until the next write. Chroma servers have no
catalogue: other machines write to them without touching this directory.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from paperqa.settings import Settings

if TYPE_CHECKING:
    from paperqa.index.store import StoredPaper

#: Bump when what the catalogue holds changes: older files are then ignored and rewritten.
CATALOGUE_FORMAT = 2
REVISION_FILE = "paperqa-revision"


def _revision_path(settings: Settings) -> Path | None:
    return None if settings.chroma_url else settings.store_path / f"{REVISION_FILE}-{settings.collection}"


def _catalogue_path(settings: Settings) -> Path:
    return settings.home / "cache" / f"papers-{settings.collection}.pickle"


def mirrored_revision(settings: Settings) -> str | None:
    """The store's revision as its last completed write left it; None while a write runs,
    after a crash, for a server, or for a library older than this file."""
    path = _revision_path(settings)
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def forget_revision(settings: Settings) -> None:
    """Before a write: readers stop trusting any catalogue."""
    if (path := _revision_path(settings)) is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def mirror_revision(settings: Settings, revision: str) -> None:
    """After a write's token is in the store."""
    if (path := _revision_path(settings)) is not None:
        atomic_write(path, revision.encode("utf-8"))


@dataclass
class Catalogue:
    """The papers of a library as the catalogue file holds them: each paper's JSON record,
    parsed when first asked for (a question needs a few papers, not all 75k)."""

    rows: dict[str, tuple[str, str, int]]  # paper id -> (paper JSON, content hash, chunk count)
    parsed: dict[str, StoredPaper] = field(default_factory=dict)

    @classmethod
    def of(cls, papers: list[StoredPaper]) -> Catalogue:
        rows = {
            s.paper.id: (s.paper.model_dump_json(exclude_none=True), s.content_hash, s.n_chunks)
            for s in papers
        }
        return cls(rows, {s.paper.id: s for s in papers})

    def get(self, paper_id: str) -> StoredPaper | None:
        if (found := self.parsed.get(paper_id)) is not None:
            return found
        if (row := self.rows.get(paper_id)) is None:
            return None
        from paperqa.index.store import StoredPaper  # the store imports this module
        from paperqa.types import Paper

        found = StoredPaper(Paper.model_validate_json(row[0]), content_hash=row[1], n_chunks=row[2])
        self.parsed[paper_id] = found
        return found

    def all(self) -> list[StoredPaper]:
        return [found for pid in self.rows if (found := self.get(pid)) is not None]


def read(settings: Settings, model_name: str, revision: str) -> Catalogue | None:
    """The catalogue if it was kept for this store `revision` and embedding model, else None."""
    try:
        with _catalogue_path(settings).open("rb") as f:
            key, rows = pickle.load(f)  # noqa: S301 - our own file in the user's data directory
    except Exception:
        return None
    return Catalogue(rows) if key == (CATALOGUE_FORMAT, revision, model_name) else None


def write(settings: Settings, model_name: str, revision: str, papers: list[StoredPaper]) -> None:
    """Keep `papers`, read from the store at `revision`, for the next reader. Written only
    when the mirrored token agrees, so a list read during a write is never kept."""
    if settings.chroma_url or mirrored_revision(settings) != revision:
        return
    rows = Catalogue.of(papers).rows
    data = pickle.dumps(((CATALOGUE_FORMAT, revision, model_name), rows), protocol=pickle.HIGHEST_PROTOCOL)
    atomic_write(_catalogue_path(settings), data)


def atomic_write(path: Path, data: bytes) -> None:
    """Write a derived file (cache, token) so a reader never sees half of it; a read-only or
    full disk only costs the next reader a rebuild."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as f:
            tmp = f.name
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
