"""Read paper lists in every supported format into `Paper` objects.

| format | files |
| --- | --- |
| Hugging Face Daily Papers text | `.txt` |
| arXiv metadata JSON Lines | `.jsonl` (records with `id` and `categories`) |
| JSON Lines / JSON / CSV / TSV | `.jsonl`, `.ndjson`, `.json`, `.csv`, `.tsv` |
| BibTeX / BibLaTeX | `.bib` |
| RIS | `.ris` |
| CSL-JSON (Zotero, Mendeley) | `.json` |
| Web of Science tab-delimited export | `.txt` (`savedrecs.txt`), `.tsv` |
| Web of Science plain text (tagged) | `.txt` (`savedrecs.txt`, starting `FN`) |
| PubMed MEDLINE | `.nbib`, `.txt` (starting `PMID-`) |
| EndNote XML | `.xml` |
| A paper's PDF (its text layer: title, abstract, sections) | `.pdf` |

Any of these may be gzipped (`.gz`). Files in UTF-8 (with or without a byte-order mark),
UTF-16 with one, or a legacy single-byte encoding (Windows-1252) are read; the report says
when a file was not UTF-8.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paperqa.errors import IngestError
from paperqa.ingest.loaders import arxiv, bibtex, endnote_xml, hf_daily, pdf, ris, tabular, tagged, zotero
from paperqa.ingest.loaders.common import (
    LoadNote,
    dated_by_arxiv_id,
    field_limit,
    read_text,
    read_text_encoded,
    was_cut,
)
from paperqa.ingest.loaders.zotero import ZoteroSelection
from paperqa.settings import LimitsSettings
from paperqa.types import CONTROL, Paper, SkippedRecord

SUFFIXES = {
    ".txt": "hf-daily",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".bib": "bibtex",
    ".ris": "ris",
    ".nbib": "medline",
    ".xml": "endnote-xml",
    ".sqlite": "zotero",
    ".pdf": "pdf",
}

__all__ = ["SUFFIXES", "LoadNote", "LoadResult", "ZoteroSelection", "load_file", "load_paths", "merge_papers"]


def file_kind(path: Path) -> str | None:
    """The format a file's name promises, or None if paperqa does not read it."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return SUFFIXES.get(suffixes[-1]) if suffixes else None


def load_file(
    path: Path,
    *,
    listing_year: int | None = None,
    today: dt.date | None = None,
    limits: LimitsSettings | None = None,
    zotero_selection: ZoteroSelection | None = None,
) -> Iterator[Paper | IngestError | LoadNote]:
    """The papers of one file (of a Zotero database, the items `zotero_selection` picks). A
    bad record is yielded as an `IngestError`; a file that cannot be read at all raises one. A
    paper whose record gives no date but a modern arXiv id ("1907.06292") is dated by the
    id's month, when arXiv first listed it. Within `limits`: the file's size (and what a .gz
    expands to), its records (the rest are not read, and said so) and each field's length (a
    longer one is cut, and said so)."""
    limits = limits or LimitsSettings()
    records = 0
    with field_limit(limits.field_chars):
        kind = file_kind(path)
        items = (
            zotero.load(path, zotero_selection)
            if kind == "zotero"
            else pdf.load(path, limits)
            if kind == "pdf"
            else _load_by_kind(path, listing_year, today, limits)
        )
        for item in items:
            if isinstance(item, Paper | IngestError):
                records += 1
                if records > limits.records:
                    yield LoadNote(
                        str(path),
                        f"only the first {limits.records:,} records were read (limits.records, "
                        "PAPERQA_LIMITS__RECORDS): split the file, or raise the limit",
                    )
                    return
            if isinstance(item, Paper) and not (item.title.strip() and item.abstract.strip()):
                # a field of nothing but control characters is empty once `Paper` drops them
                what = "title" if not item.title.strip() else "abstract"
                src = item.source
                item = IngestError(
                    f"record has no {what} (only control characters)",
                    path,
                    src.line if src else None,
                    kind=f"no {what}",
                )
            if isinstance(item, Paper):
                cut = [name for name in ("title", "abstract") if was_cut(getattr(item, name))]
                if cut:
                    yield LoadNote(
                        _where(item),
                        f"{' and '.join(cut)} longer than {limits.field_chars:,} characters, cut "
                        "(limits.field_chars)",
                    )
                item = dated_by_arxiv_id(item)
                if item.files and not item.sections and kind != "pdf":
                    item, trouble = pdf.with_body(item, limits)
                    if trouble:
                        yield LoadNote(_where(item), trouble)
            yield item


