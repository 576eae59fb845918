"""Questions about the papers themselves, answered from the library's records.

"Who wrote the CASAL paper?", "When was FIND published?", "Where did it appear?",
"What is the link to SAE-V?", "How many papers are in the library?", "Which papers are
from 2025?", "Which papers are by Chris Olah?": the answer is in the record (authors,
date, venue, ids, links), not in an abstract, so no passage is retrieved and no model
writes. Each sentence cites the paper whose record it reads; a field the record lacks is
said to be missing, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from paperqa.answer.understand.records import Field, RecordQuestion
from paperqa.types import CitedSentence, Paper, Source

#: A list of papers from the records names at most this many, then says how many more.
LIST_LIMIT = 15
SHOWN_AUTHORS = 8


def record_line(p: Paper) -> str:
    """The paper's record in one line: what a record sentence is checked against."""
    parts = [p.title]
    if p.authors:
        parts.append("authors: " + ", ".join(p.authors))
    elif p.n_authors:
        parts.append(f"{p.n_authors} authors (names not recorded)")
    parts += [f"date: {p.date_text}" if p.date_text else "no date"]
    parts += [f"venue: {p.venue}"] if p.venue else []
    parts += [f"DOI: {p.doi}"] if p.doi else []
    parts += [f"arXiv: {p.arxiv_id}"] if p.arxiv_id else []
    parts += [f"link: {p.url}"] if p.url else []
    return "; ".join(parts)


def _names(authors: Sequence[str]) -> str:
    shown = list(authors[:SHOWN_AUTHORS])
    if len(authors) > SHOWN_AUTHORS:
        return f"{', '.join(shown)} and {len(authors) - SHOWN_AUTHORS} others"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def field_sentence(field: Field, p: Paper) -> str:
    """One sentence giving `field` of `p` from its record, or saying the record lacks it."""
    title = f"“{p.title}”"
    if field == "authors":
        if p.authors:
            return f"{title} is by {_names(p.authors)}."
        if p.n_authors:
            return f"The library records {p.n_authors} authors for {title} but not their names."
        return f"The library has no author list for {title}."
    if field == "date":
        return f"{title} is dated {p.date_text}." if p.date_text else f"The library has no date for {title}."
    if field == "venue":
        if p.venue:
            return f"{title} appeared in {p.venue}."
        return f"The library has no journal or venue for {title}" + (
            f"; it is an arXiv preprint ({p.arxiv_id})." if p.arxiv_id else "."
        )
    ids = [f"DOI {p.doi}"] if p.doi else []
    ids += [f"arXiv {p.arxiv_id}"] if p.arxiv_id else []
    if p.url:
        return f"{title} is at {p.url}" + (f" ({', '.join(ids)})." if ids else ".")
    if ids:
        return f"{title} has {' and '.join(ids)}; the library has no link for it."
    return f"The library has no link, DOI or arXiv id for {title}."


def answer(
    request: RecordQuestion,
    papers: Callable[[], list[Paper]],
    named: Sequence[Paper],
) -> tuple[list[CitedSentence], list[Source]] | None:
    """Record sentences and their sources (numbered from 1), or None when the question
    names no paper for a single-paper field (then it is answered from the abstracts)."""
    if request.field in ("authors", "date", "venue", "link"):
        if not named:
            return None
        chosen = list(named)
        lines = [(field_sentence(request.field, p), p) for p in chosen]
        return _cited(lines)
    everything = [p for p in papers() if p.dated_within(request.since, request.until)]
    if request.field == "by_author":
        key = (request.author or "").casefold()
        unnamed = sum(1 for p in everything if not p.authors)
        everything = [p for p in everything if any(_author_matches(key, a) for a in p.authors)]
        if not everything:
            gap = f" ({unnamed} of its papers have no author names recorded)" if unnamed else ""
            return [CitedSentence(text=f"No paper in the library lists {request.author} as an author{gap}.",
                                  supported=True, grounded=True, origin="record")], []  # fmt: skip
    if request.field == "count":
        return [CitedSentence(text=_count_sentence(everything, request), supported=True, grounded=True,
                              origin="record")], []  # fmt: skip
    if not everything:
        return [CitedSentence(text=f"No paper in the library is dated {_range_text(request)}.",
                              supported=True, grounded=True, origin="record")], []  # fmt: skip
    ordered = sorted(everything, key=lambda p: (p.date or dt.date.min, p.title))
    lines = [(f"“{p.title}” ({p.date_text or 'no date'}).", p) for p in ordered[:LIST_LIMIT]]
    sentences, sources = _cited(lines)
    what = f"by {request.author}" if request.field == "by_author" else f"dated {_range_text(request)}"
    head = f"{len(everything)} {'paper is' if len(everything) == 1 else 'papers are'} {what}"
    more = f", the first {LIST_LIMIT} by date" if len(everything) > LIST_LIMIT else ""
    intro = CitedSentence(text=f"{head}{more}:", supported=True, grounded=True, origin="record")
    return [intro, *sentences], sources


def _cited(lines: Sequence[tuple[str, Paper]]) -> tuple[list[CitedSentence], list[Source]]:
    sources = [
        Source(number=i, paper=p, passages=[], text=record_line(p)) for i, (_, p) in enumerate(lines, 1)
    ]
    sentences = [
        CitedSentence(
            text=text,
            citations=[i],
            support=1.0,
            supported=True,
            grounded=True,
            evidence=record_line(p),
            origin="record",
        )  # fmt: skip
        for i, (text, p) in enumerate(lines, 1)
    ]
    return sentences, sources


def _author_matches(key: str, author: str) -> bool:
    name = author.casefold()
    return key == name or key in name.split() or (len(key.split()) > 1 and key in name)


def _range_text(r: RecordQuestion) -> str:
    if r.since and r.until:
        if r.since.year == r.until.year:
            return str(r.since.year)
        return f"{r.since.year} to {r.until.year}"
    if r.since:
        return f"{r.since.year} or later"
    if r.until:
        return f"{r.until.year} or earlier"
    return "any date"


def date_span(papers: Sequence[Paper]) -> tuple[str, str] | None:
    """The first and last dates of `papers`, each at the precision its record gives."""
    dated = sorted((p for p in papers if p.date), key=lambda p: p.date)  # type: ignore[arg-type,return-value]
    return (dated[0].date_text or "", dated[-1].date_text or "") if dated else None


def _count_sentence(papers: Sequence[Paper], r: RecordQuestion) -> str:
    if r.since or r.until:
        return f"The library holds {len(papers)} papers dated {_range_text(r)}."
    dates = date_span(papers)
    span = f", dated {dates[0]} to {dates[1]}" if dates else ""
    undated = sum(1 for p in papers if not p.date_text)
    note = f" ({undated} without a date)" if undated and dates else ""
    return f"The library holds {len(papers)} papers{span}{note}."
