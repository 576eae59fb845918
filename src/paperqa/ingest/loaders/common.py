"""What every loader needs: reading files safely, ids, text cleaning."""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import gzip
import hashlib
import re
import urllib.parse
import zlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from paperqa.errors import IngestError
from paperqa.settings import LimitsSettings
from paperqa.text.dates import Precision, month_number, parse_date
from paperqa.types import Paper, normalize_title


@dataclass(frozen=True)
class LoadNote:
    """Something a loader read but wants the user to know (a repeated field it dropped)."""

    location: str
    message: str


#: Any .gz file may expand to this much, whatever its own size.
MIN_DECOMPRESSED_BYTES = 64 * 1024**2
_BLOCK = 1 << 20

ARXIV_ID = re.compile(
    r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)?"  # arXiv:..., or an abs/pdf URL
    r"(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?/?$",
    re.I,
)
DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.I)
URL = re.compile(r"https?://[^\s<>\"'{}|\\^`\]]+")
_LATEX_HINT = re.compile(r"[\\$^{}~]")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")


def read_text(path: Path, limits: LimitsSettings | None = None) -> str:
    """The file's text (see `read_text_encoded`)."""
    return read_text_encoded(path, limits)[0]


def read_bytes(path: Path, limits: LimitsSettings | None = None) -> bytes:
    """The file's bytes, a `.gz` (in any case) decompressed as it streams: refused past
    `limits.file_mb` on disk, or past `limits.decompressed_mb` (or `limits.expansion` times its
    own size, 64 MB at least) inflated, before more is held in memory."""
    limits = limits or LimitsSettings()
    try:
        size = path.stat().st_size
        if size > limits.file_mb * 1024**2:
            raise IngestError(
                f"file is larger than {limits.file_mb} MB (setting limits.file_mb, PAPERQA_LIMITS__FILE_MB)",
                path,
            )
        if path.suffix.lower() != ".gz":
            return path.read_bytes()
        cap = min(limits.decompressed_mb * 1024**2, max(limits.expansion * size, MIN_DECOMPRESSED_BYTES))
        out = bytearray()
        with gzip.open(path, "rb") as f:
            while block := f.read(_BLOCK):
                out += block
                if len(out) > cap:
                    raise IngestError(
                        f"refused: the .gz file expands to more than {cap // 1024**2} MB "
                        f"({limits.expansion} times its size or limits.decompressed_mb = "
                        f"{limits.decompressed_mb}): a decompression bomb or not a paper list",
                        path,
                    )
        return bytes(out)
    except OSError as exc:
        if isinstance(exc, gzip.BadGzipFile):
            raise IngestError(f"not a valid gzip file: {exc}", path) from exc
        raise IngestError(f"cannot read file: {exc.strerror or exc}", path) from exc
    except (EOFError, zlib.error) as exc:
        raise IngestError(f"not a valid gzip file: {exc}", path) from exc


def read_text_encoded(path: Path, limits: LimitsSettings | None = None) -> tuple[str, str]:
    """(the file's text, the encoding it was read in), or an `IngestError` saying why it is
    not a text file.

    `.gz` files are decompressed (`read_bytes`, within `limits`). UTF-8 with or without a
    byte-order mark and UTF-16 with one (Excel's "Unicode text") are read as such; other bytes
    are read in the encoding charset-normalizer finds (Windows-1252 or Latin-1 exports). Empty
    files, binary files and text in no encoding are refused with the line they occur on.
    """
    raw = read_bytes(path, limits)
    if not raw.strip():
        raise IngestError("file is empty", path)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    if (nul := raw.find(b"\x00")) >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise IngestError("binary file (NUL byte); expected a text file of papers", path, line)
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc
    from charset_normalizer import from_bytes

    guess = from_bytes(raw).best()
    encoding = guess.encoding if guess is not None else ""
    if encoding.startswith(("cp125", "latin", "iso8859")) or not encoding:
        # a few accented letters do not tell Western from Central European code pages;
        # exports from Windows (Web of Science, Excel) are Windows-1252
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode("cp1252"), "windows-1252"
    if guess is None or encoding in ("utf_8", "ascii"):
        line = raw.count(b"\n", 0, bad.start) + 1
        raise IngestError(
            f"not text in any encoding paperqa recognises (byte 0x{raw[bad.start]:02x}); "
            "re-save the file as UTF-8",
            path,
            line,
        ) from bad
    return str(guess), encoding


