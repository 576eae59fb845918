"""Grounding: does a sentence say something the question did not, and is every
figure and name in it found in the sources it cites?

The support score (`citations.score_sentence`) asks whether a sentence is *like*
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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from paperqa.citations import STOPWORDS

#: Share of a sentence's new content words (stems not in the question) that must occur in
#: the cited sources. A paraphrase changes a few words ("cuts" for "reduces"); a sentence
#: whose new words are mostly absent from the sources is about something else.
NEW_WORDS_FOUND = 0.5

#: Words that talk about the sources rather than their content: they are not "something
#: the question did not say" ("X is reported in the document" says nothing).
META_WORDS = frozenset(
    [
        "document",
        "documents",
        "source",
        "sources",
        "text",
        "texts",
        "abstract",
        "abstracts",
        "article",
        "articles",
        "paper",
        "papers",
        "study",
        "studies",
        "author",
        "authors",
        "report",
        "reported",
        "reports",
        "describe",
        "described",
        "describes",
        "discuss",
        "discussed",
        "discusses",
        "mention",
        "mentioned",
        "mentions",
        "present",
        "presented",
        "presents",
        "provide",
        "provided",
        "provides",
        "information",
        "answer",
        "answers",
        "question",
        "questions",
        "according",
        "context",
        "given",
        "state",
        "states",
        "stated",
        "write",
        "written",
        "detail",
        "details",
        "note",
        "notes",
        "explain",
        "explained",
        "explains",
        "topic",
        "summary",
        "summarize",
        "summarise",
        "work",
        "works",
        "research",
        "researchers",
        "publication",
        "framework",
        "frameworks",
        "technique",
        "techniques",
        "system",
        "systems",
        "tool",
        "tools",
        "pipeline",
    ]
)

#: A term this long also matches a longer word it starts ("Brazil" in "Brazilian"); a
#: shorter one must match whole, so "SAD" is not found in "saddle".
PREFIX_MATCH_CHARS = 5

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
_TOKEN = re.compile(r"[^\W_][\w'’]*(?:[-/.][^\W_][\w'’]*)*")
_WORD = re.compile(r"[a-z0-9]+")
#: Endings of a hyphenated term that make a new word of a name: "SAE-V-based", "LLM-level".
_NAME_SUFFIX = re.compile(
    r"-(?:based|like|level|wise|aware|driven|guided|specific|style|scale|free|only|style|type|oriented)$",
    re.IGNORECASE,
)
#: A sentence about the sources or the question instead of their subject.
_META = re.compile(
    r"\bnot (?:mentioned|stated|specified|provided|given|discussed|described|reported|available)\b"
    r"|\bthe (?:sentence|question|text|document|source|passage|context)s? "
    r"(?:says|say|states|mentions|does|do)\b"
    r"|\bthe answer (?:to (?:this|the) question )?is\b",
    re.IGNORECASE,
)
#: Words that make a statement negative: a rewrite may not add one, and a yes/no verdict
#: is "No" when the evidence holds one.
NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|neither|nor|unable|fails?|failed|doesn't|don't|didn't|isn't|aren't)\b",
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


@functools.cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Lower case, accents and dash/quote variants folded, spacing collapsed: the form in
    which terms are compared."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[‐‑‒–—−]", "-", text).replace("’", "'")
    return " ".join(text.split())


def numbers(text: str) -> set[str]:
    """The numbers of a text, normalised ("6,000" -> "6000", "30.0" kept as written)."""
    return {n.replace(",", "") for n in _NUMBER.findall(text.replace("%", " % "))}


def _is_term(token: str, first: bool) -> bool:
    """A token that names something: an acronym (CASAL, LoRA, SAE-V), a token mixing letters
    and digits (ResNet18, Pi0, GPT-4), or a capitalised word inside the sentence."""
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return False
    capitals = sum(c.isupper() for c in letters)
    if capitals >= 2 or (any(c.isdigit() for c in token) and capitals >= 1):
        return True
    return not first and token[0].isupper() and token.lower() not in STOPWORDS


def terms(text: str) -> list[str]:
    """Names and technical terms of a sentence, in order, once each (numbers apart)."""
    found: list[str] = []
    first = True
    for m in _TOKEN.finditer(text):
        token = re.sub(r"['’]s$", "", m.group(0)).rstrip(".'’")  # CASAL's -> CASAL
        before = text[: m.start()].rstrip()
        starts_clause = first or before.endswith((":", ";", '"', "“")) and token[:1].isupper()
        if token and _is_term(token, starts_clause):
            found.append(_NAME_SUFFIX.sub("", token))
        first = False
    return list(dict.fromkeys(found))


def _found(term: str, haystack: str) -> bool:
    """`term` occurs as a word (or words) of the folded `haystack`; a plural "s" is optional."""
    key = fold(term)
    if not key:
        return True
    stem = key[:-1] if key.endswith("s") and len(key) > 3 else key
    # a plural "s" is optional; a longer term may be the start of a word ("Brazil", "Brazilian")
    tail = r"\w*" if len(stem) >= PREFIX_MATCH_CHARS else r"(?:s|es)?"
    if re.search(rf"(?<![\w]){re.escape(stem)}{tail}(?![\w])", haystack):
        return True
    # "Dempster-Shafer" written "Dempster Shafer", or a term split by a hyphen in the source
    spaced = re.sub(r"[-/]", " ", key)
    return spaced != key and spaced in re.sub(r"[-/]", " ", haystack)


def stems(text: str) -> set[str]:
    """Snowball stems of the content words of `text`."""
    words = [w for w in _WORD.findall(fold(text)) if w not in STOPWORDS and len(w) > 1]
    return set(_stemmer().stemWords(words)) - _stop_stems()


@functools.cache
def _stop_stems() -> frozenset[str]:
    """Stems of the stopwords, so that "uses" is dropped like "use"."""
    return frozenset(_stemmer().stemWords(list(STOPWORDS)))


def new_words(sentence: str, question: str) -> set[str]:
    """Stems of what the sentence says beyond the question (meta words aside)."""
    meta = set(_stemmer().stemWords(list(META_WORDS)))
    return stems(sentence) - stems(question) - meta


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
    if len(stems(without_refs)) < 2 and _AUTHOR_YEAR.search(text):
        return Grounding(False, "a list of references, not a statement")
    if _LIST_STUB.search(text):
        return Grounding(False, "an unfinished list")
    if _META.search(text):
        return Grounding(False, "talks about the sources or the question, not their subject")
    missing_numbers = sorted(numbers(text) - numbers(f"{evidence_text} {' '.join(names)}"))
    missing_terms = [t for t in terms(text) if not _found(t, haystack)]
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


#: Counts written as words: "six domain experts" is a figure a rewrite must keep ("one" is
#: left out: "one of the" is not a count).
_COUNTS = "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
_COUNTS += " seventeen eighteen nineteen twenty"
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_COUNTS.split(), 2)} | {
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000",
}  # fmt: skip
_LETTERS = re.compile(r"[a-z]+")


def figures(text: str) -> set[str]:
    """The numbers of a text, counts written as words included ("six" -> "6")."""
    return numbers(text) | {_NUMBER_WORDS[w] for w in _LETTERS.findall(text.lower()) if w in _NUMBER_WORDS}


def keeps_facts(rewrite: str, original: str) -> bool:
    """A rewrite keeps every figure (digits or counts in words) and every name of the
    sentence it rewrites, and adds no negation (a flipped claim keeps its words)."""
    folded = fold(rewrite)
    flipped = bool(NEGATION.search(rewrite)) and not NEGATION.search(original)
    return (
        not flipped
        and figures(original) <= figures(rewrite)
        and all(_found(t, folded) for t in terms(original))
    )


_PHRASE_BREAK = re.compile(r"[,;:()\[\]]|\s-\s|\band\b|\bor\b")


#: Prepositions the stopword list keeps: they link phrases, a comma before them is style.
_LINKS = frozenset(
    {"without", "within", "across", "via", "using", "through", "despite", "toward", "towards", "over"}
    | {"under", "between", "among", "per", "versus", "vs", "while", "whereas"}
)


def _pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent content-word stems inside one phrase (no comma, colon, bracket or "and"
    between them): what a sentence says goes with what."""
    stop = _stop_stems() | _LINKS
    found: set[tuple[str, str]] = set()
    for phrase in _PHRASE_BREAK.split(fold(text)):
        words = _stemmer().stemWords([w for w in _WORD.findall(phrase) if len(w) > 1 or w.isdigit()])
        pairs = zip(words, words[1:], strict=False)
        found.update((a, b) for a, b in pairs if a not in stop and b not in stop)
    return found


def recombines(rewrite: str, original: str, question: str = "") -> bool:
    """The rewrite joins two words of the original that the original keeps apart, neither
    from the question: "without fine-tuning, reward signals, or environment interaction"
    made "without fine-tuning rewards". Its words all check out, its claim does not."""
    own = stems(original) - stems(question)
    return any(a in own and b in own for a, b in _pairs(rewrite) - _pairs(original))
