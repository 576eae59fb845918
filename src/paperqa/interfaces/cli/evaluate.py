"""`paperqa eval`: answer quality measured on a question file."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from paperqa.errors import PaperQAError
from paperqa.interfaces.cli._common import app, err, open_library, out, progress_bar
from paperqa.library import Library


@app.command("eval")
def evaluate(
    ctx: typer.Context,
    questions: Annotated[
        Path, typer.Option("--questions", "-q", help="JSONL question file (see evals/seed_questions.jsonl).")
    ],
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus", help="Files or folders to build the library from; repeatable. Default: seeds/"
        ),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help="Chat model: 'local' (bundled) or 'openai' (PAPERQA_LLM__* settings). Default: settings."
        ),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Where report.md, results.json and eval.png go.")
    ] = Path("eval-out"),
    limit: Annotated[int | None, typer.Option(help="Only the first N questions (a quick look).")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit with status 1 when a quality target is missed.")
    ] = False,
    baseline: Annotated[
        bool,
        typer.Option(
            "--baseline",
            help="Also answer every question by quoting the sources (same retrieval, no model) and "
            "report both side by side with the difference: the bar the model must clear.",
        ),
    ] = False,
) -> None:
    """Measure answer quality on a question file (retrieval, citations, facts, abstention, cost).

    Every question runs through ask / summarize / compare on a temporary library built from
    the corpus (your own library is not touched); the report is overall and per question
    type. One JSON object a line: {"id", "type": single|multi|summary|compare|unanswerable,
    "question", "papers": \\[gold titles], "facts": \\["30%|thirty percent", ...]}.

    A QASPER-style file ({"id", "paper_id", "question", "kind", "answers"}, e.g.
    ../shared/data/qasper/dev_questions.jsonl with --corpus .../dev_papers.jsonl) is asked
    restricted to each question's paper and over the whole library, and scored as QASPER
    does: answer F1, gold-token recall, yes/no accuracy, refusals of answerable and
    unanswerable questions (--baseline adds the quote and lexical baselines).
    """
    import tempfile

    from paperqa.evals import qasper
    from paperqa.evals import report as eval_report
    from paperqa.evals import run as evals

    if backend not in (None, "local", "openai"):
        raise typer.BadParameter("use 'local' or 'openai'", param_hint="--backend")
    paths = corpus or [Path("seeds")]
    if qasper.is_qasper_file(questions):
        _evaluate_qasper(ctx, questions, paths, backend, out_dir, limit, baseline, check)
        return
    items = evals.load_questions(questions)[:limit]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="paperqa-eval-") as tmp:
        library = _eval_library(open_library(ctx), paths, backend, Path(tmp))
        papers, chunks = library.store.counts()
        results, quoted = _answer_all(library, items, str(questions), baseline)
        meta = {
            "questions": f"{questions} ({len(items)})",
            "corpus": ", ".join(map(str, paths)) + f" ({papers} papers, {chunks} chunks)",
            "embedder": library.embedder.name,
            "chat model": library.tasks.chat[1],
            "answer mode": library.tasks.mode,
            "date": dt.date.today().isoformat(),
            "seconds": round(time.perf_counter() - started, 1),
            "command": "paperqa " + " ".join(sys.argv[1:]),
        }
    summary, quote_summary, targets = eval_report.write_report(out_dir, results, meta, quoted)
    title = f"paperqa eval: {len(items)} questions, {meta['chat model']}"
    _print_report(title, summary, quote_summary, targets)
    out.print(f"Report: {out_dir / 'report.md'}, {out_dir / 'results.json'}, {out_dir / 'eval.png'}")
    if check and any(t.met is False for t in targets):
        raise typer.Exit(1)


def _eval_library(library: Library, paths: list[Path], backend: str | None, home: Path) -> Library:
    """A temporary library in `home` with the user's settings (and `backend`), built from `paths`."""
    for path in paths:
        if not path.exists():
            raise PaperQAError(f"corpus {path} does not exist; pass the papers with --corpus PATH")
    base = library.settings
    llm = base.llm.model_copy(update={"backend": backend}) if backend else base.llm
    built = Library(base.model_copy(update={"home": home, "chroma_url": None, "llm": llm}))
    with progress_bar() as bar:
        task = bar.add_task("Indexing corpus", total=None, unit="papers")
        built.ingest(paths, progress=lambda done, total: bar.update(task, completed=done, total=total))
    return built


