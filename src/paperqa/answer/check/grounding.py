"""Grounding: does a sentence say something the question did not, and is every
figure and name in it found in the sources it cites?

The support score (`support.score_sentence`) asks whether a sentence is *like*
its source. That lets through a restated question ("The notation bridges text and
music [1].") and invented names next to real words ("Deep Representation Learning
(DRL) [1]."). This check is stricter and literal:

1. every figure and name of the sentence is in the cited sources or their titles: a
   figure as written, as a count word ("three", "a single" for 1) or rounded within the
   source's precision ("96%" for 96.47%); a name (an acronym, a CamelCase or digit-bearing
   token; an ordinary capitalised word such as "Given" or "Gaussian" is a word, not a name)
   as written or as an abbreviation of a long form the source holds ("MCMC": "Markov chain
   Monte Carlo", by the sources' own definitions, the initials of their words, or a short
   list of the field's undefined abbreviations);
2. it does not negate what the source states, or drop a negation the source states;
3. its content words beyond the question's exist and are mostly found in the cited sources
   (spelling variants and one-letter typos forgiven; the field's generic words, "propose",
   "improve", may be added freely, but at least one of its own words must be found); a
   restatement, "is reported in the document", carries none;
4. meta sentences, list stubs ("were: 1") and bare reference lists are rejected;
5. given an embedder (`meaning`), a statement (four content words or more) means what one of
   the evidence sentences says (a cosine similarity of at least `MIN_MEANING` to the
   closest): another paper's claim can use this paper's words;
6. given the reader (`contradicts`), the cited sources do not say the opposite: the reader's
   probability that they refute the sentence read as a claim stays under `MAX_CONTRADICTION`
   (a negation dropped or added in other words than the source's).

Calibrated on human-written sentences (`benchmarks/bench_grounding.py`: SciTLDR TLDRs and
QASPER answers against their abstracts, and corrupted copies of them).

Everything here is a pure function over strings (the embedder is passed in), tested with
tables of cases.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from paperqa.index.assets import bundled_file
from paperqa.text.abbreviations import expands_in, long_forms
from paperqa.text.names import NAME_TOKEN, found, terms
from paperqa.text.numbers import figure_grounded, figures, numbers
from paperqa.text.patterns import NEGATION
from paperqa.text.sentences import split_sentences
from paperqa.text.wordlists import META_WORDS
from paperqa.text.words import fold, overlap, stem_words, stems

#: Share of a sentence's new content words (stems not in the question) that must occur in
#: the cited sources. A paraphrase changes a few words ("cuts" for "reduces"); a sentence
#: whose new words are mostly absent from the sources is about something else.
NEW_WORDS_FOUND = 0.5
#: An embedder's cosine similarity under which a sentence means something none of its
#: evidence sentences says, however many of their words it uses: another paper's claim in
#: the field's common words. Fitted on SciTLDR train with all-MiniLM-L6-v2 (other papers'
#: TLDRs caught 0.952 -> 0.977, faithful TLDRs lost 0.4%; `bench_grounding.py --split train`).
MIN_MEANING = 0.40
#: A shorter answer ("x-vector", "late 2014", "Logistic regression") is too little text to
#: embed: its words alone are checked (QASPER's one-to-three-word answers scored 0.18-0.40).
MEANING_MIN_WORDS = 4
#: Similarities of a sentence to each of some texts (`Ranker` in `answer.evidence`).
Meaning = Callable[[str, Sequence[str]], Sequence[float]]
#: (sentence, evidence) -> the probability that the evidence says the opposite (the reader's
#: "no" verdict for the sentence read as a claim; `Reader.contradiction`).
Contradicts = Callable[[str, str], float]
#: The reader's probability of "the source says otherwise" at which a sentence is refused.
#: Chosen on SciTLDR dev so that no faithful summary more is refused (`bench_grounding.py`).
MAX_CONTRADICTION = 0.9

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
    meaning: Meaning | None = None,
    contradicts: Contradicts | None = None,
) -> Grounding:
    """Check one answer sentence (without its [n] markers) against the text of the
    sources it cites (`evidence`) and the names those papers go by (`names`: titles,
    short names). `new_words_found`: the share of its new words that must be in the
    evidence (1.0 for a rewrite of one sentence: then even generic words count).
    `meaning(sentence, evidence_sentences)`: an embedder's cosine similarity of the sentence
    to each sentence of the evidence; with it, a sentence whose closest evidence sentence is
    under `MIN_MEANING` is about something else. `contradicts(sentence, evidence_text)`: the
    reader's probability that the evidence says the opposite. See the module docstring."""
    text = " ".join(sentence.split())
    evidence = list(evidence)
    evidence_text = " ".join(evidence)
    source = f"{evidence_text} {' '.join(names)}"
    haystack = fold(source)
    if reason := _not_a_statement(text):
        return Grounding(False, reason)
    source_figures = figures(source)
    missing_numbers = sorted(n for n in numbers(text) if not figure_grounded(n, source_figures, source))
    missing_terms = [t for t in terms(text) if not _term_grounded(t, haystack, source, text)]
    unknown = tuple(missing_numbers + missing_terms)
    if unknown:
        return Grounding(False, "names or figures not in the cited source: " + ", ".join(unknown), unknown)
    if flip := polarity_flip(text, evidence):
        return Grounding(False, flip)
    new = new_words(text, question)
    if not new:
        return Grounding(False, "says nothing the question did not")
    source_stems = stems(source)
    # the names passed the name check (as written, or as an abbreviation of a long form)
    named = stems(" ".join(t for t in terms(text) if not _PLAIN_CAPITALISED.fullmatch(t)))
    found_words = {w for w in new if w in source_stems or w in named or _spelled_alike(w, source_stems)}
    # a generic word the source lacks ("novel", "improves") says how, not what: it does not count
    # a rewrite of one sentence (every word required) may not add even a generic word:
    # "attack success rate" may not become "accuracy"
    generic = generic_stems() if new_words_found < 1.0 else frozenset()
    missing = new - found_words - generic
    specific = found_words - generic  # at least one of its own words: generic ones fit any paper
    needed = max(1.0, new_words_found * (len(found_words) + len(missing)))
    if (missing and not specific) or len(found_words) < needed:
        return Grounding(False, "most of what it says is not in the cited source")
    if meaning is not None and len(stems(text)) >= MEANING_MIN_WORDS:
        said = _spelled_out(text, evidence_text, haystack)
        closest = max(meaning(said, [t for e in evidence for t in split_sentences(e)]), default=1.0)
        if closest < MIN_MEANING:
            return Grounding(
                False, f"its meaning is in no sentence of the cited source (closest {closest:.2f})"
            )
    if contradicts is not None and (refuted := contradicts(text, evidence_text)) >= MAX_CONTRADICTION:
        return Grounding(False, f"the cited source says otherwise (the reader: {refuted:.2f})")
    return GROUNDED


