"""Every test gets its own data directory; nothing touches the real home or the network."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperqa.index.embeddings import LocalEmbedder
from paperqa.library import Library
from paperqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_8d821f161facb605.txt"
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("PAPERQA_") or name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PAPERQA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def embedder() -> LocalEmbedder:
    """The real local embedder, loaded once for the whole run."""
    return LocalEmbedder()


@pytest.fixture
def library(tmp_path: Path, embedder: LocalEmbedder) -> Library:
    """An empty library in this test's temporary directory, with the real embedder."""
    return Library(Settings(home=tmp_path / "lib"), embedder=embedder)


@pytest.fixture(scope="session")
def _seed_home(tmp_path_factory: pytest.TempPathFactory, embedder: LocalEmbedder) -> Path:
    home = tmp_path_factory.mktemp("seed-lib")
    Library(Settings(home=home), embedder=embedder).ingest([SEEDS])
    return home


@pytest.fixture
def seed_library(_seed_home: Path, tmp_path: Path, embedder: LocalEmbedder) -> Iterator[Library]:
    """A library holding the 29 seed papers (a copy of one ingested once per run)."""
    home = tmp_path / "seed-lib"
    shutil.copytree(_seed_home, home)
    yield Library(Settings(home=home), embedder=embedder)
