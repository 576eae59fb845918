"""RIS files (`.ris`), the format every reference manager and database exports (Zotero,
Mendeley, EndNote, Scopus, Web of Science, PubMed), read record by record with rispy.

Quirks of real exports handled here: the abstract in `AB` or `N2`; authors in `AU` or
`A1` as "Last, First" (one a line); the date from `PY` ("2020///" from EndNote), `Y1` and
`DA` ("2020/05/17/", "Jul 2020" from ProQuest, a month alone, "OCT", from Web of Science,
its year in `PY`), the most precise reading winning; the DOI in `DO`, sometimes as a URL;
arXiv ids in URLs or the journal field; the venue in `JO`, `T2`, `JF` or `PB`. A record without an abstract is
skipped and reported; the rest of the file is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rispy

from paperqa.errors import IngestError
from paperqa.ingest.loaders.common import (
    LoadNote,
    arxiv_from,
    attached_pdfs,
    best_date,
    clean_latex,
    display_name,
    doi_from,
    find_urls,
    loose_date,
    paper_id,
    squash,
    strip_copyright,
)
from paperqa.types import Paper, SourceRef

FORMAT = "ris"
_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
_END = re.compile(r"^ER  -")


def sniff(text: str) -> bool:
    """The text holds RIS records (a `TY  - ` line)."""
    return bool(re.search(r"^TY  - ", text, re.MULTILINE))


def records(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of every record: from its `TY` line to its `ER` line."""
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("TY  -"):
            start, lines = number, []
        if start is not None:
            lines.append(line)
            if _END.match(line):
                yield start, "\n".join(lines)
                start = None
    if start is not None:
        yield start, "\n".join(lines) + "\nER  - "


def load(path: Path, text: str) -> Iterator[Paper | IngestError | LoadNote]:
    """Papers of a `.ris` file; a record that cannot be used is yielded as an `IngestError`
    with its kind; a file with no RIS record raises one."""
    text = text.lstrip("\ufeff")
    if not sniff(text):
        raise IngestError("no RIS records found (no 'TY  - ' line); is this a RIS file?", path)
    for line, chunk in records(text):
        try:
            parsed = rispy.loads(chunk, skip_unknown_tags=False, enforce_list_tags=False)
        except Exception as exc:  # rispy raises plain IOError/ValueError on a bad record
            yield IngestError(f"RIS record cannot be read: {exc}", path, line, kind="unparseable")
            continue
        if not parsed:
            yield IngestError("empty RIS record", path, line, kind="unparseable")
            continue
        yield _paper(parsed[0], path, line)


def _text(record: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            value = " ".join(str(v) for v in value if v)
        if value and str(value).strip():
            return squash(str(value))
    return ""


def _paper(record: dict[str, Any], path: Path, line: int) -> Paper | IngestError:
    key = _text(record, "id") or None
    title = _text(record, "title", "primary_title")
    if not title:
        return IngestError("record has no title (TI or T1)", path, line, kind="no title", key=key)
    abstract = _text(record, "abstract", "notes_abstract")
    if not abstract:
        return IngestError(
            "record has no abstract (AB or N2); paperqa searches abstracts",
            path,
            line,
            kind="no abstract",
            key=key,
        )
    names: list[str] = []
    for field in ("authors", "first_authors"):
        value = record.get(field) or []
        names += value if isinstance(value, list) else [value]
    urls = record.get("urls") or []
    urls = urls if isinstance(urls, list) else [urls]
    venue = _text(
        record, "journal_name", "secondary_title", "alternate_title3", "alternate_title2", "publisher"
    )
    doi_ = doi_from(_text(record, "doi"), *urls)
    arxiv = arxiv_from(*urls, venue, _text(record, "notes"), doi_)
    if doi_ and doi_.startswith("10.48550/arxiv."):
        doi_ = None
    # every field that dates the record, the most precise reading wins: DA "2020/05/17/",
    # "OCT" (Web of Science: the month alone, the year in PY), "Jul 2020" (ProQuest), PY "2020///"
    year = _text(record, "year", "publication_year")
    date, precision = best_date(
        loose_date(_text(record, "date"), year[:4]),
        loose_date(_text(record, "publication_year"), year[:4]),
        loose_date(_text(record, "year")),
    )
    clean_title, clean_abstract = clean_latex(title), strip_copyright(clean_latex(abstract))
    return Paper(
        id=paper_id(clean_title, arxiv, doi_),
        title=clean_title,
        abstract=clean_abstract,
        abstract_raw=abstract if squash(abstract) != clean_abstract else None,
        authors=[display_name(str(n)) for n in dict.fromkeys(names) if str(n).strip()],
        date=date,
        date_precision=precision,
        doi=doi_,
        arxiv_id=arxiv,
        venue=venue or None,
        url=next((u for u in urls if str(u).startswith("http")), None)
        or (f"https://doi.org/{doi_}" if doi_ else None),
        code_urls=find_urls(abstract),
        files=attached_pdfs([_text(record, "file_attachments1"), _text(record, "figure")], path.parent),
        source=SourceRef(path=str(path), line=line, format=FORMAT),
    )
