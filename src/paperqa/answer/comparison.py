"""`compare`: two papers side by side, one cited sentence per aspect and paper (the two-row
literature table, `table.fill`), and a paragraph that contrasts them aspect by aspect."""

from __future__ import annotations

from paperqa.answer.check.checking import Rules
from paperqa.answer.conversation import Conversation
from paperqa.answer.pipeline import Draft, Pipeline
from paperqa.answer.run import Run
from paperqa.answer.table import fill
from paperqa.answer.write import aspects, extractive
from paperqa.types import Answer, CitedSentence, Paper


def compare(pipeline: Pipeline, a: Paper, b: Paper, run: Run) -> Answer:
    """The comparison of two different papers (see `Tasks.compare`)."""
    sources, rows = fill(pipeline, [a, b], list(aspects.ASPECTS))
    rank, labels = pipeline.ranker(), pipeline.labels(sources)

    def draft() -> Draft:
        variables = {"title_a": a.title, "title_b": b.title}
        question = f"Compare {a.title} with {b.title}"
        return pipeline.draft("compare", variables, question, sources, Rules(cite_all=True), run)

    def quote() -> list[CitedSentence]:
        return aspects.contrast(rows, [labels[1], labels[2]]) or [
            s for src in sources for s in extractive.central_sentence(src, rank)
        ]

    answer = pipeline.compose(
        "compare", f"Compare: {a.title} | {b.title}", sources, Conversation(), run, quote=quote, draft=draft
    )
    answer.comparison = rows  # a comparison keeps its sources' numbers (`assemble.numbering`)
    return answer
