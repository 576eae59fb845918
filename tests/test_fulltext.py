"""Whole papers from full-text records: the body kept section by section, chunked by
paragraph with its place in Chroma's metadata, searched, read by answers and cited by section;
the references never searched; re-ingest, a later full text and removal keep the index exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperqa.errors import IngestError
from paperqa.ingest.loaders.tabular import full_text
from paperqa.interfaces.render import answer_html, sources_html
from paperqa.library import Library
from paperqa.types import Paper, Section

from .conftest import DATA

pytestmark = pytest.mark.slow

PAPER_FILE = DATA / "qasper_fulltext_1602.04341.jsonl"
PAPER_ID = "arxiv:1602.04341"


def fail(msg: str) -> IngestError:
    return IngestError(msg, Path("x.jsonl"), 1)


def test_s2orc_body_text_becomes_sections_by_heading() -> None:
    record = {
        "body_text": [
            {"section": "Introduction", "text": "First."},
            {"section": "Introduction", "text": "Second."},
            {"section": "Method", "text": "Third."},
        ]
    }
    assert full_text(record, fail) == [
        Section(name="Introduction", paragraphs=["First.", "Second."]),
        Section(name="Method", paragraphs=["Third."]),
    ]


@pytest.mark.parametrize(
    ("sections", "said"),
    [
        ("Introduction: text", "sections is str"),
        ([{"name": "Intro", "paragraphs": [1, 2]}], r"sections\[0\]"),
        (["a paragraph"], r"sections\[0\]"),
    ],
)
def test_a_malformed_body_is_refused_with_what_is_wrong(sections: object, said: str) -> None:
    with pytest.raises(IngestError, match=said):
        full_text({"sections": sections}, fail)


def test_the_references_are_no_body() -> None:
    paper = Paper(
        id="p",
        title="T",
        abstract="A.",
        sections=[Section(name="1 Method", paragraphs=["M."]), Section(name="References", paragraphs=["R."])],
    )
    assert [s.name for _, s in paper.body] == ["1 Method"]
    assert paper.section_of("M.") == "1 Method" and paper.section_of("A.") is None


def test_a_full_text_is_kept_searched_and_cited_by_section(library: Library) -> None:
    report = library.ingest([PAPER_FILE])
    assert report.added == [PAPER_ID] and not report.skipped
    paper = library.get(PAPER_ID)
    assert len(paper.sections) == 13 and sum(len(s.paragraphs) for s in paper.sections) == 55
    assert paper.sections[10].name == "Results"
    abstract_chunks = 2
    assert report.chunks_added > abstract_chunks + 50  # every paragraph, not only the abstract

    # the body is searched: words only its "Dataset" section uses
    (found, _, text), *_ = library.search("MCTest-160 set of 160 items split into train dev test")
    assert found.id == PAPER_ID and "MCTest-160" in text and "MCTest-160" not in paper.abstract

    answer = library.ask("what was the margin their system outperformed previous ones?", paper_ids=[PAPER_ID])
    first = answer.sentences[0]
    assert "15.6/16.5" in first.text and first.section == "Results", answer.sentences
    assert "papers" in (answer.how_written() or "")
    assert '"section":"Results"' in answer.model_dump_json()
    assert "[1] §Results" in answer.text
    # the app: the section after the marks; the source card shows the paragraph, sentence marked
    assert "§Results" in answer_html(answer)
    card = sources_html(answer)
    assert "§Results</span> Table TABREF16 lists the performance" in card and "<mark>" in card


def test_reingest_a_later_full_text_and_removal_keep_the_index_exact(library: Library, tmp_path) -> None:
    record = json.loads(PAPER_FILE.read_text())
    bare = tmp_path / "export.jsonl"  # the same paper as an export has it: no body
    bare.write_text(json.dumps({k: record[k] for k in ("id", "title", "abstract")}) + "\n")
    first = library.ingest([bare])
    assert first.added == [PAPER_ID] and library.stats().chunks == first.chunks_added

    later = library.ingest([PAPER_FILE])  # its full text, later: the same paper, now whole
    assert later.updated == [PAPER_ID] and len(library.store.all_papers()) == 1
    chunks = library.stats().chunks
    assert chunks > first.chunks_added

    again = library.ingest([PAPER_FILE])
    assert again.unchanged == [PAPER_ID] and again.chunks_added == 0 and library.stats().chunks == chunks
    export_again = library.ingest([bare])  # the export read again keeps the body
    assert library.get(PAPER_ID).sections and library.stats().chunks == chunks
    assert export_again.chunks_added == 0

    library.remove(PAPER_ID)
    assert library.stats().chunks == 0 and library.stats().papers == 0


def test_a_malformed_full_text_names_the_line_and_changes_nothing(library: Library, tmp_path) -> None:
    library.ingest([PAPER_FILE])
    before = library.stats()
    bad = tmp_path / "bad.jsonl"
    good = {"id": "2101.00001", "title": "Another paper", "abstract": "It says something."}
    bad.write_text(json.dumps(good) + "\n" + json.dumps({**good, "sections": "oops"}) + "\n")
    with pytest.raises(IngestError, match=r"bad\.jsonl:2.*sections is str"):
        library.ingest([bad], strict=True)
    assert library.stats() == before


def test_a_whole_papers_summary_reads_its_method_and_results(library: Library) -> None:
    library.ingest([PAPER_FILE])
    answer = library.summarize(PAPER_ID)
    places = [s.section for s in answer.sentences]
    assert places[0] is None  # the abstract's opening first
    assert "Model" in places and "Results" in places, answer.sentences
    assert all(s.origin == "quote" and s.citations == [1] for s in answer.sentences)
    result = next(s for s in answer.sentences if s.section == "Results")
    assert "outperform" in result.text and "§Results" in answer.text
    assert len(answer.text.split()) <= 160  # ~130 words and the marks
    # a TLDR stays the abstract's central sentence
    tldr = library.summarize(PAPER_ID, tldr=True)
    assert [s.section for s in tldr.sentences] == [None]


def test_sections_are_told_by_their_headings_or_their_place() -> None:
    from paperqa.answer.find.parts import heading_role, roles
    from paperqa.answer.find.sources import summary_passages

    assert heading_role("4.2 Main Results") == "results"
    assert heading_role("Experiments ::: Datasets") == "data"
    assert heading_role("Conclusion and Limitations") == "limitations"
    assert heading_role("Hierarchical Attention") is None
    paper = Paper(
        id="x",
        title="T",
        abstract="A.",
        sections=[
            Section(name="Introduction", paragraphs=["I."]),
            Section(name="Hierarchical Attention", paragraphs=["Short.", "We stack two attention layers."]),
            Section(name="Experimental Setup", paragraphs=["Setup."]),
            Section(name="Results", paragraphs=["We outperform all baselines by 3 points."]),
            Section(name="References", paragraphs=["R."]),
        ],
    )
    assert roles(paper) == {0: "introduction", 1: "method", 2: "results", 3: "results"}
    passages = summary_passages(paper, ("method", "results"))
    assert passages[0].text == "A." and passages[0].section is None
    # a short paragraph is read with the next; a "Results" heading before "Experimental Setup"
    assert [(p.section, p.paragraph, p.text) for p in passages[1:]] == [
        (1, 0, "Short. We stack two attention layers."),
        (3, 0, "We outperform all baselines by 3 points."),
        (2, 0, "Setup."),
    ]


def test_a_whole_papers_table_cells_come_from_its_body_with_the_section(library: Library) -> None:
    from paperqa.interfaces.export import render_table

    library.ingest([PAPER_FILE])
    answer = library.table(
        [PAPER_ID], columns=["dataset", "limitations", "How much better than the baselines?"]
    )
    data, limits, own = (row.cells[0] for row in answer.comparison or [])
    # its abstract names no dataset: the "Dataset" section does
    assert data.section == "Dataset" and "MCTest" in data.text and data.citations == [1]
    # neither the abstract nor the conclusion admits a limit: said of the paper, not the abstract
    assert limits.text == "Not stated in the paper." and not limits.citations
    # a column of one's own is answered from the body paragraphs retrieved for it
    assert own.citations == [1] and own.section is not None
    assert "§Dataset" in render_table(answer, "csv")


def test_the_paragraph_reranker_reads_the_section_the_question_names() -> None:
    """Retrieval put the introduction's paragraph first; the reranker, fitted on QASPER
    full-text train (paperqa/data/paragraphs.json), reads the "Baselines" section first for
    "Which baselines ...?" and leaves related work last."""
    from paperqa.answer.find import paragraphs
    from paperqa.answer.find.sources import make_source, with_body
    from paperqa.types import RetrievedChunk

    paper = Paper(
        id="p",
        title="T",
        abstract="We study reading.",
        sections=[
            Section(
                name="Introduction", paragraphs=["We compare our reader with strong systems on two tasks."]
            ),
            Section(name="Related Work", paragraphs=["Earlier readers compared systems on one task [3]."]),
            Section(name="4.2 Baselines", paragraphs=["We compare against BiDAF and a BM25 reader."]),
        ],
    )

    def chunk(section: int, fused: float) -> RetrievedChunk:
        text = paper.sections[section].paragraphs[0]
        return RetrievedChunk(
            chunk_id=f"p#{section}", paper_id="p", index=section + 1, text=text,
            dense=0.5, bm25=1.0, fused=fused, section=section, paragraph=0,
        )  # fmt: skip

    chunks = [chunk(0, 0.033), chunk(1, 0.032), chunk(2, 0.031)]
    question = "Which baselines do they compare against?"
    places, rows = paragraphs.features(question, paper, chunks)
    assert places == [(0, 0), (1, 0), (2, 0)] and rows.shape == (3, len(paragraphs.FEATURES))
    assert paragraphs.ranked(question, paper, chunks)[0] == (2, 0)
    assert paragraphs.ranked(question, paper, chunks)[-1] == (1, 0)
    # the answer reads the abstract, then the paragraphs in that order
    read = with_body(make_source(1, paper, chunks), 2, question=question)
    assert (
        read.text
        == "We study reading. We compare against BiDAF and a BM25 reader. " + paper.sections[0].paragraphs[0]
    )


def test_sentences_of_a_whole_paper_know_their_paragraph() -> None:
    """`body_features`: the abstract's sentences apart, each body sentence's paragraph's place
    in the reranker's order, where in its paragraph it stands and its section's role."""
    import numpy as np

    from paperqa.answer.find.sources import make_source
    from paperqa.answer.read.evidence import body_features, source_sentences
    from paperqa.answer.read.ranking import BODY_FEATURES

    paper = Paper(
        id="p",
        title="T",
        abstract="We study how readers answer questions.",
        sections=[
            Section(
                name="Data",
                paragraphs=["Three annotators labelled each tweet. The annotators agreed on most tweets."],
            ),
            Section(name="Results", paragraphs=["Our reader wins on both tasks."]),
        ],
    )
    text = " ".join([paper.abstract, paper.sections[1].paragraphs[0], paper.sections[0].paragraphs[0]])
    source = make_source(1, paper, []).model_copy(update={"text": text})
    sentences = source_sentences(source)
    rows = body_features(source, sentences, np.arange(len(sentences), dtype=float))
    column = {name: rows[:, i] for i, name in enumerate(BODY_FEATURES)}
    assert sentences[0] == paper.abstract
    assert list(column["abstract"]) == [1, 0, 0, 0]
    assert list(column["paragraph_order"]) == [0, 1, 0.5, 0.5]
    assert list(column["opens_paragraph"]) == [1, 1, 1, 0]
    assert list(column["place_in_paragraph"]) == [0, 0, 0, 0.5]
    assert list(column["score"]) == [0, 1, 2, 3]
    # its section's role, by its heading
    assert list(column["results"]) == [0, 1, 0, 0] and list(column["data"]) == [0, 0, 1, 1]
    assert not column["related"].any() and not column["introduction"].any()


def test_the_readers_view_of_each_paragraph_weighs_its_sentences() -> None:
    """`paragraph_priors`: the reader's logit that a sentence's paragraph answers (the abstract
    read as one), and a bonus for the sentence holding the words it picked there."""
    import math

    from paperqa.answer.find.sources import make_source
    from paperqa.answer.read.evidence import READ_PRIOR, SPAN_PRIOR, paragraph_priors, source_paragraphs
    from paperqa.answer.read.reader import ReadResult, Span

    data = "Three annotators labelled each tweet. The annotators agreed on most tweets."
    results = "Our reader wins on both tasks and both datasets."
    paper = Paper(
        id="p",
        title="T",
        abstract="We study how readers answer questions.",
        sections=[Section(name="Data", paragraphs=[data]), Section(name="Results", paragraphs=[results])],
    )
    source = make_source(1, paper, []).model_copy(update={"text": " ".join([paper.abstract, results, data])})
    assert source_paragraphs(source) == [paper.abstract, results, data]
    reads = {
        paper.abstract: ReadResult(paper.abstract, 0.5, None, (0.1, 0.1, 0.8), 0.5),
        results: ReadResult(results, 0.1, None, (0.1, 0.1, 0.8), 0.5),
        data: ReadResult(data, 0.9, Span("Three annotators", 0, 16, 0.8), (0.1, 0.1, 0.8), 0.5),
    }
    sentences = [paper.abstract, results, *data.split(". ")]
    sentences[2] += "."
    got = paragraph_priors(paper, sentences, reads)
    logit = math.log(9)
    assert got == pytest.approx(
        [0.0, -READ_PRIOR * logit, READ_PRIOR * logit + SPAN_PRIOR, READ_PRIOR * logit]
    )


def test_a_whole_papers_sentences_are_chosen_with_the_reader(library: Library, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Asked of one whole paper, the sentence holding the words the reader picks in the
    paragraph it says answers is quoted first."""
    from paperqa.answer import pipeline as pipeline_module

    from .test_reading_answers import ScriptedReader

    library.ingest([PAPER_FILE])
    question = "Which datasets do they evaluate on?"
    for words in ("MCTest-500 a set of 500 items", "One big obstacle"):
        reader = ScriptedReader(lambda q, p, w=words: w in p, lambda p, w=words: w if w in p else None)
        monkeypatch.setattr(pipeline_module, "bundled_reader", lambda r=reader: r)
        answer = library.ask(question, paper_ids=[PAPER_ID])
        assert words in answer.sentences[0].text


