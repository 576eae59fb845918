"""`paperqa` commands that answer: ask, chat, summarize, compare, table."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.style import Style
from rich.table import Table
from rich.text import Text

from paperqa.errors import PaperNotFoundError, PaperQAError
from paperqa.interfaces.cli._common import (
    JsonOpt,
    SinceOpt,
    StrictOpt,
    UntilOpt,
    app,
    date_bound,
    err,
    open_library,
    out,
    print_error,
)
from paperqa.interfaces.files import pdf_of
from paperqa.library import Library
from paperqa.types import Answer


def _run(produce: Callable[[Callable[[str], None] | None], Answer], as_json: bool) -> Answer:
    """Run a task, showing the model's draft live on a terminal, then print the checked result."""
    if as_json or not out.is_terminal:
        answer = produce(None)
    else:
        draft: list[str] = []
        with Live(
            Text("Thinking...", style="dim"), console=out, transient=True, refresh_per_second=12
        ) as live:

            def on_token(piece: str) -> None:
                draft.append(piece)
                live.update(Text("".join(draft)[-2000:], style="dim"))

            answer = produce(on_token)
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
    else:
        _print_answer(answer)
    return answer


def _print_answer(answer: Answer) -> None:
    if answer.comparison:
        _print_comparison(answer)
    text = Text()
    if answer.short_answer:
        text.append(answer.short_answer, style="bold")
        text.append(f" [{answer.short_citation}]\n" if answer.short_citation else "\n")
    pdfs = {s.number: pdf.resolve() for s in answer.sources if (pdf := pdf_of(s.paper))}
    for sentence in answer.sentences:
        marks = "".join(f"[{n}]" for n in sentence.citations)
        unverified = sentence.grounded is False
        style = "red" if unverified else ("" if sentence.supported or answer.not_in_library else "yellow")
        text.append(sentence.text + (f" {marks}" if marks else ""), style=style)
        if marks and sentence.where:
            # in a terminal that shows links, "p. 5" opens the PDF at its page
            pdf = next((pdfs[n] for n in sentence.citations if n in pdfs), None)
            link = f"{pdf.as_uri()}#page={sentence.page}" if pdf and sentence.page else None
            text.append(" ", style=style)
            text.append(sentence.where, style=Style(link=link) if link else style)
        if unverified:
            text.append(f" (not verified: {sentence.problem})", style="red dim")
        elif answer.not_stated and sentence.problem:
            text.append(f" ({sentence.problem})", style="yellow dim")
        elif not (sentence.supported or answer.not_in_library):
            text.append(" (not supported by the cited source)", style="yellow dim")
        text.append(" ")
    out.print(text)
    if answer.references:
        out.print()
        out.print("Nearest papers:" if answer.not_in_library else "References:", style="bold")
        for ref in answer.references:
            out.print(
                f"  [{ref.number}] {ref.title} ({ref.date_text or ref.date or 'no date'}) {ref.paper_id}",
                highlight=False,
            )
    if written := answer.how_written():
        out.print(f"Note: {written}.", style="dim", highlight=False)
    if answer.fallback:
        out.print(f"Why: {answer.fallback}.", style="dim", highlight=False)
    u = answer.usage
    out.print(
        f"{answer.backend} | {u.prompt_tokens} prompt + {u.completion_tokens} completion tokens | "
        f"{u.total_seconds:.1f} s",
        style="dim",
        highlight=False,
    )


