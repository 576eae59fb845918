"""Hostile inputs, timed and weighed: what each costs now that every input is bounded.

- a 1.2 GB decompression bomb (.bib.gz of a few MB): refused, peak memory;
- a .bib whose one abstract is 15 MB of LaTeX: cut and read, seconds;
- EndNote XML with 40,000 records: read, seconds;
- a 2 MB earlier message and 20,000 reference lines sent to the OpenAI-compatible chat: seconds;
- POST /papers with 500,000 bad lines: status, report size, seconds.

    python benchmarks/bench_limits.py      # writes benchmarks/results/limits.json
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
import zlib
from pathlib import Path

import httpx
from _common import RESULTS, ROOT, header

sys.path.insert(0, str(ROOT))
from tests.servers import uvicorn_thread  # noqa: E402

from paperqa.errors import IngestError  # noqa: E402
from paperqa.ingest.loaders import load_paths  # noqa: E402
from paperqa.interfaces.openai_compat import ChatMessage, conversation_from  # noqa: E402
from paperqa.interfaces.server import create_app  # noqa: E402
from paperqa.library import Library  # noqa: E402
from paperqa.settings import Settings  # noqa: E402

ENTRY = "@article{{k{n},\n  title = {{Paper number {n}}},\n  abstract = {{We study {n} things.}},\n}}\n"


def timed(fn):  # type: ignore[no-untyped-def]
    """(result, seconds, peak MB): timed on a plain run, the peak Python allocation on a
    second, traced run (tracing slows code with many small allocations tenfold)."""
    started = time.perf_counter()
    result = _run(fn)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    _run(fn)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, round(seconds, 2), round(peak / 1024**2, 1)


def _run(fn):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except IngestError as exc:
        return f"refused: {exc.reason[:100]}"


def main() -> None:
    out: dict[str, object] = header("bench_limits.py")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        block = (ENTRY.format(n=1) * 20_000).encode()[: 1 << 20]
        squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        bomb = tmp / "bomb.bib.gz"
        with bomb.open("wb") as f:
            for _ in range(1200):
                f.write(squeeze.compress(block))
            f.write(squeeze.flush())
        said, seconds, peak = timed(lambda: load_paths([bomb]))
        out["gz_bomb"] = {"file_mb": round(bomb.stat().st_size / 1024**2, 1), "expands_to_mb": 1200,
                          "result": said, "seconds": seconds, "peak_mb": peak}  # fmt: skip

        huge = tmp / "huge.bib"
        text = "We study $x^2$ and \\emph{things}. " * 450_000
        huge.write_text("@article{big,\n  title = {A big one},\n  abstract = {" + text + "},\n}\n")
        loaded, seconds, peak = timed(lambda: load_paths([huge]))
        out["abstract_15mb"] = {
            "seconds": seconds,
            "peak_mb": peak,
            "kept_chars": len(loaded.papers[0].abstract),
        }

        record = (
            "<record><titles><title>Paper {n}</title></titles>\n<abstract>We study {n}.</abstract></record>\n"
        )
        xml = tmp / "library.xml"
        xml.write_text(
            "<xml><records>\n" + "".join(record.format(n=n) for n in range(40_000)) + "</records></xml>\n"
        )
        loaded, seconds, peak = timed(lambda: load_paths([xml]))
        out["endnote_40k"] = {"papers": len(loaded.papers), "seconds": seconds, "peak_mb": peak}

        library = Library(Settings(home=tmp / "lib"))
        library.ingest([ROOT / "seeds"])
        library.ask("warm up: what is CASAL?")
        messages = [
            ChatMessage(role="user", content="x " * 1_000_000),
            ChatMessage(role="assistant", content="ok"),
            ChatMessage(role="user", content="What are its limits?"),
        ]
        started = time.perf_counter()
        library.ask("What are its limits?", conversation=conversation_from(messages, library))
        out["earlier_message_2mb_seconds"] = round(time.perf_counter() - started, 2)
        refs = "\n".join(f"[{i}] A title {i} (2024)" for i in range(20_000))
        messages[0] = ChatMessage(role="user", content="What is CASAL?")
        messages[1] = ChatMessage(role="assistant", content="It is X [1].\nReferences:\n" + refs)
        started = time.perf_counter()
        conversation_from(messages, library)
        out["reference_lines_20k_seconds"] = round(time.perf_counter() - started, 2)

        with uvicorn_thread(
            create_app(Library(Settings(home=tmp / "up"), embedder=library.embedder))
        ) as base:
            bad = b'{"title": ""}\n' * 500_000
            started = time.perf_counter()
            r = httpx.post(f"{base}/papers", files=[("files", ("bad.jsonl", bad))], timeout=300)
            out["bad_lines_500k"] = {"status": r.status_code, "report_kb": round(len(r.content) / 1024, 1),
                                     "seconds": round(time.perf_counter() - started, 2)}  # fmt: skip
    print(json.dumps(out, indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "limits.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
