"""The decline gate: is the library relevant to a question at all? Decisions over
retrieval scores, each in one place with one reason, and the fixed sentence a decline says."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from paperqa.answer.conversation import Conversation
from paperqa.answer.understand.intent import Intent
from paperqa.settings import RetrievalSettings
from paperqa.types import RetrievedChunk

#: What every "the library cannot answer this" reply says, word for word. The
#: answer prompt asks the model for it, the code emits it, the tests look for it.
NOT_IN_LIBRARY = "The library has no paper that answers this question."
#: Said instead when the question is about a paper it does not name ("What datasets did they
#: use?" asked of the whole library): the library may well hold it.
UNNAMED_PAPER = (
    "The question is about a paper it does not name: put the paper's title or short name in the "
    "question, or choose the paper (`paperqa ask --paper ID`; `paper_ids` in the API), and ask again."
)


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
    return any(c.named for c in chunks) or _best(chunks) >= settings.min_relevance + settings.confident_margin


def decline_text(intent: Intent, conversation: Conversation) -> str:
    """What a declined answer says: that the library has no answer, or, for a question about a
    paper it does not name asked out of the blue, to name or choose the paper."""
    return UNNAMED_PAPER if intent.unnamed_paper and not conversation.turns else NOT_IN_LIBRARY
