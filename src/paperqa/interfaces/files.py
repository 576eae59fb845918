"""Papers' files: a paper's own PDF on this machine (which the app, the server and the CLI
link a cited page to), and the files people upload through the app or `POST /papers`, whose
PDFs are kept in the library's own folder so they outlive the upload and go with the paper
(`remove_papers`); the ingest report speaks of the files as the person named them."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from paperqa.library import Library
from paperqa.types import IngestReport, Paper

#: Under the library's home: one folder per uploaded PDF, named by its content.
KEPT_FOLDER = "files"


def pdf_of(paper: Paper) -> Path | None:
    """The first of the paper's recorded files that is a PDF on disk (its name and its first
    bytes say so: an export's `file` field may point anywhere)."""
    for name in paper.files:
        path = Path(name)
        if path.suffix.lower() != ".pdf" or not path.is_file():
            continue
        with path.open("rb") as f:
            if f.read(5) == b"%PDF-":
                return path
    return None


def kept(home: Path, uploads: Sequence[Path]) -> tuple[dict[Path, Path], set[Path]]:
    """Each uploaded PDF copied to `home/files/<sha256 prefix>/<its name>` (the same file
    uploaded again lands on the same copy), mapped to the upload it came from, and the copies
    this call made; other files (exports, databases) are read where they are and not kept."""
    copies: dict[Path, Path] = {}
    made: set[Path] = set()
    for upload in uploads:
        if upload.suffix.lower() != ".pdf" or not upload.is_file():
            continue
        digest = hashlib.sha256(upload.read_bytes()).hexdigest()[:16]
        copy = home / KEPT_FOLDER / digest / upload.name
        if not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(upload, copy)
            made.add(copy)
        copies[copy] = upload
    return copies, made


def as_uploaded(report: IngestReport, copies: dict[Path, Path]) -> IngestReport:
    """The report with each kept copy named as its upload; a copy the ingest skipped (a PDF it
    could not read) is deleted again."""
    for copy in copies:
        if any(str(copy) in s.location for s in report.skipped):
            shutil.rmtree(copy.parent, ignore_errors=True)

    def named(text: str) -> str:
        for copy, upload in copies.items():
            text = text.replace(str(copy), str(upload))
        return text

    return report.model_copy(
        update={
            "skipped": [s.model_copy(update={"location": named(s.location)}) for s in report.skipped],
            "warnings": [named(w) for w in report.warnings],
            "files_ignored": [named(f) for f in report.files_ignored],
        }
    )


def ingest_uploads(library: Library, uploads: Sequence[Path], **options: Any) -> IngestReport:
    """`library.ingest` over the uploads, their PDFs read from the kept copies (those new to
    the library's folder are deleted again when the ingest fails as a whole)."""
    copies, made = kept(library.settings.home, uploads)
    by_upload = {upload: copy for copy, upload in copies.items()}
    try:
        report = library.ingest([by_upload.get(u, u) for u in uploads], **options)
    except BaseException:
        for copy in made:
            shutil.rmtree(copy.parent, ignore_errors=True)
        raise
    return as_uploaded(report, copies)


def remove_papers(library: Library, refs: Sequence[str]) -> list[Paper]:
    """`library.remove_many`, then the kept copies of the removed papers' uploaded PDFs that no
    paper left in the library records (the same PDF may back another record)."""
    removed = library.remove_many(refs)
    folder = (library.settings.home / KEPT_FOLDER).resolve()
    copies = {
        path for p in removed for path in (Path(f).resolve() for f in p.files) if path.parent.parent == folder
    }
    if copies:
        still = {Path(f).resolve() for p in library.papers() for f in p.files}
        for copy in copies - still:
            shutil.rmtree(copy.parent, ignore_errors=True)
    return removed