def _print_comparison(answer: Answer) -> None:
    titles = [r.title for r in sorted(answer.references, key=lambda r: r.number)] or ["[1]", "[2]"]
    heads = [s.paper.title for s in sorted(answer.sources, key=lambda s: s.number)]
    table = Table(show_lines=True)
    table.add_column("", style="bold", no_wrap=True)
    for number, title in enumerate(heads or titles, 1):
        table.add_column(f"[{number}] {title}", ratio=1)
    for row in answer.comparison or []:
        cells = [f"{c.text} {''.join(f'[{n}]' for n in c.citations)}".strip() for c in row.cells]
        table.add_row(row.aspect, *cells)
    out.print(table)


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    paper: Annotated[
        list[str] | None, typer.Option("--paper", "-p", help="Only these papers (id or title); repeatable.")
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    strict: StrictOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the library: a few sentences, each citing its papers \\[n].

    When no paper is relevant enough, the answer says so and lists the nearest papers.
    "Which papers ..." questions get one cited sentence per relevant paper. Questions about
    the records ("Who wrote CASAL?", "When was FIND published?", "Which papers are from
    2024?", "How many papers are in the library?") are answered from them, not the abstracts.
    """
    library = open_library(ctx)
    _run(
        lambda on_token: library.ask(
            question,
            paper_ids=paper,
            date_from=date_bound(since, end=False, option="--since"),
            date_to=date_bound(until, end=True, option="--until"),
            strict=strict,
            on_token=on_token,
        ),
        as_json,
    )


@app.command()
def chat(ctx: typer.Context, strict: StrictOpt = False) -> None:
    """A conversation with follow-up questions ("what are its limitations?").

    A paper keeps its citation number for the whole conversation. Type /new to start
    over, /quit (or Ctrl-D) to leave.
    """
    library = open_library(ctx)
    from paperqa.answer.conversation import Conversation

    conversation = Conversation()
    out.print("Ask about your library. /new starts over, /quit leaves.", style="dim")
    while True:
        try:
            question = out.input("[bold]> [/bold]", markup=True).strip()
        except EOFError:
            return
        if question in ("/quit", "/exit"):
            return
        if question == "/new":
            conversation = Conversation()
            out.print("New conversation.", style="dim")
            continue
        if not question:
            continue
        try:
            _run(
                lambda on_token, q=question, c=conversation: library.ask(  # type: ignore[misc]
                    q, conversation=c, strict=strict, on_token=on_token
                ),
                False,
            )
        except PaperQAError as exc:  # a bad question should not end the conversation
            print_error(exc)
        out.print()


@app.command()
def summarize(
    ctx: typer.Context,
    paper: Annotated[str | None, typer.Argument(help="Paper id or title (or use --topic).")] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Summarize the library's papers on a topic.")
    ] = None,
    tldr: Annotated[
        bool, typer.Option("--tldr", help="One sentence (at most ~35 words) on the paper.")
    ] = False,
    strict: StrictOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """One cited paragraph on a paper or a topic; with --tldr, one sentence on a paper.

    The paragraph has 3-6 sentences and at most ~130 words, every sentence cited.
    """
    if (paper is None) == (topic is None):
        raise typer.BadParameter("give either a PAPER or --topic TEXT")
    if tldr and topic is not None:
        raise typer.BadParameter("--tldr summarizes one PAPER, not a --topic")
    library = open_library(ctx)
    if paper is not None and not tldr:
        _topic_hint(library, paper)
    _run(
        lambda on_token: library.summarize(paper, topic=topic, tldr=tldr, strict=strict, on_token=on_token),
        as_json,
    )


def _topic_hint(library: Library, paper: str) -> None:
    """A PAPER that names no paper ("question answering datasets") was likely meant as a topic."""
    try:
        library.get(paper)
    except PaperNotFoundError as exc:
        if not str(exc).startswith("No paper"):
            raise
        raise PaperNotFoundError(
            f"{exc} To summarize the papers on a topic: paperqa summarize --topic {paper!r}"
        ) from None


@app.command()
def compare(
    ctx: typer.Context,
    paper_a: Annotated[str, typer.Argument(help="First paper: id or title.")],
    paper_b: Annotated[str, typer.Argument(help="Second paper: id or title.")],
    as_json: JsonOpt = False,
) -> None:
    """Two papers side by side (problem, approach, data, results, limitations), then a cited paragraph."""
    library = open_library(ctx)
    _run(lambda on_token: library.compare(paper_a, paper_b, on_token=on_token), as_json)


@app.command()
def table(
    ctx: typer.Context,
    papers: Annotated[
        list[str] | None,
        typer.Argument(
            help="The papers, one per row: id, title or short name (CASAL, SAE-V). Or use --topic."
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            "-c",
            help="A column: what to ask each paper ('dataset', 'model size', 'Which baselines do they "
            "beat?'); repeatable, up to 10. Default: Problem, Approach, Data / setting, Key results, "
            "Limitations.",
        ),
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Rows: the papers most about this topic.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="With --topic or dates: at most this many papers.")
    ] = 10,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="rich (the terminal; default), markdown, csv or json."),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the table here; the format follows the extension (.md, .csv, .json)."
        ),
    ] = None,
) -> None:
    """A literature table: papers in rows, a cited cell per column.

    Each cell is the sentence of that paper's own abstract (or, for a paper whose full text
    was ingested, its body, the section named) that answers the column, with its citation, or
    "Not stated in the abstract." ("... in the paper."). Under the table, one sentence per
    column says which papers state it and what they share. Examples:

        paperqa table CASAL SAE-V LegalVis -c dataset -c "main result"

        paperqa table --topic "activation steering" --limit 8 --out steering.csv
    """
    from paperqa.interfaces.export import FORMATS, format_for, render_table

    if fmt is not None and fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    if papers and topic is not None:
        raise typer.BadParameter("give PAPERS or --topic, not both")
    library = open_library(ctx)
    target = format_for(out_file, fmt) if out_file is not None else (fmt or "rich")
    rows = library.tasks.table_papers(
        papers or [],
        topic=topic,
        limit=limit,
        date_from=date_bound(since, end=False, option="--since"),
        date_to=date_bound(until, end=True, option="--until"),
    )
    answer = _fill_with_progress(library, [p.id for p in rows], column or [])
    if out_file is not None:
        out_file.write_text(render_table(answer, target), encoding="utf-8")
        err.print(
            f"Wrote {len(answer.sources)} papers x {len(answer.comparison or [])} columns to {out_file}."
        )
        return
    if target == "rich":
        _print_table(answer)
    else:
        sys.stdout.write(render_table(answer, target))


def _fill_with_progress(library: Library, ids: list[str], columns: list[str]) -> Answer:
    """The table, with a progress bar on the terminal while its cells are filled."""
    from paperqa.answer.write.aspects import ASPECTS

    with Progress(
        TextColumn("Filling cells"), BarColumn(), MofNCompleteColumn(), console=err, transient=True,
        disable=not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("cells", total=len(ids) * len(columns or ASPECTS))
        return library.table(ids, columns=columns, on_cell=lambda *_: progress.advance(task))


def _print_table(answer: Answer) -> None:
    from paperqa.interfaces.export import grid, note

    header, rows = grid(answer)
    shown = Table(show_lines=True, expand=True)
    shown.add_column("Paper", style="bold", ratio=1)
    for column in header[2:]:
        shown.add_column(column, ratio=2)
    for number, title, *cells in rows:
        shown.add_row(f"{number} {title}", *cells)
    out.print(shown)
    if said := note(answer):
        out.print(said, style="yellow", highlight=False)
    _print_answer(answer)
