"""What a question asks: its kind (a list of papers, yes/no, a quantity, a definition, a
name, or open), the noun a "which X" question wants, what it refers back to. Every later
stage reads these; nothing else parses the question's wording."""

from __future__ import annotations

import re
from enum import StrEnum

from paperqa.text.words import stems


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
_COUNT = re.compile(r"\b(?:which|what)\s+(two|three|four|five|six)\b", re.IGNORECASE)
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


def is_yes_no(question: str) -> bool:
    """The question is answered by yes or no ("Does X improve Y?")."""
    return bool(_YESNO.search(question))


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


def asked_count(question: str) -> str | None:
    """The count a "which two models ..." question names ("two")."""
    m = _COUNT.search(question)
    return m.group(1) if m else None


def refers_back(question: str) -> bool:
    """The question points at something said before ("its", "they", "the paper")."""
    return bool(_REFERS_BACK.search(question))
