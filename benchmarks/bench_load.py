"""Concurrent users against the app's API: every request completes, no session sees another's.

Starts `paperqa app` (or with --api, `paperqa serve`, used through its OpenAI-compatible
endpoint by the official `openai` client, each user keeping its own message list) on a
free 127.0.0.1 port over a seed library (or uses --url), then
--users simulated users, each its own gradio_client session, ask at the same time: a
question naming one seed paper, then --turns - 1 follow-ups ("What are its main results?")
that only make sense within that user's conversation. Reports errors, throughput and
latency p50 / p95, and whether every follow-up was answered from the user's own paper.

    python benchmarks/bench_load.py --users 8 --turns 2     # writes benchmarks/results/load.json
    python benchmarks/bench_load.py --users 8 --turns 2 --api   # writes benchmarks/results/load-api.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, ROOT, header  # noqa: E402

# (name in the question, words of its title that the sources panel must show)
PAPERS = [
    ("CASAL", "Hallucination reduction with CASAL"),
    ("the FIND benchmark", "A Function Interpretation Benchmark"),
    ("SAE-V", "SAE-V"),
    ("LegalVis", "LegalVis"),
    ("TorchEsegeta", "TorchEsegeta"),
    ("GCAV", "GCAV"),
    ("TimeX", "Encoding Time-Series Explanations"),
    ("the Hyperdimensional Probe", "Hyperdimensional Probe"),
]
FOLLOW_UPS = ["What are its main results?", "What are its limitations?", "What data does it use?"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(
    home: Path, *args: str, env: dict[str, str] | None = None, command: str = "app"
) -> tuple[subprocess.Popen[bytes], str]:
    """`paperqa app` (or `serve`) over the seed papers on a free port (extra `args` such as --host)."""
    env = {**os.environ, **(env or {}), "PAPERQA_HOME": str(home), "GRADIO_ANALYTICS_ENABLED": "False"}
    script = str(Path(sys.executable).with_name("paperqa"))
    subprocess.run([script, "ingest", str(ROOT / "seeds")], env=env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [script, command, "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # the app at /app (`serve` also has the API at /); /healthz answers once either is up
    root = f"http://127.0.0.1:{port}/"
    url = root if command == "serve" else f"{root}app/"
    ready = f"{root}healthz"
    import urllib.request

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(ready, timeout=2)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the app exited at start") from None
            time.sleep(0.5)
    proc.kill()
    raise TimeoutError("the app did not start in 180 s")


def user(i: int, url: str, turns: int, barrier: threading.Barrier, out: dict[int, dict[str, object]]) -> None:
    from gradio_client import Client

    name, title = PAPERS[i % len(PAPERS)]
    record: dict[str, object] = {"paper": name, "latencies": [], "errors": [], "own_paper_every_turn": True}
    out[i] = record
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 (a load test records every failure)
        record["errors"].append(f"connect: {exc}")  # type: ignore[attr-defined]
        return
    history: list[object] = []
    barrier.wait()
    for turn in range(turns):
        question = f"What does {name} do?" if turn == 0 else FOLLOW_UPS[(turn - 1) % len(FOLLOW_UPS)]
        t = time.perf_counter()
        try:
            history, _, sources = client.predict(question, history, "local", api_name="/ask")
        except Exception as exc:  # noqa: BLE001
            record["errors"].append(f"turn {turn + 1}: {type(exc).__name__}: {exc}")  # type: ignore[attr-defined]
            continue
        record["latencies"].append(time.perf_counter() - t)  # type: ignore[attr-defined]
        asked = [text_of(m["content"]) for m in history if m["role"] == "user"]  # type: ignore[index]
        if title not in str(sources) or len(asked) != turn + 1:
            record["own_paper_every_turn"] = False
            record.setdefault("off_paper", []).append(  # type: ignore[union-attr]
                {"turn": turn + 1, "question": question, "asked": len(asked), "sources": str(sources)[:300]}
            )
        record["user_messages"] = asked


def api_user(
    i: int, url: str, turns: int, barrier: threading.Barrier, out: dict[int, dict[str, object]]
) -> None:
    """One user of the OpenAI-compatible endpoint, with its own conversation."""
    from openai import OpenAI

    name, title = PAPERS[i % len(PAPERS)]
    record: dict[str, object] = {"paper": name, "latencies": [], "errors": [], "own_paper_every_turn": True}
    out[i] = record
    client = OpenAI(base_url=f"{url.rstrip('/')}/v1", api_key="unused", timeout=900, max_retries=0)
    messages: list[dict[str, str]] = []
    barrier.wait()
    for turn in range(turns):
        question = f"What does {name} do?" if turn == 0 else FOLLOW_UPS[(turn - 1) % len(FOLLOW_UPS)]
        messages.append({"role": "user", "content": question})
        t = time.perf_counter()
        try:
            reply = client.chat.completions.create(model="paperqa", messages=messages)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001
            record["errors"].append(f"turn {turn + 1}: {type(exc).__name__}: {exc}")  # type: ignore[attr-defined]
            continue
        record["latencies"].append(time.perf_counter() - t)  # type: ignore[attr-defined]
        messages.append({"role": "assistant", "content": reply.choices[0].message.content or ""})
        refs = (reply.model_extra or {}).get("paperqa", {}).get("references", [])
        if not any(title in r["title"] for r in refs):
            record["own_paper_every_turn"] = False
            record.setdefault("off_paper", []).append(  # type: ignore[union-attr]
                {"turn": turn + 1, "question": question, "cited": [r["title"][:60] for r in refs]}
            )
        record["user_messages"] = [m["content"] for m in messages if m["role"] == "user"]


def text_of(content: object) -> str:
    """A chat message's text: Gradio sends a string or a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list):
        return " ".join(text_of(part) for part in content)
    return str(content)


