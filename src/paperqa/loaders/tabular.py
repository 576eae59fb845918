"""Paper lists as JSON Lines, JSON or CSV: one record a paper, with title and abstract.

Column names are matched case-insensitively: `title`; `abstract` (or `summary`);
optional `id` (an arXiv id or DOI is recognised), `authors` (a list, or names
separated by ';' or ' and '), `date` (ISO, or a year), `url`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paperqa.errors import IngestError
from paperqa.loaders.common import (
    arxiv_id,
    clean_latex,
    doi,
    find_urls,
    paper_id,
    split_authors,
    squash,
)
from paperqa.types import Paper, SourceRef

ALIASES = {
    "title": ("title",),
    "abstract": ("abstract", "summary"),
    "id": ("id", "paper_id", "arxiv_id", "doi", "doc_id"),
    "authors": ("authors", "author"),
    "date": ("date", "published", "listing_date", "year"),
    "url": ("url", "link"),
}
Located = tuple[int | None, int | None, Any]  # (line, record number, parsed value)


def _field(record: dict[str, Any], name: str) -> Any:
    lowered = {str(k).lower(): v for k, v in record.items()}
    for alias in ALIASES[name]:
        if lowered.get(alias) not in (None, ""):
            return lowered[alias]
    return None


def parse_date(value: Any) -> dt.date | None:
    """A date from ISO text (`2024-05-17`, with or without a time) or a bare year."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit() and len(text) == 4:
        return dt.date(int(text), 1, 1)
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"date {text!r} is not ISO (YYYY-MM-DD) or a year") from None


def record_to_paper(record: Any, path: Path, line: int | None, record_no: int | None, fmt: str) -> Paper:
    """One record as a `Paper`; raises `IngestError` located at the record."""

    def fail(msg: str) -> IngestError:
        return IngestError(msg, path, line, record_no)

    if not isinstance(record, dict):
        raise fail(f"expected an object with title and abstract, got {type(record).__name__}")
    title, abstract = _field(record, "title"), _field(record, "abstract")
    if not isinstance(title, str) or not title.strip():
        raise fail("record has no title")
    if isinstance(abstract, list):  # some datasets keep abstracts as sentence lists
        abstract = " ".join(map(str, abstract))
    if not isinstance(abstract, str) or not abstract.strip():
        raise fail("record has no abstract")
    try:
        date = parse_date(_field(record, "date"))
    except ValueError as exc:
        raise fail(str(exc)) from None
    given_id = _field(record, "id")
    given = str(given_id).strip() if given_id is not None else None
    clean_title = clean_latex(title)
    arxiv, doi_ = arxiv_id(given), doi(given)
    pid = paper_id(clean_title, arxiv, doi_) if (arxiv or doi_ or not given) else given
    clean_abstract = clean_latex(abstract)
    return Paper(
        id=pid,
        title=clean_title,
        abstract=clean_abstract,
        abstract_raw=abstract if squash(abstract) != clean_abstract else None,
        authors=split_authors(_field(record, "authors")),
        date=date,
        url=_field(record, "url") or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None),
        code_urls=find_urls(abstract),
        source=SourceRef(path=str(path), line=line, format=fmt),
    )


def iter_jsonl(path: Path, text: str) -> Iterator[Located | IngestError]:
    """(line, None, object) for every non-blank line; a line that is not JSON is an error."""
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield line_no, None, json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, line_no)


def iter_json(path: Path, text: str) -> Iterator[Located]:
    """Records of a JSON array (each with its line), or of `{"papers": [...]}`, or one object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno) from exc
    if isinstance(data, list):
        yield from _array_with_lines(text, data)
        return
    if isinstance(data, dict):
        for key in ("papers", "records", "data", "items"):
            if isinstance(data.get(key), list):
                for n, rec in enumerate(data[key], 1):
                    yield None, n, rec
                return
        yield 1, None, data
        return
    raise IngestError("JSON must be a list of papers or an object with a 'papers' list", path, 1)


def _array_with_lines(text: str, data: list[Any]) -> Iterator[Located]:
    """Pair the records of a top-level JSON array with the line each starts on."""
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    line, counted = 1, 0
    for n, rec in enumerate(data, 1):
        while text[pos] in " \t\r\n,":
            pos += 1
        line += text.count("\n", counted, pos)
        counted = pos
        line_no = line
        _, pos = decoder.raw_decode(text, pos)
        yield line_no, n, rec


def iter_csv(path: Path, text: str) -> Iterator[Located]:
    """Rows of a CSV (or TSV) file with a header, each with the line it starts on."""
    dialect = csv.excel_tab if path.suffix.lower() in (".tsv", ".tab") else csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = [h.lower().strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise IngestError(f"not valid CSV: {exc}", path, 1) from exc
    for need, aliases in (("title", ALIASES["title"]), ("abstract", ALIASES["abstract"])):
        if not any(a in header for a in aliases):
            raise IngestError(
                f"CSV has no {need!r} column (columns found: {', '.join(header) or 'none'})", path, 1
            )
    start = reader.line_num + 1
    n = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise IngestError(f"not valid CSV: {exc}", path, reader.line_num) from exc
        n += 1
        if None in row:  # more cells than header columns
            raise IngestError("row has more cells than the header has columns", path, start)
        yield start, n, row
        start = reader.line_num + 1


def load(path: Path, text: str, fmt: str) -> Iterator[Paper | IngestError]:
    """Papers of a JSONL, JSON or CSV file; a bad record is yielded as an `IngestError`."""
    records: Iterator[Located | IngestError]
    if fmt == "jsonl":
        records = iter_jsonl(path, text)
    elif fmt == "json":
        records = iter_json(path, text)
    else:
        records = iter_csv(path, text)
    for item in records:
        if isinstance(item, IngestError):
            yield item
            continue
        line, n, record = item
        try:
            yield record_to_paper(record, path, line, n, fmt)
        except IngestError as exc:
            yield exc
