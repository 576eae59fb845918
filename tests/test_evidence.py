"""Evidence selection rules, the cleaning of quoted sentences and the aspect classifier:
pure functions, tested with tables."""

from __future__ import annotations

import pytest

from paperqa.answer.find.listing import contribution_sentence, list_queries, title_heads
from paperqa.answer.quoting import clean, paper_label
from paperqa.answer.read.evidence import verdict
from paperqa.answer.understand.intent import QuestionKind, head_words, list_topics, question_kind, read_intent
from paperqa.answer.write.aspects import classify, contrast
from paperqa.text.words import stems
from paperqa.types import CitedSentence, ComparisonRow, Paper


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which papers in the library use activation steering?", QuestionKind.LIST),
        ("What does the library say about sparse autoencoders?", QuestionKind.LIST),
        ("How are sparse autoencoders used or criticised in the library's papers?", QuestionKind.LIST),
        ("Does LIB improve interpretability when applied to language models?", QuestionKind.YESNO),
        ("Is LIB applicable to large language models?", QuestionKind.YESNO),
        ("How much does CASAL reduce hallucination?", QuestionKind.QUANTITY),
        ("What attack success rates does the jailbreak achieve?", QuestionKind.QUANTITY),
        ("Which MEG dataset is used to build the brain atlas?", QuestionKind.NAME),
        ("What does GCAV use to align concept representations?", QuestionKind.NAME),
        ("How does the Local Interaction Basis align its basis?", QuestionKind.GENERAL),
    ],
)
def test_question_kinds(question, kind):
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    ("sentence", "name", "cleaned"),
    [
        ("However, LIB does not yield improvements.", None, "LIB does not yield improvements."),
        (
            "Conclusions: Establishing a process is an enormous task.",
            None,
            "Establishing a process is an enormous task.",
        ),
        ("Conclusion. Structured programmes are effective.", None, "Structured programmes are effective."),
        ("Results show that LIB is sparse.", None, "Results show that LIB is sparse."),
        (
            "To address these challenges, we introduce SAE-V, a framework.",
            "SAE-V",
            "The SAE-V authors introduce SAE-V, a framework.",
        ),
        ("In this paper, we develop a robust method.", None, "The authors develop a robust method."),
        ("Here we develop MIST, a family of models.", None, "The authors develop MIST, a family of models."),
        (
            "Our method drops irrelevant directions and we show it scales.",
            None,
            "Their method drops irrelevant directions and the authors show it scales.",
        ),
        ("In summary, we contribute resources for us.", None, "The authors contribute resources for them."),
        (
            "To this end, CASAL reduces hallucination by 30%-40%.",
            None,
            "CASAL reduces hallucination by 30%-40%.",
        ),
        (
            "Leveraging these findings, we introduce a steering method.",
            None,
            "The authors introduce a steering method.",
        ),
        # figures, names and words that merely contain "we" are never touched
        (
            "Weights of ResNet18 reach 91% when we prune.",
            None,
            "Weights of ResNet18 reach 91% when the authors prune.",
        ),
        # "US" is the country, "nn-we" a model's name (QASPER dev answers read "the them House
        # Intelligence Committee", "nn-the authors their word extraction model")
        (
            "We use tweets the US House Intelligence Committee linked to the IRA.",
            None,
            "The authors use tweets the US House Intelligence Committee linked to the IRA.",
        ),
        (
            "Nn-se is our sentence extraction model, nn-we our word extraction model.",
            None,
            "Nn-se is their sentence extraction model, nn-we their word extraction model.",
        ),
    ],
)
def test_clean_makes_a_quote_stand_alone(sentence, name, cleaned):
    assert clean(sentence, name) == cleaned


