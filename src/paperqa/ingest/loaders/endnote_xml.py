"""EndNote XML (`File > Export > XML`): `<xml><records><record>`, every value wrapped in
`<style>` elements, often the whole file on one line.

Read with defusedxml (no external entities, no entity expansion bombs). A record is located
by its number in the file (the line is the same for all in a one-line file) and keyed by its
`rec-number`. The date comes from `year` and `pub-dates` ("Oct 15", "2019/10/15"), at the
best precision they give; the DOI from `electronic-resource-num`; the venue from the
periodical's or the secondary title.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paperqa.errors import IngestError
from paperqa.ingest.loaders.common import (
    LoadNote,
    arxiv_from,
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

FORMAT = "endnote-xml"


def sniff(text: str) -> bool:
    head = text.lstrip("\ufeff").lstrip()[:2000].lower()
    return "<records>" in head and "<record>" in head


def load(path: Path, text: str) -> Iterator[Paper | IngestError | LoadNote]:
    """Papers of an EndNote XML file; a record without title or abstract is yielded as an
    `IngestError`; a file that is not EndNote XML raises one."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(text.lstrip("\ufeff").encode("utf-8"))
    except DefusedXmlException as exc:
        raise IngestError(f"refused: the XML declares entities ({type(exc).__name__})", path) from exc
    except ElementTree.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise IngestError(f"not valid XML: {exc}", path, line) from exc
    records = root.findall(".//record")
    if not records:
        raise IngestError("no EndNote records found (no <record> elements)", path)
    offsets = _record_lines(text)
    for number, record in enumerate(records, 1):
        yield _paper(record, path, offsets[number - 1] if number <= len(offsets) else None, number)


def _record_lines(text: str) -> list[int]:
    """The line each `<record>` starts on, in order."""
    lines, counted, line = [], 0, 1
    while (found := text.find("<record>", counted)) >= 0:
        line += text.count("\n", counted, found)  # each stretch counted once: linear in the file
        lines.append(line)
        counted = found + 1
    return lines


def _text(element: Any, path: str) -> str:
    found = element.find(path)
    return squash("".join(found.itertext())) if found is not None else ""


def _all(element: Any, path: str) -> list[str]:
    return [squash("".join(e.itertext())) for e in element.findall(path) if "".join(e.itertext()).strip()]


def _paper(record: Any, path: Path, line: int | None, number: int) -> Paper | IngestError:
    key = _text(record, "rec-number") or None
    title = _text(record, "titles/title")
    if not title:
        return IngestError("record has no title", path, line, number, kind="no title", key=key)
    abstract = _text(record, "abstract")
    if not abstract:
        return IngestError(
            "record has no abstract; paperqa searches abstracts",
            path,
            line,
            number,
            kind="no abstract",
            key=key,
        )
    year = _text(record, "dates/year")
    date, precision = best_date(
        *(loose_date(d, year) for d in _all(record, "dates/pub-dates/date")), loose_date(year)
    )
    urls = _all(record, "urls/related-urls/url") + _all(record, "urls/web-urls/url")
    doi_ = doi_from(_text(record, "electronic-resource-num"), *urls)
    venue = _text(record, "periodical/full-title") or _text(record, "titles/secondary-title")
    arxiv = arxiv_from(*urls, venue, doi_)
    clean_title, clean_abstract = clean_latex(title), strip_copyright(clean_latex(abstract))
    people = _all(record, "contributors/authors/author")
    return Paper(
        id=paper_id(clean_title, arxiv, doi_),
        title=clean_title,
        abstract=clean_abstract,
        abstract_raw=abstract if squash(abstract) != clean_abstract else None,
        authors=list(dict.fromkeys(display_name(a) for a in people)),
        date=date,
        date_precision=precision,
        doi=doi_,
        arxiv_id=arxiv,
        venue=venue or None,
        url=next((u for u in urls if u.startswith("http")), None)
        or (f"https://doi.org/{doi_}" if doi_ else None),
        code_urls=find_urls(abstract),
        source=SourceRef(path=str(path), line=line, format=FORMAT),
    )
