"""Vectors of the texts the answer path embeds (each candidate sentence of the retrieved
abstracts, the question), kept between commands in the user's data directory.

A quoted answer embeds the question and a dozen or more abstract sentences: 0.15 s of a
1.2 s command with the embedded model, and an API call per answer with a remote one. The
next question about the same papers reads most of them back in about a millisecond. One
SQLite file per embedding model, keyed by a hash of the text; the vectors are the bytes the
model returned. A cache only: a missing, locked, corrupt or read-only file means embedding
again, never an error.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from paperqa.index.encoder import Encoder

T = TypeVar("T")

#: Rows kept (about 1.5 KB each at 384 dimensions): past it the oldest are dropped.
MAX_ROWS = 200_000
#: How long a command waits for another process's write before it just embeds.
LOCK_TIMEOUT_S = 0.5


class CachedEncoder:
    """`encoder`, with each text's vector kept in `path` for the next command."""

    def __init__(self, encoder: Encoder, path: Path) -> None:
        self.encoder, self.path = encoder, path

    @property
    def name(self) -> str:
        return self.encoder.name

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [self._key(t) for t in texts]
        found = self._read(set(keys))
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            vectors = self.encoder.embed([text_of[k] for k in missing])
            new = {k: np.asarray(v, dtype=np.float32) for k, v in zip(missing, vectors, strict=True)}
            self._write(new)
            found.update(new)
        return np.stack([found[k] for k in keys])

    def _key(self, text: str) -> bytes:
        return hashlib.blake2b(f"{self.encoder.name}\0{text}".encode(), digest_size=16).digest()

    def _read(self, keys: set[bytes]) -> dict[bytes, np.ndarray]:
        if not self.path.exists():
            return {}

        def read(db: sqlite3.Connection) -> dict[bytes, np.ndarray]:
            found: dict[bytes, np.ndarray] = {}
            wanted = list(keys)
            for start in range(0, len(wanted), 500):  # under SQLite's bound-parameter limit
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (self.dim,):
                        found[key] = vector
            return found

        return self._use(read) or {}

    def _write(self, vectors: dict[bytes, np.ndarray]) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)",
                [(k, v.astype(np.float32).tobytes()) for k, v in vectors.items()],
            )
            (span,) = db.execute("SELECT coalesce(max(rowid) - min(rowid) + 1, 0) FROM vectors").fetchone()
            if span > MAX_ROWS:  # the oldest rows go
                db.execute(
                    "DELETE FROM vectors WHERE rowid <= (SELECT max(rowid) FROM vectors) - ?", (MAX_ROWS,)
                )

        self._use(write)

    def _use(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """`work` on the file in one transaction; None when the file cannot be used."""
        db = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S)
            with db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS vectors (key BLOB UNIQUE NOT NULL, vector BLOB NOT NULL)"
                )
                return work(db)
        except (sqlite3.Error, OSError):
            return None
        finally:
            if db is not None:
                db.close()
