"""BibTeX and BibLaTeX files (`.bib`) as reference managers write them, read by
bibtexparser 2 and its middlewares.

Real exports have quirks a format description never shows, and each is handled here:
entries without an abstract (normal in any library: skipped and reported, the rest
added); repeated fields (Scopus's `funding_details`, a second `doi`: the first kept, a
note); double-braced values (`Year = {{2020}}` from Web of Science); authors split by
`and` across line breaks; `@string` and month macros; `crossref` to a proceedings
record (PMLR); arXiv ids in `eprint`/`archivePrefix`/`eprinttype`, URLs or the journal
field; DOIs in `doi`, `DOI` or URLs; TeX turned into Unicode in every text field (the
raw abstract kept); a missing comma between two fields recovered where unambiguous;
BibLaTeX's `date`, `journaltitle` and `eprinttype`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser.middlewares.middleware import Middleware
from bibtexparser.model import DuplicateFieldKeyBlock, Entry

from paperqa.errors import IngestError
from paperqa.ingest.loaders.common import (
    LoadNote,
    arxiv_from,
    attached_pdfs,
    best_date,
    clean_latex,
    date_from_parts,
    display_name,
    doi_from,
    find_urls,
    loose_date,
    paper_id,
    squash,
    strip_copyright,
)
from paperqa.types import Paper, SourceRef

FORMAT = "bibtex"
#: Entry types that hold a volume, not a paper: the targets of `crossref`.
COLLECTIONS = {"proceedings", "book", "collection", "mvproceedings", "mvbook", "mvcollection"}
#: Fields a child entry inherits from its `crossref` parent when it lacks them.
INHERITED = ("year", "month", "date", "booktitle", "publisher", "journal", "journaltitle", "url")
_FIELD_START = re.compile(r"^\s*[A-Za-z][\w:-]*\s*=")
_ENTRY_START = re.compile(r"^\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)\s*(,?)\s*$")
_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()]+)")


def _stack() -> list[Middleware]:
    return [
        mw.ResolveStringReferencesMiddleware(),  # @string macros
        mw.RemoveEnclosingMiddleware(),
        mw.NormalizeFieldKeys(),  # DOI -> doi, Year -> year
        mw.SeparateCoAuthors(),  # "A and B" (also across line breaks)
        mw.SplitNameParts(),  # "Last, First" / "First Last" -> parts
    ]


def recover_commas(text: str) -> tuple[str, list[int]]:
    """The text with a missing comma added where a field starts on the line after a
    value that ends without one (at the entry's own brace depth), or after an entry key
    on its own line; and the lines (1-based) where one was added."""
    lines = text.split("\n")
    fixed: list[int] = []
    depth = 0
    previous: int | None = None  # index of the last non-blank line inside an entry
    for i, line in enumerate(lines):
        stripped = line.strip()
        if depth == 1 and previous is not None and _FIELD_START.match(line):
            before = lines[previous].rstrip()
            ends_value = before.endswith(("}", '"')) or bool(re.search(r"=\s*[\w.-]+$", before))
            entry_key = bool(_ENTRY_START.match(before)) and not before.endswith(",")
            if (ends_value or entry_key) and not before.endswith(","):
                lines[previous] = before + ","
                fixed.append(previous + 1)
        depth += _brace_delta(line)
        depth = max(depth, 0)
        if stripped and depth >= 1:
            previous = i
        if depth == 0:
            previous = None
    return "\n".join(lines), fixed


def _brace_delta(line: str) -> int:
    unescaped = re.sub(r"\\[{}]", "", line)
    return unescaped.count("{") - unescaped.count("}")


@contextlib.contextmanager
def _quiet_parser() -> Iterator[None]:
    """bibtexparser logs its own warnings; paperqa reports what matters itself."""
    logger = logging.getLogger("bibtexparser")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL)
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


def load(path: Path, text: str) -> Iterator[Paper | IngestError | LoadNote]:
    """Papers of a `.bib` file, in file order. An entry that cannot be used is yielded as
    an `IngestError` with its kind ("no abstract", "no title", "unparseable") and key;
    a file with no readable entry at all raises one."""
    text, commas = recover_commas(text)
    for line in commas:
        yield LoadNote(f"{path}:{line}", "a comma was missing at the end of this line; added")
    with _quiet_parser():
        raw = bibtexparser.parse_string(text, parse_stack=[])
        blocks: list[Any] = list(raw.entries) + list(raw.strings)
        failed: list[IngestError] = []
        for block in raw.failed_blocks:
            line = (block.start_line or 0) + 1
            if isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
                entry = _first_of_each(block.ignore_error_block)
                blocks.append(entry)
                dropped = ", ".join(sorted(block.duplicate_keys))
                yield LoadNote(
                    f"{path}:{line}", f"entry {entry.key!r} repeats {dropped}; the first value kept"
                )
                continue
            key = m.group(1) if (m := _KEY.search(block.raw or "")) else None
            failed.append(
                IngestError(
                    f"BibTeX syntax error in entry {key!r}: {_first_line(block.error)}"
                    if key
                    else f"BibTeX syntax error: {_first_line(block.error)}",
                    path,
                    line,
                    kind="unparseable",
                    key=key,
                )
            )
        library = bibtexparser.Library(blocks)
        for middleware in _stack():
            library = middleware.transform(library)
    entries = sorted(library.entries, key=lambda e: e.start_line or 0)
    if not entries:
        if failed:
            raise IngestError(
                f"no BibTeX entry could be read (first problem at line {failed[0].line}: {failed[0].reason})",
                path,
                failed[0].line,
            )
        raise IngestError("no BibTeX entries found; is this a BibTeX file?", path)
    by_key = {e.key: e for e in entries}
    parents = {_value(e, "crossref") for e in entries} - {""}
    # a file of one proceedings volume's papers (PMLR's) dates them by the volume's record
    volumes = [e for e in entries if e.entry_type.lower() in ("proceedings", "mvproceedings")]
    volume = volumes[0] if len(volumes) == 1 and _value(volumes[0], "year") else None
    volume = volume if any(_undated(e) for e in entries) else None
    items: list[tuple[int, Paper | IngestError]] = [(e.line or 0, e) for e in failed]
    dated_by_volume = 0
    for entry in entries:
        line = (entry.start_line or 0) + 1
        if entry.entry_type.lower() in COLLECTIONS and (entry.key in parents or entry is volume):
            continue  # a proceedings volume: its year and title live on in its papers
        paper = _paper(entry, by_key, path, line, volume)
        dated_by_volume += isinstance(paper, Paper) and paper.date is not None and _undated(entry)
        items.append((line, paper))
    if volume is not None and dated_by_volume:
        yield LoadNote(
            f"{path}:{(volume.start_line or 0) + 1}",
            f"{dated_by_volume} entries without a year take the year of the file's @{volume.entry_type} "
            f"record {volume.key!r} ({_value(volume, 'year')})",
        )
    for _, item in sorted(items, key=lambda pair: pair[0]):
        yield item


def _first_of_each(entry: Entry) -> Entry:
    """The entry with only the first of every repeated field (case-insensitive)."""
    seen: set[str] = set()
    fields = []
    for f in entry.fields:
        if f.key.lower() not in seen:
            seen.add(f.key.lower())
            fields.append(f)
    return Entry(entry.entry_type, entry.key, fields, start_line=entry.start_line, raw=entry.raw)


def _value(entry: Entry, name: str) -> str:
    """A field's text: macros resolved, outer braces gone (also double ones: `{{2020}}`)."""
    field = entry.fields_dict.get(name)
    if field is None:
        return ""
    value = field.value
    if isinstance(value, list):  # names after SplitNameParts
        return " and ".join(map(str, value))
    text = str(value).strip()
    while len(text) >= 2 and text[0] == "{" and text[-1] == "}" and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for c in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def _names(entry: Entry, name: str) -> list[str]:
    field = entry.fields_dict.get(name)
    if field is None or not isinstance(field.value, list):
        return []
    names = []
    for parts in field.value:
        if isinstance(parts, mw.NameParts):
            text = " ".join(p for p in [*parts.first, *parts.von, *parts.last] if p)
            text += f" {' '.join(parts.jr)}" if parts.jr else ""
        else:
            text = display_name(str(parts))
        names.append(clean_latex(text.strip("{} "), tex=True))
    return [n for n in names if n]


#: Entry types that are parts of a volume: a volume's record may date them.
PARTS = {"inproceedings", "conference", "incollection", "inbook"}


def _undated(entry: Entry) -> bool:
    """A part of a volume with no year, date or crossref of its own."""
    return entry.entry_type.lower() in PARTS and not any(
        _value(entry, f) for f in ("year", "date", "crossref")
    )


def _paper(
    entry: Entry, by_key: dict[str, Entry], path: Path, line: int, volume: Entry | None = None
) -> Paper | IngestError:
    parent = by_key.get(_value(entry, "crossref")) or (volume if _undated(entry) else None)

    def get(name: str) -> str:
        own = _value(entry, name)
        return own or (_value(parent, name) if parent is not None and name in INHERITED else "")

    title, abstract = get("title"), get("abstract")
    if not title:
        return IngestError(f"entry {entry.key!r} has no title", path, line, kind="no title", key=entry.key)
    if not abstract:
        return IngestError(
            f"entry {entry.key!r} has no abstract; paperqa searches abstracts",
            path,
            line,
            kind="no abstract",
            key=entry.key,
        )
    prefix = (get("archiveprefix") or get("eprinttype")).lower()
    arxiv = arxiv_from(get("eprint")) if prefix in ("", "arxiv") else None
    arxiv = arxiv or arxiv_from(get("url"), get("journal"), get("doi"), get("note"))
    doi_ = doi_from(get("doi"), get("url"))
    if doi_ and doi_.startswith("10.48550/arxiv."):
        doi_ = None  # arXiv's own DOI: the arXiv id says it
    # BibLaTeX `date` ("2020-05-17", "2020/05", "2020-05-17T10:00:00"), else year and month;
    # an @online page with neither is dated by when it was read (`urldate`)
    date, precision = best_date(
        loose_date(get("date")),
        date_from_parts(get("year"), get("month"), get("day")),
    )
    if date is None and entry.entry_type.lower() in ("online", "electronic", "www"):
        date, precision = loose_date(get("urldate"))
    clean_title = clean_latex(title, tex=True)
    clean_abstract = strip_copyright(clean_latex(abstract, tex=True))
    venue = get("journal") or get("journaltitle") or get("booktitle") or get("publisher")
    url = get("url") or (f"https://doi.org/{doi_}" if doi_ else None)
    return Paper(
        id=paper_id(clean_title, arxiv, doi_),
        title=clean_title,
        abstract=clean_abstract,
        abstract_raw=abstract if squash(abstract) != clean_abstract else None,
        authors=_names(entry, "author") or _names(entry, "editor"),
        date=date,
        date_precision=precision,
        doi=doi_,
        arxiv_id=arxiv,
        venue=clean_latex(venue, tex=True) if venue else None,
        url=url or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None),
        code_urls=find_urls(abstract),
        files=attached_pdfs([_value(entry, "file")], path.parent),
        source=SourceRef(path=str(path), line=line, format=FORMAT),
    )


def _first_line(error: object) -> str:
    lines = str(error or "").strip().splitlines()
    return lines[0] if lines else "unbalanced braces or a missing comma"
