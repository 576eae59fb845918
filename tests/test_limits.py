"""Every input bounded in time and memory: files built on the fly (none committed), each
refused or cut with an error that names the limit, within a memory budget and a time budget
loose enough for a busy 2-core machine (about four times the measured time; what was slow
took minutes: the numbers are in benchmarks/RESULTS.md, `python benchmarks/bench_limits.py`)."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from paperqa.errors import IngestError
from paperqa.ingest.loaders import load_paths
from paperqa.ingest.loaders.common import read_bytes
from paperqa.settings import LimitsSettings

ENTRY = "@article{{k{n},\n  title = {{Paper number {n}}},\n  abstract = {{We study {n} things.}},\n}}\n"


def bomb(path: Path, expanded_mb: int) -> Path:
    """A .gz of repeated BibTeX that expands to `expanded_mb` megabytes (about a thousand times
    its own size), written as it is compressed."""
    block = (ENTRY.format(n=1) * 20_000).encode()[: 1 << 20]
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with path.open("wb") as f:
        for _ in range(expanded_mb):
            f.write(squeeze.compress(block))
        f.write(squeeze.flush())
    return path


def test_a_decompression_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    path = bomb(tmp_path / "refs.bib.gz", 1200)
    assert path.stat().st_size < 8 * 1024**2
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(IngestError, match=r"expands to more than .*decompressed_mb"):
        load_paths([path])
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200 * 1024**2, f"peak {peak / 1024**2:.0f} MB"
    assert seconds < 30


def test_the_gz_suffix_is_read_in_any_case(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib.GZ"
    path.write_bytes(gzip.compress(ENTRY.format(n=7).encode()))
    assert [p.title for p in load_paths([path]).papers] == ["Paper number 7"]


def test_a_file_over_the_size_limit_names_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(ENTRY.format(n=1) * 50_000)
    with pytest.raises(IngestError, match="PAPERQA_LIMITS__FILE_MB"):
        read_bytes(path, LimitsSettings(file_mb=1))


def test_one_huge_abstract_is_cut_and_reported_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "huge.bib"
    huge = "We study $x^2$ and \\emph{things}. " * 450_000  # 15 MB of LaTeX
    path.write_text(
        "@article{big,\n  title = {A big one},\n  abstract = {" + huge + "},\n}\n" + ENTRY.format(n=2)
    )
    started = time.perf_counter()
    loaded = load_paths([path])
    assert time.perf_counter() - started < 20
    big = next(p for p in loaded.papers if p.title == "A big one")
    assert len(big.abstract) <= LimitsSettings().field_chars + 10 and big.abstract.endswith("[...]")
    assert any("limits.field_chars" in w for w in loaded.warnings)
    assert any(p.title == "Paper number 2" for p in loaded.papers)  # the rest of the file is kept


def test_endnote_xml_with_40k_records_reads_in_seconds(tmp_path: Path) -> None:
    record = (
        "<record><rec-number>{n}</rec-number><titles><title>Paper {n}</title></titles>\n"
        "<abstract>We study {n} things in depth.</abstract></record>\n"
    )
    path = tmp_path / "library.xml"
    path.write_text(
        "<xml><records>\n" + "".join(record.format(n=n) for n in range(40_000)) + "</records></xml>\n"
    )
    started = time.perf_counter()
    loaded = load_paths([path])
    assert time.perf_counter() - started < 20
    assert len(loaded.papers) == 40_000
    assert loaded.papers[-1].source is not None and loaded.papers[-1].source.line == 2 * 40_000


def test_records_past_the_limit_are_not_read_and_said_so(tmp_path: Path) -> None:
    path = tmp_path / "many.bib"
    path.write_text("".join(ENTRY.format(n=n) for n in range(30)))
    from paperqa.ingest.loaders import load_file

    items = list(load_file(path, limits=LimitsSettings(records=10)))
    papers = [i for i in items if hasattr(i, "title")]
    assert len(papers) == 10
    assert "limits.records" in items[-1].message  # type: ignore[union-attr]


@pytest.fixture
def server(tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    from paperqa.interfaces.server import create_app
    from paperqa.library import Library
    from paperqa.settings import Settings

    from .servers import uvicorn_thread

    with uvicorn_thread(create_app(Library(Settings(home=tmp_path / "lib"), embedder=embedder))) as base:
        yield base


@pytest.mark.slow
def test_an_upload_of_500k_bad_lines_gets_a_small_report(server: str, tmp_path: Path) -> None:
    import httpx

    bad = b'{"title": ""}\n' * 500_000
    started = time.perf_counter()
    r = httpx.post(f"{server}/papers", files=[("files", ("bad.jsonl", bad))], timeout=120)
    assert r.status_code == 200, r.text[:300]
    assert len(r.content) < 100_000, len(r.content)
    report = r.json()
    assert sum(report["skipped_counts"].values()) == 500_000
    assert all(
        "/tmp" not in s["location"] and s["location"].startswith("bad.jsonl") for s in report["skipped"]
    )
    assert time.perf_counter() - started < 60


@pytest.mark.slow
@pytest.mark.parametrize("name", ["..", ".", ""])
def test_an_upload_named_like_a_folder_is_read_not_a_server_error(server: str, name: str) -> None:
    import httpx

    r = httpx.post(f"{server}/papers", files=[("files", (name, ENTRY.format(n=3).encode()))], timeout=60)
    assert r.status_code < 500, r.text[:300]  # an empty name is a plain form field: 422
    assert "Traceback" not in r.text


def test_a_title_lookup_is_linear_in_the_question_s_words() -> None:
    from paperqa.retrieval.names import NameIndex
    from paperqa.types import Paper

    papers = [
        Paper(id=f"p{i}", title=f"A Study of Thing {i} in Many Words: part", abstract="X.")
        for i in range(2000)
    ]
    index = NameIndex.build(papers)
    started = time.perf_counter()
    assert index.named(" ".join(["a"] * 1000) + " a study of thing 7 in many words") == ["p7"]
    index.named(" ".join(f"word{i}" for i in range(20_000)))
    assert time.perf_counter() - started < 5  # was cubic: 2,000 words took 21 s


@pytest.mark.slow
def test_earlier_messages_are_bounded(seed_library) -> None:  # type: ignore[no-untyped-def]
    from paperqa.interfaces.openai_compat import MAX_REFERENCES, ChatMessage, conversation_from

    def messages(earlier: str, reply: str) -> list[ChatMessage]:
        return [
            ChatMessage(role="user", content=earlier),
            ChatMessage(role="assistant", content=reply),
            ChatMessage(role="user", content="What are its limits?"),
        ]

    started = time.perf_counter()
    huge = conversation_from(messages("x " * 1_000_000, "ok"), seed_library)  # 2 MB
    assert not huge.turns  # over limits.conversation_chars: dropped, not read
    refs = "\n".join(f"[{i}] A title {i} (2024)" for i in range(20_000))
    many = conversation_from(
        messages("What is CASAL?", "It is X [1].\nReferences:\n" + refs[:15_000]), seed_library
    )
    assert len(many.turns) == 1 and len(many.turns[0].references) <= MAX_REFERENCES
    assert time.perf_counter() - started < 20


# --- what leaves paperqa: exports and the terminal ----------------------------------------


def _table_answer(title: str, column: str, cell: str):  # type: ignore[no-untyped-def]
    from paperqa.types import Answer, CitedSentence, ComparisonRow, Paper, Reference, Source

    paper = Paper(id="p1", title=title, abstract="We study things.")
    return Answer(
        task="table",
        question="Table",
        text="Overview <script>alert(1)</script> [1].",
        sentences=[],
        references=[Reference(number=1, paper_id="p1", title=title, url="https://x.org/a>b")],
        sources=[Source(number=1, paper=paper, passages=[], text=paper.abstract)],
        comparison=[ComparisonRow(aspect=column, cells=[CitedSentence(text=cell, citations=[1])])],
        backend="none",
    )


def test_csv_cells_that_would_run_as_formulas_start_with_a_quote() -> None:
    import csv
    import io

    from paperqa.interfaces.export import to_csv

    answer = _table_answer('=HYPERLINK("http://evil","x")', "=cmd|' /C calc'!A0", "-2+3")
    header, row = list(csv.reader(io.StringIO(to_csv(answer))))
    assert header[-1] == "'=cmd|' /C calc'!A0"
    assert row[2] == '\'=HYPERLINK("http://evil","x")' and row[-1].startswith("'-2+3")
    assert not any(c.startswith(("=", "+", "-", "@")) for c in header + row)


def test_markdown_exports_carry_no_raw_html() -> None:
    from paperqa.interfaces.export import to_markdown

    text = to_markdown(_table_answer("<img src=x onerror=alert(1)>", "dataset", "<b>bold</b>"))
    assert "<img" not in text and "<script>" not in text and "<b>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_control_characters_are_removed_at_ingest_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "evil.bib"
    title = "Title\x1b]0;pwned\x07 with \x1b[31mcolour"
    path.write_text("@article{e,\n  title = {" + title + "},\n  abstract = {We \x1b[2J study.},\n}\n")
    loaded = load_paths([path])
    (paper,) = loaded.papers
    assert "\x1b" not in paper.title + paper.abstract and "\x07" not in paper.title
    assert any("control characters" in w for w in loaded.warnings)


def test_a_stored_title_with_an_escape_is_never_printed_raw(tmp_path: Path) -> None:
    import subprocess
    import sys

    from paperqa.types import Paper

    assert Paper(id="x", title="A\x1b[31m B", abstract="C\x9b D").model_dump()["title"] == "A[31m B"
    env = {"PAPERQA_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    path = tmp_path / "evil.jsonl"
    path.write_text(
        '{"title": "Evil \\u001b]0;pwned\\u0007 title", "abstract": "We study \\u001b[31m things."}\n'
    )
    cli = [sys.executable, "-m", "paperqa.interfaces.cli"]
    subprocess.run([*cli, "ingest", str(path)], env=env, check=True, capture_output=True)
    for command in (["papers"], ["show", "Evil"], ["search", "things"]):
        shown = subprocess.run([*cli, *command], env=env, check=True, capture_output=True).stdout
        assert b"\x1b" not in shown and b"\x07" not in shown, command