def _answer_all(library: Library, items: list[Any], where: str, baseline: bool) -> tuple[list[Any], Any]:
    """Every question answered by the library (and, with `baseline`, by quoting), with a bar."""
    from paperqa.evals import run as evals

    columns = (TextColumn("[bold]Answering"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("", total=len(items) * (2 if baseline else 1))
        results = evals.evaluate(
            library, items, where=where, progress=lambda done, total: bar.update(task, completed=done)
        )
        if not baseline:
            return results, None
        quoted = evals.evaluate(
            evals.quote_baseline(library),
            items,
            where=where,
            progress=lambda done, total: bar.update(task, completed=len(items) + done),
        )
    return results, quoted


def _print_report(title: str, summary: Any, quote_summary: Any, targets: Any) -> None:
    """The summary table (fits 80 columns), its legend and the targets."""
    from paperqa.evals import report as eval_report

    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), collapse_padding=True, pad_edge=False)
    table.add_column("group", no_wrap=True)
    for _, label in eval_report.CONSOLE_COLUMNS:
        table.add_column(label, justify="right")
    for group, metrics in eval_report.table_rows(summary, quote_summary, indent="  "):
        table.add_row(group, *(eval_report.fmt(metrics.get(key)) for key, _ in eval_report.CONSOLE_COLUMNS))
    out.print(table)
    out.print(eval_report.CONSOLE_LEGEND, style="dim")
    for t in targets:
        mark = "n/a" if t.met is None else ("[green]met[/green]" if t.met else "[red]missed[/red]")
        out.print(f"  {t.name}: {eval_report.fmt(t.value)} (goal {t.goal}) {mark}", markup=True)


def _evaluate_qasper(
    ctx: typer.Context,
    questions: Path,
    paths: list[Path],
    backend: str | None,
    out_dir: Path,
    limit: int | None,
    baseline: bool,
    check: bool,
) -> None:
    """`paperqa eval` on a QASPER-style file: each question asked restricted to its paper and
    over the whole library; F1, gold-token recall, yes/no accuracy and refusals."""
    import tempfile

    from paperqa.evals import qasper
    from paperqa.evals import run as evals

    items = qasper.load_qasper(questions)[:limit]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="paperqa-eval-") as tmp:
        library = _eval_library(open_library(ctx), paths, backend, Path(tmp))
        papers, _ = library.store.counts()
        columns = (TextColumn("[bold]Answering"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("", total=len(items))
            results = qasper.run_qasper(
                library,
                items,
                quote=evals.quote_baseline(library) if baseline else None,
                extractive=evals.quote_baseline(library, reader=False) if baseline else None,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        meta = {
            "questions": f"{questions} ({len(items)})",
            "corpus": ", ".join(map(str, paths)) + f" ({papers} papers)",
            "embedder": library.embedder.name,
            "answer mode": library.tasks.mode,
            "date": dt.date.today().isoformat(),
            "seconds": str(round(time.perf_counter() - started, 1)),
            "command": "paperqa " + " ".join(sys.argv[1:]),
        }
    summary = qasper.write(out_dir, results, meta)
    table = Table(title=f"paperqa eval: {len(items)} QASPER-style questions", box=box.SIMPLE_HEAD)
    shown = ("f1", "recall", "yes_no_accuracy", "answerable_refused", "unanswerable_refused", "seconds")
    table.add_column("system / scope", no_wrap=True)
    for key in shown:
        table.add_column(key.replace("_", " "), justify="right")
    for name, row in summary.items():
        table.add_row(name, *("-" if row[k] is None else f"{row[k]:.2f}" for k in shown))
    out.print(table)
    out.print(f"Report: {out_dir / 'report.md'}, {out_dir / 'results.json'}")
    pipeline = summary.get("pipeline / paper", {})
    missed = [
        label
        for label, key, op, goal in qasper.TARGETS
        if (value := pipeline.get(key)) is None or (value > goal if op == "<=" else value < goal)
    ]
    if missed:
        out.print("Targets missed: " + ", ".join(missed))
    if check and missed:
        raise typer.Exit(1)
