"""The figures of a text: numbers as written, and counts written as words."""

from __future__ import annotations

import re

from paperqa.text.wordlists import DATA_UNITS, NUMBER_WORDS
from paperqa.text.words import stem

#: A number as written, with an optional factor or magnitude suffix ("30x", "7B", "10k").
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?=(?:x|×|k|K|M|B|bn)?(?!\w))")
_LETTERS = re.compile(r"[a-z]+")


def numbers(text: str) -> set[str]:
    """The numbers of a text, normalised ("6,000" -> "6000", "30.0" kept as written)."""
    return {n.replace(",", "") for n in NUMBER.findall(text.replace("%", " % "))}


def figures(text: str) -> set[str]:
    """The numbers of a text, counts written as words included ("six" -> "6")."""
    return numbers(text) | {NUMBER_WORDS[w] for w in _LETTERS.findall(text.lower()) if w in NUMBER_WORDS}


#: How a text says 1 in words: "one example", "a single example".
_SINGLE = re.compile(r"\b(?:one|single)\b", re.IGNORECASE)


def decimals(number: str) -> int:
    return len(number.split(".", 1)[1]) if "." in number else 0


def figure_grounded(figure: str, source_figures: set[str], source: str) -> bool:
    """A figure of a sentence is in its source: written the same, as a count word ("three"),
    as "one"/"a single" for 1, or as a rounding of a source figure within that figure's
    precision ("96%" for 96.47%, "2.3" for 2.31)."""
    if figure in source_figures:
        return True
    if figure == "1" and _SINGLE.search(source):
        return True
    try:
        value = float(figure)
    except ValueError:
        return False
    places = decimals(figure)
    return any(
        decimals(s) > places and round(float(s), places) == value for s in source_figures if _is_float(s)
    )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


#: A count stands this many words before the thing it counts ("210 clinically validated
#: veteran twitter users") or two after ("users (n = 210)").
COUNT_BEFORE, COUNT_AFTER = 6, 2
_WORD_OR_NUMBER = re.compile(r"[A-Za-z][\w-]*|\d[\d.,]*")
_VAGUE_COUNT = frozenset({"single", "several", "dozen", "dozens", "hundreds", "thousands", "millions"})


def count_stated(counted: str, text: str) -> bool:
    """The text gives a count of the thing whose stem is `counted` ("three annotators",
    "62 demographic attributes", "a single annotator"): a figure or count word beside it."""
    return _counts(frozenset({counted}), text)


def _counts(counted: frozenset[str], text: str) -> bool:
    """A word whose stem is one of `counted` has a figure or count word beside it."""
    words = _WORD_OR_NUMBER.findall(text)
    for i, word in enumerate(words):
        if word[0].isalpha() and stem(word.lower()) in counted:
            near = words[max(0, i - COUNT_BEFORE) : i] + words[i + 1 : i + 1 + COUNT_AFTER]
            if any(w[0].isdigit() or w.lower() in NUMBER_WORDS or w.lower() in _VAGUE_COUNT for w in near):
                return True
    return False


_DATA_UNIT_STEMS = frozenset(stem(u) for u in DATA_UNITS)  # plurals stem the same


def counts_data(text: str) -> bool:
    """The text counts data in one of its units ("a random sample of 25k tweets", "1,000
    annotated sentences", "85 hours"): how big a data set is."""
    return _counts(_DATA_UNIT_STEMS, text)
