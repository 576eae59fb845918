"""What every loader needs: reading files safely, ids, text cleaning."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

from paperqa.errors import IngestError
from paperqa.types import normalize_title

#: Largest file a loader reads; a bigger one is most likely not a paper list.
MAX_FILE_BYTES = 2 * 1024**3

ARXIV_ID = re.compile(
    r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)?"  # arXiv:..., or an abs/pdf URL
    r"(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?/?$",
    re.I,
)
DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.I)
URL = re.compile(r"https?://[^\s<>\"'{}|\\^`\]]+")
_LATEX_HINT = re.compile(r"[\\$^{}~]")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")


def read_text(path: Path) -> str:
    """The file's text, or an `IngestError` saying why it is not a text file.

    `.gz` files are decompressed. Empty files, binary files and bytes that are
    not UTF-8 are refused with the line they occur on.
    """
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise IngestError(f"file is larger than {MAX_FILE_BYTES // 1024**2} MiB", path)
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}", path) from exc
    except (gzip.BadGzipFile, EOFError) as exc:
        raise IngestError(f"not a valid gzip file: {exc}", path) from exc
    if not raw.strip():
        raise IngestError("file is empty", path)
    if (nul := raw.find(b"\x00")) >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise IngestError("binary file (NUL byte); expected a text file of papers", path, line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise IngestError(
            f"not UTF-8 (byte 0x{raw[exc.start]:02x}); re-save the file as UTF-8", path, line
        ) from exc
    return text


def arxiv_id(value: str | None) -> str | None:
    """The bare arXiv id (no version) in `value`, if it is one."""
    if value and (m := ARXIV_ID.match(value.strip())):
        return m.group(1)
    return None


def doi(value: str | None) -> str | None:
    """The DOI in `value` (lower-cased, as DOIs are case-insensitive), if it is one."""
    if value and (m := DOI.match(value.strip())):
        return m.group(1).rstrip(".").lower()
    return None


def title_id(title: str) -> str:
    """Slug of the title plus a short hash: readable and stable for papers without an id."""
    key = normalize_title(title)
    words: list[str] = []
    for word in key.split():
        if words and len("-".join([*words, word])) > 32:
            break
        words.append(word[:32])
    slug = "-".join(words) or "paper"
    return f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def paper_id(title: str, arxiv: str | None = None, doi_: str | None = None) -> str:
    """arXiv id if known, else DOI, else a slug of the title."""
    if arxiv:
        return f"arxiv:{arxiv}"
    if doi_:
        return f"doi:{doi_}"
    return title_id(title)


def squash(text: str) -> str:
    """Hard line breaks and runs of white space become single spaces."""
    return " ".join(text.split())


def clean_latex(text: str) -> str:
    """Readable text from an abstract that may hold LaTeX (`{\\ae}`, `\\%`, `$x^2$`).

    Text with no LaTeX characters is only squashed; LaTeX goes through pylatexenc.
    A bare `%` is text here, not a LaTeX comment. If pylatexenc cannot parse the
    text, the squashed raw text is kept: a readable abstract beats a lost one.
    """
    if not _LATEX_HINT.search(text):
        return squash(text)
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        converted = LatexNodes2Text(math_mode="text", strict_latex_spaces=False).latex_to_text(
            _UNESCAPED_PERCENT.sub(r"\\%", text)
        )
    except Exception:  # pylatexenc raises assorted errors on malformed LaTeX
        return squash(text)
    return squash(converted)


def find_urls(text: str) -> list[str]:
    """URLs in the text (code, project pages), without trailing punctuation, in order."""
    seen: dict[str, None] = {}
    for url in URL.findall(text):
        seen[url.rstrip(".,;:)")] = None
    return list(seen)


def split_authors(value: object) -> list[str]:
    """Author names from a list, or a string separated by ';' or ' and '."""
    if isinstance(value, list):
        return [squash(str(a)) for a in value if str(a).strip()]
    if isinstance(value, str) and value.strip():
        sep = ";" if ";" in value else " and "
        return [squash(a) for a in value.split(sep) if a.strip()]
    return []