def _load_by_kind(
    path: Path, listing_year: int | None, today: dt.date | None, limits: LimitsSettings
) -> Iterator[Paper | IngestError | LoadNote]:
    kind = file_kind(path)
    if kind is None:
        raise IngestError(
            f"unsupported file type; paperqa reads {', '.join(sorted(SUFFIXES))} (optionally .gz)",
            path,
        )
    text, encoding = read_text_encoded(path, limits)
    if encoding not in ("utf-8", "ascii"):
        yield LoadNote(str(path), f"read as {encoding} (not UTF-8)")
    if found := len(CONTROL.findall(text)):
        # `Paper` drops them from every field it keeps; a terminal never sees them
        yield LoadNote(str(path), f"{found:,} control characters (such as ESC) removed")
    if kind in ("hf-daily", "csv") and is_wos_tabbed(text):
        yield from tabular.load(path, text, "wos")
    elif kind == "hf-daily" and tagged.is_wos(text):
        yield from tagged.load(path, text, "wos-plain")
    elif kind in ("hf-daily", "medline") and tagged.is_medline(text):
        yield from tagged.load(path, text, "medline")
    elif kind == "medline":
        raise IngestError("no MEDLINE records found (no 'PMID- ' line); is this a PubMed .nbib file?", path)
    elif kind == "hf-daily" and ris.sniff(text):
        yield from ris.load(path, text)
    elif kind == "hf-daily":
        if not hf_daily.sniff(text):
            raise IngestError(
                "this .txt file is none of the text formats paperqa reads (a Hugging Face Daily "
                "Papers listing, Web of Science plain text or tab-delimited, PubMed MEDLINE, RIS); "
                "save other lists as JSONL, CSV or BibTeX",
                path,
            )
        yield from hf_daily.load(path, text, listing_year=listing_year, today=today)
    elif kind == "endnote-xml":
        if not endnote_xml.sniff(text):
            raise IngestError("this .xml file is not an EndNote XML export (no <records>)", path)
        yield from endnote_xml.load(path, text)
    elif kind == "bibtex":
        yield from bibtex.load(path, text)
    elif kind == "ris":
        yield from ris.load(path, text)
    elif kind == "jsonl" and arxiv.sniff(_first_json_line(text)):
        yield from arxiv.load(path, text)
    else:
        yield from tabular.load(path, text, kind)


