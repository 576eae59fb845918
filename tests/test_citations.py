"""Citation parsing, numbering, support scoring, and the checks a model's answer must pass."""

import pytest

from paperqa.answer.check.citations import cite_sentences, parse_citations, render, renumber
from paperqa.answer.check.support import reattribute, score_sentence, support_score
from paperqa.answer.find.gate import NOT_IN_LIBRARY
from paperqa.answer.screening import is_repetitive
from paperqa.text.sentences import sentence_spans, split_sentences, widen_to_sentences
from paperqa.text.words import content_words, overlap
from paperqa.types import CitedSentence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two [1]. Three!", ["One.", "Two [1].", "Three!"]),
        ("It works [1]. It fails [2][3].", ["It works [1].", "It fails [2][3]."]),
        ("It works. [1] Then more.", ["It works. [1]", "Then more."]),
        ("About 3.5 points, e.g. here. Next", ["About 3.5 points, e.g. here.", "Next"]),
        ("", []),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("sentence", "clean", "numbers"),
    [
        ("CASAL cuts errors by 30% [1].", "CASAL cuts errors by 30%.", [1]),
        ("Both do [1, 3] and [2].", "Both do and.", [1, 3, 2]),
        ("Range [2-4].", "Range.", [2, 3, 4]),
        ("Twice [1][1].", "Twice.", [1]),
        ("No citation.", "No citation.", []),
        ("Year [2023] is not a source [1].", "Year is not a source.", [2023, 1]),
    ],
)
def test_parse_citations(sentence, clean, numbers):
    assert parse_citations(sentence) == (clean, numbers)


def test_invalid_numbers_are_removed():
    sentences = cite_sentences("A claim [1][7]. Another [9].", valid={1, 2})
    assert [(s.text, s.citations) for s in sentences] == [("A claim.", [1]), ("Another.", [])]


def test_renumber_and_render():
    sentences = [CitedSentence(text="First.", citations=[1, 2]), CitedSentence(text="Second", citations=[2])]
    renumbered = renumber(sentences, {1: 4, 2: 1})
    assert [s.citations for s in renumbered] == [[4, 1], [1]]
    assert render(renumbered) == "First [4][1]. Second [1]"


def fake_similarity(claim, evidence):
    """Word overlap stands in for embeddings: deterministic and enough for the logic."""
    return [overlap(claim, e) for e in evidence]


SOURCES = {
    1: ["CASAL reduces hallucination by 30-40% on short-form QA benchmarks.", "It trains one layer."],
    2: ["FIND is a benchmark of functions for evaluating interpretability methods."],
}


@pytest.mark.parametrize(
    ("text", "citations", "supported", "auto"),
    [
        ("CASAL reduces hallucination by 30-40%.", [1], True, False),
        ("CASAL reduces hallucination by 30-40%.", [2], False, False),  # cites the wrong paper
        ("FIND is a benchmark for interpretability methods.", [], True, True),  # paperqa finds [2]
        ("Bananas are yellow fruit grown in tropics.", [], False, False),
    ],
)
def test_score_sentence(text, citations, supported, auto):
    scored = score_sentence(CitedSentence(text=text, citations=citations), SOURCES, fake_similarity, 0.45)
    assert scored.supported is supported and scored.auto_cited is auto
    if auto:
        assert scored.citations == [2]


@pytest.mark.parametrize(
    ("text", "citations", "named", "expected"),
    [
        ("CASAL reduces hallucination by 30-40%.", [1], {1}, [1]),  # names and cites CASAL
        ("CASAL reduces hallucination by 30-40%.", [2], {1}, [1]),  # right claim, wrong number
        ("CASAL is a benchmark of functions for interpretability methods.", [2], {1}, None),  # FIND's claim
        ("FIND is a benchmark of functions.", [2], {7}, [2]),  # names a paper not among the sources
        ("Both reduce hallucination by 30-40%.", [2], set(), [2]),  # names none: left to scoring
    ],
)
def test_reattribute(text, citations, named, expected):
    sentence = score_sentence(CitedSentence(text=text, citations=citations), SOURCES, fake_similarity, 0.45)
    moved = reattribute(sentence, named, SOURCES, fake_similarity, 0.45)
    assert (moved.citations if moved else None) == expected


def test_support_score_bounds():
    assert support_score(1.0, 1.0) == 1.0 and support_score(-0.3, 0.0) == 0.0


