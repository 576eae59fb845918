"""What the reader's results change in an answer: which papers answer at all, the sentence an
answer leads with, its short answer and its yes/no verdict. Pure functions over the chosen
evidence and the `ReadResult`s of the sources (the reader itself is `answer.reader`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from paperqa.answer.conversation import Short
from paperqa.answer.read.evidence import Evidence, Ranker, asks, score_sentences, source_sentences
from paperqa.answer.read.ranking import Idf
from paperqa.answer.read.reader import ReadResult
from paperqa.answer.understand.intent import Intent, QuestionKind
from paperqa.retrieval.hybrid import known_word
from paperqa.text.numbers import counts_data
from paperqa.text.sentences import sentence_spans
from paperqa.text.words import stem, tokens
from paperqa.types import Paper, Source

#: Kinds of question a phrase can answer on its own (a list question is answered paper by
#: paper; a yes/no one by its verdict).
SHORT_KINDS = frozenset(
    {QuestionKind.NAME, QuestionKind.QUANTITY, QuestionKind.DEFINITION, QuestionKind.GENERAL}
)
#: A short answer as long as its sentence, or nearly, is no shorter answer.
SHORT_SHARE = 0.8
#: Papers the reader reads for a question over the whole library (the closest by retrieval):
#: each costs a read of its abstract (~20 ms on 2 cores).
READ_SOURCES = 4


def to_read(intent: Intent, sources: Sequence[Source]) -> list[Source]:
    """The sources the reader reads: the papers asked about, else the closest few."""
    return list(sources) if intent.papers else list(sources[:READ_SOURCES])


def gated(
    reads: Mapping[int, ReadResult], intent: Intent, sources: Sequence[Source], rank: Ranker, idf: Idf
) -> dict[int, ReadResult]:
    """The reader's results with `p` combined with the word-feature gate's probability for the
    same sources (`combine`)."""
    return with_gate(reads, {e.number: e.answerable for e in score_sentences(intent, sources, rank, idf)})


def combine(reader_p: float, gate_p: float) -> float:
    """Whether a passage answers, from the reader's probability and the word-feature gate's
    (`answer.ranking`): the mean of their logits. Each misses what the other sees; together
    they separate QASPER dev's answerable from unanswerable questions better than either
    (AUC 0.71 against 0.64 and 0.67 with the first reader; `benchmarks/bench_reader.py`)."""
    return round(_sigmoid((_logit(reader_p) + _logit(gate_p)) / 2), 4)


def passages_gated(
    reads: Mapping[str, ReadResult], intent: Intent, source: Source, rank: Ranker, idf: Idf
) -> dict[str, float]:
    """Passage of a whole paper's source -> the reader's probability that it answers, read
    alone, combined with the word-feature gate's for that passage alone (`combine`): the gate
    knows "GP" is not "GPUs", the reader knows a dataset section from its name."""
    out = {}
    for passage, read in reads.items():
        alone = source.model_copy(update={"text": passage})
        gate = max((e.answerable for e in score_sentences(intent, [alone], rank, idf)), default=0.0)
        out[passage] = combine(read.p, gate)
    return out


def with_gate(reads: Mapping[int, ReadResult], gate: Mapping[int, float]) -> dict[int, ReadResult]:
    """The reads with `p` combined with the gate's probability for the same source (`combine`)."""
    return {n: replace(r, p=combine(r.p, gate[n])) if n in gate else r for n, r in reads.items()}


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def answering(reads: Mapping[int, ReadResult], cut: float) -> set[int]:
    """Numbers of the sources whose text answers the question."""
    return {n for n, r in reads.items() if r.p >= cut}


def span_sentence(read: ReadResult) -> str | None:
    """The sentence of the read text that holds the reader's span."""
    if read.span is None:
        return None
    for a, b in sentence_spans(read.passage):
        if a <= read.span.start < b:
            return read.passage[a:b]
    return None


def lead_with_span(
    chosen: Sequence[Evidence],
    sources: Sequence[Source],
    reads: Mapping[int, ReadResult],
    cut: float,
    span_cut: float = 0.0,
) -> list[Evidence]:
    """The evidence with the sentence holding the best answering source's span first (added when
    the ranker had not chosen it), so the cited sentence is the one the short answer is in; as
    chosen when the reader is less sure of its span than `span_cut` (the ranker's sentence
    then answers more often: QASPER dev, `benchmarks/bench_reader.py`)."""
    best = _best(reads, cut)
    if best is None or best[1].span is None or best[1].span.p < span_cut:
        return list(chosen)
    number, read = best
    sentence = span_sentence(read)
    source = next((s for s in sources if s.number == number), None)
    if sentence is None or source is None or sentence not in source_sentences(source) or asks(sentence):
        return list(chosen)
    rest = [e for e in chosen if not (e.number == number and e.sentence == sentence)]
    found = next((e for e in chosen if e.number == number and e.sentence == sentence), None)
    if found is None:
        template = next((e for e in chosen if e.number == number), None)
        position = source_sentences(source).index(sentence)
        found = (
            replace(template, sentence=sentence, position=position)
            if template
            else Evidence(number, source.paper, sentence, position, score=read.p, answerable=read.p)
        )
    limit = max(len(chosen), 1)
    return [found, *rest][:limit]