def _not_a_statement(text: str) -> str | None:
    """Why a sentence states nothing to check against a source (a link, a list of references,
    an unfinished list, talk about the sources or the question), or None."""
    if _MARKDOWN_LINK.search(text):
        return "a link or reference list, not a statement"
    without_refs = _AUTHOR_YEAR.sub(" ", text)
    if len(stems(without_refs)) < MIN_STATEMENT_WORDS and _AUTHOR_YEAR.search(text):
        return "a list of references, not a statement"
    if _LIST_STUB.search(text):
        return "an unfinished list"
    if _META.search(text):
        return "talks about the sources or the question, not their subject"
    return None


def _spelled_out(text: str, source: str, haystack: str) -> str:
    """The sentence with each abbreviation the source writes out, and not as written, in the
    source's long form: an embedder reads "LLMs" far from "large language models" (0.18
    against 0.62 for the same claim)."""
    for term in dict.fromkeys(terms(text)):
        if NAME_TOKEN.fullmatch(term) and not found(term, haystack):
            forms = [form for form in long_forms(term, source, text) if form and form in haystack]
            if forms:
                text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", max(forms, key=len), text)
    return text


def _term_grounded(term: str, haystack: str, source: str, sentence: str) -> bool:
    """A name of the sentence is in its source: as written, as the long form of an
    abbreviation (or the reverse), or, for a plain capitalised word ("Given", "Gaussian"),
    not a name at all: it is left to the word check."""
    if found(term, haystack):
        return True
    if _PLAIN_CAPITALISED.fullmatch(term) and f"({term})" not in sentence:  # "(Suprema)" names
        return True
    return bool(NAME_TOKEN.fullmatch(term)) and expands_in(term, source, sentence)