def test_content_words_drop_stopwords():
    assert content_words("The method of the paper reduces hallucination") == {"reduces", "hallucination"}


@pytest.mark.parametrize(
    ("text", "repetitive"),
    [
        ("the cat sat on the mat " * 6, True),
        (
            "CASAL reduces hallucination by thirty percent on several short question answering benchmarks.",
            False,
        ),
    ],
)
def test_repetition(text, repetitive):
    assert is_repetitive(text) is repetitive


def test_widen_to_sentences_merges_overlaps():
    text = "First sentence here. Second one is longer. Third closes it. Fourth stands apart."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans][1] == "Second one is longer."
    # a chunk starting mid-sentence and one overlapping it become whole, merged sentences
    assert widen_to_sentences(text, [(25, 45), (40, 50)]) == "Second one is longer. Third closes it."
    assert widen_to_sentences(text, [(0, 5), (70, 75)]) == "First sentence here. ... Fourth stands apart."


def test_not_in_library_sentence_is_in_the_prompt():
    from paperqa.answer.write.prompts import load_prompt

    prompt = load_prompt("answer")
    assert "{not_in_library}" in prompt.system
    assert NOT_IN_LIBRARY.endswith(".")


def test_a_new_conversation_numbers_cited_papers_from_one():
    """Only cited papers take the conversation's numbers, in order of first citation."""
    from paperqa.answer.conversation import Conversation
    from paperqa.answer.write.assemble import numbering
    from paperqa.types import CitedSentence, Paper, Source

    sources = [
        Source(number=n, paper=Paper(id=f"p{n}", title=f"P{n}", abstract="x."), passages=[], text="x.")
        for n in range(1, 11)
    ]
    conversation = Conversation()
    cited = [CitedSentence(text="a", citations=[8]), CitedSentence(text="b", citations=[10, 8])]
    mapping = numbering("ask", cited, sources, conversation)
    assert (mapping[8], mapping[10]) == (1, 2) and conversation.numbers == {"p8": 1, "p10": 2}
    assert sorted(mapping.values()) == list(range(1, 11))  # uncited ones take numbers past them
    again = numbering("ask", [CitedSentence(text="c", citations=[3, 10])], sources, conversation)
    assert (again[3], again[10]) == (3, 2)  # a paper keeps its number; a new one takes the next
    assert numbering("compare", [CitedSentence(text="d", citations=[2, 1])], sources[:2], Conversation()) == {
        1: 1,
        2: 2,
    }


def test_a_table_lists_every_row_even_one_it_never_cites():
    """A table's row [1] whose cells all say "Not stated" is still in the reference list."""
    from paperqa.answer.conversation import Conversation
    from paperqa.answer.run import Run
    from paperqa.answer.write.assemble import assemble
    from paperqa.types import Paper, Source

    sources = [
        Source(number=n, paper=Paper(id=f"p{n}", title=f"P{n}", abstract="x."), passages=[], text="x.")
        for n in range(1, 4)
    ]
    said = [CitedSentence(text="Only P2 states it.", citations=[2])]
    for task, listed in (("table", [1, 2, 3]), ("compare", [1, 2, 3]), ("ask", [1])):
        answer = assemble(task, "q", said, sources, Conversation(), Run(), backend="none", mode="quote")
        assert [r.number for r in answer.references] == listed


@pytest.mark.parametrize(
    "sentences",
    [
        ["Prior work by Devlin et al. (2014), to the post-trained BERT model, shows gains.", "We add."],
        ["We see it in Fig. 3 and Tab. 2.", "Next, i.e. later, we go.", "A vs. B holds."],
        ["We report 90.37% accuracy.", "The U.S. data was used (cf. Eq. 4).", "See Sec. 4.2 for details."],
        ["The LSTM (Hochreiter et al., 1997) is used, e.g. for tagging.", "It has 2.3B params vs. 7B."],
    ],
)
def test_sentences_keep_abbreviations_citations_and_decimals(sentences):
    assert split_sentences(" ".join(sentences)) == sentences


def test_sentences_are_split_right_from_many_threads():
    """One splitter shared by the app's threads once mixed their texts' sentences up."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"Text {i} says one thing. It says a second thing about {i}. Done {i}." for i in range(64)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(split_sentences, texts))
    assert all(r == [f"Text {i} says one thing.", f"It says a second thing about {i}.", f"Done {i}."]
               for i, r in enumerate(results))  # fmt: skip
