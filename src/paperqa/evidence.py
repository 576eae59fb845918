"""Evidence first: what kind of question this is, which source sentences answer it,
and how a quoted sentence is made to read as an answer.

Pure functions over pydantic objects (the embedding ranker is passed in), tested
with tables of cases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from paperqa.citations import content_words, looks_like_instruction, overlap, split_sentences
from paperqa.grounding import NEGATION, fold, numbers, stems, terms
from paperqa.types import Paper, Source

#: The sentence that says what the paper contributes ("we propose ...", "this paper introduces").
CONTRIBUTION = re.compile(
    r"\b(?:we|this (?:paper|work|study|article|research))\s+(?:\w+\s+){0,2}?"
    r"(?:propose|introduce|present|develop|design|establish|bridge|test|analy[sz]e|explore)s?\b"
    r"|\bhere,? we\b|\bin this (?:paper|work|study|article),? we\b",
    re.IGNORECASE,
)

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


class QuestionKind(StrEnum):
    """What a question asks for; it decides which sentence answers it."""

    LIST = "list"  # which papers ..., what does the library say about ...
    YESNO = "yesno"  # does X improve Y?
    QUANTITY = "quantity"  # how much, how many, what accuracy ...
    DEFINITION = "definition"  # what is X?, what does X do?
    NAME = "name"  # which / what X (a method, dataset, model)
    GENERAL = "general"


_LIST = re.compile(
    r"\bwhich (?:of the )?(?:papers|works|studies|articles|publications)\b"
    r"|\b(?:papers|works|studies|articles) (?:in the library )?"
    r"(?:that|which|on|about|use|using|study|apply)\b"
    r"|\bwhat (?:does|do) (?:the )?(?:library|papers|collection) (?:say|have|contain|report)"
    r"|\b(?:list|name) (?:the |all |some )?(?:papers|works|studies)\b"
    r"|\bin the library'?s papers\b|\bacross the (?:library|papers)\b",
    re.IGNORECASE,
)
_YESNO = re.compile(
    r"^\W*(?:does|do|did|is|are|was|were|can|could|has|have|had|will|would|should|may|might)\b", re.I
)
_QUANTITY = re.compile(
    r"\bhow (?:much|many|large|big|fast|often|well|long|accurate)\b"
    r"|\bwhat (?:[\w-]+ ){0,2}(?:percentage|proportion|share|fraction|accuracy|rates?|gains?|performance|"
    r"improvement|speed-?up|scores?|reduction|increase|number|size|cost)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"^\W*(?:which|what|who|name)\b", re.IGNORECASE)
_DEFINITION = re.compile(
    r"^\W*what (?:(?:is|are|was|were) (?:the |a |an )?(?P<x>[\w-]+(?: [\w-]+){0,4}?)"
    r"|(?:does|do) (?:the )?(?P<y>[\w-]+(?: [\w-]+){0,4}?) (?:do|mean|stand for))\W*$",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"^(?:these|this|those|such|they|it|its|their|the latter|the former)\b", re.I)
_BACKGROUND = re.compile(
    r"^(?:prior|previous|earlier|past|existing|current|conventional|traditional|recent) (?:[\w-]+ ){0,3}?"
    r"(?:work|works|studies|research|methods|approaches|literature|efforts|techniques)\b"
    r"|^(?:it has been|studies have|researchers have|many works have) "
    r"(?:shown|found|demonstrated|established)\b",
    re.IGNORECASE,
)
_ASKS_BACKGROUND = re.compile(
    r"\b(?:prior|previous|earlier|past|existing|current|conventional|traditional|state[- ]of[- ]the[- ]art|"
    r"limit\w*|shortcomings?|fall short|drawbacks?|weakness\w*|criti\w*|fail\w*|lack\w*|problems?|"
    r"challenges?|motivat\w*|why|before)\b",
    re.IGNORECASE,
)
_NOT_EVIDENCE = re.compile(
    r"https?://|\bgithub\.com\b|\b(?:code|data|dataset|models?|implementation)s? (?:is|are|will be) "
    r"(?:publicly |freely )?(?:available|released)\b",
    re.IGNORECASE,
)


def question_kind(question: str) -> QuestionKind:
    if _LIST.search(question):
        return QuestionKind.LIST
    if _YESNO.search(question):
        return QuestionKind.YESNO
    if _QUANTITY.search(question):
        return QuestionKind.QUANTITY
    if _DEFINITION.search(question):
        return QuestionKind.DEFINITION
    if _NAME.search(question):
        return QuestionKind.NAME
    return QuestionKind.GENERAL


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


#: Acronyms of the field, not names of a paper's own method or data.
_FIELD_NAMES = frozenset(
    {"llm", "llms", "lm", "lms", "mllm", "mllms", "vlm", "vlms", "ai", "nlp", "dnn", "dnns"}
)
_HEAD = re.compile(
    r"^\W*(?:which|what)\s+(?:(?:two|three|new|kind of|type of|sort of)\s+)*([\w'-]+(?:\s+[\w'-]+)?)", re.I
)
_NOT_HEAD = re.compile(r"^(?:is|are|was|were|does|do|did|has|have|can|could|will|would|of|the|a|an)\b", re.I)


def head_words(question: str) -> set[str]:
    """Stems of the noun a "which/what X ..." question asks for ("evaluation framework")."""
    m = _HEAD.match(question)
    if not m or _NOT_HEAD.match(m.group(1)):
        return set()
    words = m.group(1).split()
    if len(words) == 2 and _NOT_HEAD.match(words[1]):  # "which model is ...": the verb is no noun
        words = words[:1]
    return stems(" ".join(words))


_COUNT = re.compile(r"\b(?:which|what)\s+(two|three|four|five|six)\b", re.IGNORECASE)
_REFERENCES = re.compile(r"\[[^\]]*\d{4}[^\]]*\]|\([^)]*et al\.[^)]*\)")


def focus_bonus(kind: QuestionKind, question: str, sentence: str, paper: Paper) -> float:
    """A sentence holding what this kind of question asks for: a new figure for "how much",
    new names for "which" (more names, more bonus: a list of models beats one acronym),
    a contribution for a list question; and, for any kind, a name the question uses other
    than the paper's own (every sentence of a paper may name it)."""
    own = {t.casefold() for t in terms(paper.title)} | set(fold(paper.title).split())
    asked = {t.casefold() for t in terms(question)} - own
    found = {t.casefold() for t in terms(_REFERENCES.sub(" ", sentence))} - own
    bonus = TERM_BONUS if asked & found else 0.0
    if kind == QuestionKind.QUANTITY:
        bonus += FOCUS_BONUS if numbers(sentence) - numbers(question) else 0.0
    elif kind == QuestionKind.NAME:
        new = {t for t in found - asked if t not in _FIELD_NAMES}
        bonus += FOCUS_BONUS * min(len(new), 2) / 2
        head = head_words(question)
        if new and head and head <= stems(sentence):
            bonus += HEAD_BONUS
        count = _COUNT.search(question)  # "which two models": the sentence naming two
        if new and count and re.search(rf"\b{count.group(1)}\b", sentence, re.IGNORECASE):
            bonus += HEAD_BONUS
    elif kind == QuestionKind.LIST:
        bonus += CONTRIBUTION_BONUS if CONTRIBUTION.search(sentence) else 0.0
    elif kind == QuestionKind.DEFINITION and (m := _DEFINITION.search(question)):
        bonus += DEFINITION_BONUS if defines(m.group("x") or m.group("y"), sentence) else 0.0
    return bonus


