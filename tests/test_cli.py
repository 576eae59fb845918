"""The `paperqa` console script, run as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEEDS

pytestmark = pytest.mark.slow
SCRIPT = shutil.which("paperqa", path=str(Path(sys.executable).parent)) or "paperqa"


def run(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERQA_HOME": str(home), "COLUMNS": "200"}
    proc = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "cli-home"


def test_ingest_list_show_stats_remove(home: Path):
    out = run("ingest", str(SEEDS), home=home).stdout
    assert "29 added, 0 updated, 0 unchanged, 0 skipped" in out and "README.md" in out
    out = run("ingest", str(SEEDS), home=home).stdout
    assert "0 added, 0 updated, 29 unchanged" in out and "0 chunks embedded" in out
    refused = run("ingest", "--workers", "0", str(SEEDS), home=home, check=False)
    assert refused.returncode == 2 and "--workers" in refused.stderr
    assert "29 added" in run("reindex", "--workers", "2", home=home).stdout  # every paper re-embedded

    listed = [json.loads(line) for line in run("papers", "--json", home=home).stdout.splitlines()]
    assert len(listed) == 29 and listed[0]["date"] == "2025-12-22"
    tsv = run("papers", "--search", "sparse autoencoders", home=home).stdout
    assert "SAE-V" in tsv
    dated = [
        line.split("\t")[1] for line in run("papers", "--since", "2025-12", home=home).stdout.splitlines()
    ]
    assert dated and all(d.startswith("2025-12") for d in dated)
    through = run("papers", "--until", "2025", home=home).stdout.splitlines()  # through December
    assert len(through) == 29 and run("papers", "--since", "2026", home=home).stdout == ""

    shown = run("show", "CASAL", home=home).stdout
    assert "Hallucination reduction with CASAL" in shown and "8 authors" in shown
    assert json.loads(run("show", "--json", "SAE-V", home=home).stdout)["n_authors"] == 4

    stats = json.loads(run("stats", "--json", home=home).stdout)
    assert stats["papers"] == 29 and stats["embedding_model"] == "all-MiniLM-L6-v2-qint8-onnx"
    assert "Removed" in run("remove", "LegalVis", home=home).stdout
    assert json.loads(run("stats", "--json", home=home).stdout)["papers"] == 28


def test_exports_skip_entries_and_report_them_and_strict_refuses(home: Path, tmp_path: Path):
    exports = Path(__file__).parent / "data" / "exports"
    out = run("ingest", str(exports / "zotero.bib"), str(exports / "scopus.csv"), home=home).stdout
    assert "3 added" in out and "2 skipped" in out
    assert (
        f"Skipped 2 entries: 2 without an abstract ({exports / 'zotero.bib'}:37 luhring_handbook_2007, "
        f"{exports / 'scopus.csv'}:3 2-s2.0-85100000000)." in out
    )
    assert "repeats doi; the first value kept" in out
    shown = run("show", "Fact Recall in Language Models", home=home).stdout
    assert "2023-06" in shown and "Astrid Lindgren, Jörg Müller, Anna van der Berg" in shown
    assert "10.1038/s41467-023-00001-1" in shown and "Nature Communications" in shown
    strict = run("ingest", "--strict", str(exports / "scopus.bib"), home=home, check=False)
    assert (
        strict.returncode == 1
        and f"{exports / 'scopus.bib'}:26: entry 'Park2021' has no abstract" in strict.stderr
    )


def test_locations_are_printed_as_they_are(home: Path, tmp_path: Path):
    bib = tmp_path / "refs.bib"  # the console once turned "refs.bib:100:" into an emoji
    entries = "".join(f"@misc{{k{i},\n  title = {{T{i}}},\n  abstract = {{A.}}\n}}\n" for i in range(20))
    bib.write_text(entries + "\n" * (99 - entries.count("\n")) + "@misc{late,\n  title = {No abstract}\n}\n")
    err = run("ingest", "--strict", str(bib), home=home, check=False).stderr
    assert f"{bib}:100: entry 'late' has no abstract" in err and "💯" not in err


def test_bad_file_is_one_line_and_exit_1(home: Path, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok", "abstract": "fine"}\n{"title": \n')
    proc = run("ingest", str(bad), home=home, check=False)
    assert proc.returncode == 1
    assert f"{bad}:2: not valid JSON" in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(run("stats", "--json", home=home).stdout)["papers"] == 0
    skipped = run("ingest", "--skip-bad", str(bad), home=home).stdout
    assert "1 added" in skipped and f"skipped {bad}:2" in skipped


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nothing like this"], "No paper has the id or title"),
        (["remove", "nothing like this"], "No paper has the id or title"),
        (["summarize", "nothing like this"], "paperqa summarize --topic 'nothing like this'"),
        (["ingest", "/no/such/path.jsonl"], "no such file"),
        (["eval", "--questions", "/no/such/q.jsonl"], "no such question file"),
        (["eval", "--questions", str(Path(__file__)), "--limit", "1"], "test_cli.py:1: not valid JSON"),
        (
            ["eval", "--questions", str(SEEDS.parent / "evals/seed_questions.jsonl"), "--corpus", "/nope"],
            "--corpus",
        ),
    ],
)
def test_user_mistakes(home: Path, args: list[str], message: str):
    proc = run(*args, home=home, check=False)
    assert proc.returncode == 1 and message in proc.stderr and "Traceback" not in proc.stderr


def test_a_bad_date_is_a_usage_error_that_says_how_to_write_one(home: Path):
    proc = run("papers", "--since", "2024-13", home=home, check=False)
    assert proc.returncode == 2 and "write 2024, 2024-05 or 2024-05-17" in proc.stderr


def test_bad_setting_is_explained(home: Path):
    env_home = home
    proc = subprocess.run(
        [SCRIPT, "stats"],
        capture_output=True,
        text=True,
        env={**os.environ, "PAPERQA_HOME": str(env_home), "PAPERQA_CHUNKING__CHUNK_TOKENS": "five"},
    )
    assert proc.returncode == 1 and "chunking.chunk_tokens" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "command", ["", "ingest", "papers", "show", "remove", "stats", "reindex", "eval", "ask", "compare"]
)
def test_help(command: str, home: Path):
    out = run(*([command] if command else []), "--help", home=home).stdout
    assert "Usage" in out


def test_help_shows_brackets_literally(home: Path):
    assert "citing its papers [n]." in run("ask", "--help", home=home).stdout
    assert '"papers": [gold titles]' in " ".join(run("eval", "--help", home=home).stdout.split())


def test_brackets_in_titles_and_abstracts_are_printed_as_they_are(home: Path, tmp_path: Path):
    # rich markup would eat "[Re]" and "[MASK]" and crash on a closing tag such as "[/x]"
    title = "[Re] Probing [MASK] tokens [/x] of encoders"
    abstract = "We replicate a probing study. The [CLS] token and [/bold] masked tokens carry syntax."
    papers = tmp_path / "brackets.jsonl"
    papers.write_text(json.dumps({"title": title, "abstract": abstract}) + "\n")
    run("ingest", str(papers), home=home)
    shown = run("show", "[Re] Probing", home=home).stdout
    assert title in shown and abstract in shown
    assert title in run("search", "masked token probing", home=home).stdout


@pytest.fixture(scope="module")
def seed_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("cli-answers")
    run("ingest", str(SEEDS), home=home)
    return home


def test_ask_json_with_the_local_model(seed_home: Path):
    result = json.loads(
        run(
            "--mode", "rewrite", "ask", "--json", "How much does CASAL reduce hallucination?", home=seed_home
        ).stdout
    )
    assert result["backend"].startswith("local:SmolLM2")
    assert result["references"][0]["title"].startswith("Hallucination reduction with CASAL")
    assert all(s["citations"] for s in result["sentences"]) and result["usage"]["total_seconds"] > 0
    assert {"sentences", "references", "sources", "usage", "fallback", "not_in_library"} <= set(result)
    declined = run("ask", "What is the boiling point of ethanol?", home=seed_home).stdout
    assert (
        "The library has no paper that answers this question." in declined and "Nearest papers:" in declined
    )


def test_chat_follow_up_through_stdin(seed_home: Path):
    env = {**os.environ, "PAPERQA_HOME": str(seed_home)}
    script = "How much does CASAL reduce hallucination?\nWhat are its limitations?\n/quit\n"
    proc = subprocess.run(
        [SCRIPT, "chat"], input=script, capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("References:") == 2 and "Hallucination reduction with CASAL" in proc.stdout
    assert proc.stdout.count("[1] Hallucination reduction with CASAL") == 2  # same number in both turns


def test_compare_and_summarize_print(seed_home: Path):
    table = run("compare", "CASAL", "SAE-V", home=seed_home).stdout
    for aspect in ("Problem", "Approach", "Data / setting", "Key results", "Limitations"):
        assert aspect in table
    assert "SAE-V" in table and "CASAL" in table
    summary = json.loads(run("summarize", "--json", "--topic", "activation steering", home=seed_home).stdout)
    assert summary["sentences"] and all(s["citations"] for s in summary["sentences"])


def test_eval_end_to_end_with_the_local_model(tmp_path: Path):
    """One question of each kind through `paperqa eval`: files written, numbers sane, and the
    user's own library untouched."""
    questions = tmp_path / "q.jsonl"
    wanted = {"q01", "q25", "q30", "q36", "q41"}
    seed_questions = (SEEDS.parent / "evals" / "seed_questions.jsonl").read_text().splitlines()
    questions.write_text("\n".join(line for line in seed_questions if json.loads(line)["id"] in wanted))
    home, out = tmp_path / "user-home", tmp_path / "out"
    proc = run("eval", "--questions", str(questions), "--out", str(out), "--corpus", str(SEEDS), home=home)
    assert "recall@5 on single" in proc.stdout and "report.md" in proc.stdout
    data = json.loads((out / "results.json").read_text())
    by_id = {q["id"]: q for q in data["questions"]}
    assert set(by_id) == wanted
    assert by_id["q01"]["recall_at_5"] == 1.0 and not by_id["q01"]["declined"]
    assert by_id["q41"]["declined"]
    assert by_id["q30"]["task"] == "summarize" and by_id["q36"]["task"] == "compare"
    assert by_id["q36"]["gold_citations"] == by_id["q36"]["citations"] > 0
    assert data["summary"]["overall"]["cited_sentence_share"] == 1.0
    assert (out / "eval.png").stat().st_size > 10_000 and "## Targets" in (out / "report.md").read_text()
    assert not home.exists()


def test_show_a_pdf_names_its_file_and_its_keywords(home: Path):
    """A PDF has no line to point to: its source is the file alone (was "...pdf:None"); its
    keywords are its tags."""
    pdf = Path(__file__).parent / "data" / "pdf" / "real" / "peerj-cs-118.pdf"
    assert "1 added" in run("ingest", str(pdf), home=home).stdout
    shown = run("show", "VESPA", home=home).stdout
    assert f"source  {pdf}\n" in shown and ":None" not in shown
    assert "Selective pressure analysis" in shown and "Keywords" not in shown
