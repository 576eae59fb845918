"""Model and data files shipped with paperqa or its packages, checked by sha256 before use."""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path

from paperqa.errors import ConfigError

#: The embedded embedding model's name and vector size, as the index records them. Here, not
#: in `index.embeddings`, so opening a library to list its papers imports neither LangChain nor
#: onnxruntime.
#: ("all-MiniLM-L6-v2-int8-onnx" before its MatMuls ran in int8: a library built with it is
#: re-embedded by `paperqa reindex`.)
LOCAL_EMBEDDING_MODEL = "all-MiniLM-L6-v2-qint8-onnx"
#: What earlier paperqa called its embedded model in the index: a library built with one is told
#: to re-embed with `paperqa reindex` (the embedded model cannot be set back to it).
EARLIER_LOCAL_EMBEDDING_MODELS = frozenset({"all-MiniLM-L6-v2-int8-onnx"})
LOCAL_EMBEDDING_DIM = 384


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def checked_file(path: Path, sha256: str, what: str, fix: str = "") -> Path:
    """`path` once its hash is right (checked once per process), else a `ConfigError` (saying
    `fix` too, when given)."""
    if not path.is_file():
        raise ConfigError(f"{what} is missing at {path}: reinstall paperqa-reader (`make install`).")
    if sha256_of(path) != sha256:
        raise ConfigError(
            f"{what} at {path} does not match its sha256 {sha256[:12]}...: the file is damaged "
            f"or a different version; reinstall paperqa-reader (`make install`){fix}."
        )
    return path


#: The list of paperqa's own data files and their sha256, in `sha256sum` format, beside them
#: in `paperqa/data` (`sha256sum -c SHA256SUMS` checks an installation by hand).
SUMS = "SHA256SUMS"


def data_dir() -> Path:
    """`paperqa/data`: the models fitted here, the tokenizer files, their NOTICE."""
    return Path(str(resources.files("paperqa") / "data"))


def read_sums(path: Path) -> dict[str, str]:
    """File name -> sha256, from a `sha256sum` listing ("<sha256>  <name>" a line)."""
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            sha, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = sha
    return sums


def bundled_file(name: str) -> Path:
    """`paperqa/data/<name>` once its sha256 is the one `SHA256SUMS` records, else a
    `ConfigError`: a model refitted by `make ranker` (or `paragraphs`, `body-sentences`,
    `reader`) has its hash recorded by `make data-sums`, which those targets run."""
    sums = read_sums(data_dir() / SUMS)
    if name not in sums:
        raise ConfigError(f"paperqa/data/{SUMS} lists no {name}: run `make data-sums` after adding it.")
    return checked_file(
        data_dir() / name, sums[name], f"paperqa's {name}", ", or after refitting it run `make data-sums`"
    )
