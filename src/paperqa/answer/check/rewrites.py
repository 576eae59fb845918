"""The checks a rewrite of one quoted sentence must pass besides grounding: it keeps the
sentence's facts (figures, names, polarity) and joins no two of its words that the sentence
keeps apart."""

from __future__ import annotations

import re

from paperqa.text.names import found, terms
from paperqa.text.numbers import figures
from paperqa.text.patterns import NEGATION
from paperqa.text.wordlists import PHRASE_LINKS
from paperqa.text.words import WORD, fold, stem_words, stems, stop_stems


def keeps_facts(rewrite: str, original: str) -> bool:
    """A rewrite keeps every figure (digits or counts in words) and every name of the
    sentence it rewrites, and adds no negation (a flipped claim keeps its words)."""
    folded = fold(rewrite)
    flipped = bool(NEGATION.search(rewrite)) and not NEGATION.search(original)
    return (
        not flipped
        and figures(original) <= figures(rewrite)
        and all(found(t, folded) for t in terms(original))
    )


_PHRASE_BREAK = re.compile(r"[,;:()\[\]]|\s-\s|\band\b|\bor\b")


def _pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent content-word stems inside one phrase (no comma, colon, bracket or "and"
    between them): what a sentence says goes with what."""
    stop = stop_stems() | PHRASE_LINKS
    joined: set[tuple[str, str]] = set()
    for phrase in _PHRASE_BREAK.split(fold(text)):
        words = stem_words(w for w in WORD.findall(phrase) if len(w) > 1 or w.isdigit())
        pairs = zip(words, words[1:], strict=False)
        joined.update((a, b) for a, b in pairs if a not in stop and b not in stop)
    return joined


def recombines(rewrite: str, original: str, question: str = "") -> bool:
    """The rewrite joins two words of the original that the original keeps apart, neither
    from the question: "without fine-tuning, reward signals, or environment interaction"
    made "without fine-tuning rewards". Its words all check out, its claim does not."""
    own = stems(original) - stems(question)
    return any(a in own and b in own for a, b in _pairs(rewrite) - _pairs(original))
