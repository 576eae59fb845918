import datetime as dt

import pytest

from paperqa.ingest.loaders import load_paths, merge_papers
from paperqa.ingest.loaders.common import arxiv_id, clean_latex, doi, find_urls, paper_id, title_id
from paperqa.types import Paper, normalize_title

from .conftest import SEED_FILE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2401.01234", "2401.01234"),
        ("arXiv:2401.01234v3", "2401.01234"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("1234", None),
        ("", None),
    ],
)
def test_arxiv_id(value, expected):
    assert arxiv_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.1000/ABC.1", "10.1000/abc.1"),
        ("https://doi.org/10.1234/x", "10.1234/x"),
        ("doi:10.5555/y.", "10.5555/y"),
        ("10.x/y", None),
    ],
)
def test_doi(value, expected):
    assert doi(value) == expected


def test_title_ids_are_stable_across_case_punctuation_and_spacing():
    a = title_id("SAE-V: Interpreting Multimodal Models for Enhanced Alignment")
    b = title_id("sae v   interpreting multimodal models, for enhanced alignment")
    assert a == b and a.startswith("sae-v-interpreting")
    assert paper_id("T", arxiv="2401.00001") == "arxiv:2401.00001"
    assert paper_id("T", doi_="10.1234/x") == "doi:10.1234/x"


def test_seed_ids_do_not_change():
    """Ids are what citations point at: a change here breaks users' saved answers."""
    ids = sorted(p.id for p in load_paths([SEED_FILE]).papers)
    assert len(set(ids)) == 29
    assert "hallucination-reduction-with-b49ef9fa" in ids
    assert "sae-v-interpreting-multimodal-4c45a238" in ids


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain text\nwith  breaks", "plain text with breaks"),
        ("pneumoni{\\ae} and 30\\% and 50% of SR^2", "pneumoniæ and 30% and 50% of SR^2"),
        ("cost $O(n^2)$ with \\emph{care}", "cost O(n^2) with care"),
        ("see \\href{x}", "see \\href{x}"),  # pylatexenc fails on it: the raw text is kept
    ],
)
def test_clean_latex(raw, clean):
    assert clean_latex(raw) == clean


def test_find_urls():
    assert find_urls("see https://github.com/a/b. And (https://x.io/p), again https://github.com/a/b") == [
        "https://github.com/a/b",
        "https://x.io/p",
    ]


def test_normalize_title():
    assert (
        normalize_title("Fact Recall, Heuristics or Pure Guesswork?")
        == "fact recall heuristics or pure guesswork"
    )
    assert normalize_title("Naïve  Bayes") == "naive bayes"


def test_same_paper_from_two_sources_is_one(tmp_path):
    listing_title = "Interpreting Object-level Foundation Models via Visual Precision Search"
    (tmp_path / "extra.jsonl").write_text(
        '{"id": "2411.16198", "categories": ["cs.CV"], "title": "Interpreting object-level foundation models '
        'via visual precision search", "authors": ["R. Chen"], "abstract": "Newer text.", '
        '"listing_date": "2024-11-25"}\n'
    )
    papers = load_paths([SEED_FILE, tmp_path / "extra.jsonl"]).papers
    same = [p for p in papers if normalize_title(p.title) == normalize_title(listing_title)]
    assert len(papers) == 29 and len(same) == 1
    paper = same[0]
    assert paper.id == "interpreting-object-level-5f4e0f29" and paper.aliases == ["arxiv:2411.16198"]
    assert paper.abstract == "Newer text." and paper.authors == ["R. Chen"] and paper.n_authors == 8


def test_merge_keeps_first_id_and_fills_gaps():
    a = Paper(id="x", title="T", abstract="old", n_authors=3, upvotes=2)
    b = Paper(id="arxiv:1", title="T", abstract="new", authors=["A"])
    m = merge_papers(a, b)
    assert (m.id, m.abstract, m.authors, m.n_authors, m.upvotes, m.aliases) == (
        "x",
        "new",
        ["A"],
        3,
        2,
        ["arxiv:1"],
    )


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ({"doi": "10.1/a"}, {"doi": "10.1/b"}, "different DOIs"),
        ({"arxiv_id": "2101.00001"}, {"arxiv_id": "2101.00002"}, "different arXiv ids"),
        ({"date": dt.date(2014, 1, 1)}, {"date": dt.date(2020, 5, 1)}, "different years"),
        # one has a DOI, the other an arXiv id: nothing says they differ
        (
            {"doi": "10.1/a", "date": dt.date(2020, 1, 1)},
            {"arxiv_id": "2001.00001", "date": dt.date(2020, 3, 1)},
            None,
        ),
        ({}, {"doi": "10.1/b"}, None),
        # a preprint (dated by its arXiv month) and its publication the next year: one paper
        ({"arxiv_id": "1912.00001", "date": dt.date(2019, 12, 1)}, {"date": dt.date(2020, 6, 1)}, None),
        ({"arxiv_id": "1412.00001", "date": dt.date(2014, 12, 1)}, {"date": dt.date(2020, 6, 1)}, "years"),
        # the same identifier: one paper whatever the years
        (
            {"arxiv_id": "1912.00001", "date": dt.date(2019, 12, 1)},
            {"arxiv_id": "1912.00001", "date": dt.date(2022, 1, 1)},
            None,
        ),
    ],
)
def test_same_title_records_contradict_only_on_ids_or_year(a, b, why):
    first = Paper(id="x", title="Same Title", abstract="One.", **a)
    second = Paper(id="y", title="Same Title", abstract="Two.", **b)
    reason = first.contradicts(second)
    assert (reason is None) if why is None else (why in (reason or ""))