def defines(name: str, sentence: str) -> bool:
    """The sentence introduces or defines `name` (or the capitalised name in it: "FIND" of
    "FIND benchmark"): "we propose X, a ...", "Long Name (X)", "X (Long Name)", "X is a ..."
    at its start. What a "what is X?" question wants first."""
    words = [w for w in name.split() if w.lower() not in {"the", "a", "an"}]
    for candidate in dict.fromkeys([" ".join(words), *(w for w in words if w[:1].isupper())]):
        x = re.escape(candidate)
        introduced = rf"\b(?:propose|introduce|present|develop|design)s?\b(?:\W+\w+){{0,8}}?\W+{x}\b"
        defined = rf"\({x}\)|\b{x}\s\((?!\w+\))|^{x},? (?:is|are) an?\b"
        if re.search(introduced, sentence, re.I) or re.search(defined, sentence, re.I):
            return True
    return False


def score_sentences(
    question: str, kind: QuestionKind, sources: Sequence[Source], rank: Ranker
) -> list[Evidence]:
    """Every usable source sentence scored as evidence for `question`, best first."""
    scored: list[Evidence] = []
    background = 0.0 if _ASKS_BACKGROUND.search(question) else BACKGROUND_PENALTY
    for position, source in enumerate(sources):
        sentences = source_sentences(source)
        if not sentences:
            continue
        prior = NAMED_PAPER_BONUS * any(p.named for p in source.passages)
        prior += RANK_BONUS * max(0, RANK_PRIOR_SOURCES - position) / RANK_PRIOR_SOURCES
        for i, (sentence, sim) in enumerate(zip(sentences, rank(question, sentences), strict=True)):
            value = WEIGHT_MEANING * sim + WEIGHT_WORDS * overlap(question, sentence) + prior
            value += focus_bonus(kind, question, sentence, source.paper)
            value -= DANGLING_PENALTY * bool(_DANGLING.match(sentence))
            value -= background * bool(_BACKGROUND.match(sentence))
            scored.append(Evidence(source.number, source.paper, sentence, i, round(value, 4)))
    return sorted(scored, key=lambda e: -e.score)


