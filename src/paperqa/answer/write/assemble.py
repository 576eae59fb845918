"""The assemble stage: citation numbers that stay stable through a conversation, the
reference list, and the fixed "not in the library" answer. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from paperqa.answer.check.citations import render, renumber
from paperqa.answer.conversation import Conversation, Short
from paperqa.answer.find.gate import NOT_IN_LIBRARY
from paperqa.answer.find.sources import make_source
from paperqa.answer.run import Run
from paperqa.types import Answer, CitedSentence, Paper, Reference, RetrievedChunk, Source

#: A declined answer lists this many nearest papers, so the reader sees what is close.
NEAREST_PAPERS = 3


def assemble(
    task: str,
    question: str,
    sentences: list[CitedSentence],
    sources: list[Source],
    conversation: Conversation,
    run: Run,
    *,
    backend: str,
    mode: str,
    fallback: str | None = None,
    not_stated: bool = False,
    short: Short | None = None,
) -> Answer:
    """The answer, renumbered to the conversation's numbers, with its reference list. `short`:
    the words that answer and the source they are quoted from, shown first."""
    mapping = numbering(task, sentences, sources, conversation, short)
    sentences = renumber(placed(sentences, sources), mapping)
    numbered = [s.model_copy(update={"number": mapping[s.number]}) for s in sources]
    cited = {c for s in sentences for c in s.citations}
    if short is not None:
        cited.add(mapping[short.citation])
    if task in ("compare", "table"):  # every row (or side) is numbered, cited or "Not stated"
        cited = {s.number for s in numbered}
    run.usage.total_seconds = run.elapsed()
    return Answer(
        task=task,
        question=question,
        text=render(sentences),
        sentences=sentences,
        references=[reference(s) for s in sorted(numbered, key=lambda s: s.number) if s.number in cited],
        sources=numbered,
        not_stated=not_stated,
        fallback=fallback,
        short_answer=short.text if short else None,
        short_citation=mapping[short.citation] if short else None,
        backend=backend if run.usage.llm_calls else "none",
        mode=mode,
        usage=run.usage,
    )


def placed(sentences: list[CitedSentence], sources: Sequence[Source]) -> list[CitedSentence]:
    """The sentences with the section and page of their evidence when it is from the body of
    the paper they cite first (a model's sentence, a rewrite: a quote knows its place already)."""
    papers = {s.number: s.paper for s in sources}
    out = []
    for s in sentences:
        paper = papers.get(s.citations[0]) if s.citations else None
        place = paper.place_of(s.evidence) if s.section is None and s.evidence and paper else None
        if place is not None:
            s = s.model_copy(update={"section": place.section, "page": place.page})
        out.append(s)
    return out


def numbering(
    task: str,
    sentences: list[CitedSentence],
    sources: list[Source],
    conversation: Conversation,
    short: Short | None = None,
) -> dict[int, int]:
    """The answer's source numbers mapped to the conversation's.

    Only cited papers take a number of the conversation, in the order the answer first cites
    them, so a new conversation's first answer reads [1], [2]...; a comparison or table keeps its
    papers' order (the table's columns or rows). Uncited sources get numbers past the conversation's
    without keeping them.
    """
    by_number = {s.number: s for s in sources}
    order = (
        [s.number for s in sources]
        if task in ("compare", "table")
        else [*([short.citation] if short else []), *(c for s in sentences for c in s.citations)]
    )
    mapping = {
        n: conversation.number_for(by_number[n].paper.id) for n in dict.fromkeys(order) if n in by_number
    }
    spare = max(conversation.numbers.values(), default=0)
    for s in sources:
        if s.number not in mapping:
            known = conversation.numbers.get(s.paper.id)
            if known is None:
                spare += 1
            mapping[s.number] = known if known is not None else spare
    return mapping


def not_in_library(
    task: str,
    question: str,
    chunks: Sequence[RetrievedChunk],
    papers: dict[str, Paper],
    conversation: Conversation,
    run: Run,
    *,
    backend: str,
    mode: str,
    text: str = NOT_IN_LIBRARY,
) -> Answer:
    """The fixed "not in the library" answer (or `text`), listing the nearest papers (`papers`
    by id)."""
    sources = [
        make_source(conversation.number_for(pid), papers[pid], [c for c in chunks if c.paper_id == pid])
        for pid in nearest(chunks)
        if pid in papers
    ]
    run.usage.total_seconds = run.elapsed()
    return Answer(
        task=task,
        question=question,
        text=text,
        sentences=[CitedSentence(text=text)],
        references=[reference(s) for s in sources],
        sources=sources,
        not_in_library=True,
        backend=backend if run.usage.llm_calls else "none",
        mode=mode,
        usage=run.usage,
    )


def nearest(chunks: Sequence[RetrievedChunk]) -> list[str]:
    """Ids of the papers closest in meaning to the question, best first."""
    ranked = sorted(chunks, key=lambda c: -(c.dense or 0.0))
    return list(dict.fromkeys(c.paper_id for c in ranked))[:NEAREST_PAPERS]


def reference(source: Source) -> Reference:
    p = source.paper
    return Reference(
        number=source.number, paper_id=p.id, title=p.title, date=p.date, date_text=p.date_text, url=p.url
    )