@pytest.mark.parametrize(
    ("question", "sentence", "said"),
    [
        (
            "Does LIB improve interpretability when applied to language models?",
            "However, LIB does not yield substantial improvements in interpretability or interaction "
            "sparsity when applied to language models.",
            "No",
        ),
        (
            "Does CASAL generalize to out-of-distribution domains?",
            "Importantly, CASAL also generalizes effectively to out-of-distribution (OOD) domains.",
            "Yes",
        ),
        # the sentence does not hold the question's claim: no verdict
        (
            "Does CASAL work on protein folding?",
            "CASAL reduces hallucination by 30%-40% across multiple short-form QA benchmarks.",
            None,
        ),
        ("Which models were steered?", "Pi0 and OpenVLA were steered.", None),  # not a yes/no question
        # PubMedQA: sentences that hold the question's words but ask, aim or doubt settle nothing
        (
            "Is the Hawkins sign able to predict necrosis in fractures of the neck of the astragalus?",
            "To assess if the Hawkins sign can predict whether or not astragalus fractures of the neck "
            "will develop avascular necrosis.",
            None,
        ),
        (
            "Does pretreatment with statins improve clinical outcome after stroke?",
            "In a preliminary observational study, the authors explored whether clinical outcome is "
            "improved in patients who are on treatment with statins when stroke occurs.",
            None,
        ),
        (
            "Do somatic complaints predict subsequent symptoms of depression?",
            "It is unclear whether somatic complaints may heighten the risk for the subsequent "
            "development of depressive symptoms.",
            None,
        ),
    ],
)
def test_verdict_only_when_the_sentence_states_it(question, sentence, said):
    assert verdict(read_intent(question), sentence) == said


def paper(title: str, abstract: str = "An abstract about nothing in particular.") -> Paper:
    return Paper(id="x", title=title, abstract=abstract)


@pytest.mark.parametrize(
    ("title", "abstract", "label"),
    [
        (
            "Hallucination reduction with CASAL: Contrastive Activation Steering",
            "We introduce CASAL.",
            "CASAL",
        ),
        ("SAE-V: Interpreting Multimodal Models", "To address this, we introduce SAE-V.", "SAE-V"),
        ("Encoding Time-Series Explanations", "We present TimeX, a time series consistency model.", "TimeX"),
        # a dataset the paper introduces is not the paper's name
        (
            "Do Input Gradients Highlight Discriminative Features?",
            "We introduce BlockMNIST, a dataset.",
            "Do Input Gradients Highlight Discriminative Features?",
        ),
        # field acronyms and "-based" words are not names; long heads are cut
        (
            "Explaining multimodal LLMs via intra-modal token interactions",
            "x",
            "Explaining multimodal LLMs via intra-modal token…",
        ),
        (
            "Zero-Effort Image-to-Music Generation: An Interpretable RAG-based VLM Approach",
            "x",
            "Zero-Effort Image-to-Music Generation",
        ),
        # a one-word title head written as a name is the name, before any name after the colon
        ("Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks", "x", "Sentence-BERT"),
        ("Position: Interpretability Needs Benchmarks", "x", "Position"),  # the head, as before
        ("Review: Probing BERT-Networks", "x", "BERT-Networks"),  # a plain word is not the name
        # a name the title says the paper uses is a tool, not the paper ("... using TF-IDF")
        (
            "Automatic Classification of Pathology Reports using TF-IDF Features",
            "x",
            "Automatic Classification of Pathology Reports using…",
        ),
        ("Hallucination reduction with CASAL: Contrastive Activation Steering", "x", "CASAL"),
    ],
)
def test_paper_label(title, abstract, label):
    assert paper_label(paper(title, abstract)) == label


@pytest.mark.parametrize(
    ("question", "topic", "parts"),
    [
        ("Which papers in the library deal with hallucinations?", "hallucinations", ["hallucinations"]),
        (
            "Which papers work with time series or EEG signals?",
            "time series or EEG signals",
            ["time series", "EEG signals"],
        ),
        (
            "What does the library say about activation steering?",
            "activation steering",
            ["activation steering"],
        ),
        ("Which papers about machine translation?", "machine translation", ["machine translation"]),
        # only "which papers" questions are split at "or"
        (
            "How are sparse autoencoders used or criticised in the library's papers?",
            "How are sparse autoencoders used or criticised",
            ["How are sparse autoencoders used or criticised"],
        ),
    ],
)
def test_list_topics(question, topic, parts):
    assert list_topics(question) == (topic, parts)


