"""The check stage for text a model wrote freely: split it into cited sentences, score
each against its sources, move or drop citations that name the wrong paper, apply the
grounding check, and decide whether the model failed (then the answer is quoted)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from paperqa.answer.check.citations import cite_sentences
from paperqa.answer.check.grounding import Contradicts, ground
from paperqa.answer.check.support import reattribute, score_sentence
from paperqa.answer.quoting import paper_label
from paperqa.answer.read.evidence import Ranker, source_sentences
from paperqa.answer.screening import is_repetitive, looks_like_instruction
from paperqa.text.sentences import split_sentences
from paperqa.text.words import overlap
from paperqa.types import CitedSentence, Source

#: A sentence that is mostly a paper's title is no answer.
TITLE_OVERLAP = 0.8
#: A summary has at most this many sentences...
SUMMARY_SENTENCES = 6
#: ...and at least this many, or the model's summary is too thin to keep.
SUMMARY_MIN_SENTENCES = 3
#: The model failed when fewer than this share of its sentences are supported.
MIN_SUPPORTED_SHARE = 0.5


@dataclass(frozen=True)
class Rules:
    """What a task requires of the model's text."""

    strict: bool = False  # drop weakly supported sentences instead of flagging them
    summary_words: int | None = None  # a summary: 3-6 sentences within this many words
    cite_all: bool = False  # every source must be cited (comparisons)
    show_unverified: bool = False  # show ungrounded sentences flagged instead of dropping them
    support_threshold: float = 0.45  # `RetrievalSettings.support_threshold`


def names_of(sources: Sequence[Source], short_names: Mapping[str, set[str]]) -> dict[int, list[str]]:
    """Source number -> the names its paper goes by (title, label, short names)."""
    return {
        s.number: [s.paper.title, paper_label(s.paper), *sorted(short_names.get(s.paper.id, ()))]
        for s in sources
    }


def ground_sentences(
    sentences: Sequence[CitedSentence],
    question: str,
    sources: Sequence[Source],
    names: Mapping[int, Sequence[str]],
    rank: Ranker | None = None,
    contradicts: Contradicts | None = None,
) -> list[CitedSentence]:
    """Each sentence with its grounding verdict against the sources it cites (with `rank`,
    the embedder's similarities, also on what it means; with `contradicts`, the reader's
    probability that the sources say otherwise)."""
    text_of = {s.number: s.text for s in sources}
    out = []
    for s in sentences:
        verdict = ground(
            s.text,
            [text_of[c] for c in s.citations if c in text_of],
            question,
            [n for c in s.citations for n in names.get(c, ())],
            meaning=rank,
            contradicts=contradicts,
        )
        out.append(s.model_copy(update={"grounded": verdict.ok, "problem": verdict.reason}))
    return out


def check_model_text(
    raw: str,
    question: str,
    sources: Sequence[Source],
    rank: Ranker,
    named_in: Callable[[str], set[int]],
    names: Mapping[int, Sequence[str]],
    rules: Rules,
    contradicts: Contradicts | None = None,
) -> tuple[list[CitedSentence], str | None]:
    """The model's sentences that may be shown, or the reason the model failed.

    `named_in(text)` gives the source numbers of the papers a sentence names; `contradicts`
    is the reader's check that a cited source does not say otherwise.
    """
    valid = {s.number for s in sources}
    evidence = {
        s.number: source_sentences(s) or [t for t in split_sentences(s.text) if not looks_like_instruction(t)]
        for s in sources
    }
    titles = [s.paper.title for s in sources]
    sentences = [
        score_sentence(s, evidence, rank, rules.support_threshold)
        for s in cite_sentences(raw, valid)
        if not any(overlap(s.text, t) >= TITLE_OVERLAP for t in titles)
    ]
    threshold = rules.support_threshold
    attributed = (reattribute(s, named_in(s.text), evidence, rank, threshold) for s in sentences)
    sentences = [s for s in attributed if s is not None]
    named = {s.number for s in sources if any(p.named for p in s.passages)}
    wrote = bool(sentences)
    # A sentence that cites nothing, and for which no source could be found, is a claim
    # without a source: it is never shown.
    sentences = ground_sentences(
        [s for s in sentences if s.citations], question, sources, names, rank, contradicts
    )
    grounded = [s for s in sentences if s.grounded]
    if rules.summary_words is not None:
        grounded = _within_words(grounded[:SUMMARY_SENTENCES], rules.summary_words)
    reason = failure(raw, wrote, sentences, grounded, named, valid, rules)
    if reason:
        return [], reason
    shown = sentences if rules.show_unverified else grounded
    if rules.strict:
        shown = [s for s in shown if s.supported]
    return shown, None


def failure(
    raw: str,
    wrote: bool,
    sentences: Sequence[CitedSentence],
    grounded: Sequence[CitedSentence],
    named: set[int],
    valid: set[int],
    rules: Rules,
) -> str | None:
    """Why the model's text may not be shown (None: it may): the first rule it breaks, of the
    sentences it `wrote` that cite a source (`sentences`) and those of them grounded."""
    cited = {c for s in grounded for c in s.citations}
    if is_repetitive(raw):
        return "the model repeated itself"
    if wrote and not sentences:
        return "the model cited no source"
    if not sentences:
        return "the model wrote nothing usable"
    if not grounded:
        return f"no sentence of the model's passes the grounding check (first: {sentences[0].problem})"
    if named and not named & cited:
        return "the model did not cite the paper the question names"
    if rules.cite_all and cited != valid:
        return "the model did not cite both papers"
    if sum(s.supported for s in grounded) < max(1, MIN_SUPPORTED_SHARE * len(grounded)):
        return "most of the model's sentences are not supported by the sources it cites"
    if rules.summary_words is not None and len(grounded) < SUMMARY_MIN_SENTENCES:
        return f"the model's summary was shorter than {SUMMARY_MIN_SENTENCES} sentences"
    return None


def _within_words(sentences: list[CitedSentence], limit: int) -> list[CitedSentence]:
    kept, words = [], 0
    for s in sentences:
        words += len(s.text.split())
        if words > limit:
            break
        kept.append(s)
    return kept
