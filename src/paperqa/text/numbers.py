"""The figures of a text: numbers as written, and counts written as words."""

from __future__ import annotations

import re

from paperqa.text.wordlists import NUMBER_WORDS

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
