"""Answers made of the sources' own sentences: the fallback when a chat model
fails the checks, and the cells of a comparison table.

A sentence taken from a source is supported by definition, so these answers
are always faithful; they are only less fluent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from paperqa.citations import content_words, looks_like_instruction, overlap, split_sentences
from paperqa.types import CitedSentence, Source

#: (text, vectors) -> similarity of each text to the query.
Ranker = Callable[[str, Sequence[str]], list[float]]

NOT_STATED = "Not stated in the abstract."

#: Aspect of a comparison -> (what it means, strong cues, weak cues). A strong cue
#: ("we propose") nearly settles it; a weak one ("approach") only leans.
ASPECTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Problem": (
        "the problem, question or challenge the paper addresses and why it matters",
        ("challeng", "problem", "remain", "lack", "limited", "however", "difficult", "struggle"),
        ("crucial", "important", "question", "need", "unclear", "hard to", "but"),
    ),
    "Approach": (
        "the method, framework or technique the paper proposes",
        (
            "we propose",
            "we introduce",
            "we present",
            "we develop",
            "this paper introduces",
            "this work introduces",
            "we design",
            "this paper presents",
            "here we",
        ),
        ("framework", "method", "approach", "novel", "we use", "we train", "algorithm"),
    ),
    "Data / setting": (
        "the datasets, benchmarks, models and experimental setting used",
        ("dataset", "benchmark", "experiments on", "evaluate on", "we evaluate", "trained on", "corpus"),
        ("data", "tasks", "images", "models such as", "across", "experiment"),
    ),
    "Key results": (
        "the main findings and quantitative results",
        ("we show", "we find", "results show", "outperform", "%", "state-of-the-art", "demonstrat"),
        ("achiev", "improv", "reduc", "significant", "reveal", "results"),
    ),
    "Limitations": (
        "limitations, failure cases and open problems the paper admits",
        ("limitation", "does not", "fail", "not applicable", "future work", "struggle"),
        ("miss", "cannot", "only", "at the cost", "trade-off"),
    ),
}
#: Problem statements open abstracts: a head start for the first two sentences.
PROBLEM_POSITION_BONUS = (0.15, 0.1)


def source_sentences(source: Source) -> list[str]:
    """The source's sentences that say something (three content words or more), once each;
    never an instruction-like sentence (a prompt injection)."""
    return list(
        dict.fromkeys(
            s
            for s in split_sentences(source.text)
            if len(content_words(s)) >= 3 and not looks_like_instruction(s)
        )
    )


def best_sentences(
    query: str,
    sources: Sequence[Source],
    rank: Ranker,
    limit: int = 3,
    per_source: int = 2,
    max_words: int | None = None,
) -> list[CitedSentence]:
    """The source sentences closest to `query`, each citing its source, best first.

    Sources named in the query and sources ranked higher by retrieval get a small
    head start; sentences scoring under 3/4 of the best are left out, so a weak
    match from a side paper does not dilute a good answer.
    """
    scored: list[tuple[float, int, str]] = []
    for position, source in enumerate(sources):
        sentences = source_sentences(source)
        if not sentences:
            continue
        prior = 0.15 * any(p.named for p in source.passages) + 0.05 * max(0, 3 - position) / 3
        sims = rank(query, sentences)
        for sentence, sim in zip(sentences, sims, strict=True):
            scored.append((0.7 * sim + 0.3 * overlap(query, sentence) + prior, source.number, sentence))
    scored.sort(key=lambda t: -t[0])
    if scored:
        floor = 0.75 * scored[0][0]
        scored = [t for t in scored if t[0] >= floor]
    picked: list[CitedSentence] = []
    used: dict[int, int] = {}
    words = 0
    for _score, number, sentence in scored:
        if used.get(number, 0) >= per_source:
            continue
        n_words = len(sentence.split())
        if max_words is not None and picked and words + n_words > max_words:
            continue
        picked.append(
            CitedSentence(text=sentence, citations=[number], support=1.0, supported=True, evidence=sentence)
        )
        used[number] = used.get(number, 0) + 1
        words += n_words
        if len(picked) == limit:
            break
    return picked


def lead_summary(source: Source, rank: Ranker, max_words: int = 130) -> list[CitedSentence]:
    """3-4 sentences of one abstract in their own order: the opening sentence and
    the ones most like the whole abstract, within `max_words`."""
    sentences = source_sentences(source)
    if not sentences:
        return []
    sims = rank(source.text, sentences)
    chosen = {0}
    for i in sorted(range(len(sentences)), key=lambda i: -sims[i]):
        if len(chosen) >= 4:
            break
        if sum(len(sentences[j].split()) for j in chosen | {i}) <= max_words:
            chosen.add(i)
    return [
        CitedSentence(
            text=sentences[i], citations=[source.number], support=1.0, supported=True, evidence=sentences[i]
        )
        for i in sorted(chosen)
    ]


def central_sentence(source: Source, rank: Ranker) -> list[CitedSentence]:
    """The one sentence of an abstract most like the whole abstract (a one-line summary)."""
    sentences = source_sentences(source)
    if not sentences:
        return []
    sims = rank(f"{source.paper.title}. {source.text}", sentences)
    best = sentences[max(range(len(sentences)), key=lambda i: sims[i])]
    return [CitedSentence(text=best, citations=[source.number], support=1.0, supported=True, evidence=best)]


def aspect_cells(source: Source, rank: Ranker, threshold: float = 0.3) -> dict[str, CitedSentence]:
    """For each comparison aspect, the sentence of the source that states it, or
    `NOT_STATED`. Each sentence fills at most one aspect."""
    sentences = source_sentences(source)
    scores: dict[str, list[float]] = {}
    for aspect, (meaning, strong, weak) in ASPECTS.items():
        sims = rank(meaning, sentences) if sentences else []
        row = []
        for i, (sentence, sim) in enumerate(zip(sentences, sims, strict=True)):
            text = sentence.lower()
            cue = min(2 * any(c in text for c in strong) + any(c in text for c in weak), 2) / 2
            bonus = (
                PROBLEM_POSITION_BONUS[i] if aspect == "Problem" and i < len(PROBLEM_POSITION_BONUS) else 0.0
            )
            row.append(0.6 * sim + 0.4 * cue + bonus)
        scores[aspect] = row
    cells: dict[str, CitedSentence] = {}
    used: set[int] = set()
    # Fill the aspects most abstracts state first, so they get first pick of sentences.
    for aspect in ("Approach", "Key results", "Problem", "Data / setting", "Limitations"):
        ranked = sorted(range(len(sentences)), key=lambda i: -scores[aspect][i])
        # Abstracts rarely admit limitations: only a sentence with a strong cue counts.
        floor = threshold + (0.25 if aspect == "Limitations" else 0.0)
        pick = next((i for i in ranked if i not in used and scores[aspect][i] >= floor), None)
        if pick is None:
            cells[aspect] = CitedSentence(text=NOT_STATED)
            continue
        used.add(pick)
        s = sentences[pick]
        cells[aspect] = CitedSentence(
            text=s, citations=[source.number], support=1.0, supported=True, evidence=s
        )
    return {aspect: cells[aspect] for aspect in ASPECTS}
