"""Which papers a request means: "summarize the CASAL paper", "Compare A with B"."""

from __future__ import annotations

import re

from paperqa.answer.conversation import Conversation
from paperqa.answer.find.gate import relevant
from paperqa.answer.understand.intent import Intent, refers_back
from paperqa.index.store import Store
from paperqa.retrieval.hybrid import Retriever
from paperqa.settings import RetrievalSettings
from paperqa.types import Paper

#: Passages read to find the paper a request names ("summarize the CASAL paper").
FIND_PASSAGES = 6
_COMPARE = [
    re.compile(
        rf"^\W*(?:please\s+)?(?:compare|contrast)\s+(?P<a>.+?)\s+(?:{joins})\s+(?P<b>.+?)[\s.?!]*$",
        re.IGNORECASE | re.DOTALL,
    )
    for joins in (r"with|to|against|versus|vs\.?", "and")
]


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


def papers_meant(
    retriever: Retriever,
    store: Store,
    settings: RetrievalSettings,
    intent: Intent,
    conversation: Conversation,
) -> list[Paper]:
    """The papers a question about one paper's record means: those chosen or named, else the
    one the last answer cited first ("when was it published?"), else the best retrieved."""
    ids = list(intent.chosen or intent.named)
    if not ids and conversation.turns and refers_back(intent.question):
        ids = conversation.last_cited()[:1]
    if ids:
        found = store.papers_by_id(ids)
        return [found[i].paper for i in ids if i in found]
    return find_papers(retriever, store, settings, intent.question)