def is_wos_tabbed(text: str) -> bool:
    """A Web of Science tab-delimited export (`savedrecs.txt`): a header of field tags, or of
    the newer full labels ("Publication Type", "Article Title")."""
    header = [h.strip() for h in text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r").split("\t")]
    tags = header[0] in ("PT", "FN") and "TI" in header
    labels = header[0] == "Publication Type" and "Article Title" in header
    return len(header) > 5 and (tags or labels)


def _first_json_line(text: str) -> object:
    for line in text.splitlines():
        if line.strip():
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def merge_papers(first: Paper, second: Paper) -> Paper:
    """One paper from two records of it: the first id stays (citations keep pointing at it),
    the second record's text wins (it is the newer), each fills the other's gaps."""
    aliases = [a for a in [*first.aliases, second.id, *second.aliases] if a != first.id]
    merged = second.model_copy(update={"id": first.id, "aliases": list(dict.fromkeys(aliases))})
    gaps = (
        "authors",
        "n_authors",
        "url",
        "upvotes",
        "categories",
        "abstract_raw",
        "doi",
        "arxiv_id",
        "venue",
        "tags",
        "collections",
        "files",
        "zotero",
        "sections",
    )
    for name in gaps:
        if not getattr(merged, name) and getattr(first, name):
            setattr(merged, name, getattr(first, name))
    if not merged.date or (first.date and _precision_rank(first) > _precision_rank(merged)):
        merged.date, merged.date_precision = first.date, first.date_precision
    merged.code_urls = list(dict.fromkeys([*second.code_urls, *first.code_urls]))
    return merged


def _precision_rank(paper: Paper) -> int:
    return {"year": 1, "month": 2}.get(paper.date_precision or "", 3 if paper.date else 0)


@dataclass
class LoadResult:
    """Papers read from some paths, de-duplicated, and what was left out."""

    papers: list[Paper] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files_read: int = 0
    files_ignored: list[str] = field(default_factory=list)
    databases: list[Path] = field(default_factory=list)  # Zotero databases read (for --prune)


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """(file, named explicitly) for every path; folders are walked in sorted order, but a Zotero
    data directory is its database (its storage/ holds attachments, not paper lists)."""
    for path in paths:
        if path.is_dir() and zotero.is_zotero(path):
            yield zotero.database_of(path), True
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child, False
        elif path.exists():
            yield path, True
        else:
            raise IngestError("no such file or folder", path)


def load_paths(
    paths: Iterable[Path],
    *,
    skip_bad: bool = False,
    strict: bool = False,
    listing_year: int | None = None,
    today: dt.date | None = None,
    limits: LimitsSettings | None = None,
    zotero_selection: ZoteroSelection | None = None,
    reading: Callable[[int, int, Path], None] | None = None,
) -> LoadResult:
    """Read every file (folders recursively) into one de-duplicated list of papers.
    `reading(done, total, file)` is told of each file before it is read, and once after the last.

    An entry that cannot be used (no abstract, no title, unparseable) is skipped and
    listed in `skipped`, and the rest of its file is kept; with `strict`, such an entry
    raises its `IngestError` instead. A file that cannot be read as its format at all
    raises, so nothing is written from a batch with a broken file in it; with
    `skip_bad` it is listed in `skipped` too. Files in a folder whose type paperqa does
    not read (README.md, .pdf) are listed in `files_ignored`, as are `.txt` files there
    that are not Daily Papers listings. Records with the same title are merged unless a
    DOI, arXiv id or year says they differ; merges are listed in `merged`.
    """
    result = LoadResult()
    by_id: dict[str, Paper] = {}
    id_by_title: dict[str, str] = {}
    files = list(iter_files(paths))
    for done, (path, explicit) in enumerate(files):
        if reading:
            reading(done, len(files), path)
        if not explicit and (file_kind(path) is None or not _is_listing(path, limits)):
            result.files_ignored.append(str(path))
            continue
        try:
            loaded = load_file(
                path, listing_year=listing_year, today=today, limits=limits, zotero_selection=zotero_selection
            )
            for item in loaded:
                if isinstance(item, LoadNote):
                    result.warnings.append(f"{item.location}: {item.message}")
                elif isinstance(item, IngestError):
                    if strict or not (item.entry_only or skip_bad):
                        raise item
                    result.skipped.append(_skipped(item))
                else:
                    _add(item, by_id, id_by_title, result)
        except IngestError as exc:
            if not skip_bad:
                raise
            result.skipped.append(_skipped(exc))
            continue
        result.files_read += 1
        if file_kind(path) == "zotero":
            result.databases.append(path)
    if reading and files:
        reading(len(files), len(files), files[-1][0])
    result.papers = list(by_id.values())
    return result


def _skipped(exc: IngestError) -> SkippedRecord:
    return SkippedRecord(location=exc.location, reason=exc.reason, kind=exc.kind, key=exc.key)


def _add(paper: Paper, by_id: dict[str, Paper], id_by_title: dict[str, str], result: LoadResult) -> None:
    """Add a paper, merging it into the one read earlier under its id or its title, unless
    the two records contradict each other: then both are kept, the newer under an id
    that says how it differs."""
    known = by_id.get(paper.id) or by_id.get(id_by_title.get(paper.title_key, ""))
    if known is not None and (why := known.contradicts(paper)):
        if paper.id == known.id:  # no DOI or arXiv id: the title slug is the same
            year = paper.date.year if paper.date else "undated"
            paper = paper.model_copy(update={"id": f"{paper.id}-{year}"})
        result.warnings.append(f"{_where(paper)}: same title as {known.id}, kept apart: {why}")
        known = by_id.get(paper.id)
    if known is not None:
        if known.id != paper.id:
            result.merged.append(f"{paper.id} -> {known.id}")
        paper = merge_papers(known, paper)
    by_id[paper.id] = paper
    id_by_title.setdefault(paper.title_key, paper.id)


def _where(paper: Paper) -> str:
    src = paper.source
    return f"{src.path}:{src.line}" if src and src.line else (src.path if src else paper.id)


def _is_listing(path: Path, limits: LimitsSettings | None = None) -> bool:
    """A file in a folder that holds papers: a `.txt` that is a Daily Papers listing, a Web
    of Science export (tab-delimited or plain text), MEDLINE or RIS records; an `.xml` that
    is EndNote XML; any file of the other formats."""
    kind = file_kind(path)
    if kind == "zotero":  # a .sqlite in a folder: a Zotero database, or some other program's
        return path.name == "zotero.sqlite"
    if kind not in ("hf-daily", "endnote-xml"):
        return True
    try:
        text = read_text(path, limits)
        if kind == "endnote-xml":
            return endnote_xml.sniff(text)
        return (
            hf_daily.sniff(text)
            or is_wos_tabbed(text)
            or tagged.is_wos(text)
            or tagged.is_medline(text)
            or ris.sniff(text)
        )
    except IngestError:
        return True  # let load_file report why it cannot be read