#: A capitalised word that is not written like a name: one capital, then lower-case letters.
_PLAIN_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)*")
#: A new word this long may differ from a source word by one letter (a typo, "-ise"/"-ize").
SPELLING_MIN_CHARS = 6


def _spelled_alike(stem: str, source_stems: set[str]) -> bool:
    """British and American spellings and one-letter typos ("memoris"/"memoriz", "contraint")."""
    if len(stem) < SPELLING_MIN_CHARS:
        return False
    american = stem.replace("is", "iz").replace("our", "or")
    if american in source_stems or stem.replace("iz", "is") in source_stems:
        return True
    return any(
        len(s) == len(stem)
        and sum(a != b for a, b in zip(s, stem, strict=True)) == 1
        or abs(len(s) - len(stem)) == 1
        and _one_insertion(s, stem)
        for s in source_stems
        if abs(len(s) - len(stem)) <= 1 and s[:2] == stem[:2]
    )


def _one_insertion(a: str, b: str) -> bool:
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@functools.cache
def generic_stems() -> frozenset[str]:
    """Stems most abstracts of the field use ("propos", "perform", "improv"): they say how a
    finding is described, not what it is, so a sentence may use them freely."""
    body = json.loads(bundled_file("common_stems.json").read_text(encoding="utf-8"))
    return frozenset(s for s, share in body["stems"].items() if share >= GENERIC_SHARE)


#: A stem this share of computer-science abstracts uses is generic (see `generic_stems`).
GENERIC_SHARE = 0.1


def polarity_flip(sentence: str, evidence: Sequence[str]) -> str | None:
    """Why the sentence says the opposite of its source, or None when the polarities can agree.

    A negation is read with its scope, not per sentence: the sentence's "not" governs the
    content words right after it, and the source agrees when one of its own negations ("not",
    "without", "fails", "-free") governs the first of them (or the second, from the same
    side). "tasks can not be solved using A*" beside "can be solved optimally using A*" is
    a flip even when the abstract negates something else elsewhere. The reverse: a source
    sentence the sentence mostly repeats negates words the sentence states with no negation
    ("is worse than" for "is no worse than"). Scope sizes fitted on SciTLDR train
    (`benchmarks/bench_grounding.py --split
    train`), checked on dev."""
    sources = [s for text in evidence for s in split_sentences(text)]
    if not sources:
        return None
    source_scopes = [w for s in sources for w in negation_scopes(s, NEGATION_OR_ABSENCE, *SOURCE_SCOPE)]
    # an answer's "No:" negates what follows as a whole: some negation of the source must
    # stand beside its words ("No: ... is not applicable to LLMs" quoting "... not applicable")
    verdict = _VERDICT.match(sentence)
    said_no = verdict is not None and verdict.group(1).lower() == "no"
    sentence = sentence[verdict.end() :] if verdict else sentence
    for scope in negation_scopes(sentence, NEGATION, *SENTENCE_SCOPE):
        if scope.words and not any(scope.backed_by(other) for other in source_scopes):
            return "states a negation the source does not"
    if said_no and not any(stems(sentence) & other.words for other in source_scopes):
        return "states a negation the source does not"
    if NEGATION.search(sentence) or NEGATION_OR_ABSENCE_WORD.search(sentence):
        return None
    said = stems(sentence)
    for s in sources:
        if overlap(sentence, s) < DROPPED_OVERLAP:
            continue
        if any(scope.words and scope.words <= said for scope in negation_scopes(s, NEGATION, *DROPPED_SCOPE)):
            return "drops a negation the source states"
    return None


