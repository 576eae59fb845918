"""Paper lists as JSON Lines, JSON (also CSL-JSON) or CSV/TSV: one record a paper,
with title and abstract.

Column names are matched case-insensitively, with the names reference managers and
databases export: `title` (Zotero "Title", Web of Science "TI"); `abstract` (`summary`,
Zotero "Abstract Note", Scopus "Abstract", WoS "AB"); optional `id` (an arXiv id or DOI
is recognised), `doi` ("DI"), `authors` (a list, or names separated by ';', ' and ' or,
as Scopus writes them, "Osei-Kyei R., Tam V."; Zotero "Author", WoS "AF"/"AU"), `date`
(ISO, YYYY-MM, a year; Zotero "Publication Year", WoS "PY"), `url` ("Link"), `venue`
(Zotero "Publication Title", Scopus "Source title", WoS "SO"). CSL-JSON (Zotero's and
Mendeley's "CSL JSON" export) is recognised by its `author`/`issued` objects.

A record may carry the paper's full text: `sections`, a list of `{"name": heading,
"paragraphs": [text, ...]}` (QASPER's shape), or S2ORC's `body_text`, a list of
`{"section": heading, "text": paragraph}` (consecutive paragraphs of one heading make one
section). It becomes `Paper.sections`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from paperqa.errors import IngestError
from paperqa.ingest.loaders.common import (
    LoadNote,
    Precision,
    arxiv_from,
    best_date,
    clean_latex,
    date_from_parts,
    doi_from,
    find_urls,
    loose_date,
    paper_id,
    parse_date,
    split_authors,
    squash,
    strip_copyright,
)
from paperqa.types import Paper, Section, SourceRef

ALIASES = {
    "title": ("title", "ti", "article title", "document title"),
    # Web of Science tab-delimited: "PD" (or "Publication Date") gives month and day, "PY" the year
    "month_day": ("pd", "publication date"),
    "abstract": ("abstract", "summary", "abstract note", "ab"),
    "id": ("id", "paper_id", "arxiv_id", "doi", "doc_id", "di"),
    "doi": ("doi", "di"),
    "authors": ("af", "author full names", "authors", "author", "au"),
    "groups": ("ca", "group authors"),
    "date": ("date", "published", "listing_date", "year", "publication year", "py"),
    "url": ("url", "link"),
    "venue": ("venue", "publication title", "source title", "journal", "so", "booktitle"),
    # what names a record in a skip report: Zotero's Key, Scopus's EID, WoS's UT
    "key": ("key", "id", "eid", "ut", "ut (unique wos id)", "pmid", "citation key"),
}
#: What databases write where there is no abstract.
NO_ABSTRACT = re.compile(r"^\s*\[?\s*no abstract( available)?\s*\]?\s*\.?\s*$", re.IGNORECASE)
Located = tuple[int | None, int | None, Any]  # (line, record number, parsed value)


def _field(record: dict[str, Any], name: str) -> Any:
    lowered = {str(k).lower(): v for k, v in record.items()}
    for alias in ALIASES[name]:
        if lowered.get(alias) not in (None, ""):
            return lowered[alias]
    return None


def is_csl(record: Any) -> bool:
    """A CSL-JSON item: authors as name objects, or an `issued` date object."""
    if not isinstance(record, dict):
        return False
    authors = record.get("author")
    return isinstance(record.get("issued"), dict) or (
        isinstance(authors, list) and any(isinstance(a, dict) for a in authors)
    )


def _csl_fields(record: dict[str, Any]) -> dict[str, Any]:
    """A CSL-JSON item in the generic field names."""
    names = []
    for a in record.get("author") or []:
        if isinstance(a, dict):  # an organisation is one `literal` name, kept whole
            keys = ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")
            names.append(squash(str(a.get("literal") or " ".join(str(a[k]) for k in keys if a.get(k)))))
    issued = record.get("issued") or {}
    parts = (issued.get("date-parts") or [[]])[0] or []
    container = record.get("container-title") or record.get("publisher")
    return {
        "title": record.get("title"),
        "abstract": record.get("abstract"),
        "authors": [n for n in names if n],
        "date_parts": parts,
        "date_raw": issued.get("raw") or issued.get("literal"),
        "doi": record.get("DOI"),
        "url": record.get("URL"),
        "venue": container[0] if isinstance(container, list) and container else container,
        "arxiv": record.get("number") or record.get("archive_location"),
    }


def record_to_paper(
    record: Any, path: Path, line: int | None, record_no: int | None, fmt: str
) -> tuple[Paper, list[str]]:
    """One record as a `Paper`, with notes on what was read but not used (a date that
    is no date); raises `IngestError` located at the record."""

    def fail(msg: str, kind: str | None = None) -> IngestError:
        key = (str(_field(record, "key") or "") or None) if isinstance(record, dict) else None
        return IngestError(msg, path, line, record_no, kind=kind, key=key)

    if not isinstance(record, dict):
        raise fail(f"expected an object with title and abstract, got {type(record).__name__}")
    csl = _csl_fields(record) if is_csl(record) else None
    title = csl["title"] if csl else _field(record, "title")
    abstract = csl["abstract"] if csl else _field(record, "abstract")
    if not isinstance(title, str) or not title.strip():
        raise fail("record has no title", "no title")
    if isinstance(abstract, list):  # some datasets keep abstracts as sentence lists
        abstract = " ".join(map(str, abstract))
    if not isinstance(abstract, str) or not abstract.strip() or NO_ABSTRACT.match(abstract):
        raise fail("record has no abstract; paperqa searches abstracts", "no abstract")
    notes: list[str] = []
    if csl:
        date, precision = best_date(
            date_from_parts(*(csl["date_parts"] + [None, None, None])[:3]), loose_date(csl["date_raw"])
        )
        if date is None and csl["date_raw"]:
            notes.append(f"date {csl['date_raw']!r} is no date; the paper is added without a date")
    elif _field(record, "month_day"):
        year = _field(record, "date")
        date, precision = best_date(loose_date(_field(record, "month_day"), year), loose_date(year))
    else:
        date, precision = _date_or_note(_field(record, "date"), notes)
    given_id = _field(record, "id")
    given = str(given_id).strip() if given_id is not None and not csl else None
    clean_title = clean_latex(title)
    doi_ = doi_from(csl["doi"] if csl else _field(record, "doi"), given)
    arxiv = arxiv_from(given, csl["arxiv"] if csl else None, csl["url"] if csl else _field(record, "url"))
    if doi_ and doi_.startswith("10.48550/arxiv."):
        arxiv, doi_ = arxiv or arxiv_from(doi_), None
    pid = paper_id(clean_title, arxiv, doi_) if (arxiv or doi_ or not given) else given
    clean_abstract = strip_copyright(clean_latex(abstract))
    url = (csl["url"] if csl else _field(record, "url")) or (
        f"https://arxiv.org/abs/{arxiv}" if arxiv else None
    )
    venue = csl["venue"] if csl else _field(record, "venue")
    paper = Paper(
        id=pid,
        title=clean_title,
        abstract=clean_abstract,
        abstract_raw=abstract if squash(abstract) != clean_abstract else None,
        authors=(csl["authors"] if csl else split_authors(_field(record, "authors")))
        + [g for g in split_groups(_field(record, "groups")) if not csl],
        date=date,
        date_precision=precision,
        doi=doi_,
        arxiv_id=arxiv,
        venue=squash(str(venue)) if venue else None,
        url=url,
        code_urls=find_urls(abstract),
        sections=full_text(record, fail) if fmt in ("jsonl", "json") and not csl else [],
        source=SourceRef(path=str(path), line=line, format="csl-json" if csl else fmt),
    )
    return paper, notes


def full_text(record: dict[str, Any], fail: Callable[[str], IngestError]) -> list[Section]:
    """The body a record carries (`sections`, or S2ORC's `body_text`); none when it has neither.
    Raises (through `fail`) on one that is not of either shape, naming what was wrong."""
    given = record.get("sections")
    if given is None and isinstance(record.get("body_text"), list):
        given = []
        for i, part in enumerate(record["body_text"]):
            if not isinstance(part, dict) or not isinstance(part.get("text"), str):
                raise fail(f"body_text[{i}] is not an object with a 'text' string")
            name = str(part.get("section") or "")
            if not given or given[-1]["name"] != name:
                given.append({"name": name, "paragraphs": []})
            given[-1]["paragraphs"].append(part["text"])
    if given is None:
        return []
    if not isinstance(given, list):
        raise fail(f"sections is {type(given).__name__}, not a list of {{name, paragraphs}}")
    sections = []
    for i, section in enumerate(given):
        paragraphs = section.get("paragraphs") if isinstance(section, dict) else None
        if isinstance(paragraphs, str):
            paragraphs = [paragraphs]
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            raise fail(f"sections[{i}] is not an object with a 'paragraphs' list of strings")
        kept = [squash(p) for p in paragraphs if p.strip()]
        if kept:
            sections.append(Section(name=squash(str(section.get("name") or "")), paragraphs=kept))
    return sections


def split_groups(value: object) -> list[str]:
    """Group authors (Web of Science `CA`), each kept whole: "World Health Organization"."""
    return [squash(g) for g in str(value or "").split(";") if g.strip()]


def _date_or_note(value: Any, notes: list[str]) -> tuple[dt.date | None, Precision]:
    try:
        return parse_date(value)
    except ValueError as exc:
        notes.append(f"{exc}; the paper is added without a date")
        return None, None


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


def iter_csv(path: Path, text: str, tabbed: bool = False) -> Iterator[Located]:
    """Rows of a CSV (or TSV) file with a header, each with the line it starts on."""
    tabbed = tabbed or any(x.lower() in (".tsv", ".tab") for x in path.suffixes)
    dialect = csv.excel_tab if tabbed else csv.excel
    # strict: an unterminated quote is a broken file, not a row that swallows the rest
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect, strict=True)
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
        extra = row.pop(None, None)  # type: ignore[call-overload]
        if extra and any(str(cell).strip() for cell in extra):  # more cells than header columns
            raise IngestError("row has more cells than the header has columns", path, start)
        # an empty cell past the last column is a trailing tab (Web of Science writes one a row)
        yield start, n, row
        start = reader.line_num + 1


def load(path: Path, text: str, fmt: str) -> Iterator[Paper | IngestError | LoadNote]:
    """Papers of a JSONL, JSON or CSV file; a bad record is yielded as an `IngestError`."""
    records: Iterator[Located | IngestError]
    if fmt == "wos":
        records = iter_csv(path, text.lstrip("\ufeff"), tabbed=True)
    elif fmt == "jsonl":
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
            paper, notes = record_to_paper(record, path, line, n, fmt)
        except IngestError as exc:
            yield exc
            continue
        where = f"{path}:{line}" if line else f"{path} (record {n})"
        yield from (LoadNote(where, note) for note in notes)
        yield paper
