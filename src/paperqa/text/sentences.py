"""Sentences of a paragraph, and the character spans they cover.

Boundaries come from pySBD (rule-based sentence boundary disambiguation, the "Golden Rules"
set), so "et al. (2014)", "e.g.", "i.e.", "Fig. 3", "vs." and decimals stay inside their
sentence. Two fixes on top, for the text paperqa reads: citation markers that trail a full
stop (`... works. [1] Then`) stay with the sentence they follow, and the spans always cover
the text exactly as given (pySBD's own spans include the trailing space).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from paperqa.text.wordlists import SCIENTIFIC_ABBREVIATIONS

#: Citation markers at the start of a piece: they belong to the sentence before.
_LEADING_MARKERS = re.compile(r"(?:\s*\[[\d,;\s–-]+\])+")
#: What may stand before a sentence but is no part of it: spaces, and separators such as the
#: ":::" paragraph marks of some exports.
_LEADING_PUNCTUATION = re.compile(r"^[\s:;,|~•·-]*\s*")
#: A sentence ends with a full stop, "!" or "?" (then maybe a quote, bracket or citation).
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*(?:\s*\[[\d,;\s–-]+\])*\s*$")
#: Split results kept per distinct text: an answer re-reads the same few abstracts.
SPLIT_CACHE = 4096


@functools.cache
def _teach_abbreviations() -> None:
    from pysbd.lang.english import English

    known = English.Abbreviation.ABBREVIATIONS  # pySBD reads this list; papers use a few more
    known.extend(a for a in SCIENTIFIC_ABBREVIATIONS if a not in known)


def _segmenter() -> Any:
    """A new segmenter per text: pySBD's keeps the text it works on in itself, so one shared
    by the app's threads mixed their sentences up (1 microsecond to make)."""
    import pysbd

    _teach_abbreviations()
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


@functools.lru_cache(maxsize=SPLIT_CACHE)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[list[int]] = []
    for seg in _segmenter().segment(text):
        start, end = seg.start, seg.end
        if spans and not _ENDS_SENTENCE.search(text, spans[-1][0], spans[-1][1]):
            # pySBD starts a list item at "2)" or "(ii)": inside an abstract's sentence
            # ("by 1) learning ..., and 2) extracting ...") that is no boundary
            spans[-1][1] = end
            continue
        marker = _LEADING_MARKERS.match(text, start, end)
        if marker and spans:  # "[1] Then more." -> the "[1]" goes with the sentence before
            spans[-1][1] = marker.end()
            start = marker.end()
        spans.append([start, end])
    out = []
    for start, end in spans:
        piece = text[start:end]
        lead = len(piece) - len(_LEADING_PUNCTUATION.sub("", piece, count=1))
        trail = len(piece.rstrip())
        if trail > lead:
            out.append((start + lead, start + trail))
    return tuple(out)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, without surrounding spaces."""
    return list(_spans(text)) if text.strip() else []


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; citation markers stay with the sentence they follow."""
    text = " ".join(text.split())
    return [text[a:b] for a, b in sentence_spans(text)]


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
