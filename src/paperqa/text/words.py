"""Words of a text: folding, tokens, Snowball stems, content words and their overlap.

One `stems()` for every rule that compares what two texts say.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable

from paperqa.text.wordlists import IRREGULAR_PLURALS, STOPWORDS

#: A word as BM25, the stems and the vocabulary see it: a run of letters or digits.
WORD = re.compile(r"[a-z0-9]+")
#: A word as the overlap scores see it: hyphenated and apostrophe compounds kept whole.
COMPOUND_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


class _Stemmer:
    """PyStemmer's English Snowball stemmer, with the sciences' Latin and Greek plurals read as
    their singular first ("corpora" -> corpus, "matrices" -> matrix). Has PyStemmer's
    `stemWord` / `stemWords`, so bm25s takes it as it is."""

    def __init__(self) -> None:
        import Stemmer

        self._snowball = Stemmer.Stemmer("english")

    def stemWord(self, word: str) -> str:  # noqa: N802 (PyStemmer's name)
        return str(self._snowball.stemWord(IRREGULAR_PLURALS.get(word, word)))

    def stemWords(self, words: list[str]) -> list[str]:  # noqa: N802
        return list(self._snowball.stemWords([IRREGULAR_PLURALS.get(w, w) for w in words]))


_PER_THREAD = threading.local()


def stemmer() -> _Stemmer:
    """The English stemmer of the calling thread: a Snowball stemmer has internal state and
    "must not be called concurrently" (PyStemmer), and the app's request threads and
    retrieval's BM25 thread all stem."""
    mine: _Stemmer | None = getattr(_PER_THREAD, "stemmer", None)
    if mine is None:
        mine = _PER_THREAD.stemmer = _Stemmer()
    return mine


def fold(text: str) -> str:
    """Lower case, accents and dash/quote variants folded, spacing collapsed: the form in
    which terms are compared."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[‐‑‒–—−]", "-", text).replace("’", "'")
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order (cheap: no folding; for indexing)."""
    return WORD.findall(text.lower())


def stem_words(words: Iterable[str]) -> list[str]:
    """The Snowball stem of each word, in order."""
    return list(stemmer().stemWords(list(words)))


def stem(word: str) -> str:
    return str(stemmer().stemWord(word))


def stems(text: str) -> set[str]:
    """Snowball stems of the content words of `text` (folded; stopwords and their stems out)."""
    words = [w for w in WORD.findall(fold(text)) if w not in STOPWORDS and len(w) > 1]
    return set(stem_words(words)) - stop_stems()


@functools.cache
def stop_stems() -> frozenset[str]:
    """Stems of the stopwords, so that "uses" is dropped like "use"."""
    return frozenset(stem_words(STOPWORDS))


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning (no stopwords, no one-letter words)."""
    return {w for w in COMPOUND_WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1}


def overlap(claim: str, evidence: str) -> float:
    """Share of the claim's content words found in the evidence (0 when the claim has none)."""
    words = content_words(claim)
    return len(words & content_words(evidence)) / len(words) if words else 0.0
