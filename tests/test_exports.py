"""Reference-manager and database exports as they really are (tests/data/exports/: one
file per exporter and format, modelled on what each writes, with its quirks), read with
the plain loader: the expected papers, ids, dates at their precision, authors as
"First Last", the entries skipped and why, the notes."""

from __future__ import annotations

import datetime as dt

import pytest

from paperqa.errors import IngestError
from paperqa.ingest.loaders import load_paths
from paperqa.types import Paper

from .conftest import DATA

EXPORTS = DATA / "exports"
FACT_RECALL = "Fact Recall in Language Models: A Study of Heuristics"


def read(name: str):  # type: ignore[no-untyped-def]
    return load_paths([EXPORTS / name])


def by_title(papers: list[Paper]) -> dict[str, Paper]:
    """Title -> the first paper of that title (two papers may share one)."""
    found: dict[str, Paper] = {}
    for p in papers:
        found.setdefault(p.title, p)
    return found


# (file, {title: (id, date text, authors, venue)}, skipped [(kind, key)])
CASES = [
    (
        "zotero.bib",
        {
            FACT_RECALL: (
                "doi:10.1038/s41467-023-00001-1",
                "2023-06",
                ["Astrid Lindgren", "Jörg Müller", "Anna van der Berg"],
                "Nature Communications",
            ),
            "Sparse Autoencoders Find Interpretable Features": (
                "arxiv:2403.01234",
                "2024-03",
                ["Wei Chen", "Ngozi Okafor"],
                "arXiv",
            ),
        },
        [("no abstract", "luhring_handbook_2007")],
    ),
    (
        "mendeley.bib",
        {
            "Unstable Attribution Maps in Medical Imaging": (
                "arxiv:2105.05555",
                "2021-05",
                ["Ngozi Okafor", "John Paul Smith"],
                "arXiv",
            ),
            # a missing comma after isbn: the DOI is still found
            "Probing Speech Models for Phonemes": (
                "doi:10.21437/interspeech.2019-1234",
                "2019",
                ["Marco Rossi", "Lucia Bianchi"],
                "Proceedings of Interspeech",
            ),
        },
        [],
    ),
    (
        "jabref.bib",
        {
            "Concept Bottlenecks Revisited": (
                "arxiv:2012.09999",
                "2020-12",
                ["Elena García", "Patrick O'Neil"],
                "Advances in Neural Information Processing Systems",
            ),
            "Circuit Discovery at Scale": (
                "doi:10.5555/tmlr.2022.777",
                "2022",
                ["Hiro Tanaka"],
                "Transactions on Machine Learning Research",
            ),
        },
        [],
    ),
    (
        "scopus.bib",
        {
            "Interpretable Machine Learning for Construction Risk": (
                "doi:10.1016/j.autcon.2020.103301",
                "2020",
                ["R. Osei-Kyei", "V. Tam"],
                "Automation in Construction",
            )
        },
        [("no abstract", "Park2021")],
    ),
    (
        "wos.bib",
        {
            "Faithfulness Metrics for Feature Attribution": (
                "doi:10.1109/tpami.2020.2900001",
                "2020-09",
                ["Thi Nguyen", "Dawit Abebe", "Piotr Kowalski"],
                "IEEE TRANSACTIONS ON PATTERN ANALYSIS AND MACHINE INTELLIGENCE",
            )
        },
        [],
    ),
    (
        "pmlr.bib",
        {
            "Steering Vectors Without Labels": (
                "steering-vectors-without-labels-bdc268b7",
                "2023-07",
                ["Ken Ito", "Claire Dubois"],
                "Proceedings of the 40th International Conference on Machine Learning",
            )
        },
        [],
    ),
    (
        "zotero.ris",
        {
            FACT_RECALL: (
                "doi:10.1038/s41467-023-00001-1",
                "2023-06-14",
                ["Astrid Lindgren", "Jörg Müller"],
                "Nature Communications",
            ),
            "Sparse Autoencoders Find Interpretable Features": (
                "arxiv:2403.01234",
                "2024-03-02",
                ["Wei Chen", "Ngozi Okafor"],
                "arXiv",
            ),
        },
        [("no abstract", None)],
    ),
    (
        "endnote.ris",
        {
            "Probing Speech Models for Phonemes": (
                "doi:10.1016/j.csl.2019.01.001",
                "2019",
                ["Marco Rossi", "Lucia Bianchi"],
                "Computer Speech & Language",
            )
        },
        [],
    ),
    (
        "scopus.ris",
        {
            "Interpretable Machine Learning for Construction Risk": (
                "doi:10.1016/j.autcon.2020.103301",
                "2020",
                ["R. Osei-Kyei", "V. Tam"],
                "Automation in Construction",
            )
        },
        [("no abstract", None)],
    ),
    (
        "pubmed.ris",
        {
            "Explainable deep learning for diabetic retinopathy grading": (
                "doi:10.1016/j.media.2022.102600",
                "2022-11-01",
                ["Layla Haddad", "Soo-Jin Kim"],
                "Medical image analysis",
            )
        },
        [],
    ),
    (
        "zotero.csv",
        {
            FACT_RECALL: (
                "doi:10.1038/s41467-023-00001-1",
                "2023-06-14",
                ["Astrid Lindgren", "Jörg Müller"],
                "Nature Communications",
            ),
            "Sparse Autoencoders Find Interpretable Features": (
                "arxiv:2403.01234",
                "2024-03",
                ["Wei Chen", "Ngozi Okafor"],
                None,
            ),
        },
        [("no abstract", "EFGH5678")],
    ),
    (
        "scopus.csv",  # its "Author full names" column (Scopus ids after the names) wins over "Authors"
        {
            "Interpretable Machine Learning for Construction Risk": (
                "doi:10.1016/j.autcon.2020.103301",
                "2020",
                ["Robert Osei-Kyei", "Vivian Tam"],
                "Automation in Construction",
            )
        },
        [("no abstract", "2-s2.0-85100000000")],  # "[No abstract available]"
    ),
    (
        "savedrecs.txt",  # PY 2020 with PD "SEP": the month counts
        {
            "Faithfulness Metrics for Feature Attribution": (
                "doi:10.1109/tpami.2020.2900001",
                "2020-09",
                ["Thi Nguyen", "Dawit Abebe", "Piotr Kowalski"],
                "IEEE TRANSACTIONS ON PATTERN ANALYSIS AND MACHINE INTELLIGENCE",
            )
        },
        [("no abstract", "WOS:000999999900001")],
    ),
    (
        "zotero-csl.json",
        {
            FACT_RECALL: (
                "doi:10.1038/s41467-023-00001-1",
                "2023-06-14",
                ["Astrid Lindgren", "Jörg Müller"],
                "Nature Communications",
            ),
            "Sparse Autoencoders Find Interpretable Features": (
                "arxiv:2403.01234",
                "2024-03",
                ["Wei Chen", "Ngozi Okafor"],
                "arXiv",
            ),
        },
        [("no abstract", "http://zotero.org/users/123/items/EFGH5678")],
    ),
    (
        "mendeley-csl.json",
        {
            "Probing Speech Models for Phonemes": (
                "doi:10.21437/interspeech.2019-1234",
                "2019",
                ["Marco Rossi", "Anna van der Berg"],
                "Proceedings of Interspeech",
            ),
            "Ethics and Governance of Artificial Intelligence for Health": (
                "ethics-and-governance-of-a52dfeca",
                "2021-06-28",
                ["World Health Organization"],
                None,
            ),
        },
        [],
    ),
]


