"""Sources: retrieved passages grouped into numbered papers, widened to whole sentences,
fitted to a token budget and rendered for a prompt. Pure functions."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from paperqa.answer.find.paragraphs import ranked
from paperqa.answer.find.parts import Role, paragraph_text, part_paragraphs
from paperqa.answer.screening import without_instructions
from paperqa.text.sentences import widen_to_sentences
from paperqa.text.tokens import count_tokens
from paperqa.types import Paper, RetrievedChunk, Source

#: Tokens a source costs beyond its text: the <source id=.. title=..> wrapper.
SOURCE_OVERHEAD_TOKENS = 20


def render_sources(sources: Sequence[Source]) -> str:
    """Sources as the model sees them, delimited so their text cannot pose as instructions."""
    blocks = []
    for s in sources:
        body = re.sub(r"</?\s*source", "(source", without_instructions(s.text), flags=re.I)
        blocks.append(f'<source id="{s.number}" title="{html.escape(s.paper.title)}">\n{body}\n</source>')
    return "\n\n".join(blocks)


def make_source(number: int, paper: Paper, passages: list[RetrievedChunk]) -> Source:
    """A numbered source whose text is its passages widened to whole sentences."""
    spans = [(p.start_char, p.end_char) for p in passages if p.end_char > p.start_char]
    if spans and len(spans) == len(passages):
        text = widen_to_sentences(paper.abstract, spans)
    else:
        text = " ... ".join(p.text for p in sorted(passages, key=lambda p: p.index))
    return Source(number=number, paper=paper, passages=passages, text=text)


def group_sources(chunks: Sequence[RetrievedChunk], papers: dict[str, Paper]) -> list[Source]:
    """Chunks grouped into one numbered source per paper, in rank order."""
    grouped: dict[str, list[RetrievedChunk]] = {}
    for chunk in chunks:
        grouped.setdefault(chunk.paper_id, []).append(chunk)
    return [make_source(n, papers[pid], passages) for n, (pid, passages) in enumerate(grouped.items(), 1)]


def fit_budget(sources: Sequence[Source], budget: int) -> list[Source]:
    """The leading sources (and passages) whose text, as the model will see it, fits in
    `budget` tokens; never none."""
    fitted: list[Source] = []
    used = 0
    for source in sources:
        best: tuple[Source, int] | None = None
        for n in range(1, len(source.passages) + 1):
            candidate = make_source(source.number, source.paper, source.passages[:n])
            cost = count_tokens(candidate.text) + SOURCE_OVERHEAD_TOKENS
            if (fitted or best) and used + cost > budget:
                break
            best = (candidate, cost)
        if best is None:
            break
        fitted.append(best[0])
        used += best[1]
        if len(best[0].passages) < len(source.passages):
            break
    return fitted


#: Paragraphs of a paper's body an answer reads beside its abstract: the best retrieved.
BODY_PARAGRAPHS = 4
#: Chunks of a chosen whole paper retrieved for the reranker to choose those paragraphs from.
BODY_CANDIDATES = 40


def with_body(
    source: Source,
    paragraphs: int | None = None,
    *,
    question: str | None = None,
    candidates: Sequence[RetrievedChunk] = (),
    lead: Sequence[tuple[int, int]] = (),
) -> Source:
    """The source as an answer reads it: its whole abstract, then the body paragraphs (whole)
    its retrieved passages come from, best first; the abstract alone for a paper without a
    body (or none of whose body was retrieved). With the `question`, "best" is the paragraph
    reranker's (`find.paragraphs`) over the passages, or over the `candidates` retrieved for the
    same question with more chunks a paper; only the `lead` paragraphs (section, paragraph)
    when given (a question asking for the paper's limitations reads where it states them:
    sentences elsewhere that mention limitations point there or are about others')."""
    paper = source.paper
    if question is not None and paper.sections:
        # the candidates (the same query, more chunks of this paper) hold the passages, in order
        chunks = [c for c in candidates if c.paper_id == paper.id] or source.passages
        places = list(lead) if lead else ranked(question, paper, chunks)
    else:
        body = ((p.section, p.paragraph) for p in source.passages)
        places = list(dict.fromkeys((s, p) for s, p in body if s is not None and p is not None))
    found = []
    for section, paragraph in places[: paragraphs or BODY_PARAGRAPHS]:
        texts = paper.sections[section].paragraphs if section < len(paper.sections) else []
        if paragraph < len(texts):
            found.append(texts[paragraph])
    return source.model_copy(update={"text": " ".join([paper.abstract, *found])})


def abstract_passage(paper: Paper) -> RetrievedChunk:
    """A paper's whole abstract as one passage."""
    return RetrievedChunk(
        chunk_id=f"{paper.id}#abstract",
        paper_id=paper.id,
        index=0,
        text=paper.abstract,
        start_char=0,
        end_char=len(paper.abstract),
    )


def whole_paper(paper: Paper, number: int) -> Source:
    """A source holding a paper's whole abstract (summaries and comparisons)."""
    return make_source(number, paper, [abstract_passage(paper)])


def summary_passages(paper: Paper, roles: Sequence[Role]) -> list[RetrievedChunk]:
    """What a summary of `paper` reads: its abstract, then (for a paper with a body) the lead
    paragraphs of its parts of `roles` (`parts.part_paragraphs`), each a passage knowing its
    place."""
    passages = [abstract_passage(paper)]
    for role in roles:
        for section, paragraph in part_paragraphs(paper, role):
            passages.append(
                RetrievedChunk(
                    chunk_id=f"{paper.id}#{role}-{section}-{paragraph}",
                    paper_id=paper.id,
                    index=len(passages),
                    text=paragraph_text(paper, section, paragraph),
                    section=section,
                    paragraph=paragraph,
                )
            )
    return passages
