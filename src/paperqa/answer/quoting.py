"""How a quoted source sentence is made to read as an answer, and how a sentence can name
its paper."""

from __future__ import annotations

import re

from paperqa.text.names import NAME_SUFFIX, NAME_TOKEN, introduced
from paperqa.text.wordlists import FIELD_ACRONYMS, FIRST_TO_THIRD_PERSON
from paperqa.types import Paper

_CONNECTIVE = re.compile(
    r"^(?:however|moreover|furthermore|additionally|in addition|in contrast|by contrast|in particular|"
    r"specifically|notably|importantly|crucially|finally|first(?:ly)?|second(?:ly)?|third(?:ly)?|"
    r"lastly|thus|therefore|hence|consequently|as a result|in summary|to summarize|to sum up|overall|"
    r"in this (?:paper|work|study|article)|here|to (?:this|that) end|instead|meanwhile|similarly|"
    r"likewise|surprisingly|interestingly|further|besides|accordingly|"
    r"to (?:address|tackle|overcome|solve|bridge|fill|close|mitigate|remedy|assist (?:in|with)|help with|"
    r"deal with|handle) (?:this|these|that|those|the above|such)(?: \w+){0,3}?|"
    r"(?:leveraging|building (?:on|upon)|based on|inspired by|motivated by|guided by|drawing on|given|with) "
    r"(?:this|these|that|those|the above|such)(?: \w+){0,3}?)\s*,\s*",
    re.IGNORECASE,
)
_OPENING = re.compile(r"^(?:here|in this (?:paper|work|study|article)),?\s+(?=we\b)", re.IGNORECASE)
#: A structured abstract's part label before its first sentence ("Conclusions: Establishing
#: ...", Hindawi's "Conclusion. Structured ..."): the sentence stands without it.
_PART_LABEL = re.compile(
    r"^(?:Background|Context|Introduction|Objectives?|Aims?|Purpose|Design|Setting|Participants|"
    r"Interventions?|Materials and [Mm]ethods|Methods?|Measurements|Main [Oo]utcome [Mm]easures?|"
    r"Results?|Findings|Conclusions?|Interpretation|Significance)\s*[:.]\s+(?=[A-Z0-9])"
)
#: A title head longer than this is cut for use as a label.
LABEL_WORDS = 6
#: A name the abstract introduces within this many characters before "dataset" names a dataset
#: ("we introduce BlockMNIST, a synthetic dataset"), not the paper.
DATASET_WINDOW = 60


#: A title's one-word head written as a name: capitals inside it or a digit ("Sentence-BERT",
#: "GluonCV", "Word2Vec"), not a plain word ("Position: ...", "Review: ...").
_ONE_WORD_NAME = re.compile(r"(?=\S*(?:[A-Z]{2}|[a-z][A-Z]|\d))[\w.+-]+")


#: A name the title says the paper uses ("Classification of Reports using TF-IDF Features")
#: is a tool, not the paper's name.
_TOOL_BEFORE = re.compile(r"\busing\s+$", re.IGNORECASE)


def paper_label(paper: Paper) -> str:
    """How a sentence can name a paper: the name it gives its own contribution, in its title
    (CASAL, SAE-V, LegalVis) or introduced in its abstract ("we present TimeX"); else its
    title's head, cut to a few words."""
    in_title = [
        m.group(0)
        for m in NAME_TOKEN.finditer(paper.title)
        if m.group(0) not in FIELD_ACRONYMS
        and not NAME_SUFFIX.search(m.group(0))
        and not _TOOL_BEFORE.search(paper.title[: m.start()])  # "... using TF-IDF Features"
    ]
    named = [  # a dataset the paper introduces is not the paper ("BlockMNIST, a ... dataset")
        name
        for name, end in introduced(paper.abstract)
        if name not in FIELD_ACRONYMS and "dataset" not in paper.abstract[end : end + DATASET_WINDOW]
    ]
    head = paper.title.split(":")[0].strip()
    if ":" in paper.title and _ONE_WORD_NAME.fullmatch(head):  # "Sentence-BERT: Sentence Embeddings ..."
        return head
    for name in (*named, *in_title):
        if name in paper.title or name in named:
            return name
    words = head.split()
    return head if len(words) <= LABEL_WORDS else " ".join(words[:LABEL_WORDS]) + "…"


#: The authors' "we", "our", "us": a word of its own, not part of a name ("nn-we", a model;
#: "US", the country, is left as written).
_WE = re.compile(r"(?<![\w-])we(?![\w-])", re.IGNORECASE)
_OURS = re.compile(r"(?<![\w-])(?:our|us|ours|ourselves)(?![\w-])", re.IGNORECASE)


def clean(sentence: str, name: str | None = None) -> str:
    """A quoted sentence made to stand alone: connectives that point outside it dropped
    ("However, ", "To address this, ") and a structured abstract's label ("Results: "),
    "we"/"our" turned into the authors (of `name` when given), the first letter capitalised.
    Figures and names are never touched."""
    text = " ".join(sentence.split())
    for _ in range(3):
        stripped = _OPENING.sub("", _CONNECTIVE.sub("", _PART_LABEL.sub("", text)))
        if stripped == text:
            break
        text = stripped
    authors = f"the {name} authors" if name else "the authors"
    first_we = _WE.search(text)
    if first_we:
        text = text[: first_we.start()] + authors + text[first_we.end() :]
        text = _WE.sub("they", text)
    text = _OURS.sub(lambda m: m[0] if m[0].isupper() else FIRST_TO_THIRD_PERSON[m[0].lower()], text)
    return text[:1].upper() + text[1:] if text else text