@pytest.mark.parametrize(("name", "expected", "skipped"), CASES, ids=[c[0] for c in CASES])
def test_each_export_gives_the_expected_papers(name, expected, skipped):
    result = read(name)
    papers = by_title(result.papers)
    assert set(papers) >= set(expected)
    for title, (pid, date, authors, venue) in expected.items():
        p = papers[title]
        assert (p.id, p.date_text, p.authors, p.venue) == (pid, date, authors, venue), title
        assert p.abstract and "©" not in p.abstract and "{" not in p.abstract
    assert [(s.kind, s.key) for s in result.skipped] == skipped
    assert result.files_read == 1


def test_tex_becomes_unicode_in_every_field_and_the_raw_abstract_is_kept():
    zotero = by_title(read("zotero.bib").papers)[FACT_RECALL]
    assert "reasons – we" in zotero.abstract and "30%" in zotero.abstract and "Gödel" in zotero.abstract
    assert zotero.abstract_raw and "{\\textendash}" in zotero.abstract_raw
    garcia = by_title(read("jabref.bib").papers)["Concept Bottlenecks Revisited"]
    assert garcia.authors[0] == "Elena García"


def test_quirks_are_reported_as_notes():
    notes = read("scopus.bib").warnings + read("mendeley.bib").warnings + read("zotero.bib").warnings
    assert any("repeats funding_details; the first value kept" in n for n in notes)
    assert any("repeats doi" in n for n in notes)
    assert any("mendeley.bib:23: a comma was missing" in n for n in notes)


