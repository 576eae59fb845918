"""Support: how well the source sentences a sentence cites back it (meaning and wording
together), a citation found for a sentence that has none, and a sentence that names one
paper but cites another moved to the paper it names. Pure functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from paperqa.text.words import overlap
from paperqa.types import CitedSentence

#: Meaning and wording count equally in the support score: the embedder alone rates a
#: sentence on the same topic as support; word overlap alone misses paraphrases.
SUPPORT_MEANING_WEIGHT = 0.5


def support_score(similarity: float, word_overlap: float) -> float:
    """One number for "does this source sentence back the claim": meaning and wording together."""
    meaning = SUPPORT_MEANING_WEIGHT * max(similarity, 0.0)
    return round(meaning + (1 - SUPPORT_MEANING_WEIGHT) * word_overlap, 4)


Similarity = Callable[[str, Sequence[str]], list[float]]


def score_sentence(
    sentence: CitedSentence,
    sources: Mapping[int, Sequence[str]],
    similarity: Similarity,
    threshold: float,
) -> CitedSentence:
    """Score a sentence against the source sentences of what it cites; with no
    citation, find the best source and cite it if it clears the threshold."""
    candidates = sentence.citations or list(sources)
    best: tuple[float, int | None, str | None] = (0.0, None, None)
    for number in candidates:
        evidence = list(sources.get(number, []))
        if not evidence:
            continue
        sims = similarity(sentence.text, evidence)
        for ev, sim in zip(evidence, sims, strict=True):
            score = support_score(sim, overlap(sentence.text, ev))
            if score > best[0]:
                best = (score, number, ev)
    score, best_number, evidence_text = best
    scored = sentence.model_copy(
        update={"support": score, "supported": score >= threshold, "evidence": evidence_text}
    )
    if not sentence.citations and best_number is not None and score >= threshold:
        scored.citations, scored.auto_cited = [best_number], True
    return scored


def reattribute(
    sentence: CitedSentence,
    named: set[int],
    sources: Mapping[int, Sequence[str]],
    similarity: Similarity,
    threshold: float,
) -> CitedSentence | None:
    """A sentence that names a paper ("CASAL does ...") but cites only other sources:
    re-cited to the named paper when that paper supports it, else None (not shown).
    Small models often put the right claim next to the wrong number, or the wrong
    paper's claim next to the right name; either way the citation would mislead."""
    named &= set(sources)
    if not named or not sentence.citations or named & set(sentence.citations):
        return sentence
    moved = score_sentence(
        sentence.model_copy(update={"citations": sorted(named), "auto_cited": False}),
        sources,
        similarity,
        threshold,
    )
    return moved if moved.supported else None