def test_head_words_of_which_questions():
    assert head_words("Which evaluation framework tests whether gradients matter?") == {"evalu", "framework"}
    assert head_words("Which model is used to denoise EEG signals?") == set()  # "model": a stopword
    assert head_words("What does GCAV use?") == set()


def test_classify_reads_an_abstract_in_its_order():
    abstract = [
        "Large language models often hallucinate.",
        "However, current fixes require monitoring at inference time.",
        "We introduce CASAL, an algorithm that bakes steering into the weights.",
        "CASAL trains only a submodule of one layer.",
        "We evaluate CASAL on five short-form QA benchmarks.",
        "CASAL reduces hallucination by 30%-40%.",
        "However, CASAL does not apply to long-form generation.",
    ]
    assert classify(abstract) == [
        "Problem",
        "Problem",
        "Approach",
        "Approach",
        "Data / setting",
        "Key results",
        "Limitations",
    ]


def test_contrast_writes_one_sentence_per_aspect_both_papers_state():
    def cell(text: str, n: int) -> CitedSentence:
        return CitedSentence(text=text, citations=[n], supported=True, evidence=text)

    rows = [
        ComparisonRow(
            aspect="Approach",
            cells=[cell("CASAL trains a submodule.", 1), cell("The authors extend SAEs.", 2)],
        ),
        ComparisonRow(
            aspect="Limitations",
            cells=[
                cell("Not stated.", 1).model_copy(update={"citations": []}),
                cell("It fails on video.", 2),
            ],
        ),
    ]
    sentences = contrast(rows, ["CASAL", "SAE-V"])
    assert [s.text for s in sentences] == [
        "CASAL trains a submodule, whereas the SAE-V paper states that the authors extend SAEs."
    ]
    assert sentences[0].citations == [1, 2]


@pytest.mark.parametrize(
    ("text", "lowered"),
    [
        ("The method works.", "the method works."),
        ("Large Language Models (LLMs) hallucinate.", "Large Language Models (LLMs) hallucinate."),
        ("CASAL works.", "CASAL works."),
        ("The SAE-V authors introduce SAE-V.", "the SAE-V authors introduce SAE-V."),
        ("TimeX trains a surrogate.", "TimeX trains a surrogate."),
    ],
)
def test_a_clause_is_lowered_only_where_it_is_an_ordinary_word(text, lowered):
    from paperqa.answer.write.aspects import _lower_first

    assert _lower_first(text) == lowered


@pytest.mark.parametrize(
    ("question", "sentence", "defines_it"),
    [
        ("What is CASAL?", "We introduce Contrastive Activation Steering for Amortized Learning (CASAL), an "
         "efficient algorithm.", True),
        ("What is LegalVis?", "To assist in this problem, we propose LegalVis, a web-based system.", True),
        ("What is the FIND benchmark?", "This paper introduces FIND (Function INterpretation and "
         "Description).", True),
        ("What is GCAV?", "To evaluate the effectiveness of GCAV, we introduce Testing with Global Concept "
         "Activation Vectors (TGCAV) as a method to apply TCAV to GCAV-based representations.", False),
        ("What is CASAL?", "CASAL also generalizes effectively to out-of-distribution (OOD) domains.", False),
    ],
)  # fmt: skip
def test_what_is_questions_want_the_sentence_that_introduces_the_name(question, sentence, defines_it):
    from paperqa.answer.read.ranking import defines
    from paperqa.answer.understand.intent import QuestionKind, defined_term, question_kind

    assert question_kind(question) == QuestionKind.DEFINITION
    term = defined_term(question)
    assert term is not None and defines(term, sentence) is defines_it


@pytest.mark.parametrize(
    ("name", "title", "abstract", "titled"),
    [
        ("TweetQA", "TWEETQA: A Social Media Focused QA Dataset", ["We present a dataset."], True),
        ("TweetQA", "TWEETQA: A Social Media Focused QA Dataset", ["TweetQA holds tweets."], False),
        ("TweetQA", "Question Answering over Tweets", ["We present a dataset."], False),
    ],
)
def test_a_name_only_the_title_gives_is_defined_by_the_contribution(name, title, abstract, titled):
    from paperqa.answer.read import ranking

    assert ranking.titled(name, title, abstract) is titled