def arxiv_id(value: str | None) -> str | None:
    """The bare arXiv id (no version) in `value`, if it is one."""
    if value and (m := ARXIV_ID.match(value.strip())):
        return m.group(1)
    return None


#: A modern arXiv id: two digits of year, two of month ("1907.06292", since April 2007).
_MODERN_ARXIV_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")


def dated_by_arxiv_id(paper: Paper) -> Paper:
    """The paper dated by its arXiv id's month when its record gave no date (month precision:
    the month arXiv first listed it, which the id encodes); otherwise the paper as it is."""
    m = _MODERN_ARXIV_ID.match(paper.arxiv_id or "")
    if paper.date is not None or m is None or not 1 <= int(m.group(2)) <= 12:
        return paper
    date = dt.date(2000 + int(m.group(1)), int(m.group(2)), 1)
    return paper.model_copy(update={"date": date, "date_precision": "month"})


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


#: The longest field kept (`limits.field_chars`, set for a batch by `field_limit`): a longer
#: one is cut before it is parsed further and ends with `CUT_MARK`.
_FIELD_CHARS: ContextVar[int] = ContextVar("field_chars", default=LimitsSettings().field_chars)
CUT_MARK = " [...]"


@contextlib.contextmanager
def field_limit(chars: int) -> Iterator[None]:
    """Fields longer than `chars` are cut while this is active."""
    token = _FIELD_CHARS.set(chars)
    try:
        yield
    finally:
        _FIELD_CHARS.reset(token)


def was_cut(text: str) -> bool:
    """The field was longer than the limit and was cut (`squash`, `clean_latex`)."""
    return text.endswith(CUT_MARK)


def _capped(text: str) -> tuple[str, bool]:
    cap = _FIELD_CHARS.get()
    return (text[:cap], True) if len(text) > cap else (text, False)


def squash(text: str) -> str:
    """Hard line breaks and runs of white space become single spaces (a field over the limit
    cut first, and marked)."""
    text, cut = _capped(text)
    return " ".join(text.split()) + (CUT_MARK if cut else "")


def clean_latex(text: str, *, tex: bool = False) -> str:
    """Readable text from an abstract that may hold LaTeX (`{\\ae}`, `\\%`, `$x^2$`).

    Text with no LaTeX characters is only squashed; LaTeX goes through pylatexenc.
    With `tex` (a BibTeX field: TeX by definition) it always does, so `---`, `--` and
    ``` ``...'' ``` become dashes and quotes. A bare `%` is text here, not a LaTeX
    comment. If pylatexenc cannot parse the text, the squashed raw text is kept: a
    readable abstract beats a lost one.
    """
    if not tex and not _LATEX_HINT.search(text):
        return squash(text)
    from pylatexenc.latex2text import LatexNodes2Text

    text, cut = _capped(text)  # pylatexenc spends minutes on megabytes
    mark = CUT_MARK if cut else ""
    try:
        converted = LatexNodes2Text(math_mode="text", strict_latex_spaces=False).latex_to_text(
            _UNESCAPED_PERCENT.sub(r"\\%", text)
        )
    except Exception:  # pylatexenc raises assorted errors on malformed LaTeX
        return squash(text) + mark
    return squash(converted) + mark


_COPYRIGHT = re.compile(r"\s*(?:©|\(c\)\s*(?=\d{4})|copyright\s+(?:©\s*)?(?=\d{4}))[^©]*$", re.IGNORECASE)
#: A copyright line is short; a longer tail after "©" is text.
COPYRIGHT_CHARS = 160


