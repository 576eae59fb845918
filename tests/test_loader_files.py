"""JSONL / JSON / CSV / arXiv / BibTeX loaders, and the errors for bad files."""

import datetime as dt
import gzip
import json

import pytest

from paperqa.errors import IngestError
from paperqa.ingest.loaders import load_file, load_paths

from .conftest import DATA


def papers_of(path, **kw):
    return [p for p in load_file(path, **kw) if not isinstance(p, IngestError)]


def test_jsonl_generic(tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text(
        json.dumps(
            {
                "Title": "Alpha paper",
                "Abstract": "About alpha.",
                "authors": "A. One; B. Two",
                "date": "2024-05-17",
            }
        )
        + "\n\n"
        + json.dumps(
            {"title": "Beta", "summary": "About beta.", "id": "10.1000/ABC", "url": "https://x.org/b"}
        )
        + "\n"
    )
    a, b = papers_of(f)
    assert (a.title, a.abstract, a.authors, a.date) == (
        "Alpha paper",
        "About alpha.",
        ["A. One", "B. Two"],
        dt.date(2024, 5, 17),
    )
    assert a.source.line == 1 and b.source.line == 3
    assert b.id == "doi:10.1000/abc" and b.url == "https://x.org/b"


def test_an_undated_record_with_an_arxiv_id_is_dated_by_its_month(tmp_path):
    f = tmp_path / "qasper.jsonl"
    rows = [
        {"id": "1907.06292", "title": "Tweets", "abstract": "About tweets."},  # QASPER's papers
        {"id": "2401.01234", "title": "Dated", "abstract": "Dated.", "date": "2024-03-02"},
        {"id": "hep-th/9901001", "title": "Old style", "abstract": "Old."},
    ]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tweets, dated, old = papers_of(f)
    assert (tweets.date, tweets.date_precision, tweets.date_text) == (dt.date(2019, 7, 1), "month", "2019-07")
    assert dated.date == dt.date(2024, 3, 2)  # the record's own date wins
    assert old.date is None  # an old-style id says no month a rule can trust


def test_json_array_records_know_their_lines(tmp_path):
    f = tmp_path / "list.json"
    f.write_text(
        '[\n  {"title": "One", "abstract": "First."},\n\n  {"title": "Two",\n   "abstract": ""}\n]\n'
    )
    items = list(load_file(f))
    assert items[0].source.line == 2
    assert isinstance(items[1], IngestError) and items[1].line == 4 and "no abstract" in str(items[1])


def test_json_object_with_papers_list(tmp_path):
    f = tmp_path / "wrapped.json"
    f.write_text(json.dumps({"papers": [{"title": "One", "abstract": "First.", "id": "arXiv:2401.01234v2"}]}))
    (paper,) = papers_of(f)
    assert paper.id == "arxiv:2401.01234" and paper.url == "https://arxiv.org/abs/2401.01234"


def test_csv_and_tsv(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text('title,abstract,year\n"Gamma, a study","Multi\nline abstract.",2020\nDelta,Short.,\n')
    gamma, delta = papers_of(f)
    assert (
        gamma.title == "Gamma, a study"
        and gamma.abstract == "Multi line abstract."
        and gamma.date == dt.date(2020, 1, 1)
    )
    assert gamma.source.line == 2 and delta.source.line == 4
    t = tmp_path / "p.tsv"
    t.write_text("title\tabstract\nEps\tAbout eps.\n")
    assert papers_of(t)[0].title == "Eps"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://arxiv.org/abs/2401.00001", "https://arxiv.org/abs/2401.00001"),
        ("doi.org/10.1000/xyz", "https://doi.org/10.1000/xyz"),
        ("javascript:alert(document.cookie)", None),  # the app renders url as a link
        ("file:///etc/passwd", None),
        ("not a link", None),
    ],
)
def test_only_web_links_are_kept(tmp_path, url, kept):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"title": "Link test", "abstract": "About links.", "url": url}) + "\n")
    assert papers_of(f)[0].url == kept


def test_gzip(tmp_path):
    f = tmp_path / "p.jsonl.gz"
    f.write_bytes(gzip.compress(b'{"title": "Zipped", "abstract": "Inside a gzip."}\n'))
    assert papers_of(f)[0].title == "Zipped"


def test_arxiv_jsonl_sample():
    papers = papers_of(DATA / "arxiv_sample.jsonl")
    assert len(papers) == 40
    first = papers[0]
    assert first.id == "arxiv:2503.11677" and first.source.format == "arxiv"
    assert first.categories == ["cs.HC", "cs.CV"] and len(first.authors) == 5
    assert first.date == dt.date(2025, 3, 18)
    assert "\n" not in first.abstract and "\n" in first.abstract_raw
    cordic = next(p for p in papers if p.id == "arxiv:2503.11685")
    assert "$" in cordic.abstract_raw and "$" not in cordic.abstract and "tanh" in cordic.abstract


