"""What a question asks, read once: the `Intent`.

Its kind (a list of papers, yes/no, a quantity, a definition, a name, or open), whether it
asks about the papers' records (authors, dates, venues, counts), the papers it is about
(chosen with --paper, in the app or through the API; named in the question; or the ones a
follow-up refers back to), what retrieval searches, the topic and date range of a question
about several papers, and the details evidence selection reads (the noun a "which X"
question wants, the term a "what is X" question defines, the subject of a yes/no
question). Every later stage reads the `Intent`; nothing else parses the question's
wording. Adding a kind means one rule here and one handler in `answer.ask`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from paperqa.answer.understand.records import RecordQuestion, parse_record, year_filter
from paperqa.text.names import terms
from paperqa.text.numbers import numbers
from paperqa.text.wordlists import STOPWORDS
from paperqa.text.words import content_words, stem, stems

if TYPE_CHECKING:
    from paperqa.answer.conversation import Conversation

#: A follow-up ("what are its limits?") is about the papers the last answer cited, up to this many.
FOLLOW_UP_PAPERS = 2


class QuestionKind(StrEnum):
    """What a question asks for; it decides which sentence answers it."""

    LIST = "list"  # which papers ..., what does the library say about ...
    YESNO = "yesno"  # does X improve Y?
    QUANTITY = "quantity"  # how much, how many, what accuracy ...
    DEFINITION = "definition"  # what is X?, what does X do?
    NAME = "name"  # which / what X (a method, dataset, model)
    GENERAL = "general"


_LIST = re.compile(
    r"\bwhich (?:of the )?(?:(?:19|20)\d\d\s+)?(?:papers|works|studies|articles|publications)\b"
    r"|\b(?:papers|works|studies|articles) (?:in the library )?"
    r"(?:that|which|on|about|use|using|study|apply)\b"
    r"|\bwhat (?:does|do) (?:the )?(?:library|papers|collection) (?:say|have|contain|report)"
    r"|\b(?:list|name) (?:the |all |some )?(?:papers|works|studies)\b"
    r"|\bin the library'?s papers\b|\bacross the (?:library|papers)\b"
    r"|\b(?:in|across|among) (?:the|my|this|our) (?:library|collection|reading list)\b",
    re.IGNORECASE,
)
#: Words that point at the library itself, not at what its papers say: "What benchmarks are
#: proposed in the library?" searches for benchmarks, not for the word "library".
_ABOUT_LIBRARY = re.compile(
    r"\s*\b(?:in|across|among|within|of|from) (?:(?:the|my|this|our|these) )?"
    r"(?:library'?s? papers|library|collection|reading list|papers)\b",
    re.IGNORECASE,
)
#: A question about what papers contribute: "Which papers propose a benchmark?", "What
#: datasets are introduced ...?" (papers that merely evaluate on benchmarks come after).
_ASKS_CONTRIBUTION = re.compile(
    r"\b(?:propos|introduc|present|releas|develop|contribut|creat)\w*\b", re.IGNORECASE
)
#: A second question joined to a list question ("Which papers propose a benchmark, and what
#: do they measure?"): the papers are found by the first.
_AND_ASKS = re.compile(
    r",?\s+and\s+(?:what|how|which|why|when|where|who|do|does|did|is|are|can)\b.*$", re.IGNORECASE
)
#: A yes/no question opens with an auxiliary verb (after at most one word and a comma: "Overall, does ...").
_YESNO = re.compile(
    r"^\W*(?:\w+,\s*)?(?:does|do|did|is|are|was|were|can|could|has|have|had|will|would|should|may|might)\b",
    re.I,
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
_ASKS_BACKGROUND = re.compile(
    r"\b(?:prior|previous|earlier|past|existing|current|conventional|traditional|state[- ]of[- ]the[- ]art|"
    r"limit\w*|shortcomings?|fall short|drawbacks?|weakness\w*|criti\w*|fail\w*|lack\w*|problems?|"
    r"challenges?|motivat\w*|why|before)\b",
    re.IGNORECASE,
)
_HEAD = re.compile(
    r"^\W*(?:which|what)\s+(?:(?:two|three|new|kind of|type of|sort of)\s+)*([\w'-]+(?:\s+[\w'-]+)?)", re.I
)
_NOT_HEAD = re.compile(r"^(?:is|are|was|were|does|do|did|has|have|can|could|will|would|of|the|a|an)\b", re.I)
_WHICH_COUNT = re.compile(r"\b(?:which|what)\s+(two|three|four|five|six)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(
    r"\b(it|its|it's|they|their|them|this|that|these|those|the paper|the method|the authors)\b", re.I
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


def defined_term(question: str) -> str | None:
    """What a "what is X?" / "what does X do?" question asks to define."""
    m = _DEFINITION.search(question)
    return (m.group("x") or m.group("y")) if m else None


def asks_background(question: str) -> bool:
    """The question is about earlier work, limits or motivation: background sentences answer it."""
    return bool(_ASKS_BACKGROUND.search(question))


def head_words(question: str) -> set[str]:
    """Stems of the noun a "which/what X ..." question asks for ("evaluation framework")."""
    m = _HEAD.match(question)
    if not m or _NOT_HEAD.match(m.group(1)):
        return set()
    words = m.group(1).split()
    if len(words) == 2 and _NOT_HEAD.match(words[1]):  # "which model is ...": the verb is no noun
        words = words[:1]
    return stems(" ".join(words))


_HOW_MANY = re.compile(r"\bhow many ([\w-]+)(?: ([\w-]+))?", re.IGNORECASE)
_DATA = (
    r"(?:data ?sets?|corpus|corpora|data|training set|test set|dev set|development set|treebank|benchmark)"
)
#: "How big is the dataset?", "What is the size of their corpus?", "what is the test set size?"
#: (not "How long does it take to train on the dataset?"; "How many X are in it?" counts X).
_DATA_SIZE = re.compile(
    rf"\bhow (?:big|large|long) (?:is|are|was|were)\b[\w\s-]*?\b{_DATA}\b"
    rf"|\b(?:size|scale) of\b[\w\s-]*?\b{_DATA}\b"
    rf"|\b{_DATA} size\b",
    re.IGNORECASE,
)


def asks_data_size(question: str) -> bool:
    """The question asks how big a data set is, in whatever it counts."""
    return bool(_DATA_SIZE.search(question))


def counted_noun(question: str) -> str | None:
    """The stem of what a "how many X ...?" question counts ("annotators", "twitter users"
    -> "user"); None for other questions."""
    m = _HOW_MANY.search(question)
    if not m:
        return None
    first, second = m.group(1), m.group(2)
    noun = second if second and second.lower() not in STOPWORDS and not second.endswith("ed") else first
    return stem(noun.lower())


def asked_count(question: str) -> str | None:
    """The count a "which two models ..." question names ("two")."""
    m = _WHICH_COUNT.search(question)
    return m.group(1) if m else None


#: Words that mean one paper the question does not name: "What datasets did they use?",
#: "What is the common belief that this paper refutes?".
_UNNAMED_PAPER = re.compile(
    r"\b(?:they|their|them|the authors?|this (?:paper|work|study|article)|the paper|"
    r"the proposed (?:method|model|approach|system))\b",
    re.IGNORECASE,
)


def refers_back(question: str) -> bool:
    """The question points at something said before ("its", "they", "the paper")."""
    return bool(_REFERS_BACK.search(question))


# --- questions about several papers --------------------------------------------------------

_LIST_REQUEST = re.compile(
    r"^\W*(?:which|what)\s+(?:of the\s+)?(?:papers|works|studies|articles|publications)\s+"
    r"(?:(?:in|of|from) the library\s+)?"
    r"(?:(?:deal|deals|work|works|are|is|have|has)\s+(?:with|about|on)\s+|(?:about|on|regarding|concerning)\s+|"
    r"(?:study|studies|use|uses|apply|applies|propose|proposes|introduce|introduces|present|presents|"
    r"address|addresses|discuss|discusses|mention|mentions|focus on|focuses on|investigate|investigates|"
    r"explore|explores|evaluate|evaluates|report|reports|tackle|tackles|consider|considers|"
    r"release|releases|develop|develops|create|creates|contribute|contributes|build|builds)\s+)?",
    re.IGNORECASE,
)
_LIBRARY_SAYS = re.compile(
    r"^\W*what (?:does|do) (?:the )?(?:library|papers|collection) (?:say|have|contain|report)"
    r"\s*(?:about|on)?\s*",
    re.IGNORECASE,
)


#: "What benchmarks are proposed (in the library)?": the thing asked for is the topic.
_WHAT_THINGS_ARE = re.compile(
    r"^\W*(?:what|which)\s+(?P<x>[\w' -]+?)\s+(?:are|were|is|was|have been|has been)\s+"
    r"(?:\w+ed|\w+en|used|made|built)\s*[?.!]*$",
    re.IGNORECASE,
)


def list_topics(question: str) -> tuple[str, list[str]]:
    """(topic, its parts) of a question about several papers: "Which papers work with time
    series or EEG signals?" -> ("time series or EEG signals", ["time series", "EEG signals"]).
    Only a "which papers ..." question is split at "or"; otherwise the one part is the topic."""
    request = _LIST_REQUEST.match(question) or _LIBRARY_SAYS.match(question)
    topic = question[request.end() :] if request else question
    topic = _AND_ASKS.sub("", _ABOUT_LIBRARY.sub("", topic)).strip(" ?.!") or question
    if not request and (m := _WHAT_THINGS_ARE.match(topic)):
        topic = m.group("x")
    parts = [p.strip() for p in re.split(r"\s+(?:or|and/or)\s+", topic) if p.strip()] if request else []
    return topic, parts if len(parts) > 1 else [topic]


# --- the intent ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Intent:
    """What one question asks; built by `read_intent`, read by every later stage."""

    question: str
    kind: QuestionKind
    #: A question about the papers' records ("Who wrote X?"), answered without retrieval.
    record: RecordQuestion | None = None
    #: Papers chosen outside the question: --paper, the app's selection, the API's paper_ids.
    chosen: tuple[str, ...] = ()
    #: Papers the question names, by short name (CASAL) or title.
    named: tuple[str, ...] = ()
    #: Papers a follow-up refers back to ("what are its results?"): those the last answer cited.
    focus: tuple[str, ...] = ()
    #: What retrieval searches: the question, with the previous one for a follow-up.
    query: str = ""
    #: A question about several papers: its topic and the parts it is looked up by.
    topic: str = ""
    parts: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    #: What a "what is X?" question asks to define.
    term: str | None = None
    #: Stems of the noun a "which X ..." question asks for, and the count it names ("which two").
    head: frozenset[str] = field(default_factory=frozenset)
    count: str | None = None
    #: The stem of what a "how many X ...?" question counts.
    counted: str | None = None
    #: The question asks how big a data set is ("How big is the dataset?").
    data_size: bool = False
    #: The question asks about earlier work, limits or motivation.
    background: bool = False
    #: A list question asks what papers propose or introduce (not what they use).
    contribution: bool = False
    #: The question is about one paper it does not name ("What datasets did they use?").
    unnamed_paper: bool = False
    #: Stems of a yes/no question's subject ("Is [English] a pro-drop language?").
    subject: frozenset[str] = field(default_factory=frozenset)
    #: The question's content stems, names and figures, each computed once; its content words
    #: (unstemmed) and the stems of a list question's topic.
    stems: frozenset[str] = field(default_factory=frozenset)
    terms: frozenset[str] = field(default_factory=frozenset)
    numbers: frozenset[str] = field(default_factory=frozenset)
    words: frozenset[str] = field(default_factory=frozenset)
    topic_stems: frozenset[str] = field(default_factory=frozenset)

    @property
    def papers(self) -> tuple[str, ...]:
        """The papers the question is about: chosen, else named, else a follow-up's. When there
        are any, the library-level "nothing relevant" decline does not apply."""
        return self.chosen or self.named or self.focus

    def as_kind(self, kind: QuestionKind) -> Intent:
        return replace(self, kind=kind)


def read_intent(
    question: str,
    *,
    named: Callable[[str], Sequence[str]] = lambda _: (),
    conversation: Conversation | None = None,
    chosen: Sequence[str] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Intent:
    """The intent of a (checked) question. `named(text)` gives the ids of the papers a text
    names (the library's name table); `conversation` the earlier turns of a chat."""
    kind = question_kind(question)
    named_ids = tuple(named(question))
    searched = _ABOUT_LIBRARY.sub("", question).strip() or question  # not the word "library"
    query = searched
    focus: tuple[str, ...] = ()
    if conversation is not None and conversation.turns and not named_ids and refers_back(question):
        query = f"{question} {conversation.turns[-1].question}"
        focus = tuple(conversation.last_cited()[:FOLLOW_UP_PAPERS])
    topic = question
    parts: tuple[str, ...] = (question,)
    if kind == QuestionKind.LIST:  # "which papers from 2025 deal with steering?"
        without_year, since, until = year_filter(question)
        date_from, date_to = date_from or since, date_to or until
        topic, split = list_topics(without_year)
        parts = tuple(split)
    return Intent(
        question=question,
        kind=kind,
        record=parse_record(question),
        chosen=tuple(chosen),
        named=named_ids,
        focus=focus,
        query=query,
        topic=topic,
        parts=parts,
        date_from=date_from,
        date_to=date_to,
        term=defined_term(question),
        head=frozenset(head_words(question)),
        count=asked_count(question),
        counted=counted_noun(question),
        data_size=asks_data_size(question),
        background=asks_background(question),
        contribution=kind == QuestionKind.LIST and bool(_ASKS_CONTRIBUTION.search(question)),
        unnamed_paper=kind != QuestionKind.LIST and not named_ids and bool(_UNNAMED_PAPER.search(question)),
        subject=frozenset(subject_of(question)),
        stems=frozenset(stems(searched)),
        terms=frozenset(t.casefold() for t in terms(question)),
        numbers=frozenset(numbers(question)),
        words=frozenset(content_words(question)),
        topic_stems=frozenset(stems(topic)),
    )


def subject_of(question: str) -> set[str]:
    """Stems of a yes/no question's subject: its first content word after the auxiliary
    ("Is [English] a pro-drop language?" -> english; "Do the [decoder] LSTMs ..." -> decod).
    Empty when the subject is the paper itself ("Do they ...", "Did the authors ...")."""
    m = _YESNO.search(question)
    if not m:
        return set()
    for word in re.findall(r"[\w-]+", question[m.end() :]):
        low = word.lower()
        if low in _SELF:
            return set()
        if low not in STOPWORDS and len(low) > 1:
            return stems(word)
    return set()


#: A yes/no question whose subject is one of these asks about the paper itself.
_SELF = frozenset({"they", "authors", "author", "paper", "work", "study", "approach", "method", "model"})
