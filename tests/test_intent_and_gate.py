"""The intent (read once), the answerability gate, the yes/no rule and the learned ranker:
tables of cases, plus the chosen-paper behaviour on the real seed library."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from paperqa.answer.conversation import Conversation
from paperqa.answer.read.evidence import verdict
from paperqa.answer.read.ranking import BODY_FEATURES, FEATURES, GATE_FEATURES, bundled_models, features
from paperqa.answer.understand.intent import QuestionKind, counted_noun, read_intent, subject_of
from paperqa.retrieval.hybrid import known_word
from paperqa.text.numbers import count_stated
from paperqa.text.words import stem
from paperqa.types import Answer, CitedSentence, Reference


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which papers from 2025 deal with steering?", QuestionKind.LIST),
        ("Overall, does having parallel data improve semantic role induction?", QuestionKind.YESNO),
        ("How many annotators were there?", QuestionKind.QUANTITY),
        ("What is CASAL?", QuestionKind.DEFINITION),
        ("Which datasets did they use to train the model?", QuestionKind.NAME),
        ("Why does wider beam search hurt NMT?", QuestionKind.GENERAL),
        ("What benchmarks are proposed in the library?", QuestionKind.LIST),
        ("What benchmarks are proposed in my reading list?", QuestionKind.LIST),
    ],
)
def test_intent_kind(question, kind):
    assert read_intent(question).kind == kind


@pytest.mark.parametrize(
    ("question", "topic", "contribution"),
    [
        # a second question joined to a list question does not become its topic
        ("Which papers propose a new benchmark, and what do they measure?", "a new benchmark", True),
        ("Which papers use sparse autoencoders, and how?", "sparse autoencoders", False),
        # "and" inside the topic stays
        ("Which papers deal with steering and hallucinations?", "steering and hallucinations", False),
        ("Which papers introduce datasets?", "datasets", True),
        ("Which papers study hallucinations?", "hallucinations", False),
        ("What benchmarks are proposed in the library?", "benchmarks", True),
        ("What datasets were released across the papers?", "datasets", True),
    ],
)
def test_list_topic_and_contribution(question, topic, contribution):
    intent = read_intent(question)
    assert (intent.topic, intent.contribution) == (topic, contribution)


def test_words_about_the_library_are_not_searched_for():
    intent = read_intent("What benchmarks are proposed in the library?")
    assert intent.query == "What benchmarks are proposed?" and "librari" not in intent.stems
    assert "collect" not in read_intent("Which models are used in this collection?").stems


def test_intent_reads_everything_once():
    intent = read_intent(
        "Which papers from 2025 deal with time series or EEG signals?",
        named=lambda q: ["casal"] if "CASAL" in q else [],
    )
    assert intent.topic == "time series or EEG signals" and intent.parts == ("time series", "EEG signals")
    assert intent.date_from == dt.date(2025, 1, 1) and intent.date_to == dt.date(2025, 12, 31)
    assert intent.named == () and intent.papers == ()
    assert read_intent("Who wrote the CASAL paper?").record is not None
    named = read_intent("How much does CASAL reduce hallucination?", named=lambda q: ["casal"])
    assert named.papers == ("casal",) and named.numbers == frozenset() and named.kind == QuestionKind.QUANTITY


def test_chosen_papers_come_first_and_a_follow_up_has_a_focus():
    earlier = Answer(
        task="ask", question="What does the Hyperdimensional Probe do?", text="x",
        sentences=[CitedSentence(text="x", citations=[1])],
        references=[Reference(number=1, paper_id="probe", title="Hyperdimensional Probe")],
        sources=[], backend="none",
    )  # fmt: skip
    conversation = Conversation(numbers={"probe": 1}, turns=[earlier])
    follow = read_intent("What are its main results?", conversation=conversation)
    assert follow.focus == ("probe",) and follow.papers == ("probe",)
    assert follow.query == "What are its main results? What does the Hyperdimensional Probe do?"
    chosen = read_intent("What are its main results?", conversation=conversation, chosen=["other"])
    assert chosen.papers == ("other",)


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("Is English a pro-drop language?", {"english"}),
        ("Do the decoder LSTMs all have the same weights?", {"decod"}),
        ("Do they experiment with the toolkits?", set()),  # the paper itself
        ("Does the proposed model outperform BERT?", set()),
    ],
)
def test_subject_of_a_yes_no_question(question, subject):
    assert subject_of(question) == subject


@pytest.mark.parametrize(
    ("question", "sentence", "said"),
    [
        # the sentence is about pro-drop languages, not about English
        ("Is English a pro-drop language?", "Pro-drop languages such as Japanese omit pronouns.", None),
        ("Is English a pro-drop language?", "English is not a pro-drop language.", "No"),
        # "the same" is the claim: a sentence without it does not settle the question
        ("Is the lexicon the same for all languages?", "A lexicon based classifier for all languages.", None),
        # what was studied is not what was found
        ("Is pre-training effective in their study?", "We evaluate the effectiveness of pre-training.", None),
        ("Does CASAL generalize to out-of-distribution domains?",
         "CASAL also generalizes effectively to out-of-distribution (OOD) domains.", "Yes"),
    ],
)  # fmt: skip
def test_yes_no_only_when_the_sentence_states_the_claim_about_the_subject(question, sentence, said):
    assert verdict(read_intent(question), sentence) == said


def test_typos_and_hyphenations_are_not_unknown_words():
    vocabulary = frozenset(stem(w) for w in ["distillation", "re", "purpose", "summarization", "model"])
    assert known_word("destilation", vocabulary)
    assert known_word("repurposed", vocabulary)
    assert known_word("sumarization", vocabulary)
    assert not known_word("alphafold", vocabulary)


def test_bundled_models_match_this_version():
    models = bundled_models()
    assert len(models.ranker.weights) == len(FEATURES) and len(models.gate.weights) == len(GATE_FEATURES)
    assert 0.0 < models.gate_cut < 1.0
    assert len(models.body.weights) == len(FEATURES) + len(BODY_FEATURES)


def test_the_ranker_prefers_the_sentence_holding_what_is_asked():
    intent = read_intent("Which datasets did they use to train the model?")
    sentences = [
        "Reading comprehension is a hard problem for machines.",
        "We train on the CNN and Daily Mail corpora and the Children's Book Test.",
        "Our model improves over earlier readers.",
    ]
    rows = features(intent, sentences, [0.3, 0.35, 0.3], lambda s: 1.0, "A Reader")
    assert int(np.argmax(bundled_models().ranker.score(rows, intent.kind))) == 1


def test_a_chosen_paper_is_answered_from_it_or_said_not_to_answer(seed_library):
    casal = seed_library.get("CASAL")
    answered = seed_library.ask("How much does it reduce hallucination?", paper_ids=[casal.id])
    assert not answered.not_in_library and not answered.not_stated
    assert {r.paper_id for r in answered.references} == {casal.id} and "30%" in answered.text
    # a question the library as a whole would decline is still answered about the chosen paper
    silent = seed_library.ask("How many GPUs were used for training?", paper_ids=[casal.id])
    assert not silent.not_in_library
    assert silent.not_stated  # the reader: nothing in CASAL's abstract counts GPUs
    assert silent.sentences[0].text.startswith("The abstract of CASAL does not state how many GPUs")
    if silent.not_stated:
        assert silent.sentences[1].supported is False and silent.references[0].paper_id == casal.id


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("How many annotators participated?", "annot"),
        ("How many twitter users are surveyed using the clinically validated survey?", "user"),
        ("how many training samples do you have for training?", "sampl"),
        ("How many supervised tasks are used?", "task"),
        ("How much does the method improve?", None),
        ("What accuracy does LegalVis obtain?", None),
    ],
)
def test_what_a_how_many_question_counts(question, counted):
    assert counted_noun(question) == counted


@pytest.mark.parametrize(
    ("counted", "text", "stated"),
    [
        ("user", "Our evaluation on 210 clinically validated veteran twitter users shows ...", True),
        ("annot", "Three annotators labelled every tweet.", True),
        ("annot", "A single annotator labelled the data.", True),
        ("attribut", "We predict a wide range of 62 demographic attributes.", True),
        # a figure elsewhere is not a count of the thing asked about
        ("annot", "Annotators labelled the data; the classifier reached 92% accuracy.", False),
        ("task", "The architecture improves by up to two percentage points over the baseline.", False),
    ],
)
def test_a_count_is_stated_beside_what_it_counts(counted, text, stated):
    assert count_stated(counted, text) is stated


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("How big is the dataset?", True),
        ("How long is the training dataset for English?", True),
        ("what is the size of their corpus?", True),
        ("what is the test set size?", True),
        ("How large is the released data set?", True),
        ("How long does it take to train the model on the mentioned dataset?", False),  # time
        ("How many languages are in the dataset?", False),  # a count of languages
        ("What is the batch size?", False),
    ],
)
def test_a_question_asks_how_big_a_data_set_is(question, asks):
    assert read_intent(question).data_size is asks


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("From this corpus we took a random sample of 25k tweets containing terms from the lexicon.", True),
        ("The dataset we propose contains 446 sets of parallel text.", True),
        ("The final corpus includes all 27 chapters, with a total of 20k tokens.", True),
        ("Each dialect has 6-hour audio data; 6000 audio files a dialect.", True),
        ("We train for 300 epochs with a batch size of 32.", False),
    ],
)
def test_data_counted_in_its_units(text, counts):
    from paperqa.text.numbers import counts_data

    assert counts_data(text) is counts


@pytest.mark.parametrize(
    ("question", "unnamed"),
    [
        ("What datasets did they use?", True),
        ("What is the common belief that this paper refutes?", True),
        ("How do the authors select their test set?", True),
        ("What is CASAL?", False),
        ("Which papers use their own datasets?", False),  # a list question is about the library
        ("How much does CASAL reduce hallucination in their experiments?", False),  # names its paper
    ],
)
def test_a_question_about_a_paper_it_does_not_name(question, unnamed):
    named = read_intent(question, named=lambda q: ["casal"] if "CASAL" in q else [])
    assert named.unnamed_paper == unnamed


def test_a_question_about_an_unnamed_paper_is_told_to_name_it(seed_library):
    from paperqa.answer.find.gate import UNNAMED_PAPER

    answer = seed_library.ask("What is the capital city they visited in their holidays?")
    assert answer.not_in_library and answer.text == UNNAMED_PAPER and answer.references
