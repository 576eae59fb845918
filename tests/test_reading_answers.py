"""What the reader's verdicts do to answers, with a scripted reader standing in for the model
(pure logic: which paper answers, which words, what is refused), on the real seed library."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import pytest

from paperqa.answer import pipeline as pipeline_module
from paperqa.answer.read.reader import ReadResult, Span
from paperqa.library import Library


class ScriptedReader:
    """Says a passage answers when `answers(question, passage)`; its span is `span_of(passage)`."""

    cut = 0.5
    paper_cut = 0.5
    span_cut = 0.3
    verdict_cut = 0.6

    def __init__(
        self, answers: Callable[[str, str], bool], span_of: Callable[[str], str | None] = lambda p: None
    ):
        self.answers, self.span_of = answers, span_of

    def read(self, question: str, passages: Sequence[str]) -> list[ReadResult]:
        out = []
        for passage in passages:
            words = self.span_of(passage)
            span = None
            if words and words in passage:
                at = passage.index(words)
                span = Span(words, at, at + len(words), 0.9)
            p = 0.9 if self.answers(question, passage) else 0.1
            out.append(ReadResult(passage, p, span, (0.1, 0.1, 0.8), self.cut))
        return out

    def contradiction(self, sentence: str, evidence: str) -> float:
        return 0.0


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Callable[[ScriptedReader], None]:
    def use(reader: ScriptedReader) -> None:
        monkeypatch.setattr(pipeline_module, "bundled_reader", lambda: reader)

    return use


def test_a_chosen_paper_that_does_not_answer_is_said_not_to(seed_library: Library, scripted) -> None:  # type: ignore[no-untyped-def]
    scripted(ScriptedReader(lambda q, p: False))
    casal = seed_library.get("CASAL")
    answer = seed_library.ask("What is the inter-annotator agreement?", paper_ids=[casal.id])
    assert answer.not_stated and not answer.not_in_library
    assert answer.sentences[0].text.startswith(
        "The abstract of CASAL does not state the inter-annotator agreement"
    )
    assert answer.sentences[1].supported is False and answer.references[0].paper_id == casal.id
    assert answer.short_answer is None
    assert (answer.how_written() or "").startswith("The abstract does not answer this")


def test_the_words_that_answer_lead_the_answer(seed_library: Library, scripted) -> None:  # type: ignore[no-untyped-def]
    casal = seed_library.get("CASAL")
    scripted(ScriptedReader(lambda q, p: "CASAL" in p, lambda p: "30%-40%" if "30%-40%" in p else None))
    answer = seed_library.ask("How much does CASAL reduce hallucination?", paper_ids=[casal.id])
    assert answer.short_answer == "30%-40%" and answer.short_citation == 1
    assert "30%-40%" in answer.sentences[0].text  # the cited sentence is the one the words are in
    payload = json.loads(answer.model_dump_json())
    assert payload["short_answer"] == "30%-40%"


def test_over_the_library_the_reader_declines_when_no_abstract_answers_and_retrieval_is_unsure(
    seed_library: Library, scripted
) -> None:  # type: ignore[no-untyped-def]
    question = "How can activation steering reduce hallucinations?"
    casal = seed_library.get("CASAL").id
    scripted(ScriptedReader(lambda q, p: "CASAL" not in p))  # another paper read answers
    answer = seed_library.ask(question)
    assert not answer.not_in_library and answer.references
    assert casal in {r.paper_id for r in answer.references}  # retrieval's paper is not swapped out
    scripted(ScriptedReader(lambda q, p: False))  # nothing read answers
    # ... but retrieval is sure of its passages (0.40 cosine): the reader's doubt alone does not
    # say the library has nothing
    assert not seed_library.ask(question).not_in_library
    # where retrieval is unsure too (the best passage at 0.30), the library says so
    assert seed_library.ask("What is the effect of steering on truthfulness?").not_in_library


def test_with_the_reader_off_the_word_rules_decide(seed_library: Library, scripted) -> None:  # type: ignore[no-untyped-def]
    scripted(ScriptedReader(lambda q, p: False))  # would refuse everything
    off = Library(
        seed_library.settings.model_copy(
            update={"retrieval": seed_library.settings.retrieval.model_copy(update={"reader": False})}
        ),
        embedder=seed_library.embedder,
        store=seed_library.store,
    )
    casal = off.get("CASAL")
    answer = off.ask("How much does CASAL reduce hallucination?", paper_ids=[casal.id])
    assert not answer.not_stated and "30%" in answer.text


def test_a_short_answer_is_shown_first_in_the_app_and_the_chat_api() -> None:
    from paperqa.interfaces.openai_compat import with_references
    from paperqa.interfaces.render import answer_html
    from paperqa.types import Answer, CitedSentence, Reference

    answer = Answer(
        task="ask",
        question="How much does CASAL reduce hallucination?",
        text="CASAL reduces hallucination by 30%-40% [1].",
        sentences=[
            CitedSentence(text="CASAL reduces hallucination by 30%-40%.", citations=[1], supported=True)
        ],
        references=[Reference(number=1, paper_id="p", title="CASAL")],
        sources=[],
        short_answer="30%-40% <b>",
        short_citation=1,
        backend="none",
    )
    html = answer_html(answer)
    assert html.index("<strong>30%-40% &lt;b&gt;</strong>") < html.index("CASAL reduces")
    assert with_references(answer).startswith("**30%-40% <b>** [1]\n\nCASAL reduces")


#: QASPER dev paper 1806.04511's abstract (CC BY 4.0), whose research question lists the
#: languages its questions ask about ("which non-English language had the best performance?").
RESEARCH_QUESTION_PAPER = {
    "id": "1806.04511",
    "title": "Multilingual Sentiment Analysis: An RNN-Based Framework for Limited Data",
    "abstract": (
        "Sentiment analysis is a widely studied NLP task where the goal is to determine opinions, emotions, "
        "and evaluations of users towards a product, an entity or a service that they are reviewing. One of "
        "the biggest challenges for sentiment analysis is that it is highly language dependent. Word "
        "embeddings, sentiment lexicons, and even annotated data are language specific. Further, optimizing "
        "models for each language is very time consuming and labor intensive especially for recurrent neural "
        "network models. From a resource perspective, it is very challenging to collect data for different "
        "languages. In this paper, we look for an answer to the following research question: can a sentiment "
        "analysis model trained on a language be reused for sentiment analysis in other languages, Russian, "
        "Spanish, Turkish, and Dutch, where the data is more limited? Our goal is to build a single model in "
        "the language with the largest dataset available for the task, and reuse it for languages that have "
        "limited resources. For this purpose, we train a sentiment analysis model using recurrent neural "
        "networks with reviews in English. We then translate reviews in other languages and reuse this model "
        "to evaluate the sentiments. Experimental results show that our robust approach of single model "
        "trained on English reviews statistically significantly outperforms the baselines in several "
        "different languages."
    ),
}


def test_a_question_the_paper_asks_is_never_quoted_as_an_answer(library: Library, tmp_path, scripted) -> None:  # type: ignore[no-untyped-def]
    """The research question holds every word asked about and the reader's words are in it, but
    it asks: the answer quotes what the paper states, and has no short answer from it."""
    path = tmp_path / "paper.jsonl"
    path.write_text(json.dumps(RESEARCH_QUESTION_PAPER) + "\n")
    (paper_id,) = library.ingest([path]).added
    languages = "Russian, Spanish, Turkish, and Dutch"
    scripted(ScriptedReader(lambda q, p: True, lambda p: languages if languages in p else None))
    answer = library.ask("Which non-English language had the best performance?", paper_ids=[paper_id])
    assert answer.sentences and answer.short_answer is None
    assert not any(languages in s.text or s.text.rstrip().endswith("?") for s in answer.sentences)
