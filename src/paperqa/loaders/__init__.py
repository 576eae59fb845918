"""Read paper lists in every supported format into `Paper` objects.

| format | files |
| --- | --- |
| Hugging Face Daily Papers text | `.txt` |
| arXiv metadata JSON Lines | `.jsonl` (records with `id` and `categories`) |
| JSON Lines / JSON / CSV / TSV | `.jsonl`, `.ndjson`, `.json`, `.csv`, `.tsv` |
| BibTeX with abstracts | `.bib` |

Any of these may be gzipped (`.gz`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paperqa.errors import IngestError
from paperqa.loaders import arxiv, bibtex, hf_daily, tabular
from paperqa.loaders.common import read_text
from paperqa.types import Paper, SkippedRecord

SUFFIXES = {
    ".txt": "hf-daily",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".bib": "bibtex",
}

__all__ = ["SUFFIXES", "LoadResult", "load_file", "load_paths", "merge_papers"]


def file_kind(path: Path) -> str | None:
    """The format a file's name promises, or None if paperqa does not read it."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return SUFFIXES.get(suffixes[-1]) if suffixes else None


def load_file(
    path: Path, *, listing_year: int | None = None, today: dt.date | None = None
) -> Iterator[Paper | IngestError]:
    """The papers of one file. A bad record is yielded as an `IngestError`;
    a file that cannot be read at all raises one."""
    kind = file_kind(path)
    if kind is None:
        raise IngestError(
            f"unsupported file type; paperqa reads {', '.join(sorted(SUFFIXES))} (optionally .gz)",
            path,
        )
    text = read_text(path)
    if kind == "hf-daily":
        if not hf_daily.sniff(text):
            raise IngestError(
                "this .txt file is not a Hugging Face Daily Papers listing "
                "(no '• N authors' lines); save other lists as JSONL, CSV or BibTeX",
                path,
            )
        yield from hf_daily.load(path, text, listing_year=listing_year, today=today)
    elif kind == "bibtex":
        yield from bibtex.load(path, text)
    elif kind == "jsonl" and arxiv.sniff(_first_json_line(text)):
        yield from arxiv.load(path, text)
    else:
        yield from tabular.load(path, text, kind)


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
    for name in ("authors", "n_authors", "date", "url", "upvotes", "categories", "abstract_raw"):
        if not getattr(merged, name) and getattr(first, name):
            setattr(merged, name, getattr(first, name))
    merged.code_urls = list(dict.fromkeys([*second.code_urls, *first.code_urls]))
    return merged


@dataclass
class LoadResult:
    """Papers read from some paths, de-duplicated, and what was left out."""

    papers: list[Paper] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    files_read: int = 0
    files_ignored: list[str] = field(default_factory=list)


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """(file, named explicitly) for every path; folders are walked in sorted order."""
    for path in paths:
        if path.is_dir():
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
    listing_year: int | None = None,
    today: dt.date | None = None,
) -> LoadResult:
    """Read every file (folders recursively) into one de-duplicated list of papers.

    Without `skip_bad` the first bad record or file raises its `IngestError`, so
    nothing is written from a batch with a mistake in it. With `skip_bad` bad
    records and files are listed in `skipped` and the rest is kept. Files in a
    folder whose type paperqa does not read (README.md, .pdf) are listed in
    `files_ignored`, as are `.txt` files there that are not Daily Papers listings.
    """
    result = LoadResult()
    by_id: dict[str, Paper] = {}
    id_by_title: dict[str, str] = {}
    for path, explicit in iter_files(paths):
        if not explicit and (
            file_kind(path) is None or (file_kind(path) == "hf-daily" and not _is_listing(path))
        ):
            result.files_ignored.append(str(path))
            continue
        try:
            for item in load_file(path, listing_year=listing_year, today=today):
                if isinstance(item, IngestError):
                    if not skip_bad:
                        raise item
                    result.skipped.append(SkippedRecord(location=item.location, reason=item.reason))
                    continue
                known = by_id.get(item.id) or by_id.get(id_by_title.get(item.title_key, ""))
                paper = merge_papers(known, item) if known else item
                by_id[paper.id] = paper
                id_by_title[paper.title_key] = paper.id
        except IngestError as exc:
            if not skip_bad:
                raise
            result.skipped.append(SkippedRecord(location=exc.location, reason=exc.reason))
            continue
        result.files_read += 1
    result.papers = list(by_id.values())
    return result


def _is_listing(path: Path) -> bool:
    try:
        return hf_daily.sniff(read_text(path))
    except IngestError:
        return True  # let load_file report why it cannot be read
