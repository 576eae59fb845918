"""Citation markers: read a model's [n] markers into cited sentences, renumber them for a
conversation, and write them back after each sentence. Pure functions, tested with tables."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from paperqa.text.sentences import split_sentences
from paperqa.types import CitedSentence

_CITATION = re.compile(r"\[(\s*\d+(?:\s*[,;–-]\s*\d+)*\s*)\]")


def parse_citations(sentence: str) -> tuple[str, list[int]]:
    """(sentence without markers, cited numbers in order). `[1, 3]`, `[1][2]`, `[2-4]` all work."""
    numbers: list[int] = []
    for group in _CITATION.findall(sentence):
        for part in re.split(r"[,;]", group):
            bounds = [int(x) for x in re.findall(r"\d+", part)]
            if len(bounds) == 2 and re.search(r"[–-]", part) and 0 < bounds[1] - bounds[0] < 20:
                numbers.extend(range(bounds[0], bounds[1] + 1))
            else:
                numbers.extend(bounds)
    clean = _CITATION.sub("", sentence)
    clean = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(clean.split()))
    return clean.strip(), list(dict.fromkeys(numbers))


def cite_sentences(text: str, valid: set[int]) -> list[CitedSentence]:
    """Sentences with citations, keeping only numbers that name a given source."""
    out = []
    for raw in split_sentences(text):
        clean, numbers = parse_citations(raw)
        if clean:
            out.append(CitedSentence(text=clean, citations=[n for n in numbers if n in valid]))
    return out


def renumber(sentences: Sequence[CitedSentence], mapping: Mapping[int, int]) -> list[CitedSentence]:
    """Citation numbers mapped to new ones (e.g. a conversation's stable numbering)."""
    return [
        s.model_copy(update={"citations": [mapping[c] for c in s.citations if c in mapping]})
        for s in sentences
    ]


def render(sentences: Sequence[CitedSentence]) -> str:
    """The answer text with citation markers after each sentence: `... text [1][3].`"""
    parts = []
    for s in sentences:
        marks = "".join(f"[{n}]" for n in s.citations)
        if marks and s.where:
            marks += f" {s.where}"
        if marks and s.text[-1:] in ".!?":
            parts.append(f"{s.text[:-1]} {marks}{s.text[-1]}")
        elif marks:
            parts.append(f"{s.text} {marks}")
        else:
            parts.append(s.text)
    return " ".join(parts)
