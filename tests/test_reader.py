"""The reader: its pure decisions over read results (fakes), and the shipped model itself
(real ONNX on the CPU: files checked, windows, spans inside the passage, answering passages
ahead of others)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from paperqa.answer.find.sources import whole_paper
from paperqa.answer.read import reading
from paperqa.answer.read.evidence import Evidence
from paperqa.answer.read.reader import Reader, ReadResult, Span, _whole_words, bundled_reader
from paperqa.answer.understand.intent import read_intent
from paperqa.errors import ConfigError
from paperqa.types import Paper

ABSTRACT = (
    "We study how annotators label sarcasm in tweets. "
    "Three annotators labelled 5,000 tweets with an inter-annotator agreement of 0.72 (Cohen's kappa). "
    "Our classifier, SarcBERT, outperforms earlier systems by 4 F1 points."
)
PAPER = Paper(id="p1", title="Sarcasm in Tweets", abstract=ABSTRACT)


def result(
    p: float, span: str | None = None, verdicts=(0.1, 0.1, 0.8), passage: str = ABSTRACT
) -> ReadResult:
    found = None
    if span is not None:
        at = passage.index(span)
        found = Span(span, at, at + len(span), 0.6)
    return ReadResult(passage=passage, p=p, span=found, verdicts=verdicts, cut=0.5)


def evidence(sentence: str, position: int) -> Evidence:
    return Evidence(1, PAPER, sentence, position, score=0.5)


SENTENCES = [
    "We study how annotators label sarcasm in tweets.",
    "Three annotators labelled 5,000 tweets with an inter-annotator agreement of 0.72 (Cohen's kappa).",
    "Our classifier, SarcBERT, outperforms earlier systems by 4 F1 points.",
]


# --- pure decisions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "piece", "expected"),
    [
        ("an agreement of 0.72 (Cohen's kappa).", ".7", "0.72"),
        ("labelled 5,000 tweets", "5,0", "5,000"),
        ("uses SarcBERT, a BERT model", "rcBE", "SarcBERT"),
        ("(Cohen's kappa) was", "ohen", "Cohen's"),
        ("on the F1 (macro) score", "F1 (mac", "F1 (macro)"),
        ("the BookTest corpus.", "corp", "corpus"),
    ],
)
def test_spans_widen_to_whole_words(text: str, piece: str, expected: str) -> None:
    a = text.index(piece)
    start, end = _whole_words(text, a, a + len(piece))
    assert text[start:end] == expected


def test_answering_sources_are_those_at_or_above_the_cut() -> None:
    reads = {1: result(0.9), 2: result(0.49), 3: result(0.5)}
    assert reading.answering(reads, 0.5) == {1, 3}


def test_the_sentence_holding_the_span_leads_even_when_the_ranker_chose_another() -> None:
    source = whole_paper(PAPER, 1)
    chosen = [evidence(SENTENCES[0], 0), evidence(SENTENCES[2], 2)]
    led = reading.lead_with_span(chosen, [source], {1: result(0.9, "0.72")}, cut=0.5)
    assert [e.sentence for e in led] == [SENTENCES[1], SENTENCES[0]]  # as many as were chosen
    assert led[0].position == 1


def test_no_answering_source_leaves_the_evidence_as_chosen() -> None:
    source = whole_paper(PAPER, 1)
    chosen = [evidence(SENTENCES[0], 0)]
    assert reading.lead_with_span(chosen, [source], {1: result(0.2, "0.72")}, cut=0.5) == chosen


def test_a_short_answer_is_offered_for_questions_a_phrase_answers() -> None:
    reads = {1: result(0.9, "0.72")}
    short = reading.short_answer(read_intent("What is the inter-annotator agreement?"), reads, 0.5, 0.3)
    assert short is not None and (short.text, short.citation) == ("0.72", 1)


@pytest.mark.parametrize(
    ("question", "p", "span_p"),
    [
        ("Is the agreement high?", 0.9, 0.6),  # yes/no: the verdict answers
        ("What is the inter-annotator agreement?", 0.3, 0.6),  # the abstract does not answer
        ("What is the inter-annotator agreement?", 0.9, 0.1),  # the reader is unsure of the words
    ],
)
def test_no_short_answer_when_it_would_not_answer(question: str, p: float, span_p: float) -> None:
    read = result(p, "0.72")
    read = ReadResult(
        read.passage, read.p, Span("0.72", read.span.start, read.span.end, span_p), read.verdicts, 0.5
    )  # type: ignore[union-attr]
    assert reading.short_answer(read_intent(question), {1: read}, 0.5, 0.3) is None


def test_a_whole_sentence_is_no_short_answer() -> None:
    reads = {1: result(0.9, SENTENCES[2])}
    assert reading.short_answer(read_intent("What does SarcBERT do?"), reads, 0.5, 0.3) is None


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [((0.7, 0.2, 0.1), "Yes"), ((0.2, 0.7, 0.1), "No"), ((0.3, 0.2, 0.5), None)],
)
def test_a_verdict_is_the_best_answering_source_s(
    verdicts: tuple[float, float, float], expected: str | None
) -> None:
    intent = read_intent("Do three annotators label the tweets?")
    assert reading.verdict(intent, {1: result(0.9, verdicts=verdicts)}, 0.5, 0.6) == expected
    assert reading.verdict(intent, {1: result(0.1, verdicts=verdicts)}, 0.5, 0.6) is None  # does not answer
    assert reading.verdict(intent, {1: result(0.9, verdicts=verdicts)}, 0.5, 0.9) is None  # not sure enough


# --- the shipped model ----------------------------------------------------------------


@pytest.mark.slow
def test_the_reader_reads_every_passage_in_order_with_spans_inside_them() -> None:
    reader = bundled_reader()
    long = " ".join([ABSTRACT] * 12)  # longer than one window
    passages = [ABSTRACT, "The weather in Paris was mild in May.", long]
    results = reader.read("How many annotators labelled the tweets?", passages)
    assert [r.passage for r in results] == passages
    for r in results:
        assert 0.0 <= r.p <= 1.0 and abs(sum(r.verdicts) - 1.0) < 1e-3
        assert r.span is not None and r.passage[r.span.start : r.span.end] == r.span.text
    assert results[0].p > results[1].p  # the passage that answers is read as answering more
    assert reader.read("How many annotators labelled the tweets?", passages[:1])[0] is results[0]  # kept


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "words"),
    [("Which classifier do they propose?", "SarcBERT"), ("How many tweets were labelled?", "5,000")],
)
def test_the_reader_finds_the_answering_words(question: str, words: str) -> None:
    # The shipped reader's words are weak (span F1 0.12 on QASPER abstract dev): these are
    # questions it gets; "How many annotators...?" it answers with "5,000 tweets".
    (r,) = bundled_reader().read(question, [ABSTRACT])
    assert r.span is not None and words in r.span.text


@pytest.mark.slow
def test_a_damaged_reader_file_is_refused_with_how_to_fix(tmp_path: Path) -> None:
    shipped = Path(bundled_reader().directory)
    shutil.copy(shipped / "reader.json", tmp_path / "reader.json")
    data = bytearray((shipped / "reader.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "reader.onnx").write_bytes(bytes(data))
    with pytest.raises(ConfigError, match="reinstall"):
        Reader(directory=tmp_path).read("What?", ["Something."])


def test_the_shipped_reader_records_its_hash_cuts_and_origin() -> None:
    meta = json.loads((Path(bundled_reader().directory) / "reader.json").read_text())
    assert len(meta["sha256"]) == 64 and 0.0 < meta["cut"] < 1.0 and 0.0 <= meta["span_cut"] < 1.0
    assert meta["base"].startswith("sentence-transformers/all-MiniLM-L6-v2")
    assert (Path(bundled_reader().directory) / "reader.onnx").stat().st_size <= 50_000_000


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "What is the interannotator agreement for the human evaluation?",
            "the interannotator agreement for the human evaluation",
        ),
        ("How many annotators labelled the tweets?", "how many annotators labelled the tweets"),
        ("What are their baselines", "their baselines"),
        ("What datasets do they use?", None),
    ],
)
def test_what_a_question_asks_for_reads_after_does_not_state(question: str, said: str | None) -> None:
    from paperqa.answer.write.extractive import asked_for

    assert asked_for(question) == said
