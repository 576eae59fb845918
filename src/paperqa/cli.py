"""The `paperqa` command line."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich import box
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from paperqa.errors import ConfigError, PaperQAError
from paperqa.library import Library
from paperqa.settings import Settings
from paperqa.tasks import Conversation
from paperqa.types import Answer, IngestReport, Paper

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
            "writes, every sentence checked), 'auto' (rewrite for the local model, free for "
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


def _library(ctx: typer.Context) -> Library:
    options = ctx.obj or {}
    home = options.get("home")
    try:
        settings = Settings(home=home) if home else Settings()
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Add papers from files: Daily Papers .txt, arXiv/plain .jsonl, .json, .csv/.tsv, .bib, .ris
    (or .gz); reference-manager exports (Zotero, Mendeley, JabRef, EndNote, Scopus, Web of
    Science) as BibTeX, RIS, CSL-JSON or CSV.

    Everything is read and checked before anything is written. Entries that cannot be used
    (no abstract, no title, unparseable) are skipped and listed after the summary, and the
    rest is added; --strict refuses such a file instead. A file that cannot be read as its
    format at all stops the ingest with its file and line, and the library stays as it was
    (unless --skip-bad). Records with the same title are merged unless a DOI, arXiv id or
    year says they differ. Unchanged papers are not embedded again, so re-running an
    ingest is cheap and resumes one that was interrupted.
    """
    library = _library(ctx)
    with _progress() as bar:
        task = bar.add_task("Embedding", total=None)
        report = library.ingest(
            paths,
            skip_bad=skip_bad,
            strict=strict,
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
    for warning in report.warnings:
        out.print(f"  note {warning}", highlight=False)
    if report.files_ignored:
        names = ", ".join(report.files_ignored[:5])
        more = f" and {len(report.files_ignored) - 5} more" if len(report.files_ignored) > 5 else ""
        out.print(f"Ignored (not a paper list): {names}{more}", highlight=False)


@app.command()
def papers(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Only papers whose title, id or abstract has all these words."),
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
    for rank, (paper, score, text) in enumerate(_library(ctx).search(query, k), 1):
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
    """Show one paper's metadata and abstract."""
    found = _library(ctx).get(paper)
    if as_json:
        sys.stdout.write(found.model_dump_json(exclude_none=True, indent=2) + "\n")
        return
    _print_paper(found)


def _print_error(exc: Exception) -> None:
    err.print(Text.assemble(("Error:", "bold red"), f" {exc}"), highlight=False)


def _print_field(name: str, value: object) -> None:
    out.print(Text.assemble((f"{name:>10}", "dim"), f"  {value}"), highlight=False)


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
        ("also", " ".join(paper.aliases) or None),
        ("source", f"{paper.source.path}:{paper.source.line}" if paper.source else None),
    ]
    for name, value in rows:
        if value:
            _print_field(name, value)
    out.print()
    out.print(paper.abstract, highlight=False)


@app.command()
def remove(
    ctx: typer.Context,
    papers: Annotated[list[str], typer.Argument(help="Paper ids, or the starts of their titles.")],
) -> None:
    """Remove papers and their chunks from the library (all names are checked first)."""
    for removed in _library(ctx).remove_many(papers):
        out.print(f"Removed {removed.id}: {removed.title}", highlight=False)


@app.command()
def check(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help="Fix what is found.")] = False,
) -> None:
    """Check that every paper has all its chunks and no chunk is left without a paper.

    For after a crash or a killed process. Exit status 1 when something is wrong and not
    repaired.
    """
    report = _library(ctx).check(repair=repair)
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
    if report.repaired:
        out.print("Repaired: missing chunks re-embedded, stray chunks deleted.")
        return
    out.print("Run `paperqa check --repair` to fix it.")
    raise typer.Exit(1)


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
        _print_field(name, value)


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Re-embed every paper with the configured embedding model (after changing it)."""
    library = _library(ctx)
    with _progress() as bar:
        task = bar.add_task("Re-embedding", total=None)
        report = library.reindex(progress=lambda done, total: bar.update(task, completed=done, total=total))
    _print_report(report)


# --- answering ----------------------------------------------------------------------

StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Drop sentences the sources do not support (default: flag them).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")]
HostOpt = Annotated[
    str, typer.Option(help="Address to listen on; other than loopback needs PAPERQA_APP_PASSWORD.")
]


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
    for sentence in answer.sentences:
        marks = "".join(f"[{n}]" for n in sentence.citations)
        unverified = sentence.grounded is False
        style = "red" if unverified else ("" if sentence.supported or answer.not_in_library else "yellow")
        text.append(sentence.text + (f" {marks}" if marks else ""), style=style)
        if unverified:
            text.append(f" (not verified: {sentence.problem})", style="red dim")
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
    since: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d", "%Y"], help="Only papers dated on or after this."),
    ] = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d", "%Y"], help="Only papers dated on or before this."),
    ] = None,
    strict: StrictOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the library: a few sentences, each citing its papers \\[n].

    When no paper is relevant enough, the answer says so and lists the nearest papers.
    "Which papers ..." questions get one cited sentence per relevant paper. Questions about
    the records ("Who wrote CASAL?", "When was FIND published?", "Which papers are from
    2024?", "How many papers are in the library?") are answered from them, not the abstracts.
    """
    library = _library(ctx)
    _run(
        lambda on_token: library.ask(
            question,
            paper_ids=paper,
            date_from=since.date() if since else None,
            date_to=until.date() if until else None,
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
    library = _library(ctx)
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
            _print_error(exc)
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
    library = _library(ctx)
    _run(
        lambda on_token: library.summarize(paper, topic=topic, tldr=tldr, strict=strict, on_token=on_token),
        as_json,
    )


@app.command()
def compare(
    ctx: typer.Context,
    paper_a: Annotated[str, typer.Argument(help="First paper: id or title.")],
    paper_b: Annotated[str, typer.Argument(help="Second paper: id or title.")],
    as_json: JsonOpt = False,
) -> None:
    """Two papers side by side (problem, approach, data, results, limitations), then a cited paragraph."""
    library = _library(ctx)
    _run(lambda on_token: library.compare(paper_a, paper_b, on_token=on_token), as_json)


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
    """
    import tempfile

    from paperqa import eval_report, evals

    if backend not in (None, "local", "openai"):
        raise typer.BadParameter("use 'local' or 'openai'", param_hint="--backend")
    items = evals.load_questions(questions)[:limit]
    paths = corpus or [Path("seeds")]
    for path in paths:
        if not path.exists():
            raise PaperQAError(f"corpus {path} does not exist; pass the papers with --corpus PATH")
    base = _library(ctx).settings
    llm = base.llm.model_copy(update={"backend": backend}) if backend else base.llm
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="paperqa-eval-") as tmp:
        library = Library(base.model_copy(update={"home": Path(tmp), "chroma_url": None, "llm": llm}))
        with _progress() as bar:
            task = bar.add_task("Indexing corpus", total=None)
            library.ingest(paths, progress=lambda done, total: bar.update(task, completed=done, total=total))
        papers, chunks = library.store.counts()
        with Progress(
            TextColumn("[bold]Answering"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=len(items) * (2 if baseline else 1))
            results = evals.evaluate(
                library,
                items,
                where=str(questions),
                progress=lambda done, total: bar.update(task, completed=done),
            )
            quoted = (
                evals.evaluate(
                    evals.quote_baseline(library),
                    items,
                    where=str(questions),
                    progress=lambda done, total: bar.update(task, completed=len(items) + done),
                )
                if baseline
                else None
            )
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
    table = Table(
        title=f"paperqa eval: {len(items)} questions, {meta['chat model']}",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
    )
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
    out.print(f"Report: {out_dir / 'report.md'}, {out_dir / 'results.json'}, {out_dir / 'eval.png'}")
    if check and any(t.met is False for t in targets):
        raise typer.Exit(1)


@app.command("serve")
def serve_api(
    ctx: typer.Context,
    host: HostOpt = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the library over HTTP for programs and people: a JSON API (/docs), an
    OpenAI-compatible endpoint (/v1/chat/completions, /v1/models) and the web app (/app).

    Any OpenAI client works: base_url http://HOST:PORT/v1, model "paperqa", any key (or the
    password when one is set). Other hosts than loopback need PAPERQA_APP_PASSWORD: HTTP
    basic (user paperqa) or a bearer token for the API, the login page for the app.
    """
    from paperqa.server import serve

    library = _library(ctx)
    out.print(
        f"paperqa is serving on http://{host}:{port} (API docs /docs, OpenAI-compatible /v1, app /app; "
        "Ctrl-C to stop)",
        highlight=False,
    )
    serve(library, host=host, port=port)


@app.command("app")
def serve(
    ctx: typer.Context,
    host: HostOpt = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
) -> None:
    """Start the web UI (chat, summarize, compare, library) on http://HOST:PORT."""
    from paperqa.app import launch

    library = _library(ctx)
    out.print(f"paperqa is running on http://{host}:{port} (Ctrl-C to stop)", highlight=False)
    launch(library, host=host, port=port)


def main() -> None:
    """Entry point: run the app, turning paperqa's errors into one line and exit code 1."""
    try:
        app()
    except PaperQAError as exc:
        _print_error(exc)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Interrupted. Papers written so far are kept; run the command again to finish.")
        sys.exit(130)


if __name__ == "__main__":
    main()
