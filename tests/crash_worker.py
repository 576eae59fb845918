"""A paperqa writer for the crash tests to SIGKILL: ingest or remove with a fast embedder.

    python tests/crash_worker.py ingest HOME FILE
    python tests/crash_worker.py remove HOME ID...   (one paper per call, as a loop of users would)

The embedder is a deterministic hash of the text (real vectors, no model), so that a few
thousand papers are written in seconds; everything else is the real library and Chroma.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from paperqa.index.embeddings import PaperQAEmbeddings
from paperqa.library import Library
from paperqa.settings import Settings


class HashEmbedder(PaperQAEmbeddings):
    name = "test-hash-embedder"
    dim = 64

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)


def library(home: str | Path) -> Library:
    return Library(Settings(home=Path(home)), embedder=HashEmbedder())


def main() -> None:
    action, home, *rest = sys.argv[1:]
    lib = library(home)
    if action == "ingest":
        lib.ingest([Path(p) for p in rest])
    elif action == "remove":
        for pid in rest:
            lib.remove(pid)
            print(pid, flush=True)
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main()
