"""Eight users at once through the app's API (gradio_client), against a real `paperqa app`."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow
SCRIPT = ROOT / "benchmarks" / "bench_load.py"


def load_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_load", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = load_module().start_app(tmp_path_factory.mktemp("load") / "home")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_eight_concurrent_users_complete_without_mixing_sessions(app_url: str, tmp_path: Path):
    out = tmp_path / "load.json"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--url", app_url, "--users", "8", "--turns", "2", "--out", str(out)],
        check=True,
        timeout=900,
    )
    result = json.loads(out.read_text())
    assert result["errors"] == [] and result["completed"] == result["requests"] == 16
    assert result["every_follow_up_answered_from_own_paper"]
    assert result["sessions_with_foreign_messages"] == 0


def test_api_limits_are_clear_errors(app_url: str):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    with pytest.raises(Exception, match="limit is 2,000"):
        client.predict("why? " * 500, [], "local", api_name="/ask")
    with pytest.raises(Exception, match="Type a question first"):
        client.predict("   ", [], "local", api_name="/ask")


def test_too_many_files_in_one_upload_is_refused(app_url: str, tmp_path: Path):
    from gradio_client import Client, handle_file

    files = []
    for i in range(21):
        path = tmp_path / f"p{i}.jsonl"
        path.write_text(json.dumps({"title": f"Paper {i}", "abstract": "An abstract."}) + "\n")
        files.append(handle_file(str(path)))
    client = Client(app_url, verbose=False)
    with pytest.raises(Exception, match="Upload at most 20 files"):
        client.predict(files, api_name="/upload")
    status = client.predict(files[:1], api_name="/upload")
    assert "1 added" in status


def test_other_addresses_need_a_password_and_get_a_login(tmp_path: Path):
    from gradio_client import Client

    module = load_module()
    script = str(Path(sys.executable).with_name("paperqa"))
    env = {**os.environ, "PAPERQA_HOME": str(tmp_path / "h")}
    env.pop("PAPERQA_APP_PASSWORD", None)
    refused = subprocess.run(
        [script, "app", "--host", "0.0.0.0", "--port", str(module.free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "PAPERQA_APP_PASSWORD" in refused.stderr
    assert "Traceback" not in refused.stderr

    password = "correct horse battery"
    proc, url = module.start_app(
        tmp_path / "home", "--host", "0.0.0.0", env={"PAPERQA_APP_PASSWORD": password}
    )
    try:
        with pytest.raises(Exception, match="credentials were not provided"):
            Client(url, verbose=False)
        client = Client(url, auth=("paperqa", password), verbose=False)
        result = client.predict("What does CASAL reduce?", [], "local", api_name="/ask")
        assert "CASAL" in str(result)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