def select(
    question: str,
    kind: QuestionKind,
    sources: Sequence[Source],
    rank: Ranker,
    *,
    limit: int = 3,
    per_source: int = 2,
    max_words: int | None = None,
) -> list[Evidence]:
    """The sentences that answer `question`, the one that answers it best first. For a
    list question, each paper's best sentence (one per paper)."""
    scored = score_sentences(question, kind, sources, rank)
    if not scored:
        return []
    if kind == QuestionKind.LIST:
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


def verdict(question: str, sentence: str) -> str | None:
    """ "Yes" or "No" when the sentence states the answer to a yes/no question: it holds
    most of the question's words, does not ask, aim or doubt ("whether", "to assess if",
    "unclear"), and its polarity (a negation or none) is the answer. None when the sentence
    does not settle it."""
    if not _YESNO.search(question):
        return None
    asked = stems(question)
    holds = len(asked & stems(sentence)) >= VERDICT_COVERAGE * len(asked)
    if not asked or not holds or _UNSETTLED.search(sentence):
        return None
    return "No" if NEGATION.search(sentence) else "Yes"


# --- making a quoted sentence read as an answer ------------------------------------------

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
_PRONOUNS = {"our": "their", "us": "them", "ours": "theirs", "ourselves": "themselves"}


_TITLE_NAME = re.compile(
    r"(?<![\w-])([A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?![\w-])"
)
_INTRODUCED = re.compile(
    r"\b(?i:we (?:present|introduce|propose|develop)|this (?:paper|work) (?:introduces|presents))"
    r"\s+(?:the |a |an )?([A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*)"
)
#: Acronyms in titles that name a field or a data type, not the paper's own contribution.
_GENERIC_NAMES = frozenset({"LLM", "LLMs", "MLLM", "MLLMs", "VLM", "VLMs", "EEG", "AI", "RAG", "COVID-19"})
_NAME_SUFFIX = re.compile(r"-(?:based|centric|like|driven|guided|aware)$", re.IGNORECASE)
#: A title head longer than this is cut for use as a label.
LABEL_WORDS = 6


def paper_label(paper: Paper) -> str:
    """How a sentence can name a paper: the name it gives its own contribution, in its title
    (CASAL, SAE-V, LegalVis) or introduced in its abstract ("we present TimeX"); else its
    title's head, cut to a few words."""
    in_title = [
        n for n in _TITLE_NAME.findall(paper.title) if n not in _GENERIC_NAMES and not _NAME_SUFFIX.search(n)
    ]
    introduced = [  # a dataset the paper introduces is not the paper ("BlockMNIST, a ... dataset")
        m.group(1)
        for m in _INTRODUCED.finditer(paper.abstract)
        if m.group(1) not in _GENERIC_NAMES and "dataset" not in paper.abstract[m.end() : m.end() + 60]
    ]
    for name in (*introduced, *in_title):
        if name in paper.title or name in introduced:
            return name
    head = paper.title.split(":")[0].strip()
    words = head.split()
    return head if len(words) <= LABEL_WORDS else " ".join(words[:LABEL_WORDS]) + "…"


def clean(sentence: str, name: str | None = None) -> str:
    """A quoted sentence made to stand alone: connectives that point outside it dropped
    ("However, ", "To address this, "), "we"/"our" turned into the authors (of `name`
    when given), the first letter capitalised. Figures and names are never touched."""
    text = " ".join(sentence.split())
    for _ in range(3):
        stripped = _OPENING.sub("", _CONNECTIVE.sub("", text))
        if stripped == text:
            break
        text = stripped
    authors = f"the {name} authors" if name else "the authors"
    first_we = re.search(r"\bwe\b", text, flags=re.IGNORECASE)
    if first_we:
        text = text[: first_we.start()] + authors + text[first_we.end() :]
        text = re.sub(r"\bwe\b", "they", text, flags=re.IGNORECASE)
    text = re.sub(
        r"\b(our|us|ours|ourselves)\b",
        lambda m: _PRONOUNS[m.group(1).lower()],
        text,
        flags=re.IGNORECASE,
    )
    return text[:1].upper() + text[1:] if text else text