def test_a_whole_paper_states_what_one_of_its_passages_read_alone_answers(
    library: Library, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Of one whole paper, a paragraph the reader says answers is enough to answer, though the
    abstract and the passages read together do not; and the abstract and paragraphs read as one
    text are not: a passage read alone must answer."""
    from paperqa.answer import pipeline as pipeline_module

    from .test_reading_answers import ScriptedReader

    library.ingest([PAPER_FILE])
    paper = library.get(PAPER_ID)
    body = {p for _, section in paper.body for p in section.paragraphs}
    question = "Which datasets do they evaluate on?"
    for reader, refused in (
        (ScriptedReader(lambda q, p: p in body), False),  # one body paragraph, read alone, answers
        (ScriptedReader(lambda q, p: p == paper.abstract), False),  # the abstract alone answers
        (ScriptedReader(lambda q, p: p not in body and p != paper.abstract), True),  # only all of them
        (ScriptedReader(lambda q, p: False), True),
    ):
        monkeypatch.setattr(pipeline_module, "bundled_reader", lambda r=reader: r)
        answer = library.ask(question, paper_ids=[PAPER_ID])
        assert answer.not_stated is refused
        if refused:  # and the note under it says what was read: the paper, not its abstract
            assert answer.sentences[0].text.startswith("The paper")
            assert (answer.how_written() or "").startswith("The paper does not answer this")


def test_a_whole_paper_asked_its_datas_size_answers_where_it_counts_its_data(
    library: Library, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Asked how big a data set is, a whole paper whose passages count data in its units answers
    with the sentence that counts it, though the reader says no passage answers."""
    from paperqa.answer import pipeline as pipeline_module
    from paperqa.text.numbers import counts_data

    from .test_reading_answers import ScriptedReader

    library.ingest([PAPER_FILE])
    monkeypatch.setattr(pipeline_module, "bundled_reader", lambda: ScriptedReader(lambda q, p: False))
    answer = library.ask("How big is the dataset?", paper_ids=[PAPER_ID])
    assert not answer.not_stated
    assert counts_data(answer.sentences[0].text)
    # another question the reader says no passage answers is still not stated
    assert library.ask("Which datasets do they evaluate on?", paper_ids=[PAPER_ID]).not_stated


def test_a_how_many_question_of_a_whole_paper_leads_with_the_sentence_counting_it(
    library: Library, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Asked "how many X", a whole paper's sentence counting X comes first (`COUNT_PRIOR`)."""
    from paperqa.answer import pipeline as pipeline_module
    from paperqa.text.numbers import count_stated

    from .test_reading_answers import ScriptedReader

    library.ingest([PAPER_FILE])
    monkeypatch.setattr(pipeline_module, "bundled_reader", lambda: ScriptedReader(lambda q, p: True))
    answer = library.ask("How many items are in MCTest-500?", paper_ids=[PAPER_ID])
    # without the prior, "MCTest has two subsets." led
    assert count_stated("item", answer.sentences[0].text), answer.sentences[0].text


def test_the_library_tab_says_how_much_of_each_paper_it_has(library: Library) -> None:
    """The app's list of papers has a column saying what an answer can quote of each: its
    abstract, its full text, or its PDF."""
    from paperqa.interfaces.render import papers_table, read_as

    library.ingest([PAPER_FILE, DATA / "pdf" / "1603.07252-two-column.pdf"])
    by_id = {p.id: p for p in library.papers()}
    assert read_as(by_id[PAPER_ID]) == "full text, 13 sections"
    (pdf,) = [p for i, p in by_id.items() if i != PAPER_ID]
    assert read_as(pdf).startswith("PDF, ") and read_as(pdf).endswith(" sections")
    assert read_as(pdf.model_copy(update={"sections": []})) == "abstract"
    assert [row[2] for row in papers_table([by_id[PAPER_ID]])] == ["full text, 13 sections"]