def strip_copyright(abstract: str) -> str:
    """The abstract without the copyright line databases append ("© 2020 Elsevier B.V.")."""
    m = _COPYRIGHT.search(abstract)
    if m and m.start() > 0 and len(m.group(0)) <= COPYRIGHT_CHARS:
        return abstract[: m.start()].rstrip()
    return abstract


def find_urls(text: str) -> list[str]:
    """URLs in the text (code, project pages), without trailing punctuation, in order."""
    seen: dict[str, None] = {}
    for url in URL.findall(text):
        seen[url.rstrip(".,;:)")] = None
    return list(seen)


#: "Osei-Kyei R., Tam V." (Scopus): surnames with initials, separated by commas.
_INITIALS_LIST = re.compile(
    r"^[^,;]+?\s(?:[A-Z]\.(?:-?[A-Z]\.)*)(?:,\s*[^,;]+?\s(?:[A-Z]\.(?:-?[A-Z]\.)*))+$"
)
_SURNAME_INITIALS = re.compile(r"^(?P<last>.+?)\s(?P<initials>(?:[A-Z]\.(?:-?[A-Z]\.)*))$")


#: Scopus's author id after a full name: "Osei-Kyei, Robert (57190000000)".
_SCOPUS_ID = re.compile(r"\s*\(\d{6,}\)\s*$")


def display_name(name: str) -> str:
    """A person's name as "First Last": "Lindgren, Astrid" -> "Astrid Lindgren",
    "Osei-Kyei R." -> "R. Osei-Kyei"; "Last, Jr., First" -> "First Last Jr."; a name in
    that order already, or an organisation, stays."""
    name = _SCOPUS_ID.sub("", squash(name.strip().strip("{}")))
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    if m := _SURNAME_INITIALS.match(name):
        return f"{m['initials']} {m['last']}"
    return name


def split_authors(value: object) -> list[str]:
    """Display names ("First Last") from a list, or from a string separated by ';', by
    ' and ' (also across line breaks), or, for Scopus's "Osei-Kyei R., Tam V.", by commas."""
    if isinstance(value, list):
        return [display_name(str(a)) for a in value if str(a).strip()]
    if not isinstance(value, str) or not value.strip():
        return []
    text = squash(value)
    if ";" in text:
        names = text.split(";")
    elif re.search(r"\sand\s", text):
        names = []
        for part in re.split(r"\s+(?:and|&)\s+", text):
            pieces = [p.strip() for p in part.split(",")]
            # "A. Smith, B. Lee and C. Wong": full names listed with commas, not "Last, First"
            full_names = len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces)
            names += pieces if full_names else [part]
    elif _INITIALS_LIST.match(text):
        names = text.split(",")
    else:
        names = [text]
    return [display_name(n) for n in names if n.strip()]


def date_from_parts(
    year: object, month: object = None, day: object = None
) -> tuple[dt.date | None, Precision]:
    """(date, precision) from separate year / month / day values (BibTeX, CSL-JSON)."""
    y = str(year or "").strip().strip("{}")[:4]
    if not y.isdecimal() or int(y) < 1:
        return None, None
    m = month_number(month)
    if m is None:
        return dt.date(int(y), 1, 1), "year"
    d = str(day or "").strip()
    if d.isdecimal():
        try:
            return dt.date(int(y), m, int(d)), None
        except ValueError:
            pass
    return dt.date(int(y), m, 1), "month"


def arxiv_from(*values: object) -> str | None:
    """An arXiv id found in any of the values: a bare id, "arXiv:...", an arxiv.org URL,
    a 10.48550/arXiv.* DOI, or "arXiv preprint arXiv:2101.00001"."""
    for value in values:
        text = str(value or "").strip()
        if not text:
            continue
        if found := arxiv_id(text):
            return found
        m = re.search(r"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:.]\s*)(\d{4}\.\d{4,5})", text, re.IGNORECASE)
        if m:
            return m.group(1)
    return None