def test_bibtex():
    vps, study = papers_of(DATA / "sample.bib")
    assert vps.id == "arxiv:2411.16198" and vps.date == dt.date(2024, 11, 1) and len(vps.authors) == 8
    assert vps.code_urls == ["https://github.com/RuoyuChen10/VPS"]
    assert study.id == "doi:10.1000/xyz-123" and study.title == "A Study of Saliency Maps in Radiology"
    assert "30%" in study.abstract and "pneumoniæ" in study.abstract and study.source.line == 12


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("broken.jsonl", b'{"title": "ok", "abstract": "fine"}\n{"title": "broken",\n', 2, "not valid JSON"),
        ("badjson.json", b'[\n{"title": "a", "abstract": "b"},\n{oops}\n]', 3, "not valid JSON"),
        ("nocol.csv", b"name,abstract\nx,y\n", 1, "no 'title' column"),
        ("ragged.csv", b"title,abstract\na,b,c\n", 2, "more cells"),
        ("notbib.bib", b"this is not { bibtex at all\n", 1, "no BibTeX entr"),
        ("binary.jsonl", b'{"title": "a"}\n\x00\x01\x02', 2, "binary file"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path, name, content, line, message):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(IngestError) as info:
        load_paths([f])
    if name == "notbib.bib":  # a file with no entry at all has no line to point at
        assert info.value.path == str(f) and message in str(info.value)
        return
    assert info.value.path == str(f) and info.value.line == line
    assert message in str(info.value) and str(info.value).startswith(f"{f}:{line}: ")


@pytest.mark.parametrize(
    ("name", "content", "line", "kind", "message"),
    [
        (
            "notitle.jsonl",
            b'{"abstract": "x"}\n{"title": "ok", "abstract": "fine"}\n',
            1,
            "no title",
            "no title",
        ),
        (
            "syntax.bib",
            b"@article{a,\n  title = {T},\n  abstract = {A}\n\n@article{b, title={U}, abstract={B}}\n",
            1,
            "unparseable",
            "BibTeX syntax error",
        ),
        (
            "noabs.bib",
            b"@article{a,\n  title = {T},\n}\n@article{b, title={U}, abstract={B}}\n",
            1,
            "no abstract",
            "has no abstract",
        ),
    ],
)
def test_unusable_entries_are_skipped_unless_strict(tmp_path, name, content, line, kind, message):
    f = tmp_path / name
    f.write_bytes(content)
    result = load_paths([f])
    assert len(result.papers) == 1 and result.files_read == 1
    [skipped] = result.skipped
    assert (skipped.location, skipped.kind) == (f"{f}:{line}", kind) and message in skipped.reason
    with pytest.raises(IngestError) as info:
        load_paths([f], strict=True)
    assert info.value.line == line and message in str(info.value)


def test_a_date_that_is_no_date_is_a_note_not_a_lost_paper(tmp_path):
    f = tmp_path / "baddate.csv"
    f.write_text("title,abstract,date\na,b,someday\n")
    result = load_paths([f])
    assert [p.date for p in result.papers] == [None]
    assert result.warnings == [
        f"{f}:2: date 'someday' is not ISO (YYYY-MM-DD), YYYY-MM or a year; the paper is added without a date"
    ]


@pytest.mark.parametrize(
    ("name", "content"), [("empty.jsonl", b""), ("blank.csv", b"\n \n"), ("x.doc", b"DOC")]
)
def test_unreadable_files(tmp_path, name, content):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(IngestError, match="empty|unsupported"):
        load_paths([f])


def test_a_damaged_pdf_is_a_skipped_entry_with_its_reason(tmp_path):
    f = tmp_path / "x.pdf"
    f.write_bytes(b"%PDF")
    result = load_paths([f])
    assert not result.papers and result.skipped[0].reason.startswith("not a readable PDF")


def test_missing_path(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        load_paths([tmp_path / "nope.jsonl"])


def test_skip_bad_keeps_good_records(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        '{"title": "Good", "abstract": "Fine."}\nnot json\n{"title": "Also good", "abstract": "Yes."}\n'
    )
    (tmp_path / "b.csv").write_text("nothing,here\n1,2\n")
    (tmp_path / "README.md").write_text("# notes\n")
    result = load_paths([tmp_path], skip_bad=True)
    assert [p.title for p in result.papers] == ["Good", "Also good"]
    assert [s.location for s in result.skipped] == [f"{tmp_path / 'a.jsonl'}:2", f"{tmp_path / 'b.csv'}:1"]
    assert result.files_ignored == [str(tmp_path / "README.md")]


def test_a_file_in_a_legacy_encoding_is_read_and_said_so(tmp_path):
    f = tmp_path / "latin1.csv"
    f.write_bytes("title,abstract\nCaf\u00e9 culture,Un caf\u00e9 \u00e0 Paris.\n".encode("latin-1"))
    result = load_paths([f])
    assert result.papers[0].title == "Caf\u00e9 culture"
    assert any("read as windows-1252" in w for w in result.warnings)
