"""Evidence first: which source sentences answer a question (scored and selected by the
question's kind), and whether a sentence settles a yes/no question.

Pure functions over pydantic objects (the embedding ranker is passed in), tested
with tables of cases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from paperqa.answer.intent import Intent, QuestionKind
from paperqa.answer.screening import looks_like_instruction
from paperqa.text.names import INTRODUCING_VERBS, terms
from paperqa.text.numbers import numbers
from paperqa.text.patterns import CONTRIBUTION, NEGATION
from paperqa.text.sentences import split_sentences
from paperqa.text.wordlists import FIELD_ACRONYMS
from paperqa.text.words import content_words, fold, overlap, stems
from paperqa.types import Paper, Source

#: (query, texts) -> similarity of each text to the query.
Ranker = Callable[[str, Sequence[str]], list[float]]

# Weights of a sentence's score as evidence for a question, with why:
#: meaning first: the embedder knows paraphrases the question's words miss.
WEIGHT_MEANING = 0.7
#: words second: a sentence sharing the question's rare words ("Jacobian") is often the one.
WEIGHT_WORDS = 0.3
#: a paper the question names by name is what the question is about.
NAMED_PAPER_BONUS = 0.15
#: retrieval's order is a weak prior: the first RANK_PRIOR_SOURCES sources get up to this much.
RANK_BONUS = 0.05
RANK_PRIOR_SOURCES = 3
#: the sentence holds what the question asks for (a figure for "how much", a name for "which").
FOCUS_BONUS = 0.12
#: the sentence holds a name the question uses other than the paper's own ("What is PrISM
#: used for?"): as rare a signal as BM25's exact match, so it outweighs general similarity.
TERM_BONUS = 0.2
#: the sentence holds the head noun of a "which X" question and a new name: "we develop an
#: evaluation framework, DiffROAR" for "Which evaluation framework ...?".
HEAD_BONUS = 0.1
#: for a list question, a sentence saying what the paper contributes ("we propose ...") is
#: a better one-line entry than its background.
CONTRIBUTION_BONUS = 0.08
#: for "what is X?", the sentence introducing or defining X ("we propose X, a ...") answers it
#: first, even when another sentence about X is closer in meaning to the short question.
DEFINITION_BONUS = 0.3
#: a sentence that opens by pointing outside itself ("These approaches ...") reads badly alone.
DANGLING_PENALTY = 0.08
#: a sentence about other people's work ("Prior work has shown ...") is the paper's background,
#: not its finding, and its claim is not the cited paper's own: it answers only when nothing
#: the paper itself says comes close, or when the question asks about earlier work.
BACKGROUND_PENALTY = 0.6
#: sentences scoring under this share of the best one are left out: a weak match from a
#: side paper would dilute a good answer.
KEEP_SHARE = 0.75
#: a sentence needs this many content words to say something.
MIN_CONTENT_WORDS = 3
#: share of a yes/no question's words a sentence must hold for its polarity to be the verdict.
VERDICT_COVERAGE = 0.75


_DANGLING = re.compile(r"^(?:these|this|those|such|they|it|its|their|the latter|the former)\b", re.I)
_BACKGROUND = re.compile(
    r"^(?:prior|previous|earlier|past|existing|current|conventional|traditional|recent) (?:[\w-]+ ){0,3}?"
    r"(?:work|works|studies|research|methods|approaches|literature|efforts|techniques)\b"
    r"|^(?:it has been|studies have|researchers have|many works have) "
    r"(?:shown|found|demonstrated|established)\b",
    re.IGNORECASE,
)
_NOT_EVIDENCE = re.compile(
    r"https?://|\bgithub\.com\b|\b(?:code|data|dataset|models?|implementation)s? (?:is|are|will be) "
    r"(?:publicly |freely )?(?:available|released)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Evidence:
    """A source sentence chosen to answer a question."""

    number: int  # the source's number
    paper: Paper
    sentence: str  # as the abstract has it
    position: int  # its index among the source's sentences
    score: float


def source_sentences(source: Source) -> list[str]:
    """The source's sentences that can be evidence: saying something (three content words
    or more), once each; never an instruction-like sentence (a prompt injection), a code or
    data availability notice, or a URL."""
    return list(
        dict.fromkeys(
            s
            for s in split_sentences(source.text)
            if len(content_words(s)) >= MIN_CONTENT_WORDS
            and not looks_like_instruction(s)
            and not _NOT_EVIDENCE.search(s)
        )
    )


_FIELD_ACRONYMS_FOLDED = frozenset(a.casefold() for a in FIELD_ACRONYMS)
_REFERENCES = re.compile(r"\[[^\]]*\d{4}[^\]]*\]|\([^)]*et al\.[^)]*\)")


def focus_bonus(intent: Intent, sentence: str, paper: Paper) -> float:
    """A sentence holding what this kind of question asks for: a new figure for "how much",
    new names for "which" (more names, more bonus: a list of models beats one acronym),
    a contribution for a list question; and, for any kind, a name the question uses other
    than the paper's own (every sentence of a paper may name it)."""
    own = {t.casefold() for t in terms(paper.title)} | set(fold(paper.title).split())
    asked = intent.terms - own
    found = {t.casefold() for t in terms(_REFERENCES.sub(" ", sentence))} - own
    bonus = TERM_BONUS if asked & found else 0.0
    kind = intent.kind
    if kind == QuestionKind.QUANTITY:
        bonus += FOCUS_BONUS if numbers(sentence) - intent.numbers else 0.0
    elif kind == QuestionKind.NAME:
        new = {t for t in found - asked if t not in _FIELD_ACRONYMS_FOLDED}
        bonus += FOCUS_BONUS * min(len(new), 2) / 2
        if new and intent.head and intent.head <= stems(sentence):
            bonus += HEAD_BONUS
        # "which two models": the sentence naming two
        if new and intent.count and re.search(rf"\b{intent.count}\b", sentence, re.IGNORECASE):
            bonus += HEAD_BONUS
    elif kind == QuestionKind.LIST:
        bonus += CONTRIBUTION_BONUS if CONTRIBUTION.search(sentence) else 0.0
    elif kind == QuestionKind.DEFINITION and intent.term:
        bonus += DEFINITION_BONUS if defines(intent.term, sentence) else 0.0
    return bonus