def doi_from(*values: object) -> str | None:
    """A DOI found in any of the values: bare, "doi:...", or a doi.org URL."""
    for value in values:
        text = str(value or "").strip()
        if found := doi(text):
            return found
        if m := re.search(r"doi\.org/(10\.\d{4,9}/\S+)", text, re.IGNORECASE):
            return m.group(1).rstrip(".").lower()
    return None


_SEASONS = {"spr": 3, "spring": 3, "sum": 6, "summer": 6, "fal": 9, "fall": 9, "autumn": 9, "win": 12}
_SEASONS["winter"] = 12
_RANK = {"year": 1, "month": 2, None: 3}


def loose_date(value: object, year: object = None) -> tuple[dt.date | None, Precision]:
    """(date, precision) from a date as exports write them, or (None, None): ISO
    ("2024-05-17", "2024-05", "2024"), RIS ("2019///", "2019/03/", "2019/03/15/"),
    MEDLINE ("2021 Mar 15", "2020 Winter", "2019 Jan-Feb"), ProQuest ("Jul 2020"), Web of
    Science ("OCT 15", "JUL-AUG", "SPR", the year given apart in `year`), Zotero's
    "1995-01-0001". A month or a season alone takes its year from `year`."""
    text = squash(str(value or "")).strip().strip("{}").strip()
    fallback = str(year or "").strip()[:4]
    if not text:
        return date_from_parts(fallback) if fallback.isdecimal() else (None, None)
    try:
        found, precision = parse_date(text)
        if found:
            return found, precision
    except ValueError:
        pass
    numbers = re.findall(r"\d+", text)
    years = [n for n in numbers if len(n) == 4 and 1000 < int(n) < 2200]
    y = years[0] if years else fallback
    if not y.isdecimal():
        return None, None
    rest = [int(n) for n in numbers if n != y or len(n) != 4]
    words = re.findall(r"[A-Za-z]{3,}", text)
    month = next((month_number(w) for w in words if month_number(w)), None)
    month = month or next((_SEASONS[w.lower()] for w in words if w.lower() in _SEASONS), None)
    if month is None and re.match(r"\d{4}[/-]\d{1,2}\b", text) and rest and 1 <= rest[0] <= 12:
        month, rest = rest[0], rest[1:]  # "2019/03/15/", "1995-01-0001"
    if month is None:
        return dt.date(int(y), 1, 1), "year"
    day = next((d for d in rest if 1 <= d <= 31), None)
    if day is not None and not any(s in text.lower() for s in _SEASONS):
        try:
            return dt.date(int(y), month, day), None
        except ValueError:
            pass
    return dt.date(int(y), month, 1), "month"


def best_date(*candidates: tuple[dt.date | None, Precision]) -> tuple[dt.date | None, Precision]:
    """The most precise of several readings of a record's date (the first on a tie)."""
    dated = [c for c in candidates if c[0] is not None]
    return max(dated, key=lambda c: _RANK[c[1]], default=(None, None))


def attached_pdfs(values: Iterable[str], base: Path) -> list[str]:
    """The PDFs a record links to, as paths (relative ones from the export's folder `base`):
    BibTeX/BibLaTeX `file` fields as JabRef, Zotero and Mendeley write them
    ("Full Text:papers/x.pdf:application/pdf", several joined by ';', ':' escaped as '\\:'),
    RIS `L1`/`L4` ("file:///home/me/x.pdf", "internal-pdf://..." are not files here)."""
    found: list[str] = []
    for value in values:
        for part in re.split(r"(?<!\\);", value or ""):
            fields = re.split(r"(?<!\\):", part)
            candidate = fields[1] if len(fields) >= 3 else part  # description:path:type
            candidate = candidate.replace("\\:", ":").replace("\\;", ";").strip()
            if candidate.lower().startswith("file://"):
                candidate = urllib.parse.unquote(urllib.parse.urlparse(candidate).path)
            if candidate.lower().endswith(".pdf") and "://" not in candidate:
                where = Path(candidate).expanduser()
                found.append(str(where if where.is_absolute() else base / where))
    return list(dict.fromkeys(found))
