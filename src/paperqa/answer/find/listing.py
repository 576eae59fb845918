"""Questions about several papers ("which papers ...", "what does the library say about
..."): the topic and its parts, the papers that belong in the answer, and each one's best
sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperqa.answer.understand.intent import Intent
from paperqa.text.patterns import MAKES
from paperqa.text.sentences import split_sentences
from paperqa.text.words import stems
from paperqa.types import Paper, RetrievedChunk, Source

#: A list question ("which papers ...") reads this many passages and names up to this many papers.
LIST_PASSAGES = 14
LIST_PAPERS = 5
#: ...or when its abstract holds the words of the topic that at most this share of the
#: library's papers use (words that tell papers apart)...
LIST_RARE_SHARE = 0.3
#: ...weighted by rarity (inverse document frequency), at least this share of them.
LIST_COVERAGE = 0.5


def list_queries(intent: Intent) -> list[str]:
    """What a list question searches for: each part of its topic; for a question about what
    papers propose, each part also as an abstract says it ("we present a new dataset"), which
    finds the papers that contribute one rather than those that merely use data."""
    if not intent.contribution:
        return list(intent.parts)
    return [q for part in intent.parts for q in (part, f"we present {part}")]


#: What a paper makes is named within this many words after "we present" ("We introduce
#: FIND (Function INterpretation and Description), a benchmark suite"); a topic word further
#: on is something else ("we propose a Bayesian model ... and use it to explore the
#: usefulness of parallel corpora").
MADE_WORDS = 12


def contribution_sentence(sentence: str, topic: set[str]) -> bool:
    """The sentence says what the paper makes and holds every word of the topic ("This paper
    introduces FIND, a benchmark suite"), unlike one that evaluates on it ("assess VDR across 15
    retrieval benchmark datasets") or studies it ("this paper gives analyses of corpora")."""
    if not topic:
        return False
    for made in MAKES.finditer(sentence):
        what = " ".join(sentence[made.end() :].split()[:MADE_WORDS])
        if topic <= stems(what):
            return True
    return False


def contributes(paper: Paper, topic: set[str]) -> bool:
    """The paper contributes the topic: its title names it as its own ("A Function
    Interpretation Benchmark ...", "ReviewQA: a relational aspect-based opinion reading
    dataset"), or one of its abstract's sentences says it contributes it."""
    return bool(topic and topic <= stems(title_heads(paper.title))) or any(
        contribution_sentence(s, topic) for s in split_sentences(paper.abstract)
    )


#: In a title, what comes after one of these is what the paper works on, not what it makes:
#: "... disambiguation using a very large corpus", "Stereotyping and Bias in the Flickr30K
#: Dataset", "Analysis of Wikipedia-based Corpora".
_WORKS_ON = re.compile(
    r"\s(?:using|with|via|in|on|from|through|of|across|over|by|into|without|against|beyond|during|"
    r"under|at|when|for evaluating|to evaluate)\s.*$",
    re.IGNORECASE,
)


def title_heads(title: str) -> str:
    """The parts of a title that name what the paper makes: each part between colons up to
    its first preposition ("Named Entities in Medical Case Reports: Corpus and Experiments"
    -> "Named Entities Corpus and Experiments")."""
    return " ".join(_WORKS_ON.sub("", part.strip()) for part in re.split(r"[:?]", title))


def with_contributors(intent: Intent, found: Sequence[Source], relevant: Sequence[Source]) -> list[Source]:
    """The relevant sources, and for a question about what papers propose, every found paper
    that contributes the topic, however its abstract words it: those first, then the other
    relevant ones, each in the order found."""
    if not intent.contribution:
        return list(relevant)
    topic, kept = set(intent.topic_stems), {s.paper.id for s in relevant}
    makers = {s.paper.id for s in found if contributes(s.paper, topic)}
    return [s for s in found if s.paper.id in makers] + [
        s for s in found if s.paper.id in kept and s.paper.id not in makers
    ]


def list_sources(
    sources: Sequence[Source], rare: Sequence[dict[str, float]], relevance: float, margin: float
) -> list[Source]:
    """The papers that belong in an answer to a list question: named ones; those whose
    abstract holds most of the distinctive words of a part of the topic, weighted by
    rarity (`rare`: per part, stem -> inverse document frequency; "hallucinations":
    one-word topics embed poorly, but the word itself is decisive); and those close in
    meaning (at least `relevance` similar, and within `margin` of the best paper: the
    settings' `list_relevance` and `list_margin`; measured on the seed list questions:
    relevant papers 0.38-0.57, the next ones 0.24-0.36) that use some of them, or any
    when the topic has no distinctive word."""

    def best(source: Source) -> float:
        return max((p.dense or 0.0) for p in source.passages)

    def coverage(source: Source) -> float:
        words = stems(f"{source.paper.title} {source.paper.abstract}")
        shares = (sum(v for w, v in r.items() if w in words) / sum(r.values()) for r in rare)
        return max(shares, default=0.0)

    top = max((best(s) for s in sources), default=0.0)
    bar = max(relevance, top - margin)
    return [
        s
        for s in sources
        if any(p.named for p in s.passages)
        or coverage(s) >= LIST_COVERAGE
        or (best(s) >= bar and (not rare or coverage(s) > 0))
    ]


def interleave(rankings: Sequence[Sequence[RetrievedChunk]]) -> list[RetrievedChunk]:
    """Several rankings merged paper by paper in turn (the first paper of each, then the
    second of each...), so that each part of a question gets its papers in."""
    by_paper: dict[str, list[RetrievedChunk]] = {}
    orders = [list(dict.fromkeys(c.paper_id for c in ranking)) for ranking in rankings]
    for ranking in rankings:
        for c in ranking:
            chunks = by_paper.setdefault(c.paper_id, [])
            if all(c.chunk_id != k.chunk_id for k in chunks):
                chunks.append(c)
    papers = dict.fromkeys(
        order[i]
        for i in range(max((len(o) for o in orders), default=0))
        for order in orders
        if i < len(order)
    )
    return [c for pid in papers for c in by_paper[pid]]
