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
