"""Abbreviations and their long forms: "MCMC" and "Markov chain Monte Carlo" are one term.

Pairs come from three places, most specific first: the text itself defining them, by
Schwartz and Hearst's algorithm ("long form (SF)" or "SF (long form)"; A Simple Algorithm
for Identifying Abbreviation Definitions in Biomedical Text, PSB 2003); the initials of
consecutive words of the text ("DNN" in "deep neural networks", three letters or more);
and a short list of abbreviations the field writes without defining (`wordlists`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from paperqa.text.wordlists import COMMON_ABBREVIATIONS
from paperqa.text.words import fold

#: A short form: 2-10 characters, a letter first, at least one capital.
_SHORT = r"[A-Za-z][\w.-]{1,9}"
_PAREN = re.compile(rf"\(\s*({_SHORT})\s*[),;]")
_WORDS = re.compile(r"[\w'-]+")
#: An acronym spelled by initials needs this many letters ("RL" could be any two words).
INITIALS_MIN_LETTERS = 3


def _is_short_form(candidate: str) -> bool:
    letters = [c for c in candidate if c.isalpha()]
    return 2 <= len(candidate) <= 10 and bool(letters) and any(c.isupper() for c in candidate)


def _best_long_form(short: str, words: list[str]) -> str | None:
    """Schwartz-Hearst: the shortest run of the words before the short form whose characters
    hold the short form's letters in order, the first one starting a word."""
    key = [c.lower() for c in short if c.isalnum()]
    text = " ".join(words).lower()
    at_short, at_long = len(key) - 1, len(text) - 1
    while at_short >= 0:
        c = key[at_short]
        while at_long >= 0 and (
            text[at_long] != c or (at_short == 0 and at_long > 0 and text[at_long - 1].isalnum())
        ):
            at_long -= 1
        if at_long < 0:
            return None
        at_long -= 1
        at_short -= 1
    start = text.rfind(" ", 0, at_long + 1) + 1
    return " ".join(words)[start:] or None


def definitions(text: str) -> Iterator[tuple[str, str]]:
    """(short form, long form) pairs the text defines: "Markov chain Monte Carlo (MCMC)"."""
    for m in _PAREN.finditer(text):
        short = m.group(1).rstrip(".")
        if not _is_short_form(short):
            continue
        before = _WORDS.findall(text[: m.start()])
        window = before[-min(len(short) + 5, 2 * len(short)) :]
        if long := _best_long_form(short, window):
            yield short, long


def _letters(short: str) -> str:
    """The letters an abbreviation spells, a plural "s" dropped: "VAEs" -> "vae"."""
    core = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
    return "".join(c for c in core.lower() if c.isalpha())


def spelled_by_initials(short: str, text: str) -> bool:
    """Consecutive words of `text` whose initials spell `short` ("DNN": "deep neural networks",
    "GAN": "generative adversarial network"); hyphenated words count once per part."""
    letters = _letters(short)
    if len(letters) < INITIALS_MIN_LETTERS:
        return False
    initials = [w[0] for w in re.findall(r"[a-z0-9]+", fold(text))]
    joined = "".join(initials)
    return letters in joined and any(
        initials[i : i + len(letters)] == list(letters) for i in range(len(initials) - len(letters) + 1)
    )


def long_forms(short: str, *texts: str) -> set[str]:
    """What `short` stands for, by the texts' own definitions and the common list (folded)."""
    key = _letters(short)
    found = {fold(lf) for text in texts for sf, lf in definitions(text) if _letters(sf) == key}
    found |= {fold(lf) for lf in COMMON_ABBREVIATIONS.get(short.rstrip("s").upper(), ())}
    found |= {fold(lf) for lf in COMMON_ABBREVIATIONS.get(short.upper(), ())}
    return found


def expands_in(short: str, source: str, *defining: str) -> bool:
    """The source holds what `short` stands for: a long form the source, the sentence or the
    common list gives, or words whose initials spell it."""
    folded = fold(source)
    if any(lf and lf in folded for lf in long_forms(short, source, *defining)):
        return True
    return spelled_by_initials(short, source)
