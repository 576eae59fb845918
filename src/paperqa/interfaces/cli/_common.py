"""What every `paperqa` command shares: the Typer app, the consoles, the global options
and how a Library is opened from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from paperqa.errors import ConfigError
from paperqa.library import Library
from paperqa.settings import Settings
from paperqa.text import dates
from paperqa.types import IngestReport

app = typer.Typer(
    name="paperqa",
    help="Ask cited questions of a library of scientific papers. Offline by default: the "
    "embedding model and the chat model run on this machine; no API key needed.\n\n"
    "The library lives in $PAPERQA_HOME (see `paperqa stats`). Settings come from PAPERQA_* "
    "environment variables and an optional paperqa.toml in that folder.",
    no_args_is_help=True,
    rich_markup_mode="markdown",  # paragraphs reflow to the terminal width
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Markup off: titles, abstracts and answers are printed as they are ("[MASK]", "[Re]",
# even "[/x]" in an abstract); the few styled lines ask for markup and escape their data.
# Data from files is printed as it is: no markup ("[/x]"), no emoji codes (":100:" in a
# location "file.bib:100:" would become an emoji).
out = Console(soft_wrap=True, markup=False, emoji=False)
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Data directory of the library (default: $PAPERQA_HOME or per-user)."),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="How answers are written: 'quote' (the source sentences that answer, no model), "
            "'rewrite' (those sentences rephrased by the model, each checked), 'free' (the model "
            "writes, every sentence checked), 'auto' (quote for the local model, free for "
            "'openai'). Default: $PAPERQA_LLM__ANSWER_MODE or auto.",
        ),
    ] = None,
    show_unverified: Annotated[
        bool,
        typer.Option(
            "--show-unverified",
            help="Show sentences that fail the grounding check (a name, figure or claim not in "
            "the cited source), flagged, instead of leaving them out.",
        ),
    ] = False,
) -> None:
    if mode not in (None, "auto", "free", "rewrite", "quote"):
        raise typer.BadParameter("use auto, free, rewrite or quote", param_hint="--mode")
    ctx.obj = {"home": home, "mode": mode, "show_unverified": show_unverified}


def open_library(ctx: typer.Context, workers: int | None = None) -> Library:
    """The library the command line names; `workers` overrides `embedding.workers`."""
    options = ctx.obj or {}
    home = options.get("home")
    try:
        settings = Settings(home=home) if home else Settings()
        if workers:
            settings = settings.model_copy(
                update={"embedding": settings.embedding.model_copy(update={"workers": workers})}
            )
        llm: dict[str, object] = {}
        if options.get("mode"):
            llm["answer_mode"] = options["mode"]
        if options.get("show_unverified"):
            llm["show_unverified"] = True
        if llm:
            settings = settings.model_copy(update={"llm": settings.llm.model_copy(update=llm)})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(
            f"invalid settings ({problems}); check PAPERQA_* variables and paperqa.toml"
        ) from None
    return Library(settings)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def print_error(exc: Exception) -> None:
    err.print(Text.assemble(("Error:", "bold red"), f" {exc}"), highlight=False)


def print_field(name: str, value: object) -> None:
    out.print(Text.assemble((f"{name:>10}", "dim"), f"  {value}"), highlight=False)


def print_report(report: IngestReport, examples: int = 5) -> None:
    """The report on a screen: counts, then skipped entries grouped by reason, the first
    `examples` of each (all of them go to `ingest --report FILE`)."""
    full = report
    report = report.compact(examples)
    out.print(
        f"Papers: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {report.skipped_total:,} skipped "
        f"({report.files_read} file{'s' if report.files_read != 1 else ''} read, "
        f"{report.chunks_added} chunks embedded, {report.seconds:.1f} s)."
    )
    if report.removed:
        out.print(f"Removed {len(report.removed)} papers whose Zotero items are gone.", highlight=False)
    if report.merged:
        shown = ", ".join(report.merged[:3]) + (", ..." if len(report.merged) > 3 else "")
        out.print(
            f"Merged {len(report.merged)} records into papers of the same title: {shown}", highlight=False
        )
    if summary := report.skipped_summary():
        out.print(summary, highlight=False)
        for skipped in report.skipped:
            key = f" {skipped.key}" if skipped.key else ""
            out.print(f"  skipped {skipped.location}{key}: {skipped.reason}", highlight=False)
        if report.skipped_total > len(report.skipped):
            out.print(
                f"  ... {report.skipped_total - len(report.skipped):,} more (all of them: --report FILE)",
                highlight=False,
            )
    for warning in report.warnings:
        out.print(f"  note {warning}", highlight=False)
    if len(full.warnings) > len(report.warnings):
        more_notes = len(full.warnings) - len(report.warnings)
        out.print(f"  ... {more_notes:,} more notes (--report FILE)", highlight=False)
    if full.files_ignored:
        names = ", ".join(full.files_ignored[:5])
        more = f" and {len(full.files_ignored) - 5} more" if len(full.files_ignored) > 5 else ""
        out.print(f"Ignored (not a paper list): {names}{more}", highlight=False)


StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Drop sentences the sources do not support (default: flag them).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")]
SinceOpt = Annotated[
    str | None,
    typer.Option(help="Only papers dated on or after this: 2024, 2024-05 or 2024-05-17.", metavar="DATE"),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        help="Only papers dated on or before this: 2024 (through December), 2024-05 or 2024-05-17.",
        metavar="DATE",
    ),
]


def date_bound(value: str | None, *, end: bool, option: str) -> dt.date | None:
    """A --since/--until value as a date (`paperqa.text.dates.date_bound`), or a usage error."""
    if value is None:
        return None
    try:
        return dates.date_bound(value, end=end)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


HostOpt = Annotated[
    str, typer.Option(help="Address to listen on; other than loopback needs PAPERQA_APP_PASSWORD.")
]