def test_same_title_kept_apart_when_year_or_doi_differ_and_merged_otherwise():
    wos = read("wos.bib")  # the 2020 journal paper and its 2014 preprint under the same title
    assert len(wos.papers) == 2 and not wos.merged
    assert any("kept apart: different years (2020, 2014)" in w for w in wos.warnings)
    # the same paper from Zotero (BibTeX, RIS, CSV, CSL-JSON): one paper, fields from each
    every = load_paths([EXPORTS / n for n in ("zotero.bib", "zotero.ris", "zotero.csv", "zotero-csl.json")])
    fact = [p for p in every.papers if p.title == FACT_RECALL]
    assert len(fact) == 1 and fact[0].date_text == "2023-06-14"  # the most precise date wins
    assert len([p for p in every.papers if p.arxiv_id == "2403.01234"]) == 1


def test_merge_by_title_without_ids_is_reported(tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_text('{"title": "One Paper", "abstract": "First text.", "date": "2020"}\n')
    b = tmp_path / "b.csv"
    b.write_text("title,abstract,doi\nOne Paper,Second text.,10.1000/one.1\n")
    result = load_paths([a, b])
    assert len(result.papers) == 1 and result.merged == ["doi:10.1000/one.1 -> one-paper-ebe7037b"]
    assert result.papers[0].doi == "10.1000/one.1" and result.papers[0].date_text == "2020"


def test_strict_refuses_a_file_with_an_unusable_entry():
    with pytest.raises(IngestError) as info:
        load_paths([EXPORTS / "zotero.bib"], strict=True)
    assert info.value.kind == "no abstract" and info.value.line == 37


def test_report_groups_skipped_entries(library):
    report = library.ingest([EXPORTS / "zotero.bib", EXPORTS / "scopus.csv"])
    assert report.skipped_summary() == (
        "Skipped 2 entries: 2 without an abstract ("
        f"{EXPORTS / 'zotero.bib'}:37 luhring_handbook_2007, {EXPORTS / 'scopus.csv'}:3 2-s2.0-85100000000)."
    )
    assert len(report.added) == 3


def test_dates_keep_their_precision_in_storage_and_filters(library):
    library.ingest([EXPORTS / "scopus.csv", EXPORTS / "zotero.ris"])
    stored = {p.title: p for p in library.papers()}
    assert stored["Interpretable Machine Learning for Construction Risk"].date_text == "2020"
    assert stored[FACT_RECALL].date_text == "2023-06-14"
    since = library.papers()
    assert {p.date.year for p in since if p.date and p.date >= dt.date(2020, 1, 1)} >= {2020, 2023}


# The second set of exports (issue 22): formats and quirks of files nobody here wrote.
# (file, {title start: (id, date text, authors, venue)}, skipped [(kind, key)], note substring)
MORE_CASES = [
    (
        "wos-plain.txt",  # Web of Science "Plain text": BOM, CRLF, 3-space continuations, CA, PD "OCT 15"
        {
            "Fact recall in language models: a study of heuristics and exact recall": (
                "doi:10.1038/s41467-023-00002-2",
                "2023-10-15",
                ["Astrid Lindgren", "Joerg Muller", "World Health Organization"],
                "NATURE COMMUNICATIONS",
            ),
            "Sparse probes": (
                "doi:10.5555/jmlr.2022.0003",
                "2022-07",
                ["Wei Chen"],
                "JOURNAL OF MACHINE LEARNING RESEARCH",
            ),
        },
        [("no abstract", "WOS:000111111100003")],
        None,
    ),
    (
        "wos-tabbed-cp1252.txt",  # tab-delimited, a trailing tab on every row, Windows-1252 bytes
        {
            "Straßenverkehr und neuronale Netze": (
                "doi:10.1000/verkehr.2020.1",
                "2020-03",
                ["Martina Groß"],
                "VERKEHRSFORSCHUNG",
            ),
            "Modèles de langue et résumés": (None, "2019", ["Émilie Café"], "TAL"),
        },
        [],
        "read as windows-1252",
    ),
    (
        "wos-labels-utf16.txt",  # the newer full-label header, saved by Excel as UTF-16 ("Unicode text")
        {
            "Graph transformers for molecules": (
                "doi:10.1039/d1sc00001a",
                "2021-06-14",
                ["Kenji Ito"],
                "CHEMICAL SCIENCE",
            )
        },
        [],
        "read as utf-16",
    ),
    (
        "endnote.xml",  # EndNote XML: one line, <style> wrappers, pub-dates "Oct 15"
        {
            "Spiking networks learn & forget": (
                "doi:10.1162/neco_a_01001",
                "2018-10-15",
                ["Yuki Tanaka", "Anna van der Berg"],
                "Neural Computation",
            ),
            "Dendrites as classifiers": (None, "2017", ["Marco Rossi"], "Neural Computation"),
        },
        [("no abstract", "3")],
        None,
    ),
    (
        # MEDLINE: CRLF, 6-space continuations, FAU/AU, CN, DP "2021 Mar 15" / "2020 Winter", [doi]
        "pubmed.nbib",
        {
            "Deep learning detects diabetic retinopathy in fundus photographs from primary care.": (
                "doi:10.1001/jama.2021.0001",
                "2021-03-15",
                ["Varun Gulshan", "Lily Peng", "Retinopathy Screening Consortium"],
                "JAMA",
            ),
            "Seasonal influenza vaccination": (
                "doi:10.1093/cid/ciaa0002",
                "2020-12",
                ["Ngozi Okafor"],
                "Clinical Infectious Diseases",
            ),
        },
        [("no abstract", "31000003")],
        None,
    ),
    (
        "ris-dates.ris",  # RIS dates: WoS DA "OCT" + PY, ProQuest "Jul 2020", EndNote "2019///" with DA empty
        {
            "Month-only dates from Web of Science": (None, "2018-10", ["Erik Lindqvist"], None),
            "ProQuest dates as month and year": (None, "2020-07", ["Ann Baker"], None),
            "EndNote dates with empty parts": (None, "2019", ["Ben Cole"], None),
        },
        [],
        None,
    ),
    (
        "csl-dates.json",  # CSL-JSON: issued as a literal and as raw; an organisation author (literal)
        {
            "Literal dates in CSL": (None, "1995-01-01", ["World Health Organization"], None),
            "Raw dates in CSL": (None, "2017-05", ["Andrew Ng"], None),
        },
        [],
        None,
    ),
]


@pytest.mark.parametrize(("name", "expected", "skipped", "note"), MORE_CASES, ids=[c[0] for c in MORE_CASES])
def test_more_exports(name, expected, skipped, note):
    result = read(name)
    papers = {p.title: p for p in result.papers}
    assert len(papers) == len(expected)
    for start, (pid, date, authors, venue) in expected.items():
        paper = next(p for title, p in papers.items() if title.startswith(start))
        assert pid is None or paper.id == pid
        assert paper.date_text == date and paper.authors == authors and paper.venue == venue
        assert paper.abstract and paper.source is not None and (paper.source.line or 0) >= 1
        if pid and pid.startswith("doi:"):
            assert paper.doi == pid.removeprefix("doi:")
    assert [(s.kind, s.key) for s in result.skipped] == skipped
    assert all(s.location.startswith(str(EXPORTS / name)) for s in result.skipped)
    if note:
        assert any(note in w for w in result.warnings)
    if skipped:  # --strict refuses a file with an entry it would skip
        with pytest.raises(IngestError):
            load_paths([EXPORTS / name], strict=True)


def test_a_proceedings_file_dates_its_papers_by_the_volume(tmp_path):
    f = tmp_path / "pmlr-v97.bib"
    f.write_text(
        "@Proceedings{ICML-2019, booktitle = {Proceedings of ICML 2019}, year = {2019}}\n"
        "@InProceedings{a, title = {Paper A}, author = {Smith, John and {World Health Organization}},\n"
        "  abstract = {We do A.}}\n"
        "@online{web, title = {A post}, author = {Doe, Jane}, abstract = {About B.},\n"
        "  urldate = {2021-03-04}}\n"
    )
    result = load_paths([f])
    papers = {p.title: p for p in result.papers}
    assert papers["Paper A"].date_text == "2019" and papers["Paper A"].venue == "Proceedings of ICML 2019"
    assert papers["Paper A"].authors == ["John Smith", "World Health Organization"]
    assert papers["A post"].date_text == "2021-03-04" and papers["A post"].venue is None
    assert any("take the year of the file's @proceedings record" in w for w in result.warnings)


def test_a_txt_of_no_known_format_says_which_it_tried(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("just some notes\nnothing else\n")
    with pytest.raises(IngestError, match="Web of Science plain text or tab-delimited, PubMed MEDLINE, RIS"):
        load_paths([f])


def test_endnote_xml_with_entities_is_refused(tmp_path):
    f = tmp_path / "evil.xml"
    f.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<xml><records><record><titles><title>&e;</title></titles><abstract>x</abstract></record></records></xml>"
    )
    with pytest.raises(IngestError, match="entities"):
        load_paths([f])
