"""BibTeX files (`.bib`): entries with an `abstract` field, parsed by bibtexparser 2."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import bibtexparser

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

FORMAT = "bibtex"
MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def _date(year: str | None, month: str | None) -> dt.date | None:
    if not year or not year.strip()[:4].isdigit():
        return None
    m = (month or "").strip().lower()
    number = int(m) if m.isdigit() else MONTHS.get(m[:3], 1)
    return dt.date(int(year.strip()[:4]), number if 1 <= number <= 12 else 1, 1)


def load(path: Path, text: str) -> Iterator[Paper | IngestError]:
    """Papers of a `.bib` file. A syntax error is an `IngestError` at the entry's line;
    an entry without title or abstract is one too (it cannot be searched)."""
    library = bibtexparser.parse_string(text)
    problems = [
        IngestError(
            f"BibTeX syntax error in this entry: {_first_line(b.error)}", path, (b.start_line or 0) + 1
        )
        for b in library.failed_blocks
    ]
    if not library.entries and not problems:
        raise IngestError("no BibTeX entries found", path)
    items: list[tuple[int, Paper | IngestError]] = [(p.line or 0, p) for p in problems]
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        fields = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
        title, abstract = fields.get("title", "").strip(), fields.get("abstract", "").strip()
        if not title:
            items.append((line, IngestError(f"entry {entry.key!r} has no title", path, line)))
            continue
        if not abstract:
            items.append((line, IngestError(f"entry {entry.key!r} has no abstract", path, line)))
            continue
        clean_title = clean_latex(title)
        arxiv = (
            arxiv_id(fields.get("eprint"))
            if fields.get("archiveprefix", "arxiv").lower() == "arxiv"
            else None
        )
        doi_ = doi(fields.get("doi"))
        clean = clean_latex(abstract)
        items.append(
            (
                line,
                Paper(
                    id=paper_id(clean_title, arxiv, doi_),
                    title=clean_title,
                    abstract=clean,
                    abstract_raw=abstract if squash(abstract) != clean else None,
                    authors=[clean_latex(a) for a in split_authors(fields.get("author"))],
                    date=_date(fields.get("year"), fields.get("month")),
                    url=fields.get("url") or (f"https://doi.org/{doi_}" if doi_ else None),
                    code_urls=find_urls(abstract),
                    source=SourceRef(path=str(path), line=line, format=FORMAT),
                ),
            )
        )
    for _, item in sorted(items, key=lambda pair: pair[0]):
        yield item


def _first_line(error: object) -> str:
    lines = str(error or "").strip().splitlines()
    return lines[0] if lines else "unbalanced braces or a missing comma"