#: Content words a negation governs, (before, after) it: the sentence's own and the source's
#: that may answer it. Fitted on SciTLDR train: an inserted "not" caught 0.96, 17 of 1,813
#: faithful TLDRs newly refused (the scope of 3 after: 0.92 and 15). Backing only through the
#: head or the same side (`NegationScope.backed_by`): train caught 0.928 -> 0.944, 4 of 1,992
#: faithful refused; dev 0.958 -> 0.976, 1 of 1,510.
SENTENCE_SCOPE = (0, 2)
SOURCE_SCOPE = (1, 2)
#: A dropped negation: the source sentence shares this share of the sentence's words and the
#: words its "not" governs are all in the sentence (train: 5 of 32 caught, 4 of 1,813 refused).
DROPPED_OVERLAP = 0.5
DROPPED_SCOPE = (0, 2)

#: Words that say something is absent, as a negation does: "does not need labels" may be
#: written "without labels", "label-free" or "fails to".
NEGATION_OR_ABSENCE_WORD = re.compile(
    r"\b(?:without|lacks?|lacking|absence|absent|none|nothing|unlike|instead|rather|free|"
    r"removes?|removed|removing)\b|\b[\w-]*\w-free\b",
    re.IGNORECASE,
)
NEGATION_OR_ABSENCE = re.compile(f"{NEGATION.pattern}|{NEGATION_OR_ABSENCE_WORD.pattern}", re.IGNORECASE)
_NOT_ONLY = re.compile(r"\bnot (?:only|just|merely|necessarily)\b", re.IGNORECASE)
_VERDICT = re.compile(r"^\s*(yes|no)\s*[:,.;]\s*", re.IGNORECASE)
_SCOPE_WORD = re.compile(r"[a-z0-9][a-z0-9'*-]*")
#: Words looked at on either side of a negation for its content words.
_SCOPE_REACH = 12


@dataclass(frozen=True)
class NegationScope:
    """The content stems a negation governs: `before` it, and `after` it in order (the first
    is its head: "not effective for removing" -> effect, remov)."""

    before: frozenset[str]
    after: tuple[str, ...]

    @property
    def words(self) -> frozenset[str]:
        return self.before | frozenset(self.after)

    def backed_by(self, source: NegationScope) -> bool:
        """A source negation backs this one when it governs this one's head, or the word
        after the head on its own side: "is not effective for removing X" is not backed by
        "is particularly effective in removing X" (an absence word beside "effective"), nor
        "we can not recover the proteins" by "structures not seen by the generator"."""
        if not self.after:
            return bool(self.before & source.words)
        head, *rest = self.after
        return head in source.words or bool(set(rest) & set(source.after))


def negation_scopes(text: str, cue: re.Pattern[str], before: int, after: int) -> list[NegationScope]:
    """For each negation in the text ("not only" aside), the stems of the `before` content
    words before it and the `after` content words after it. A negation followed by no
    content word ("are not the same", "is not studied") governs the next plain word."""
    words = _SCOPE_WORD.findall(fold(_NOT_ONLY.sub(" ", text)))
    scopes = []
    for i, word in enumerate(words):
        if not cue.fullmatch(word):
            continue
        left = _content_stems(reversed(words[max(0, i - _SCOPE_REACH) : i]), before)
        right = _content_stems(words[i + 1 : i + 1 + _SCOPE_REACH], after)
        if not right and after:
            plain = [w for w in words[i + 1 : i + 4] if w not in _FILLERS][:1]
            right = stem_words(plain)
        own = sorted(stems(word.removesuffix("-free"))) if word.endswith("-free") else []  # "label-free"
        scopes.append(NegationScope(frozenset(left), tuple(own + right)))
    return scopes


#: Words skipped when a negation governs no content word ("not the same", "not to be").
_FILLERS = frozenset({"the", "a", "an", "be", "been", "to", "as", "so"})


def _content_stems(words: Iterable[str], n: int) -> list[str]:
    got: list[str] = []
    for word in words:
        if len(got) >= n:
            break
        got.extend(sorted(stems(word)))
    return got[:n]
