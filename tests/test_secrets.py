"""API keys never appear in output, errors, settings dumps or the app's page."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from paperqa.interfaces.render import status_markdown
from paperqa.library import Library
from paperqa.settings import Settings

from .conftest import SEEDS
from .servers import free_port
from .test_cli import SCRIPT

pytestmark = pytest.mark.slow
SECRET = "sk-test-DO-NOT-PRINT-5e1f0c"


def test_key_is_hidden_in_settings_and_app_status(seed_library: Library, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAPERQA_LLM__BACKEND", "openai")
    monkeypatch.setenv("PAPERQA_LLM__API_KEY", SECRET)
    monkeypatch.setenv("PAPERQA_EMBEDDING__API_KEY", SECRET)
    settings = Settings(home=seed_library.settings.home)
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())
    assert SECRET not in settings.model_dump_json()
    library = Library(settings, embedder=seed_library.embedder)
    assert SECRET not in status_markdown(library)


def test_key_is_not_in_cli_errors_when_the_server_is_down(tmp_path: Path):
    home = tmp_path / "home"
    env = {**os.environ, "PAPERQA_HOME": str(home)}
    subprocess.run([SCRIPT, "ingest", str(SEEDS)], env=env, check=True, capture_output=True)
    env |= {
        "PAPERQA_LLM__BACKEND": "openai",
        "PAPERQA_LLM__BASE_URL": f"http://127.0.0.1:{free_port()}/v1",  # nothing listens there
        "OPENAI_API_KEY": SECRET,
    }
    proc = subprocess.run(
        [SCRIPT, "ask", "How much does CASAL reduce hallucination?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "chat model" in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