def test_longer_what_questions_keep_their_kind():
    from paperqa.answer.understand.intent import QuestionKind, question_kind

    assert (
        question_kind("What does GCAV use to align concept representations across layers?")
        == QuestionKind.NAME
    )
    assert question_kind("What accuracy does CASAL reach?") == QuestionKind.QUANTITY
    assert question_kind("What does the FIND benchmark contain?") == QuestionKind.NAME
    assert question_kind("What does SAE-V do?") == QuestionKind.DEFINITION


CASAL_ABSTRACT = (
    "Prior work has shown that models encode linear representations of their own knowledge and "
    "that activation steering can reduce hallucinations. CASAL directly bakes the benefits of "
    "activation steering into model's weights. CASAL reduces hallucination by 30%-40% across "
    "multiple short-form QA benchmarks."
)


def _words_ranker(query, texts):  # a stand-in for the embedder: shared words
    from paperqa.text.words import overlap

    return [overlap(query, t) for t in texts]


@pytest.mark.parametrize(
    ("question", "first"),
    [
        # the demo question: the background sentence restates it; the paper's own answers it
        ("How can activation steering reduce hallucinations?", "CASAL directly bakes"),
        # asked about earlier work, the background sentence is the answer
        ("What has prior work shown about activation steering and hallucinations?", "Prior work has shown"),
    ],
)
def test_a_sentence_about_earlier_work_answers_only_questions_about_it(question, first):
    from paperqa.answer.read.evidence import score_sentences
    from paperqa.types import Source

    paper = Paper(id="casal", title="Hallucination reduction with CASAL", abstract=CASAL_ABSTRACT)
    source = Source(number=1, paper=paper, passages=[], text=CASAL_ABSTRACT)
    scored = score_sentences(read_intent(question), [source], _words_ranker)
    assert scored[0].sentence.startswith(first)


@pytest.mark.parametrize(
    ("sentence", "topic", "says"),
    [
        ("We introduce FIND, a benchmark suite for interpretability methods.", "a new benchmark", True),
        ("We assess VDR across 15 retrieval benchmark datasets.", "a new benchmark", False),  # uses one
        ("This paper presents a dataset collected from natural dialogs.", "a new dataset", True),
        # every word of the topic, named right after the making verb
        ("We introduce a loss term and report bias metrics.", "a new evaluation metric", False),
        (
            "We propose a Bayesian model of unsupervised semantic role induction in multiple "
            "languages, and use it to explore the usefulness of parallel corpora.",
            "a corpus",
            False,
        ),
        ("This paper gives comprehensive analyses of corpora.", "a corpus", False),  # studies, not makes
        ("We present a newly created corpus of concept maps.", "corpora", True),  # plural = singular
    ],
)
def test_a_sentence_says_the_paper_contributes_the_topic(sentence, topic, says):
    assert contribution_sentence(sentence, stems(topic)) == says


def test_a_question_about_contributions_searches_as_abstracts_say_them():
    assert list_queries(read_intent("Which papers propose a new dataset?")) == [
        "a new dataset",
        "we present a new dataset",
    ]
    assert list_queries(read_intent("Which papers use BERT?")) == ["BERT"]


@pytest.mark.parametrize(
    ("title", "heads"),
    [
        ("Named Entities in Case Reports: Corpus and Experiments", "Named Entities Corpus and Experiments"),
        ("Word sense disambiguation using a very large corpus", "Word sense disambiguation"),
        ("ZuCo 2.0: A Dataset of Physiological Recordings", "ZuCo 2.0 A Dataset"),
        ("Stereotyping and Bias in the Flickr30K Dataset", "Stereotyping and Bias"),
    ],
)
def test_a_title_names_what_the_paper_makes_before_its_first_preposition(title, heads):
    assert title_heads(title) == heads