def short_answer(
    intent: Intent, reads: Mapping[int, ReadResult], cut: float, span_cut: float
) -> Short | None:
    """The words that answer, from the best answering source: when the question is one a phrase
    answers, the reader is confident of the span, and the span is shorter than its sentence."""
    if intent.kind not in SHORT_KINDS:
        return None
    best = _best(reads, cut)
    if best is None:
        return None
    number, read = best
    span, sentence = read.span, span_sentence(read)
    if span is None or span.p < span_cut or not span.text.strip() or sentence is None or asks(sentence):
        return None
    if len(span.text) >= SHORT_SHARE * len(sentence):
        return None
    return Short(span.text, number)


def verdict(intent: Intent, reads: Mapping[int, ReadResult], cut: float, verdict_cut: float) -> str | None:
    """ "Yes" or "No" for a yes/no question, when the best answering source settles it and the
    reader is at least `verdict_cut` sure of which (the shipped cut is chosen on QASPER dev's
    yes/no evidence paragraphs for verdicts right three times in four; where the reader never
    is, it says nothing and the sentence rules speak)."""
    if intent.kind != QuestionKind.YESNO:
        return None
    best = _best(reads, cut)
    if best is None or best[1].verdict is None:
        return None
    yes, no, _ = best[1].verdicts
    if max(yes, no) < verdict_cut:
        return None
    return "Yes" if best[1].verdict == "yes" else "No"


def data_size_stated(intent: Intent, passages: Sequence[str]) -> bool:
    """A question asking how big a data set is ("How big is the dataset?") is answered by a
    passage that counts it in data's units ("a random sample of 25k tweets", "1,000 annotated
    sentences"). The reader misses these: on QASPER full-text dev it refused 5 of the 17 such
    questions asked of their paper. A whole paper asked its data's size states it: of QASPER
    full-text train's 25 such questions none is unanswerable, and every paper counts its data."""
    return intent.data_size and any(counts_data(p) for p in passages)


def _best(reads: Mapping[int, ReadResult], cut: float) -> tuple[int, ReadResult] | None:
    found = [(n, r) for n, r in reads.items() if r.p >= cut]
    return max(found, key=lambda nr: nr[1].p, default=None)


#: A word of a question set in capitals or with a digit ("F1", "BLEU", "GPUs", "MFCC", "L2"): a
#: name for what is asked, which a paper that states it uses, or spells out.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
#: Spelt-out names are looked for over this many words ("state of the art" for "SOTA").
_LONGEST_SPELT_OUT = 5


def named_terms(question: str) -> list[str]:
    """The question's words set in capitals or with a digit, a plural's "s" dropped ("GPUs")."""
    out = []
    for word in _WORD.findall(question):
        core = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
        letters = re.sub(r"\d", "", core)
        capitals = sum(c.isupper() for c in core)
        if len(core) >= 2 and (
            (capitals >= 2 and capitals == len(letters)) or (capitals and any(c.isdigit() for c in core))
        ):
            out.append(core)
    return out


def unstated_terms(question: str, paper: Paper) -> list[str]:
    """The question's names in capitals or with a digit ("What was the F1 score?", "How many
    GPUs?") that a whole paper never uses: not as written (stemmed, a typo or a split away as
    retrieval forgives, or two letters swapped: "BELU"), nor spelt out ("NLI": "natural
    language inference", "SOTA": "state of the art"). Such a paper does not state what was
    asked. On QASPER full text, questions asked of their own paper: of train's 547 answerable
    questions (not yes/no) 1 has one ("SEC"), of its 54 unanswerable 0; of dev's 246 answerable
    0, of its 23 unanswerable 1 ("How many GPUs do they use for this task?")."""
    terms = named_terms(question)
    if not terms or not paper.sections:
        return []
    words = tokens(" ".join([paper.title, paper.abstract, *(p for _, s in paper.body for p in s.paragraphs)]))
    vocabulary = frozenset(stem(w) for w in words)
    letters = [w for w in words if w[0].isalpha()]  # "figure 1" spells out no "F1"
    spelt = {
        "".join(w[0] for w in letters[i : i + n])
        for n in range(2, _LONGEST_SPELT_OUT + 1)
        for i in range(len(letters) - n + 1)
    }

    def used(term: str) -> bool:
        t = term.lower()
        swapped = {t[:i] + t[i + 1] + t[i] + t[i + 2 :] for i in range(len(t) - 1)}
        return (
            known_word(t, vocabulary)
            or (t.isalpha() and t in spelt)
            or any(stem(x) in vocabulary for x in swapped)
        )

    return [t for t in terms if not used(t)]
