"""Model and data files shipped with paperqa or its packages, checked by sha256 before use."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from paperqa.errors import ConfigError

#: The embedded embedding model's name and vector size, as the index records them. Here, not
#: in `index.embeddings`, so opening a library to list its papers imports neither LangChain nor
#: onnxruntime.
LOCAL_EMBEDDING_MODEL = "all-MiniLM-L6-v2-int8-onnx"
LOCAL_EMBEDDING_DIM = 384


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def checked_file(path: Path, sha256: str, what: str) -> Path:
    """`path` once its hash is right (checked once per process), else a `ConfigError`."""
    if not path.is_file():
        raise ConfigError(f"{what} is missing at {path}: reinstall paperqa-reader (`make install`).")
    if sha256_of(path) != sha256:
        raise ConfigError(
            f"{what} at {path} does not match its sha256 {sha256[:12]}...: the file is damaged "
            "or a different version; reinstall paperqa-reader (`make install`)."
        )
    return path
