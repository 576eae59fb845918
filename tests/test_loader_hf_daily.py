import datetime as dt

import pytest

from paperqa.errors import IngestError
from paperqa.ingest.loaders import load_file, load_paths
from paperqa.ingest.loaders.hf_daily import infer_year

from .conftest import SEED_FILE


@pytest.fixture(scope="module")
def seed_papers():
    papers = list(load_file(SEED_FILE))
    assert all(not isinstance(p, IngestError) for p in papers)
    return {p.title.split(":")[0]: p for p in papers}


def test_all_29_seed_papers(seed_papers):
    assert len(seed_papers) == 29


@pytest.mark.parametrize(
    ("title", "date", "n_authors", "upvotes"),
    [
        (
            "A Function Interpretation Benchmark for Evaluating Interpretability Methods",
            dt.date(2023, 9, 7),
            8,
            None,
        ),
        ("Brain-Grounded Axes for Reading and Steering LLM States", dt.date(2025, 12, 22), 1, 2),
        ("SAE-V", dt.date(2025, 2, 22), 4, None),
        (
            "Encoding Time-Series Explanations through Self-Supervised Model Behavior Consistency",
            dt.date(2023, 6, 3),
            6,
            1,
        ),
        (
            "Foundation Models for Discovery and Exploration in Chemical Space",
            dt.date(2025, 10, 20),
            22,
            None,
        ),
        ("The Quest for the Right Mediator", dt.date(2024, 8, 2), 13, None),
    ],
)
def test_seed_fields(seed_papers, title, date, n_authors, upvotes):
    paper = seed_papers[title]
    assert (paper.date, paper.n_authors, paper.upvotes) == (date, n_authors, upvotes)
    assert len(paper.abstract) > 200
    assert paper.source and paper.source.format == "hf-daily" and paper.source.line


def test_seed_first_entry_location(seed_papers):
    paper = seed_papers["A Function Interpretation Benchmark for Evaluating Interpretability Methods"]
    assert paper.source.line == 13
    assert paper.abstract.startswith("Labeling neural network submodules")
    assert "FIND (Function INterpretation and Description)" in paper.abstract


def test_code_urls_without_trailing_punctuation(seed_papers):
    assert seed_papers["GCAV"].code_urls == ["https://github.com/Zhenghao-He/GCAV"]
    assert seed_papers["Do Input Gradients Highlight Discriminative Features?"].code_urls == [
        "https://github.com/harshays/inputgradients"
    ]


def test_latex_cleaned_and_raw_kept(seed_papers):
    covid = seed_papers[
        "Exploration of Interpretability Techniques for Deep COVID-19 Classification using Chest X-ray Images"
    ]
    cleaned = [p for p in seed_papers.values() if "{\\ae}" in (p.abstract_raw or "")]
    assert cleaned, "the seed has one abstract with {\\ae}"
    assert all("{\\ae}" not in p.abstract and "æ" in p.abstract for p in cleaned)
    assert covid.abstract


@pytest.mark.parametrize(
    ("explicit_years", "today", "expected"),
    [
        ([2023, 2024], dt.date(2026, 11, 24), 2025),
        ([], dt.date(2026, 1, 5), 2026),
        ([2026], dt.date(2026, 3, 1), 2026),
    ],
)
def test_listing_year_inference(explicit_years, today, expected):
    assert infer_year(explicit_years, today) == expected


def test_listing_year_override():
    papers = [p for p in load_file(SEED_FILE, listing_year=2031) if not isinstance(p, IngestError)]
    brain = next(p for p in papers if p.title.startswith("Brain-Grounded"))
    assert brain.date == dt.date(2031, 12, 22)


def test_entry_without_date_is_located(tmp_path):
    bad = tmp_path / "listing.txt"
    bad.write_text("Daily Papers\n\nA Title\n\nAn abstract.\n\n  • 3 authors\n·\nyesterday\n")
    with pytest.raises(IngestError) as info:
        load_paths([bad])
    assert info.value.path == str(bad) and info.value.line == 7
    assert "date" in str(info.value)


def test_txt_that_is_not_a_listing(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\n")
    with pytest.raises(IngestError, match="none of the text formats paperqa reads"):
        load_paths([notes])
    # In a folder, such a file is passed over, not an error.
    assert load_paths([tmp_path]).files_ignored == [str(notes)]
