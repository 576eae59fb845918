"""Grounding: does a sentence say something the question did not, and is every
figure and name in it found in the sources it cites?

The support score (`support.score_sentence`) asks whether a sentence is *like*
its source. That lets through a restated question ("The notation bridges text and
music [1].") and invented names next to real words ("Deep Representation Learning
(DRL) [1]."). This check is stricter and literal:

1. every number, acronym, model/dataset/method name and capitalised technical term
   of the sentence appears (normalised) in the cited sources or their titles;
2. the sentence's content words beyond the question's exist and are found in the
   cited sources (a restatement, "is reported in the document", carries none);
3. meta sentences, list stubs ("were: 1") and bare reference lists are rejected.

Everything here is a pure function over strings, tested with tables of cases.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paperqa.text.names import found, terms
from paperqa.text.numbers import figures, numbers
from paperqa.text.patterns import NEGATION
from paperqa.text.wordlists import META_WORDS, PHRASE_LINKS
from paperqa.text.words import WORD, fold, stem_words, stems, stop_stems

#: Share of a sentence's new content words (stems not in the question) that must occur in
#: the cited sources. A paraphrase changes a few words ("cuts" for "reduces"); a sentence
#: whose new words are mostly absent from the sources is about something else.
NEW_WORDS_FOUND = 0.5
#: A sentence of author-year references with fewer content words than this besides is a
#: reference list, not a statement.
MIN_STATEMENT_WORDS = 2

#: A sentence about the sources or the question instead of their subject.
_META = re.compile(
    r"\bnot (?:mentioned|stated|specified|provided|given|discussed|described|reported|available)\b"
    r"|\bthe (?:sentence|question|text|document|source|passage|context)s? "
    r"(?:says|say|states|mentions|does|do)\b"
    r"|\bthe answer (?:to (?:this|the) question )?is\b",
    re.IGNORECASE,
)
_LIST_STUB = re.compile(r"[:;]\s*(?:\d{1,2}|[a-z])?\W*$", re.IGNORECASE)
_MARKDOWN_LINK = re.compile(r"\[[^\]]+\]\([^)]*\)")
_AUTHOR_YEAR = re.compile(
    r"\(?\b[A-Z][\w'’-]+(?:\s+(?:et al\.?|and|&)\s*(?:[A-Z][\w'’-]+)?)?,?\s+\(?(?:19|20)\d{2}[a-z]?\)?[;,]?"
)


@dataclass(frozen=True)
class Grounding:
    """The verdict on one sentence: `ok`, or the reason it is not grounded."""

    ok: bool
    reason: str | None = None
    unknown: tuple[str, ...] = ()


GROUNDED = Grounding(True)


def new_words(sentence: str, question: str) -> set[str]:
    """Stems of what the sentence says beyond the question (meta words aside)."""
    return stems(sentence) - stems(question) - _meta_stems()


@functools.cache
def _meta_stems() -> frozenset[str]:
    return frozenset(stem_words(META_WORDS))


def ground(
    sentence: str,
    evidence: Iterable[str],
    question: str = "",
    names: Sequence[str] = (),
    new_words_found: float = NEW_WORDS_FOUND,
) -> Grounding:
    """Check one answer sentence (without its [n] markers) against the text of the
    sources it cites (`evidence`) and the names those papers go by (`names`: titles,
    short names). `new_words_found`: the share of its new words that must be in the
    evidence (1.0 for a rewrite of one sentence). See the module docstring for the rules."""
    text = " ".join(sentence.split())
    evidence_text = " ".join(evidence)
    haystack = fold(f"{evidence_text} {' '.join(names)}")
    if _MARKDOWN_LINK.search(text):
        return Grounding(False, "a link or reference list, not a statement")
    without_refs = _AUTHOR_YEAR.sub(" ", text)
    if len(stems(without_refs)) < MIN_STATEMENT_WORDS and _AUTHOR_YEAR.search(text):
        return Grounding(False, "a list of references, not a statement")
    if _LIST_STUB.search(text):
        return Grounding(False, "an unfinished list")
    if _META.search(text):
        return Grounding(False, "talks about the sources or the question, not their subject")
    missing_numbers = sorted(numbers(text) - numbers(f"{evidence_text} {' '.join(names)}"))
    missing_terms = [t for t in terms(text) if not found(t, haystack)]
    unknown = tuple(missing_numbers + missing_terms)
    if unknown:
        return Grounding(False, "names or figures not in the cited source: " + ", ".join(unknown), unknown)
    new = new_words(text, question)
    if not new:
        return Grounding(False, "says nothing the question did not")
    source_stems = stems(f"{evidence_text} {' '.join(names)}")
    if len(new & source_stems) < max(1.0, new_words_found * len(new)):
        return Grounding(False, "most of what it says is not in the cited source")
    return GROUNDED


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
