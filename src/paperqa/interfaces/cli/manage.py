"""`paperqa` commands that manage the library: ingest, papers, search, show, remove,
check, stats, reindex."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from paperqa.interfaces.cli._common import (
    SinceOpt,
    UntilOpt,
    app,
    date_bound,
    open_library,
    out,
    print_field,
    print_report,
    progress_bar,
)
from paperqa.types import Paper

CollectionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--collection", help="Zotero: only items in this collection (its subcollections too); repeatable."
    ),
]
TagOpt = Annotated[
    list[str] | None, typer.Option("--tag", help="Zotero: only items with this tag; repeatable.")
]
PruneOpt = Annotated[
    bool,
    typer.Option(
        "--prune",
        help="Zotero: remove papers this database gave before whose items are gone (deleted, or no "
        "longer in the chosen collections and tags).",
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        max=64,
        help="Texts the local embedding model embeds at once (default: PAPERQA_EMBEDDING__WORKERS, "
        "else every CPU on Linux, the CPUs less one elsewhere); those past the CPUs less one run "
        "at the lowest priority. 1 leaves the other cores alone entirely.",
    ),
]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Write the whole report (every skipped entry and note) to this JSON file; the screen "
        "shows the first few of each reason.",
    ),
]


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Also skip files that cannot be read at all, instead of stopping."),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Refuse a file with any unusable entry (no abstract, no title, unparseable)."
        ),
    ] = False,
    listing_year: Annotated[
        int | None,
        typer.Option(help="Year of a Daily Papers listing, for dates shown without one (default: inferred)."),
    ] = None,
    collection: CollectionOpt = None,
    tag: TagOpt = None,
    prune: PruneOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    report_file: ReportOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Add papers from files: PDFs (the whole text, cited by section and page), full-text JSON
    Lines (S2ORC/QASPER `sections`), Daily Papers .txt, arXiv/plain .jsonl, .json, .csv/.tsv,
    .bib, .ris, .nbib, .xml (or .gz); reference-manager and database exports (Zotero, Mendeley, JabRef,
    EndNote, Scopus, Web of Science, PubMed) as BibTeX, RIS, CSL-JSON, CSV, Web of Science
    plain text or tab-delimited, PubMed MEDLINE or EndNote XML, in UTF-8, UTF-16 or
    Windows-1252 (the report says when a file was not UTF-8).

    Everything is read and checked before anything is written. Entries that cannot be used
    (no abstract, no title, unparseable) are skipped and listed after the summary, and the
    rest is added; --strict refuses such a file instead. A file that cannot be read as its
    format at all stops the ingest with its file and line, and the library stays as it was
    (unless --skip-bad). Records with the same title are merged unless a DOI, arXiv id or
    year says they differ. Unchanged papers are not embedded again, so re-running an
    ingest is cheap and resumes one that was interrupted.

    Zotero: give your Zotero data directory (~/Zotero; it holds zotero.sqlite) or the
    zotero.sqlite file itself. It is read from a copy, so Zotero may keep running. Running the
    same command again adds new items and updates changed ones; --prune also removes papers
    whose items were deleted or left the chosen --collection/--tag.

    Speed: whole papers from PDF ingest at about 2.3 a second on 2 cores. The embedding
    model uses every core, those past the CPUs less one at the lowest priority (they yield to
    any other program; --workers sets how many).
    """
    from paperqa.ingest.loaders.zotero import ZoteroSelection

    library = open_library(ctx, workers)
    with progress_bar() as bar:
        files = bar.add_task("Reading", total=None, unit="files")
        task = bar.add_task("Embedding", total=None, visible=False, unit="papers")

        def reading(done: int, total: int, path: Path) -> None:
            name = path.name if len(path.name) <= 40 else f"{path.name[:37]}..."
            bar.update(files, completed=done, total=total, description=f"Reading {name}")

        def writing(done: int, total: int) -> None:
            bar.update(files, visible=False)
            bar.update(task, completed=done, total=total, visible=True)

        report = library.ingest(
            paths,
            skip_bad=skip_bad,
            strict=strict,
            listing_year=listing_year,
            zotero=ZoteroSelection(tuple(collection or ()), tuple(tag or ())),
            prune=prune,
            progress=writing,
            reading=reading,
        )
    if report_file is not None:
        report_file.write_text(report.model_dump_json(indent=1), encoding="utf-8")
    examples = library.settings.limits.report_examples
    if as_json:
        out.print_json((report if report_file is None else report.compact(examples)).model_dump_json())
        return
    print_report(report, examples)


@app.command()
def papers(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Only papers whose title, id or abstract has all these words."),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines, one paper a line.")] = False,
) -> None:
    """List the papers in the library, newest first (with --since/--until, only the dated
    papers in that range)."""
    start = date_bound(since, end=False, option="--since")
    end = date_bound(until, end=True, option="--until")
    found = [p for p in open_library(ctx).papers(search) if p.dated_within(start, end)]
    if as_json:
        for paper in found:
            sys.stdout.write(paper.model_dump_json(exclude_none=True) + "\n")
        return
    if not out.is_terminal:  # piped: one tab-separated line a paper
        for paper in found:
            sys.stdout.write(f"{paper.id}\t{paper.date_text or ''}\t{paper.title}\n")
        return
    table = Table(box=None, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("title")
    for paper in found:
        table.add_row(paper.id, paper.date_text or "", paper.title)
    out.print(table)
    out.print(f"{len(found)} paper{'s' if len(found) != 1 else ''}", style="dim")


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What you are looking for, in your own words.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many papers.")] = 5,
) -> None:
    """Find the papers closest in meaning to a text (no LLM involved)."""
    for rank, (paper, score, text) in enumerate(open_library(ctx).search(query, k), 1):
        out.print(
            f"{rank}. [bold]{escape(paper.title)}[/bold] ({paper.date_text or 'no date'}, {paper.id})  "
            f"score {score:.2f}",
            highlight=False,
            markup=True,
        )
        out.print(f"   {text[:240]}{'...' if len(text) > 240 else ''}", style="dim", highlight=False)


