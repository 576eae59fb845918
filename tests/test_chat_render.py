"""The chat's question queue and the app's HTML, without a browser."""

from __future__ import annotations

import datetime as dt

from paperqa.interfaces.chat import WAITING, ChatSession
from paperqa.interfaces.render import (
    answer_html,
    example_questions,
    library_header,
    made_by,
    sources_html,
)
from paperqa.types import Answer, CitedSentence, Paper, Reference, Source, Usage


def test_questions_wait_their_turn_and_none_is_dropped():
    session = ChatSession()
    session.add("first?")
    assert session.claim() and not session.claim()  # one worker per session
    session.add("second?")  # sent while the first is answered
    assert session.messages[-1]["content"] == WAITING
    assert session.next_job().question == "first?"  # type: ignore[union-attr]
    session.add("third?")
    assert [j.question for j in session.jobs] == ["second?", "third?"]
    assert session.next_job().question == "second?"  # type: ignore[union-attr]
    assert session.next_job().question == "third?"  # type: ignore[union-attr]
    assert session.next_job() is None and session.claim()  # idle again: the next event works
    assert [m["content"] for m in session.messages if m["role"] == "user"] == ["first?", "second?", "third?"]


def test_new_conversation_forgets_waiting_questions():
    session = ChatSession()
    session.add("first?")
    old = session.conversation
    session.reset()
    assert session.messages == [] and not session.jobs and session.conversation is not old


def paper(title: str, year: int, abstract: str = "An abstract.") -> Paper:
    return Paper(
        id=title.lower().replace(" ", "-")[:30], title=title, abstract=abstract, date=dt.date(year, 3, 1)
    )


def answer() -> Answer:
    p = paper("Sparse probes for EEG", 2024, "We probe EEG. Probes find 12 features.")
    return Answer(
        task="ask",
        question="What do probes find?",
        text="Probes find 12 features [1].",
        sentences=[
            CitedSentence(
                text="Probes find 12 features.",
                citations=[1],
                supported=True,
                evidence="Probes find 12 features.",
            )
        ],
        references=[Reference(number=1, paper_id=p.id, title=p.title, date=p.date)],
        sources=[Source(number=1, paper=p, passages=[], text=p.abstract)],
        backend="none",
        usage=Usage(total_seconds=0.2),
    )


def test_answers_link_citations_explain_marks_and_fold_engine_details():
    shown = answer_html(answer())
    assert 'class="pq-cite" href="#pq-source-1"' in shown and "✓ checked" in shown
    assert "<details" in shown and "No language model was used" in made_by(answer())
    assert "none (no model call" not in shown


def test_sources_show_the_supporting_sentence_and_earlier_cards():
    html = sources_html(answer())
    assert 'data-n="1"' in html and "<mark>Probes find 12 features.</mark>" in html
    assert html.count("<mark>") == 2  # once above the abstract, once inside it


def test_examples_and_header_come_from_the_library_loaded():
    papers = [
        paper("Graph kernels for molecules (GKM)", 2021),
        paper("Protein folding with graph transformers", 2023),
        paper("Graph contrastive learning at scale", 2023),
    ]
    questions = example_questions(papers)
    assert questions[0] == "What does GKM do?" and "Which papers are from 2023?" in questions
    assert not any("CASAL" in q for q in questions)
    assert library_header(papers).startswith("**3 papers**, 2021-03-01 to 2023-03-01")
    assert example_questions([]) == [] and "empty" in library_header([])
