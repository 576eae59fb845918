"""A literature table (`Library.table`) as Markdown, CSV or JSON: papers in rows, the
columns as asked, each cell with its citation; then the overview paragraph and the
numbered references. Pure functions of the `Answer`; the CLI, the app and the server share them."""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from paperqa.answer.table import OWN_COLUMNS_NOTE, aspect_of
from paperqa.errors import InputError
from paperqa.types import Answer, CitedSentence

FORMATS = ("rich", "markdown", "csv", "json")
#: `--out FILE` picks the format from the file's extension.
BY_EXTENSION = {".md": "markdown", ".markdown": "markdown", ".csv": "csv", ".json": "json"}


def format_for(path: Path, given: str | None) -> str:
    """The format to write `path` in: the one given, else its extension's."""
    if given and given != "rich":
        return given
    found = BY_EXTENSION.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"{path}: cannot tell the format from '{path.suffix or 'no extension'}'; "
            "use .md, .csv or .json, or give --format."
        )
    return found


def cell_text(cell: CitedSentence) -> str:
    """A cell as exported: its sentence, its marks and, read from a paper's body, where."""
    marks = "".join(f"[{n}]" for n in cell.citations)
    if marks and cell.where:
        marks += f" {cell.where}"
    return f"{cell.text} {marks}".strip()


def grid(answer: Answer) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per paper, "[n]" and its title first, then a cell per column."""
    columns = [row.aspect for row in answer.comparison or []]
    sources = sorted(answer.sources, key=lambda s: s.number)
    rows = [
        [f"[{s.number}]", s.paper.title, *(cell_text(row.cells[i]) for row in answer.comparison or [])]
        for i, s in enumerate(sources)
    ]
    return ["", "Paper", *columns], rows


def note(answer: Answer) -> str | None:
    """What the reader should know about the cells: said when a column is the researcher's own."""
    own = any(aspect_of(row.aspect) is None for row in answer.comparison or [])
    return OWN_COLUMNS_NOTE if own else None


def _md(text: str) -> str:
    """Text for a Markdown table cell or line: no raw HTML (a title from an untrusted file may
    hold `<img onerror=...>`), no cell breaks."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


#: A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(...)`).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a leading `'`,
    as OWASP recommends against CSV injection."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def to_markdown(answer: Answer) -> str:
    header, rows = grid(answer)
    lines = [
        "| " + " | ".join(_md(h) for h in header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(_md(c) for c in row) + " |" for row in rows),
    ]
    if said := note(answer):
        lines += ["", f"_{said}_"]
    if answer.text:
        lines += ["", _md(answer.text)]
    if answer.references:
        lines += ["", "References:", ""]
        for ref in answer.references:
            when = ref.date_text or (ref.date.isoformat() if ref.date else "no date")
            url = (ref.url or "").replace("<", "%3C").replace(">", "%3E")
            link = f" <{url}>" if url else ""
            lines.append(f"{ref.number}. {_md(ref.title)} ({when}) {ref.paper_id}{link}")
    return "\n".join(lines) + "\n"


def to_csv(answer: Answer) -> str:
    """One row per paper: number, id, title, date, then each column's cell (with its [n]);
    a cell that would start a spreadsheet formula starts with `'`."""
    header, rows = grid(answer)
    by_number = {r.number: r for r in answer.references}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_csv(h) for h in ["number", "paper_id", "title", "date", *header[2:]]])
    for s, row in zip(sorted(answer.sources, key=lambda s: s.number), rows, strict=True):
        ref = by_number.get(s.number)
        date = (ref.date_text or (ref.date.isoformat() if ref.date else "")) if ref else ""
        writer.writerow([_csv(c) for c in [s.number, s.paper.id, s.paper.title, date, *row[2:]]])
    return buffer.getvalue()


def render_table(answer: Answer, fmt: str) -> str:
    if fmt == "markdown":
        return to_markdown(answer)
    if fmt == "csv":
        return to_csv(answer)
    if fmt == "json":
        return answer.model_dump_json(indent=2) + "\n"
    raise InputError(f"Unknown table format '{fmt}'; choose one of {', '.join(FORMATS)}.")
