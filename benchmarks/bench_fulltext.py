"""Whole papers: what reading PDFs and full texts costs, and how well PDFs are read.

- PDF text: every typeset fixture (tests/data/pdf/, `make pdf-fixtures`: QASPER dev papers in
  one and two columns) read and compared with its source (paragraph F1, headings found,
  running lines inside paragraphs, title); pages and papers read per second (PDF parsing only).
- Ingest: QASPER full-text dev (98 whole papers, ../shared/data/qasper_fulltext) into a new
  library: papers and chunks per second (embedding included), as JSON Lines with sections.
- Retrieval over that library (320 dev questions): p50 / p95 ms, over the whole library and
  restricted to the question's paper.
- An ask restricted to the paper (quote mode, the embedded defaults): p50 / p95 s.

Answer quality on whole papers is `make eval` (evals/qasper-fulltext-dev).

    python benchmarks/bench_fulltext.py [--questions N]     # writes benchmarks/results/fulltext.json
    python benchmarks/bench_fulltext.py --scale 1000        # writes benchmarks/results/fulltext-1000.json
    python benchmarks/bench_fulltext.py --scale 1000 --pdf --workers 2 [--busy 2]

`--scale N`: the cost at a field's size. Only 312 whole papers are offline here (QASPER full
text, train and dev); N papers are made of them, each again under a new id and title after the
first time ("<title> [copy 2]"), so the chunks, not the words, are new. Ingest (papers/s,
chunks/s, peak memory), retrieval over the library and restricted to a paper, and an ask
restricted to a paper (quote mode), for the dev questions of the first copies.

`--pdf`: the N papers typeset as two-column PDFs (LaTeX, as `make pdf-fixtures` makes them;
rendered once into benchmarks/out/pdf-scale-v2/, ~0.25 s a paper, needs Debian's texlive) and the
folder ingested as a user would, `paperqa ingest folder/`: reading the PDFs included.
`--workers W`: the embedding model's `embedding.workers` (default: the CPUs less one).
`--busy B`: B busy loops in other processes for the whole ingest (a laptop in use).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
from _common import RESULTS, ROOT, header

from paperqa.evals.pdftext import score
from paperqa.ingest.loaders.pdf import read_pdf
from paperqa.library import Library
from paperqa.retrieval.hybrid import Retriever
from paperqa.settings import LimitsSettings, Settings

FULLTEXT = ROOT.parent / "shared" / "data" / "qasper_fulltext"
PDFS = ROOT / "tests" / "data" / "pdf"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def pdf_text(rounds: int) -> dict[str, object]:
    files = sorted(PDFS.glob("*-column.pdf"))
    per_file = {}
    for pdf in files:
        source = json.loads((PDFS / f"{pdf.name.split('-')[0]}.json").read_text(encoding="utf-8"))
        with pdfium.PdfDocument(pdf) as doc:
            pages = len(doc)
        per_file[pdf.stem] = {"pages": pages, **score(read_pdf(pdf, LimitsSettings()), source, pages)}
    started = time.perf_counter()
    for _ in range(rounds):
        for pdf in files:
            read_pdf(pdf, LimitsSettings())
    seconds = time.perf_counter() - started
    pages = sum(int(v["pages"]) for v in per_file.values()) * rounds
    leaks = sum(int(v["paragraphs_with_running_lines"]) for v in per_file.values())
    return {
        "files": per_file,
        "paragraph_f1_min": min(float(v["paragraph_f1"]) for v in per_file.values()),
        "headings_found_min": min(float(v["headings_found"]) for v in per_file.values()),
        "running_lines_in_paragraphs": leaks,
        "papers_per_second": round(len(files) * rounds / seconds, 1),
        "pages_per_second": round(pages / seconds, 1),
    }


def scaled_papers(n: int, marked_first: bool = False) -> list[dict]:
    """`n` whole papers: QASPER full text's 312, then again as copies under new ids and titles
    ("<title> [copy 2]"; "Copy 2: <title>" with `marked_first`, as the PDFs were rendered when
    a title's second line of short words alone, "2]", was not read as the title's)."""
    originals = [
        json.loads(line) for split in ("dev", "train") for line in (FULLTEXT / f"{split}_papers.jsonl").open()
    ]
    papers = []
    for i, paper in enumerate(itertools.islice(itertools.cycle(originals), n)):
        copy = i // len(originals)
        if copy:
            title = (
                f"Copy {copy + 1}: {paper['title']}"
                if marked_first
                else f"{paper['title']} [copy {copy + 1}]"
            )
            paper = {**paper, "id": f"{paper['id']}-copy{copy + 1}", "title": title}
        papers.append(paper)
    return papers


def scaled(n: int, out: Path) -> None:
    """`n` whole papers as JSON Lines in `out`."""
    with out.open("w", encoding="utf-8") as f:
        for paper in scaled_papers(n):
            f.write(json.dumps(paper) + "\n")


def scaled_pdfs(n: int) -> Path:
    """A folder holding just `n` of the papers as two-column PDFs (rendered once, kept). A
    paper LaTeX cannot typeset (a few train papers' characters) is left out, and the next taken."""
    sys.path.insert(0, str(ROOT / "scripts" / "pdf"))
    from render_fixtures import render

    rendered = ROOT / "benchmarks" / "out" / "pdf-scale-v2"
    rendered.mkdir(parents=True, exist_ok=True)
    failed_list = rendered / "not-typeset.txt"
    failed = set(failed_list.read_text().split()) if failed_list.exists() else set()
    folder = Path(tempfile.mkdtemp(prefix="paperqa-pdfs-"))
    taken = 0
    for paper in scaled_papers(2 * n, marked_first=True):
        pdf = rendered / f"{paper['id']}-two-column.pdf"
        if paper["id"].split("-copy")[0] in failed:
            continue
        if not pdf.exists():
            try:
                render(paper, True, rendered)
            except subprocess.CalledProcessError:
                failed.add(paper["id"])
                failed_list.write_text("\n".join(sorted(failed)) + "\n")
                continue
        (folder / pdf.name).symlink_to(pdf)
        taken += 1
        if taken == n:
            break
    return folder


def spin() -> None:
    while True:
        pass


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (Linux /proc: user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(library: Library, questions: list[dict[str, str]]) -> dict[str, object]:
    """Retrieval p50 / p95 over the library and restricted to each question's paper, and an ask
    restricted to the paper (the embedded defaults: quote mode)."""
    retriever = Retriever(library.store, library.embedder, library.settings.retrieval)
    retriever.retrieve("warm up")
    timings: dict[str, list[float]] = {"library": [], "paper": [], "ask": []}
    for q in questions:
        pid = f"arxiv:{q['paper_id']}"
        t = time.perf_counter()
        retriever.retrieve(q["question"])
        timings["library"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        retriever.retrieve(q["question"], paper_ids=[pid])
        timings["paper"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        library.ask(q["question"], paper_ids=[pid])
        timings["ask"].append(time.perf_counter() - t)
    return {
        "retrieval_ms": {
            scope: {"p50": round(statistics.median(v), 1), "p95": round(percentile(v, 0.95), 1)}
            for scope, v in timings.items()
            if scope != "ask"
        },
        "ask_paper_seconds": {
            "p50": round(statistics.median(timings["ask"]), 3),
            "p95": round(percentile(timings["ask"], 0.95), 3),
            "questions": len(questions),
        },
    }


def ingest(library: Library, path: Path) -> dict[str, object]:
    started = time.perf_counter()
    report = library.ingest([path])
    seconds = time.perf_counter() - started
    papers, chunks = library.store.counts()
    return {
        "papers": papers,
        "chunks": chunks,
        "seconds": round(seconds, 1),
        "papers_per_second": round(len(report.added) / seconds, 2),
        "chunks_per_second": round(report.chunks_added / seconds, 1),
    }


def scale(n: int, questions: list[dict[str, str]], pdf: bool, workers: int | None, busy: int) -> None:
    chosen = [("pdf", pdf), (f"workers {workers}", workers), (f"busy {busy}", busy)]
    options = [name for name, on in chosen if on]
    out: dict[str, object] = {**header(" --".join([f"bench_fulltext.py --scale {n}", *options]))}
    with tempfile.TemporaryDirectory() as tmp:
        if pdf:
            path = scaled_pdfs(n)
        else:
            path = Path(tmp) / "papers.jsonl"
            scaled(n, path)
        library = Library(Settings(home=Path(tmp) / "lib", embedding={"workers": workers}))
        competitors = [multiprocessing.Process(target=spin, daemon=True) for _ in range(busy)]
        for p in competitors:
            p.start()
        try:
            out["ingest"] = {
                **ingest(library, path),
                "workers": library.encoder.workers,  # type: ignore[attr-defined]
                "busy_loops": busy,
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
            if competitors:  # the share of a core each busy loop had during the ingest
                seconds = float(out["ingest"]["seconds"])  # type: ignore[index]
                shares = [cpu_seconds(p.pid) / seconds for p in competitors if p.pid]
                out["ingest"]["busy_loop_core_share"] = round(statistics.fmean(shares), 2)  # type: ignore[index]
        finally:
            for p in competitors:
                p.terminate()
        print(json.dumps(out["ingest"]), flush=True)
        if not pdf:
            out.update(timed(library, questions))
            print(json.dumps({k: out[k] for k in ("retrieval_ms", "ask_paper_seconds")}), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "-".join([f"fulltext-{n}", *(o.replace("workers ", "w").replace(" ", "") for o in options)])
    (RESULTS / f"{name}.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=320, help="Dev questions timed (retrieval, ask).")
    parser.add_argument("--rounds", type=int, default=10, help="Times each fixture PDF is parsed.")
    parser.add_argument("--scale", type=int, help="Only the cost at this many whole papers (see above).")
    parser.add_argument("--pdf", action="store_true", help="With --scale: ingest them as PDFs.")
    parser.add_argument("--workers", type=int, help="embedding.workers (default: the CPUs less one).")
    parser.add_argument("--busy", type=int, default=0, help="With --scale: busy loops beside the ingest.")
    args = parser.parse_args()
    questions = [json.loads(line) for line in (FULLTEXT / "dev_questions.jsonl").open()][: args.questions]
    if args.scale:
        scale(args.scale, questions, args.pdf, args.workers, args.busy)
        return
    out: dict[str, object] = {**header("bench_fulltext.py"), "pdf_text": pdf_text(args.rounds)}
    print(json.dumps(out["pdf_text"], indent=1), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Settings(home=Path(tmp) / "lib", embedding={"workers": args.workers}))
        out["ingest"] = ingest(library, FULLTEXT / "dev_papers.jsonl")
        print(json.dumps(out["ingest"]), flush=True)
        out.update(timed(library, questions))
    print(json.dumps({k: out[k] for k in ("retrieval_ms", "ask_paper_seconds")}), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fulltext.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
