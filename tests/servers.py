"""Real servers started by tests on 127.0.0.1, stopped when the test is done."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def running(cmd: list[str], ready_url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http(ready_url, proc, log)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def llama_server(model: Path, tmp: Path, embedding: bool = False) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server; yields its base URL (…/v1)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        "smollm2",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--verbose",
        "False",
        "--embedding",
        str(embedding),
    ]
    with running(cmd, f"http://127.0.0.1:{port}/v1/models", tmp / f"llama-server-{port}.log"):
        yield f"http://127.0.0.1:{port}/v1"


@contextlib.contextmanager
def chroma_server(tmp: Path) -> Iterator[str]:
    """`chroma run` (the server that ships with chromadb) on a temporary path; yields its URL."""
    port = free_port()
    cmd = [
        str(Path(sys.executable).with_name("chroma")),
        "run",
        "--path",
        str(tmp / f"chroma-server-{port}"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with running(cmd, f"http://127.0.0.1:{port}/api/v2/heartbeat", tmp / f"chroma-{port}.log"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def uvicorn_thread(app: object) -> Iterator[str]:
    """An ASGI app served by uvicorn in a thread on a free 127.0.0.1 port; yields its URL."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
