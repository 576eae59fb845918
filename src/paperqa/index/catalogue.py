"""The paper list of an embedded library, kept beside the store so that listing papers
reads one file instead of importing chromadb and scanning the papers collection
(`paperqa papers`: 0.5 s of chromadb import on the seed library, seconds at 75k papers).

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
from pathlib import Path
from typing import TYPE_CHECKING

from paperqa.settings import Settings

if TYPE_CHECKING:
    from paperqa.index.store import StoredPaper

#: Bump when what the catalogue holds changes: older files are then ignored and rewritten.
CATALOGUE_FORMAT = 1
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


def read(settings: Settings, model_name: str) -> list[StoredPaper] | None:
    """The stored papers if the catalogue is current for this store and
    embedding model, else None."""
    revision = mirrored_revision(settings)
    if revision is None:
        return None
    try:
        with _catalogue_path(settings).open("rb") as f:
            key, papers = pickle.load(f)  # noqa: S301 - our own file in the user's data directory
    except Exception:
        return None
    return papers if key == (CATALOGUE_FORMAT, revision, model_name) else None


def write(settings: Settings, model_name: str, revision: str, papers: list[StoredPaper]) -> None:
    """Keep `papers`, read from the store at `revision`, for the next reader. Written only
    when the mirrored token agrees, so a list read during a write is never kept."""
    if settings.chroma_url or mirrored_revision(settings) != revision:
        return
    data = pickle.dumps(((CATALOGUE_FORMAT, revision, model_name), papers), protocol=pickle.HIGHEST_PROTOCOL)
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
