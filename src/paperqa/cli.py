"""The `paperqa` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from paperqa.errors import ConfigError, PaperQAError
from paperqa.library import Library
from paperqa.settings import Settings
from paperqa.types import IngestReport, Paper

app = typer.Typer(
    name="paperqa",
    help="Ask cited questions of a library of scientific papers. Offline by default: the "
    "embedding model and the chat model run on this machine; no API key needed.\n\n"
    "The library lives in $PAPERQA_HOME (see `paperqa stats`). Settings come from PAPERQA_* "
    "environment variables and an optional paperqa.toml in that folder.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Data directory of the library (default: $PAPERQA_HOME or per-user)."),
    ] = None,
) -> None:
    ctx.obj = {"home": home}


def _library(ctx: typer.Context) -> Library:
    home = (ctx.obj or {}).get("home")
    try:
        settings = Settings(home=home) if home else Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid settings ({problems}); check PAPERQA_* variables and paperqa.toml") from None
    return Library(settings)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("papers"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Add the good records and list the bad ones, instead of stopping."),
    ] = False,
    listing_year: Annotated[
        int | None,
        typer.Option(help="Year of a Daily Papers listing, for dates shown without one (default: inferred)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Add papers from files: Daily Papers .txt, arXiv/plain .jsonl, .json, .csv/.tsv, .bib (or .gz).

    Everything is read and checked before anything is written: a bad record stops the ingest
    with its file and line, and the library stays as it was (unless --skip-bad). Unchanged
    papers are not embedded again, so re-running an ingest is cheap and resumes one that
    was interrupted.
    """
    library = _library(ctx)
    with _progress() as bar:
        task = bar.add_task("Embedding", total=None)
        report = library.ingest(
            paths,
            skip_bad=skip_bad,
            listing_year=listing_year,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        out.print_json(report.model_dump_json())
        return
    _print_report(report)


def _print_report(report: IngestReport) -> None:
    out.print(
        f"Papers: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped "
        f"({report.files_read} file{'s' if report.files_read != 1 else ''} read, "
        f"{report.chunks_added} chunks embedded, {report.seconds:.1f} s)."
    )
    for skipped in report.skipped:
        out.print(f"  skipped {skipped.location}: {skipped.reason}", highlight=False)
    if report.files_ignored:
        names = ", ".join(report.files_ignored[:5])
        more = f" and {len(report.files_ignored) - 5} more" if len(report.files_ignored) > 5 else ""
        out.print(f"Ignored (not a paper list): {names}{more}", highlight=False)


@app.command()
def papers(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Only papers whose title, id or abstract has all these words.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines, one paper a line.")] = False,
) -> None:
    """List the papers in the library, newest first."""
    found = _library(ctx).papers(search)
    if as_json:
        for paper in found:
            sys.stdout.write(paper.model_dump_json(exclude_none=True) + "\n")
        return
    if not out.is_terminal:  # piped: one tab-separated line a paper
        for paper in found:
            sys.stdout.write(f"{paper.id}\t{paper.date or ''}\t{paper.title}\n")
        return
    table = Table(box=None, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("title")
    for paper in found:
        table.add_row(paper.id, str(paper.date or ""), paper.title)
    out.print(table)
    out.print(f"{len(found)} paper{'s' if len(found) != 1 else ''}", style="dim")


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What you are looking for, in your own words.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many papers.")] = 5,
) -> None:
    """Find the papers closest in meaning to a text (no LLM involved)."""
    for rank, (paper, score, text) in enumerate(_library(ctx).search(query, k), 1):
        out.print(f"{rank}. [bold]{paper.title}[/bold] ({paper.date or 'no date'}, {paper.id})  score {score:.2f}", highlight=False)
        out.print(f"   {text[:240]}{'...' if len(text) > 240 else ''}", style="dim", highlight=False)


@app.command()
def show(
    ctx: typer.Context,
    paper: Annotated[str, typer.Argument(help="Paper id, or the start of its title.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the paper as JSON.")] = False,
) -> None:
    """Show one paper's metadata and abstract."""
    found = _library(ctx).get(paper)
    if as_json:
        sys.stdout.write(found.model_dump_json(exclude_none=True, indent=2) + "\n")
        return
    _print_paper(found)


def _print_paper(paper: Paper) -> None:
    out.print(f"[bold]{paper.title}[/bold]", highlight=False)
    authors = ", ".join(paper.authors) if paper.authors else None
    rows = [
        ("id", paper.id),
        ("date", str(paper.date) if paper.date else None),
        ("authors", authors or (f"{paper.n_authors} authors" if paper.n_authors else None)),
        ("url", paper.url),
        ("code", " ".join(paper.code_urls) or None),
        ("upvotes", str(paper.upvotes) if paper.upvotes is not None else None),
        ("categories", " ".join(paper.categories) or None),
        ("also", " ".join(paper.aliases) or None),
        ("source", f"{paper.source.path}:{paper.source.line}" if paper.source else None),
    ]
    for name, value in rows:
        if value:
            out.print(f"[dim]{name:>10}[/dim]  {value}", highlight=False)
    out.print()
    out.print(paper.abstract, highlight=False)


@app.command()
def remove(
    ctx: typer.Context,
    paper: Annotated[str, typer.Argument(help="Paper id, or the start of its title.")],
) -> None:
    """Remove a paper and its chunks from the library."""
    removed = _library(ctx).remove(paper)
    out.print(f"Removed {removed.id}: {removed.title}", highlight=False)


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Papers, chunks, embedding model, and where and how big the index is."""
    s = _library(ctx).stats()
    if as_json:
        out.print_json(s.model_dump_json())
        return
    size = f"{s.store_bytes / 1024**2:.1f} MiB" if s.store_bytes is not None else "(server)"
    for name, value in [
        ("papers", s.papers),
        ("chunks", s.chunks),
        ("embedding", f"{s.embedding_model} ({s.embedding_dim} dimensions)"),
        ("chunking", f"{s.chunk_tokens} tokens, {s.overlap_tokens} overlap"),
        ("store", f"{s.store} ({size})"),
        ("home", s.home),
    ]:
        out.print(f"[dim]{name:>10}[/dim]  {value}", highlight=False)


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Re-embed every paper with the configured embedding model (after changing it)."""
    library = _library(ctx)
    with _progress() as bar:
        task = bar.add_task("Re-embedding", total=None)
        report = library.reindex(progress=lambda done, total: bar.update(task, completed=done, total=total))
    _print_report(report)


def main() -> None:
    """Entry point: run the app, turning paperqa's errors into one line and exit code 1."""
    try:
        app()
    except PaperQAError as exc:
        err.print(f"[bold red]Error:[/bold red] {exc}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Interrupted. Papers written so far are kept; run the command again to finish.")
        sys.exit(130)


if __name__ == "__main__":
    main()
