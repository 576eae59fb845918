"""Hostile and broken files: every loader returns papers or raises an `IngestError` that
names the file, whatever the bytes. Random bytes, random text, and mutations of real files."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperqa.errors import IngestError
from paperqa.ingest.loaders import load_paths

from .conftest import DATA, SEED_FILE

SUFFIXES = [
    ".txt",
    ".jsonl",
    ".json",
    ".csv",
    ".tsv",
    ".bib",
    ".ris",
    ".nbib",
    ".xml",
    ".jsonl.gz",
    ".bib.GZ",
]
CSV_SAMPLE = 'title,abstract,date\n"A paper","An abstract, with a comma.",2024-05-01\nB,"Second one.",\n'
JSON_SAMPLE = json.dumps([{"title": "A paper", "abstract": "Text.", "authors": ["A. B."]}])
EXPORTS = DATA / "exports"
#: (suffix, a real file's bytes): the seed listing, arXiv metadata, and reference-manager
#: exports of every format (BibTeX, RIS, CSV, CSL-JSON, Web of Science tab-delimited).
SAMPLES = [
    (".txt", SEED_FILE.read_bytes()),
    (".jsonl", b"\n".join((DATA / "arxiv_sample.jsonl").read_bytes().splitlines()[:4])),
    (".bib", (DATA / "sample.bib").read_bytes()),
    (".bib", (EXPORTS / "zotero.bib").read_bytes()),
    (".bib", (EXPORTS / "scopus.bib").read_bytes()),
    (".bib", (EXPORTS / "wos.bib").read_bytes()),
    (".ris", (EXPORTS / "zotero.ris").read_bytes()),
    (".ris", (EXPORTS / "endnote.ris").read_bytes()),
    (".csv", CSV_SAMPLE.encode()),
    (".csv", (EXPORTS / "zotero.csv").read_bytes()),
    (".json", JSON_SAMPLE.encode()),
    (".json", (EXPORTS / "zotero-csl.json").read_bytes()),
    (".json", (EXPORTS / "mendeley-csl.json").read_bytes()),
    (".txt", (EXPORTS / "savedrecs.txt").read_bytes()),
    (".nbib", (EXPORTS / "pubmed.nbib").read_bytes()),
    (".xml", (EXPORTS / "endnote.xml").read_bytes()),
    (".txt", (EXPORTS / "wos-plain.txt").read_bytes()),
]
#: Seconds one small fuzzed file may take to load: every parser is linear (a quadratic one
#: took half a minute on 40k records); generous for a busy 2-core machine.
LOAD_SECONDS = 10
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def load_checked(path: Path) -> None:
    """The property: papers with a title and an abstract, or a located IngestError (never
    another exception), within `LOAD_SECONDS`."""
    started = time.perf_counter()
    try:
        result = load_paths([path])
    except IngestError as exc:
        assert exc.path == str(path), f"error does not name the file: {exc}"
        assert str(exc).strip()
        return
    finally:
        assert time.perf_counter() - started < LOAD_SECONDS
    for paper in result.papers:
        assert paper.id and paper.title.strip() and paper.abstract.strip()
    for skipped in result.skipped:  # a skipped entry is located in its file
        assert skipped.location.startswith(str(path)) and skipped.kind


def write(tmp_path: Path, suffix: str, data: bytes) -> Path:
    path = tmp_path / f"fuzzed{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.lower().endswith(".gz") else data)
    return path


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str):
    load_checked(write(tmp_path, suffix, data))


@FUZZ
@given(text=st.text(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_random_text(tmp_path: Path, text: str, suffix: str):
    load_checked(write(tmp_path, suffix, text.encode("utf-8", "surrogatepass")))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real sample with a few random edits: cuts, insertions, byte flips, duplicated lines."""
    suffix, original = draw(st.sampled_from(SAMPLES))
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "insert", "flip", "truncate", "dup-line"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=50) | st.sampled_from([b'"', b"{", b"}", b"\n", b","])
            )
        elif kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "dup-line":
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            data = bytearray(b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]]))
    return suffix, bytes(data)


@FUZZ
@given(sample=mutated())
def test_mutated_real_files(tmp_path: Path, sample: tuple[str, bytes]):
    suffix, data = sample
    load_checked(write(tmp_path, suffix, data))


def test_unmutated_samples_load(tmp_path: Path):
    for suffix, data in SAMPLES:
        assert load_paths([write(tmp_path, suffix, data)]).papers, suffix


_FIELD = st.text(st.characters(blacklist_categories=["Cs"]), max_size=300)


@st.composite
def random_records(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file of the right shape for its format with random field values: titles and
    abstracts holding braces, quotes, tags, control characters and long runs."""
    kind = draw(st.sampled_from(["bib", "ris", "nbib", "jsonl", "xml", "csv"]))
    rows = draw(st.lists(st.tuples(_FIELD, _FIELD, _FIELD), min_size=1, max_size=5))
    if kind == "bib":
        text = "".join(f"@article{{k{i},\n  title = {{{t}}},\n  abstract = {{{a}}},\n  year = {{{y}}}\n}}\n"
                       for i, (t, a, y) in enumerate(rows))  # fmt: skip
    elif kind == "ris":
        text = "".join(f"TY  - JOUR\nTI  - {t}\nAB  - {a}\nPY  - {y}\nER  - \n" for t, a, y in rows)
    elif kind == "nbib":
        text = "".join(
            f"PMID- {i + 1}\nTI  - {t}\n      {y}\nAB  - {a}\n\n" for i, (t, a, y) in enumerate(rows)
        )
    elif kind == "jsonl":
        text = "".join(json.dumps({"title": t, "abstract": a, "date": y}) + "\n" for t, a, y in rows)
    elif kind == "xml":
        from xml.sax.saxutils import escape

        text = (
            "<xml><records>"
            + "".join(
                f"<record><titles><title>{escape(t)}</title></titles><abstract>{escape(a)}</abstract>"
                f"<dates><year>{escape(y)}</year></dates></record>"
                for t, a, y in rows
            )
            + "</records></xml>"
        )
    else:
        import csv
        import io

        buffer = io.StringIO()
        csv.writer(buffer).writerows([("title", "abstract", "date"), *rows])
        text = buffer.getvalue()
    return f".{kind}", text.encode("utf-8", "surrogatepass")


@FUZZ
@given(sample=random_records())
def test_random_records(tmp_path: Path, sample: tuple[str, bytes]):
    suffix, data = sample
    load_checked(write(tmp_path, suffix, data))


@pytest.mark.parametrize("year", ["¹", "2¹", "²⁰²⁰", "１"])
def test_a_year_of_digits_int_cannot_read_is_no_date(year: str) -> None:
    """Superscript digits are digits to `str.isdigit` but not to `int`: a BibTeX `year = {¹}`
    crashed the loader (found by `test_random_records`); now it is no date. Decimal digits of
    other scripts ("１", fullwidth) are read as the number they are."""
    from paperqa.ingest.loaders.common import date_from_parts, loose_date

    found, _ = date_from_parts(year)
    assert found is None or found.year == int(year)
    assert loose_date("", year)[0] == found and date_from_parts("2020", "1", year)[0] is not None
