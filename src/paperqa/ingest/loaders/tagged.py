"""Tagged text exports: Web of Science "Plain text" (`savedrecs.txt`: `FN`, `PT`, `AU`,
`TI`, `AB`, `PY`, `PD`, `DI`, `ER`) and PubMed's MEDLINE format (`.nbib`, `.txt`:
`PMID-`, `TI  -`, `AB  -`, `FAU -`, `DP  -`, `LID - ... [doi]`).

Both write a field as a tag and its value, continue a long value on lines indented with
spaces (three for Web of Science, six for MEDLINE), and repeat a tag for each author. Quirks
handled: CRLF line ends; authors in full (`AF`, `FAU`) before abbreviated ones (`AU`); group
and corporate authors (`CA`, `CN`) kept as one name; the date at the best precision the
record gives (`PY` with `PD` "OCT 15" or "JUL-AUG"; `DP` "2021 Mar 15", "2020 Winter"; `DEP`
"20210315"); the DOI from `DI`, or from `LID`/`AID` lines marked `[doi]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

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

Fields = dict[str, list[str]]

_WOS_TAG = re.compile(r"^([A-Z][A-Z0-9]) (.*)$")
_MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s*- (.*)$")
#: Web of Science tags whose indented lines are further values (one author a line), not
#: the rest of one value.
_WOS_LISTS = frozenset({"AU", "AF", "CA", "BA", "BF", "BE", "GP", "CR", "C1", "C3", "EM", "RI", "OI", "FU"})
#: A value on a DOI line: "10.1000/xyz [doi]".
_MARKED_DOI = re.compile(r"^(10\.\S+)\s+\[doi\]", re.IGNORECASE)


def is_wos(text: str) -> bool:
    """A Web of Science plain-text export: `FN` first, or `PT` records ending in `ER`."""
    head = text.lstrip("\ufeff").lstrip()
    return head.startswith("FN ") or (
        head.startswith("PT ") and re.search(r"^ER\s*$", text, re.M) is not None
    )


def is_medline(text: str) -> bool:
    """A PubMed MEDLINE export: records that start with a `PMID-` line."""
    return re.search(r"^PMID- ?\d", text.lstrip("\ufeff"), re.MULTILINE) is not None


def records(text: str, tag: re.Pattern[str], indent: int, start: str | None) -> Iterator[tuple[int, Fields]]:
    """(first line, tag -> values) of every record. A record ends at `ER` (or a blank line,
    for MEDLINE) and, where `start` is given, a line with that tag starts a new one."""
    fields: Fields = {}
    first, last = 0, ""
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            if start is not None and fields:  # MEDLINE: records are separated by blank lines
                yield first, fields
                fields, last = {}, ""
            continue
        if line[:indent].isspace() and last in fields:  # a continuation of the field before
            if start is None and last in _WOS_LISTS:  # one author a line
                fields[last].append(line.strip())
            else:
                fields[last][-1] = f"{fields[last][-1]} {line.strip()}"
            continue
        m = tag.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key in ("ER", "EF") and start is None:
            if fields:
                yield first, fields
            fields, last = {}, ""
            continue
        if key in ("FN", "VR") and start is None:
            continue
        if (start is not None and key == start and fields) or (start is None and key == "PT" and fields):
            yield first, fields
            fields = {}
        if not fields:
            first = number
        fields.setdefault(key, []).append(value)
        last = key
    if fields:
        yield first, fields


def load(path: Path, text: str, fmt: str) -> Iterator[Paper | IngestError | LoadNote]:
    """Papers of a Web of Science plain-text (`fmt` "wos-plain") or MEDLINE (`fmt` "medline")
    file; an entry without a title or an abstract is yielded as an `IngestError`."""
    wos = fmt == "wos-plain"
    found = False
    parsed = records(text, _WOS_TAG, 3, None) if wos else records(text, _MEDLINE_TAG, 6, "PMID")
    for line, fields in parsed:
        found = True
        yield (_wos_paper if wos else _medline_paper)(fields, path, line)
    if not found:
        raise IngestError(f"no {'Web of Science' if wos else 'MEDLINE'} records found", path)


def _one(fields: Fields, *tags: str) -> str:
    for tag in tags:
        if values := fields.get(tag):
            return squash(" ".join(values))
    return ""


def _authors(people: list[str], groups: list[str]) -> list[str]:
    """Display names of people ("Smith, John" -> "John Smith") and group authors whole."""
    names = [display_name(p) for p in people if p.strip()] + [squash(g) for g in groups if g.strip()]
    return list(dict.fromkeys(names))


def _paper(
    path: Path, line: int, fmt: str, key: str | None, title: str, abstract: str, **known: object
) -> Paper | IngestError:
    if not title:
        return IngestError("record has no title (TI)", path, line, kind="no title", key=key)
    if not abstract:
        return IngestError(
            "record has no abstract (AB); paperqa searches abstracts", path, line, kind="no abstract", key=key
        )
    doi_ = known.pop("doi")
    arxiv = arxiv_from(doi_)
    clean_title, clean_abstract = clean_latex(title), strip_copyright(clean_latex(abstract))
    return Paper(
        id=paper_id(clean_title, arxiv, doi_),  # type: ignore[arg-type]
        title=clean_title,
        abstract=clean_abstract,
        abstract_raw=abstract if squash(abstract) != clean_abstract else None,
        doi=doi_,  # type: ignore[arg-type]
        arxiv_id=arxiv,
        url=f"https://doi.org/{doi_}" if doi_ else None,
        code_urls=find_urls(abstract),
        source=SourceRef(path=str(path), line=line, format=fmt),
        **known,  # type: ignore[arg-type]
    )


def _wos_paper(fields: Fields, path: Path, line: int) -> Paper | IngestError:
    date, precision = best_date(
        loose_date(_one(fields, "PD"), _one(fields, "PY")), loose_date(_one(fields, "PY"))
    )
    return _paper(
        path, line, "wos-plain", _one(fields, "UT") or None, _one(fields, "TI"), _one(fields, "AB"),
        authors=_authors(fields.get("AF") or fields.get("AU") or [], fields.get("CA") or []),
        date=date, date_precision=precision,
        doi=doi_from(_one(fields, "DI"), _one(fields, "DL")),
        venue=_one(fields, "SO") or None,
    )  # fmt: skip


def _medline_paper(fields: Fields, path: Path, line: int) -> Paper | IngestError:
    dois = [m.group(1) for v in fields.get("LID", []) + fields.get("AID", []) if (m := _MARKED_DOI.match(v))]
    date, precision = best_date(loose_date(_one(fields, "DP")), loose_date(_one(fields, "DEP")))
    return _paper(
        path, line, "medline", _one(fields, "PMID") or None, _one(fields, "TI"), _one(fields, "AB"),
        authors=_authors(fields.get("FAU") or fields.get("AU") or [], fields.get("CN") or []),
        date=date, date_precision=precision,
        doi=doi_from(*dois),
        venue=_one(fields, "JT", "TA") or None,
    )  # fmt: skip
