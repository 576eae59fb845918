"""The text of a Hugging Face "Daily Papers" listing, as copied from the page.

Each entry is: title, blank, abstract, blank, `  • N authors`, `·`, a date line
(`Sep 7, 2023` or `Dec 22`, optionally followed by an upvote count). A page
header (`Daily Papers`, the page date) comes first.

The page leaves the year out for dates in the listing's own year. Unless the
caller names that year, it is taken as one more than the latest year any
entry states (the page states the year for every earlier year), but never
later than the current year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from paperqa.errors import IngestError
from paperqa.ingest.loaders.common import clean_latex, find_urls, paper_id, squash
from paperqa.types import Paper, SourceRef

FORMAT = "hf-daily"
AUTHORS_LINE = re.compile(r"^\s*•\s*(\d+)\s+authors?\s*$")
DATE_LINE = re.compile(r"^([A-Z][a-z]{2})\s+(\d{1,2})(?:,\s*(\d{4}))?(?:\s+(\d+))?\s*$")
MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


def sniff(text: str) -> bool:
    """True if the text looks like a Daily Papers listing."""
    return any(AUTHORS_LINE.match(line) for line in text.splitlines()[:2000])


def _block_before(lines: list[str], end: int) -> tuple[int, int]:
    """(start, stop) of the run of non-blank lines that ends at or before `end`."""
    stop = end
    while stop >= 0 and not lines[stop].strip():
        stop -= 1
    start = stop
    while start > 0 and lines[start - 1].strip():
        start -= 1
    return start, stop + 1


def _date_line(lines: list[str], after: int) -> tuple[int, re.Match[str]] | None:
    """The date line within the three lines after `after` (the `·` line sits between)."""
    for i in range(after + 1, min(after + 4, len(lines))):
        if m := DATE_LINE.match(lines[i].strip()):
            return i, m
    return None


def infer_year(stated_years: list[int], today: dt.date) -> int:
    """The year of dates shown without one: after every stated year, not after today."""
    years = stated_years
    return min(max(years) + 1, today.year) if years else today.year


def load(
    path: Path, text: str, *, listing_year: int | None = None, today: dt.date | None = None
) -> Iterator[Paper | IngestError]:
    """Papers of a Daily Papers listing; a malformed entry is yielded as an `IngestError`."""
    lines = text.splitlines()
    entries = [i for i, line in enumerate(lines) if AUTHORS_LINE.match(line)]
    if not entries:
        raise IngestError("no '• N authors' lines: not a Daily Papers listing", path)
    found = {i: _date_line(lines, i) for i in entries}
    stated = [int(d[1].group(3)) for d in found.values() if d and d[1].group(3)]
    year = listing_year or infer_year(stated, today or dt.date.today())
    previous_end = -1
    for i in entries:
        abs_start, abs_stop = _block_before(lines, i - 1)
        title_start, title_stop = _block_before(lines, abs_start - 1)
        line_no = title_start + 1
        if abs_start <= previous_end or title_start <= previous_end or title_stop <= 0:
            yield IngestError("entry has no title or no abstract before its author line", path, i + 1)
            continue
        title = squash(" ".join(lines[title_start:title_stop]))
        raw_abstract = "\n".join(lines[abs_start:abs_stop]).strip()
        dated = found[i]
        if dated is None:
            yield IngestError("entry has no date line (like 'Sep 7, 2023') after its authors", path, i + 1)
            previous_end = i
            continue
        date_idx, m = dated
        previous_end = date_idx
        month, day, entry_year, upvotes = m.groups()
        try:
            date = dt.date(int(entry_year or year), MONTHS[month], int(day))
        except (KeyError, ValueError):
            yield IngestError(f"not a date: {lines[date_idx].strip()!r}", path, date_idx + 1)
            continue
        abstract = clean_latex(raw_abstract)
        yield Paper(
            id=paper_id(title),
            title=title,
            abstract=abstract,
            abstract_raw=raw_abstract if raw_abstract != abstract else None,
            n_authors=int(AUTHORS_LINE.match(lines[i]).group(1)),  # type: ignore[union-attr]
            date=date,
            code_urls=find_urls(raw_abstract),
            upvotes=int(upvotes) if upvotes else None,
            source=SourceRef(path=str(path), line=line_no, format=FORMAT),
        )