@app.command()
def show(
    ctx: typer.Context,
    paper: Annotated[str, typer.Argument(help="Paper id, or the start of its title.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the paper as JSON.")] = False,
) -> None:
    """Show one paper's metadata and abstract (and its sections, for a full text)."""
    found = open_library(ctx).get(paper)
    if as_json:
        sys.stdout.write(found.model_dump_json(exclude_none=True, indent=2) + "\n")
        return
    _print_paper(found)


def _print_paper(paper: Paper) -> None:
    out.print(paper.title, style="bold", highlight=False)
    authors = ", ".join(paper.authors) if paper.authors else None
    rows = [
        ("id", paper.id),
        ("date", paper.date_text),
        ("venue", paper.venue),
        ("doi", paper.doi),
        ("arXiv", paper.arxiv_id),
        ("authors", authors or (f"{paper.n_authors} authors" if paper.n_authors else None)),
        ("url", paper.url),
        ("code", " ".join(paper.code_urls) or None),
        ("upvotes", str(paper.upvotes) if paper.upvotes is not None else None),
        ("categories", " ".join(paper.categories) or None),
        ("tags", ", ".join(paper.tags) or None),
        ("collections", "; ".join(paper.collections) or None),
        ("zotero", paper.zotero),
        ("pdf", " ".join(paper.files) or None),
        ("full text", _sections_line(paper)),
        ("also", " ".join(paper.aliases) or None),
        ("source", _source_line(paper)),
    ]
    for name, value in rows:
        if value:
            print_field(name, value)
    out.print()
    out.print(paper.abstract, highlight=False)


def _source_line(paper: Paper) -> str | None:
    """Where the paper was read from: "refs.bib:12", or the file alone (a PDF has no line)."""
    if paper.source is None:
        return None
    return paper.source.path if paper.source.line is None else f"{paper.source.path}:{paper.source.line}"


def _sections_line(paper: Paper) -> str | None:
    """ "12 sections, 48 paragraphs: Introduction; Method; ..." for a paper with a body."""
    if not paper.sections:
        return None
    names = "; ".join(s.name or "(no heading)" for s in paper.sections)
    paragraphs = sum(len(s.paragraphs) for s in paper.sections)
    return f"{len(paper.sections)} sections, {paragraphs} paragraphs: {names}"


@app.command()
def remove(
    ctx: typer.Context,
    papers: Annotated[list[str], typer.Argument(help="Paper ids, or the starts of their titles.")],
) -> None:
    """Remove papers and their chunks from the library (all names are checked first), and the
    copies of PDFs uploaded through the app or the API that no other paper records."""
    from paperqa.interfaces.files import remove_papers

    for removed in remove_papers(open_library(ctx), papers):
        out.print(f"Removed {removed.id}: {removed.title}", highlight=False)


@app.command()
def check(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help="Fix what is found.")] = False,
) -> None:
    """Check that every paper has all its chunks, no chunk is left without a paper, and
    every chunk carries its paper's date.

    For after a crash or a killed process. Exit status 1 when something is wrong and not
    repaired.
    """
    report = open_library(ctx).check(repair=repair)
    out.print(f"{report.papers} papers, {report.chunks} chunks.", highlight=False)
    if report.ok:
        out.print("The library is consistent.")
        return
    if report.incomplete:
        out.print(
            f"{len(report.incomplete)} paper(s) with missing chunks: "
            + ", ".join(list(report.incomplete)[:10])
        )
    if report.orphan_chunks:
        out.print(f"{report.orphan_chunks} chunk(s) belong to no paper (an interrupted remove).")
    if report.stale_dates:
        out.print(
            f"{len(report.stale_dates)} paper(s) whose passages carry an old date, so --since/--until "
            "miss them (an ingest before 2026-12-01 updated only the paper's record)."
        )
    if report.repaired:
        out.print("Repaired: missing chunks re-embedded, stray chunks deleted, passage dates rewritten.")
        return
    out.print("Run `paperqa check --repair` to fix it.")
    raise typer.Exit(1)


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Papers, chunks, embedding model, and where and how big the index is."""
    s = open_library(ctx).stats()
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
        print_field(name, value)


@app.command()
def reindex(ctx: typer.Context, workers: WorkersOpt = None) -> None:
    """Re-embed every paper with the configured embedding model (after changing it)."""
    library = open_library(ctx, workers)
    with progress_bar() as bar:
        task = bar.add_task("Re-embedding", total=None, unit="papers")
        report = library.reindex(progress=lambda done, total: bar.update(task, completed=done, total=total))
    print_report(report)
