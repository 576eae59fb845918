"""arXiv metadata as JSON Lines: `{id, title, authors, categories, abstract, comment, listing_date}`.

Abstracts keep arXiv's LaTeX and hard line breaks; the display text is
cleaned and the raw text kept beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paperqa.errors import IngestError
from paperqa.ingest.loaders.common import arxiv_id, clean_latex, find_urls, paper_id, split_authors
from paperqa.ingest.loaders.tabular import iter_jsonl, parse_date
from paperqa.types import Paper, SourceRef

FORMAT = "arxiv"


def sniff(first_record: Any) -> bool:
    """True if a JSON record has the shape of arXiv listing metadata."""
    return (
        isinstance(first_record, dict)
        and "categories" in first_record
        and arxiv_id(str(first_record.get("id", ""))) is not None
    )


def record_to_paper(record: Any, path: Path, line: int) -> Paper:
    """One arXiv record as a `Paper`; raises `IngestError` located at its line."""
    if not isinstance(record, dict):
        raise IngestError("expected a JSON object", path, line)
    aid = arxiv_id(str(record.get("id", "")))
    title, abstract = record.get("title"), record.get("abstract")
    if aid is None:
        raise IngestError(f"not an arXiv id: {record.get('id')!r}", path, line)
    if not isinstance(title, str) or not title.strip():
        raise IngestError("record has no title", path, line, kind="no title")
    if not isinstance(abstract, str) or not abstract.strip():
        raise IngestError("record has no abstract", path, line, kind="no abstract")
    try:
        date, precision = parse_date(record.get("listing_date") or record.get("date"))
    except ValueError as exc:
        raise IngestError(str(exc), path, line) from None
    clean = clean_latex(abstract)
    return Paper(
        id=paper_id(title, arxiv=aid),
        title=clean_latex(title),
        abstract=clean,
        abstract_raw=abstract,
        authors=split_authors(record.get("authors")),
        date=date,
        date_precision=precision,
        arxiv_id=aid,
        url=f"https://arxiv.org/abs/{aid}",
        code_urls=find_urls(f"{abstract} {record.get('comment') or ''}"),
        categories=[str(c) for c in record.get("categories") or []],
        source=SourceRef(path=str(path), line=line, format=FORMAT),
    )


def load(path: Path, text: str) -> Iterator[Paper | IngestError]:
    """Papers of an arXiv JSONL file; a bad line is yielded as an `IngestError`."""
    for item in iter_jsonl(path, text):
        if isinstance(item, IngestError):
            yield item
            continue
        line, _, record = item
        try:
            yield record_to_paper(record, path, line or 0)
        except IngestError as exc:
            yield exc
