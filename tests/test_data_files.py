"""paperqa's own data files (the models fitted here, the tokenizer files) are checked by sha256
before use: `paperqa/data/SHA256SUMS` lists each one, and a file that does not match is refused
with how to fix it."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from paperqa.errors import ConfigError
from paperqa.index import assets
from paperqa.index.assets import SUMS, bundled_file, data_dir, read_sums, sha256_of
from paperqa.index.encoder import MiniLM


def test_every_shipped_data_file_is_listed_with_its_sha256() -> None:
    # a refit committed without `make data-sums` fails here, not on a user's machine
    sums = read_sums(data_dir() / SUMS)
    files = {p.name for p in data_dir().iterdir() if p.is_file() and p.name not in {SUMS, "NOTICE.md"}}
    assert set(sums) == files
    assert {name: sha256_of(data_dir() / name) for name in files} == sums


@pytest.mark.parametrize(
    "name", ["ranker.json", "body_sentences.json", "paragraphs.json", "common_stems.json"]
)
def test_a_changed_model_file_is_refused_with_how_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    for p in data_dir().iterdir():
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / name).write_text((tmp_path / name).read_text().replace("1", "2", 1))
    monkeypatch.setattr(assets, "data_dir", lambda: tmp_path)
    with pytest.raises(ConfigError, match=rf"{name} .*does not match its sha256.*make data-sums"):
        bundled_file(name)


def test_a_file_the_list_does_not_name_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / SUMS).write_text("")
    monkeypatch.setattr(assets, "data_dir", lambda: tmp_path)
    with pytest.raises(ConfigError, match="lists no ranker.json"):
        bundled_file("ranker.json")


def test_the_embedding_model_is_rebuilt_byte_for_byte_from_its_source(tmp_path: Path) -> None:
    # `make embedder`: the shipped model is what its recorded recipe makes of the package's file
    script = Path(__file__).resolve().parents[1] / "scripts" / "build_embedder.py"
    spec = importlib.util.spec_from_file_location("build_embedder", script)
    assert spec is not None and spec.loader is not None
    build_embedder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_embedder)
    built = build_embedder.build(tmp_path / build_embedder.OUT)
    import onnx
    import onnxruntime

    if {"onnxruntime": onnxruntime.__version__, "onnx": onnx.__version__} == build_embedder.BUILT_WITH:
        assert sha256_of(built) == read_sums(data_dir() / SUMS)[build_embedder.OUT]
    # whatever the versions, the rebuilt model embeds as the shipped one does
    texts = ["Sparse autoencoders find interpretable features.", "We fine-tune on 7.6 million pairs."]
    shipped = MiniLM(threads=1).embed(texts)
    rebuilt = MiniLM(threads=1, model=built).embed(texts)
    assert (shipped * rebuilt).sum(axis=1).min() > 0.9999
