"""Is the library relevant to a question at all, and which papers does a request name?
Decisions over retrieval scores, kept apart so that each has one place and one reason."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from paperqa.retrieval import Retriever
from paperqa.settings import RetrievalSettings
from paperqa.store import Store
from paperqa.types import Paper, RetrievedChunk

#: Passages read to find the paper a request names ("summarize the CASAL paper").
FIND_PASSAGES = 6
#: A model's "not in the library" is a failure, not a finding, when the best passage is
#: this much above the relevance bar.
CONFIDENT_MARGIN = 0.1
_COMPARE = [
    re.compile(
        rf"^\W*(?:please\s+)?(?:compare|contrast)\s+(?P<a>.+?)\s+(?:{joins})\s+(?P<b>.+?)[\s.?!]*$",
        re.IGNORECASE | re.DOTALL,
    )
    for joins in (r"with|to|against|versus|vs\.?", "and")
]


def _best(chunks: Sequence[RetrievedChunk]) -> float:
    return max((c.dense or 0.0 for c in chunks), default=0.0)


def relevant(settings: RetrievalSettings, chunks: Sequence[RetrievedChunk]) -> bool:
    """Something in the library is about the question: a paper it names, or a passage at
    least `min_relevance` similar."""
    return bool(chunks) and (any(c.named for c in chunks) or _best(chunks) >= settings.min_relevance)


def off_topic(
    settings: RetrievalSettings, chunks: Sequence[RetrievedChunk], unknown_terms: Callable[[], list[str]]
) -> bool:
    """Retrieval is lukewarm and the question uses words no paper of the library uses."""
    if any(c.named for c in chunks) or _best(chunks) >= settings.sure_relevance:
        return False
    return bool(unknown_terms())


def confident(settings: RetrievalSettings, chunks: Sequence[RetrievedChunk]) -> bool:
    """Retrieval is sure enough that a model's "not in the library" is a failure, not a finding."""
    return any(c.named for c in chunks) or _best(chunks) >= settings.min_relevance + CONFIDENT_MARGIN


def find_papers(
    retriever: Retriever, store: Store, settings: RetrievalSettings, request: str, n: int = 1
) -> list[Paper]:
    """The `n` papers a request most likely means: papers it names first, then the best
    retrieved; [] when nothing in the library is relevant."""
    chunks = retriever.retrieve(request, k=max(FIND_PASSAGES, 2 * n))
    if not relevant(settings, chunks):
        return []
    ids = list(dict.fromkeys(c.paper_id for c in chunks))[:n]
    found = store.papers_by_id(ids)
    return [found[i].paper for i in ids if i in found]


def find_pair(retriever: Retriever, store: Store, settings: RetrievalSettings, request: str) -> list[Paper]:
    """The two papers a comparison request means. "Compare A with B" (or to, versus, and)
    looks each side up on its own, so a descriptive name ("the causal analysis paper")
    cannot be outranked by a third paper that matches the whole sentence."""
    match = next((m for pattern in _COMPARE if (m := pattern.match(request))), None)
    if not match:
        return find_papers(retriever, store, settings, request, 2)
    first = find_papers(retriever, store, settings, match["a"], 2)
    second = find_papers(retriever, store, settings, match["b"], 2)
    if not first or not second:
        return []
    a = first[0]
    b = next((p for p in second if p.id != a.id), None)
    return [a, b] if b else []
