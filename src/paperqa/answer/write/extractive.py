"""Answers made of the sources' own sentences: the quote mode, the fallback when a
chat model fails the checks, and the summaries of one abstract.

A sentence taken from a source is supported by definition, so these answers are
always faithful; `evidence.clean` makes each read on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from paperqa.answer.quoting import clean
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


def lead_summary(source: Source, rank: Ranker, max_words: int = 130) -> list[CitedSentence]:
    """3-4 sentences of one abstract in their own order: the opening sentence and
    the ones most like the whole abstract, within `max_words`."""
    sentences = source_sentences(source)
    if not sentences:
        return []
    sims = rank(source.text, sentences)
    chosen = {0}
    for i in sorted(range(len(sentences)), key=lambda i: -sims[i]):
        if len(chosen) >= SUMMARY_SENTENCES:
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
