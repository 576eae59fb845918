"""Questions about the papers themselves are answered from their records."""

from __future__ import annotations

import datetime as dt

import pytest

from paperqa.answer.conversation import Conversation
from paperqa.answer.understand.records import parse_record, year_filter
from paperqa.answer.write import record_answers as metadata
from paperqa.library import Library
from paperqa.types import Paper


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("Who are the authors of the CASAL paper?", "authors"),
        ("Who wrote SAE-V?", "authors"),
        ("When was the FIND benchmark published?", "date"),
        ("What year is the LegalVis paper from?", "date"),
        ("Where was SAE-V published?", "venue"),
        ("Which journal published TorchEsegeta?", "venue"),
        ("What is the link to LegalVis?", "link"),
        ("What is the DOI of CASAL?", "link"),
        ("How many papers are in the library?", "count"),
        ("How many papers are from 2025?", "count"),
        ("Which papers are from 2025?", "dated"),
        ("List the papers published before 2022", "dated"),
        ("Which papers in the library were published between 2021 and 2023?", "dated"),
        ("Which papers are by Chris Olah?", "by_author"),
    ],
)
def test_record_questions_are_recognised(question: str, field: str):
    request = parse_record(question)
    assert request is not None and request.field == field


@pytest.mark.parametrize(
    "question",
    [
        "How much does CASAL reduce hallucination?",
        "What is the link between sparsity and interpretability?",
        "Which papers steer models through their activations?",
        "Which papers from 2025 deal with steering?",  # a topic with a date: answered from abstracts
        "What data does the FIND benchmark use?",
        "How many layers does CASAL train?",
    ],
)
def test_content_questions_are_left_to_the_abstracts(question: str):
    assert parse_record(question) is None


def paper(title: str, date: dt.date | None, **fields: object) -> Paper:
    pid = title.lower().replace(" ", "-")
    return Paper(id=pid, title=title, abstract="An abstract.", date=date, **fields)


PAPERS = [
    paper("Alpha", dt.date(2025, 1, 1), date_precision="year", authors=["Ada Lovelace", "Alan Turing"]),
    paper("Beta", dt.date(2024, 5, 2), venue="NeurIPS", doi="10.1/beta", url="https://doi.org/10.1/beta"),
    paper("Gamma", None, n_authors=3, arxiv_id="2401.00001"),
]


def test_fields_come_from_the_record_and_missing_ones_are_said_missing():
    alpha, beta, gamma = PAPERS
    assert metadata.field_sentence("authors", alpha) == "“Alpha” is by Ada Lovelace and Alan Turing."
    assert "3 authors" in metadata.field_sentence("authors", gamma) and "not their names" in (
        metadata.field_sentence("authors", gamma)
    )
    assert metadata.field_sentence("date", alpha) == "“Alpha” is dated 2025."  # the year only, as given
    assert metadata.field_sentence("date", gamma) == "The library has no date for “Gamma”."
    assert metadata.field_sentence("venue", beta) == "“Beta” appeared in NeurIPS."
    assert "arXiv preprint (2401.00001)" in metadata.field_sentence("venue", gamma)
    assert metadata.field_sentence("link", beta) == "“Beta” is at https://doi.org/10.1/beta (DOI 10.1/beta)."


def test_lists_and_counts_cite_each_paper():
    request = parse_record("Which papers are from 2024?")
    assert request is not None
    found = metadata.answer(request, lambda: PAPERS, [])
    assert found is not None
    sentences, sources = found
    assert sentences[0].text == "1 paper is dated 2024:"
    assert [s.citations for s in sentences[1:]] == [[1]] and sources[0].paper.title == "Beta"
    count = parse_record("How many papers are in the library?")
    assert count is not None
    found = metadata.answer(count, lambda: PAPERS, [])
    assert found is not None
    assert found[0][0].text == "The library holds 3 papers, dated 2024-05-02 to 2025 (1 without a date)."
    by = parse_record("Which papers are by Alan Turing?")
    assert by is not None
    found = metadata.answer(by, lambda: PAPERS, [])
    assert found is not None and [s.paper.title for s in found[1]] == ["Alpha"]
    nobody = parse_record("Which papers are by Grace Hopper?")
    assert nobody is not None
    found = metadata.answer(nobody, lambda: PAPERS, [])
    assert found is not None and "2 of its papers have no author names" in found[0][0].text


def test_a_single_paper_field_without_a_named_paper_goes_to_the_abstracts():
    request = parse_record("Who wrote it?")
    assert request is not None and metadata.answer(request, lambda: PAPERS, []) is None


def test_library_answers_record_questions_without_the_model(seed_library: Library):
    answer = seed_library.ask("When was the FIND benchmark published?")
    assert answer.usage.llm_calls == 0 and answer.sentences[0].origin == "record"
    assert "2023-09-07" in answer.text and answer.references[0].title.startswith("A Function Interpretation")
    listed = seed_library.ask("Which papers are from 2024?")
    assert len(listed.references) == 4 and all(r.date and r.date.year == 2024 for r in listed.references)
    conversation = Conversation()
    seed_library.ask("How much does CASAL reduce hallucination?", conversation=conversation)
    follow = seed_library.ask("When was it published?", conversation=conversation)
    assert "2025-09-25" in follow.text and follow.references[0].title.startswith("Hallucination reduction")


@pytest.mark.parametrize(
    ("question", "rest", "since", "until"),
    [
        ("Which papers from 2025 deal with steering?", "Which papers deal with steering?", 2025, 2025),
        ("Which papers published before 2023 use probes?", "Which papers use probes?", None, 2022),
        ("Which 2019 papers deal with translation?", "Which papers deal with translation?", 2019, 2019),
        ("Which papers about translation are from 2019?", "Which papers about translation?", 2019, 2019),
        ("Which papers on steering were published in 2025?", "Which papers on steering?", 2025, 2025),
        (
            "Which papers use 2048-dimensional embeddings?",
            "Which papers use 2048-dimensional embeddings?",
            None,
            None,
        ),
    ],
)
def test_a_year_in_a_list_question_filters_by_date(question, rest, since, until):
    text, a, b = year_filter(question)
    assert text == rest and (a.year if a else None) == since and (b.year if b else None) == until


def test_list_question_with_a_year_cites_only_papers_of_that_year(seed_library: Library):
    answer = seed_library.ask("Which papers from 2025 deal with hallucinations?")
    assert answer.references and all(r.date and r.date.year == 2025 for r in answer.references)
    assert answer.question == "Which papers from 2025 deal with hallucinations?"