def defines(name: str, sentence: str) -> bool:
    """The sentence introduces or defines `name` (or the capitalised name in it: "FIND" of
    "FIND benchmark"): "we propose X, a ...", "Long Name (X)", "X (Long Name)", "X is a ..."
    at its start. What a "what is X?" question wants first."""
    words = [w for w in name.split() if w.lower() not in {"the", "a", "an"}]
    for candidate in dict.fromkeys([" ".join(words), *(w for w in words if w[:1].isupper())]):
        x = re.escape(candidate)
        introduced = rf"\b(?:{INTRODUCING_VERBS}|design)s?\b(?:\W+\w+){{0,8}}?\W+{x}\b"
        defined = rf"\({x}\)|\b{x}\s\((?!\w+\))|^{x},? (?:is|are) an?\b"
        if re.search(introduced, sentence, re.I) or re.search(defined, sentence, re.I):
            return True
    return False


def score_sentences(intent: Intent, sources: Sequence[Source], rank: Ranker) -> list[Evidence]:
    """Every usable source sentence scored as evidence for the question, best first."""
    question = intent.question
    scored: list[Evidence] = []
    background = 0.0 if intent.background else BACKGROUND_PENALTY
    for position, source in enumerate(sources):
        sentences = source_sentences(source)
        if not sentences:
            continue
        prior = NAMED_PAPER_BONUS * any(p.named for p in source.passages)
        prior += RANK_BONUS * max(0, RANK_PRIOR_SOURCES - position) / RANK_PRIOR_SOURCES
        for i, (sentence, sim) in enumerate(zip(sentences, rank(question, sentences), strict=True)):
            value = WEIGHT_MEANING * sim + WEIGHT_WORDS * overlap(question, sentence) + prior
            value += focus_bonus(intent, sentence, source.paper)
            value -= DANGLING_PENALTY * bool(_DANGLING.match(sentence))
            value -= background * bool(_BACKGROUND.match(sentence))
            scored.append(Evidence(source.number, source.paper, sentence, i, round(value, 4)))
    return sorted(scored, key=lambda e: -e.score)


def select(
    intent: Intent,
    sources: Sequence[Source],
    rank: Ranker,
    *,
    limit: int = 3,
    per_source: int = 2,
    max_words: int | None = None,
) -> list[Evidence]:
    """The sentences that answer the question, the one that answers it best first. For a
    list question, each paper's best sentence (one per paper)."""
    scored = score_sentences(intent, sources, rank)
    if not scored:
        return []
    if intent.kind == QuestionKind.LIST:
        per_source = 1
    floor = KEEP_SHARE * scored[0].score
    picked: list[Evidence] = []
    used: dict[int, int] = {}
    words = 0
    for e in scored:
        if e.score < floor or len(picked) == limit:
            break
        n_words = len(e.sentence.split())
        if used.get(e.number, 0) >= per_source or (max_words and picked and words + n_words > max_words):
            continue
        picked.append(e)
        used[e.number] = used.get(e.number, 0) + 1
        words += n_words
    return picked


#: A sentence that asks, aims or doubts does not settle a yes/no question, however many of its
#: words it holds: "To assess if X predicts Y", "explored whether", "It is unclear whether".
_UNSETTLED = re.compile(
    r"\bwhether\b|\?\s*$|^to (?:assess|determine|evaluate|investigate|examine|compare|explore|test|"
    r"study|analy[sz]e)\b|\b(?:aims?|aimed|purpose|objectives?|goals?|hypothes[ie]s|hypothesi[sz]ed|"
    r"unclear|unknown|controversial|debated|claimed|question|sought|planned|might)\b"
    r"|\b(?:assess|evaluat|investigat|examin|explor|determin)\w* if\b",
    re.IGNORECASE,
)


def verdict(intent: Intent, sentence: str) -> str | None:
    """ "Yes" or "No" when the sentence states the answer to a yes/no question: it holds
    most of the question's words, does not ask, aim or doubt ("whether", "to assess if",
    "unclear"), and its polarity (a negation or none) is the answer. None when the sentence
    does not settle it."""
    if intent.kind != QuestionKind.YESNO:
        return None
    asked = intent.stems
    holds = len(asked & stems(sentence)) >= VERDICT_COVERAGE * len(asked)
    if not asked or not holds or _UNSETTLED.search(sentence):
        return None
    return "No" if NEGATION.search(sentence) else "Yes"