def run(url: str, users: int, turns: int, api: bool = False) -> dict[str, object]:
    out: dict[int, dict[str, object]] = {}
    barrier = threading.Barrier(users)
    target = api_user if api else user
    threads = [threading.Thread(target=target, args=(i, url, turns, barrier, out)) for i in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies = sorted(x for r in out.values() for x in r["latencies"])  # type: ignore[attr-defined]
    errors = [e for r in out.values() for e in r["errors"]]  # type: ignore[attr-defined]

    def pct(q: float) -> float | None:
        return (
            round(latencies[min(len(latencies) - 1, int(round(q * (len(latencies) - 1))))], 2)
            if latencies
            else None
        )

    return {
        "users": users,
        "turns_per_user": turns,
        "requests": users * turns,
        "completed": len(latencies),
        "errors": errors,
        "every_follow_up_answered_from_own_paper": all(r["own_paper_every_turn"] for r in out.values()),
        "sessions_with_foreign_messages": sum(
            any(m not in (f"What does {r['paper']} do?", *FOLLOW_UPS) for m in r.get("user_messages", []))  # type: ignore[attr-defined]
            for r in out.values()
        ),
        "off_paper_turns": [
            {"paper": r["paper"], **x}
            for r in out.values()
            for x in r.get("off_paper", [])  # type: ignore[attr-defined]
        ],
        "wall_seconds": round(wall, 1),
        "throughput_requests_per_s": round(len(latencies) / wall, 3),
        "latency_p50_s": pct(0.5),
        "latency_p95_s": pct(0.95),
        "latency_max_s": round(latencies[-1], 2) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--url", help="a running paperqa app (default: start one over the seed papers)")
    parser.add_argument(
        "--api", action="store_true", help="`paperqa serve` through its OpenAI-compatible /v1"
    )
    parser.add_argument("--out", type=Path, default=None, help="default: results/load.json (load-api.json)")
    args = parser.parse_args()
    out_path = args.out or RESULTS / ("load-api.json" if args.api else "load.json")
    proc = None
    if args.url:
        url = args.url
    else:
        home = Path(tempfile.mkdtemp(prefix="paperqa-load-")) / "home"
        proc, url = start_app(home, command="serve" if args.api else "app")
    try:
        result = {**header("bench_load.py"), "mode": "api" if args.api else "app"}
        result.update(run(url, args.users, args.turns, api=args.api))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
