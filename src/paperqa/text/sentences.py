"""Sentences of a paragraph, and the character spans they cover."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*(?:\[[\d,;\s–-]+\]))*\s+(?=[A-Z0-9\"'(\[])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; citation markers stay with the sentence they follow."""
    text = " ".join(text.split())
    return [text[a:b].strip() for a, b in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        # the boundary sits after any citations that trail the full stop
        end = m.start() + len(m.group(0).rstrip())
        spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def widen_to_sentences(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The parts of `text` covered by `spans`, each widened to whole sentences and
    merged where they overlap; separate parts are joined with " ... "."""
    sentences = sentence_spans(text)
    keep = sorted({i for a, b in spans for i, (s, e) in enumerate(sentences) if s < max(b, a + 1) and e > a})
    parts: list[list[int]] = []
    for i in keep:
        if parts and parts[-1][-1] == i - 1:
            parts[-1].append(i)
        else:
            parts.append([i])
    return " ... ".join(text[sentences[p[0]][0] : sentences[p[-1]][1]].strip() for p in parts)