def test_contact_lines_are_no_evidence() -> None:
    """A PDF's first-page small print is read into the text around it: its contact line is
    never quoted as an answer."""
    from paperqa.answer.read.evidence import evidence_sentences

    text = (
        "* Correspondence: ball.chad@gmail.com 1 Department of Surgery, University of Calgary, Canada. "
        "Low molecular weight heparins were the primary prophylactic agent in trauma patients. "
        "Write to the first author at j.doe@univ.edu for the trial protocol."
    )
    assert evidence_sentences(text) == [
        "Low molecular weight heparins were the primary prophylactic agent in trauma patients."
    ]


@pytest.mark.parametrize(
    ("sentence", "prose"),
    [
        # a real PDF's table read into the paragraph before it (SPECTER, ACL 2020)
        ("ˆ ˆ CLS USR CITE REC Avg.", False),
        ("SPECTER 84.2 88.4 91.5 36.9 80.0 − abstract 82.2 72.2 73.6 34.5 68.1", False),
        ("norm=None lowercase=True.", False),
        ("Field Precision Recall F1", False),
        (" ".join(["“Reading the whole document was essential,” one said;"] * 20), False),  # run together
        # people's sentences, short, without a function word, or full of figures
        ("Robust decision-making requires compression.", True),
        ("Without thromboprophylaxis, overall DVT rates exceed 50% [1-3].", True),
        ("Given additional glimpses, CanViT-B reaches 45.9% ADE20K mIoU.", True),
        ("They obtain an 86.4 (82.0) F1 score, a 2.3 (+1.5) point increase over the baseline.", True),
        ("Table 3: Statistics on paper provenance.", True),
    ],
)
def test_a_sentence_must_read_as_one_to_be_evidence(sentence: str, prose: bool) -> None:
    from paperqa.answer.read.evidence import reads_as_prose

    assert reads_as_prose(sentence) is prose


@pytest.mark.parametrize(
    ("sentence", "own"),
    [
        ("While the findings of this study matter it is important to note its limitations.", True),
        ("A limitation of our approach is that it needs parallel data.", True),
        ("This study has several limitations.", True),
        ("Yet, existing corpora are not without their limitations.", False),
        ("We address the limitations of prior work on citation recommendation.", False),
        ("Heart failure is associated with severe symptom burden, functional limitation, and death.", False),
    ],
)
def test_the_authors_naming_their_own_limitations(sentence: str, own: bool) -> None:
    from paperqa.answer.find.parts import OWN_LIMITATIONS

    assert bool(OWN_LIMITATIONS.search(sentence)) is own


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("What was the F1 score?", ["F1"]),
        ("How many GPUs do they use?", ["GPU"]),
        ("Which NLI data was used?", ["NLI"]),
        ("What are the three SOTA models evaluated?", ["SOTA"]),
        ("Does their model use L2 regularization?", ["L2"]),
        ("What is the main contribution of CASAL?", ["CASAL"]),
        ("How many annotators were there?", []),
        ("Is ADHD studied?", ["ADHD"]),
    ],
)
def test_names_a_question_asks_by(question: str, terms: list[str]) -> None:
    from paperqa.answer.read.reading import named_terms

    assert named_terms(question) == terms


def test_a_name_is_used_as_written_spelt_out_or_misspelt() -> None:
    from paperqa.answer.read.reading import unstated_terms
    from paperqa.types import Paper, Section

    body = (
        "We fine-tune on natural language inference data and compare with the state of the art. "
        "Results are in figure 1 and the BLEU scores in table 2."
    )
    paper = Paper(
        id="p",
        title="A paper",
        abstract="An abstract.",
        sections=[Section(name="1 Intro", paragraphs=[body])],
    )
    assert unstated_terms("Which NLI data was used?", paper) == []  # spelt out
    assert unstated_terms("What are the SOTA models?", paper) == []  # "state of the art"
    assert unstated_terms("How much is the BELU score difference?", paper) == []  # two letters swapped
    assert unstated_terms("What was the F1 score?", paper) == ["F1"]  # "figure 1" is no F1
    assert unstated_terms("How many GPUs do they use?", paper) == ["GPU"]
    no_body = paper.model_copy(update={"sections": []})
    assert unstated_terms("What was the F1 score?", no_body) == []  # an abstract alone says little
