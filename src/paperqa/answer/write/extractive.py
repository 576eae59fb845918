"""Answers made of the sources' own sentences: the quote mode, the fallback when a
chat model fails the checks, and the summaries of one abstract.

A sentence taken from a source is supported by definition, so these answers are
always faithful; `evidence.clean` makes each read on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperqa.answer.quoting import clean, paper_label
from paperqa.answer.read.evidence import Evidence, Ranker, source_sentences
from paperqa.types import CitedSentence, Source

#: Sentences of a one-paper summary.
SUMMARY_SENTENCES = 4


def quote(text: str, number: int, evidence: str | None = None) -> CitedSentence:
    """A source sentence as an answer sentence: cited, supported, grounded by construction."""
    return CitedSentence(
        text=text,
        citations=[number],
        support=1.0,
        supported=True,
        evidence=evidence or text,
        origin="quote",
        grounded=True,
    )


def quote_evidence(chosen: Sequence[Evidence], labels: dict[int, str] | None = None) -> list[CitedSentence]:
    """Chosen evidence as cleaned quotes. With `labels` (source number -> paper name), a
    sentence that does not name its paper is prefixed with it, for answers that span papers."""
    out = []
    for e in chosen:
        label = (labels or {}).get(e.number)
        # "the CASAL authors" reads well; "the <long title> authors" does not
        text = clean(e.sentence, label if label and " " not in label else None)
        if label and label.casefold() not in text.casefold():
            text = f"{label}: {text}"
        place = e.paper.place_of(e.sentence)
        where = {"section": place.section, "page": place.page} if place else {}
        out.append(quote(text, e.number, e.sentence).model_copy(update=where))
    return out


def lead_summary(
    source: Source, rank: Ranker, max_words: int = 130, most: int = SUMMARY_SENTENCES
) -> list[CitedSentence]:
    """3-4 (at most `most`) sentences of one abstract in their own order: the opening sentence
    and the ones most like the whole abstract, within `max_words`."""
    sentences = source_sentences(source)
    if not sentences:
        return []
    sims = rank(source.text, sentences)
    chosen = {0}
    for i in sorted(range(len(sentences)), key=lambda i: -sims[i]):
        if len(chosen) >= most:
            break
        if sum(len(sentences[j].split()) for j in chosen | {i}) <= max_words:
            chosen.add(i)
    return [quote(clean(sentences[i]), source.number, sentences[i]) for i in sorted(chosen)]


def central_sentence(source: Source, rank: Ranker) -> list[CitedSentence]:
    """The one sentence of an abstract most like the whole abstract (a one-line summary)."""
    sentences = source_sentences(source)
    if not sentences:
        return []
    sims = rank(f"{source.paper.title}. {source.text}", sentences)
    best = sentences[max(range(len(sentences)), key=lambda i: sims[i])]
    return [quote(clean(best), source.number, best)]


def not_stated(closest: Evidence, question: str) -> list[CitedSentence]:
    """What an answer says when the chosen paper's abstract does not answer: that, and the
    closest sentence, marked as not answering."""
    label = paper_label(closest.paper)
    name = label if " " not in label else f"“{closest.paper.title}”"
    asked = asked_for(question) or f"the answer to “{question.rstrip('?')}?”"
    read = "paper" if closest.paper.sections else "abstract"  # what was read of it: its full text?
    whose = f"paper {name}" if read == "paper" else f"abstract of {name}"
    said = f"The {whose} does not state {asked}; its closest sentence follows."
    nearest = quote(clean(closest.sentence), closest.number, closest.sentence)
    if place := closest.paper.place_of(closest.sentence):
        nearest = nearest.model_copy(update={"section": place.section, "page": place.page})
    flag = {"supported": False, "problem": f"the {read}'s closest sentence; it does not answer the question"}
    return [
        CitedSentence(text=said, citations=[closest.number], supported=True, grounded=True, origin="note"),
        nearest.model_copy(update=flag),
    ]


#: "What is the inter-annotator agreement?" asks for "the inter-annotator agreement"; "How many
#: annotators ...?" for "how many annotators ...".
_ASKED_FOR = re.compile(
    r"^(?:what|which) (?:is|are|was|were) (?P<thing>(?:the|their|its) .+?)\s*\??$"
    r"|^(?P<count>how (?:many|much) .+?)\s*\??$",
    re.IGNORECASE,
)


def asked_for(question: str) -> str | None:
    """What a question asks for, as the object of "does not state": "the inter-annotator
    agreement", "how many annotators label each tweet"; None for other questions."""
    m = _ASKED_FOR.match(" ".join(question.split()))
    if not m:
        return None
    thing = m.group("thing") or m.group("count")
    return thing[0].lower() + thing[1:]
