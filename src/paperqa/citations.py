"""Citations: split answers into sentences, read their [n] markers, check each
against the sources it cites, and build extractive answers when a model fails.

Everything here is a pure function over strings and numbers, so it is tested
with tables of cases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from bm25s.stopwords import STOPWORDS_EN_PLUS

from paperqa.types import CitedSentence

#: What every "the library cannot answer this" reply says, word for word. The
#: answer prompt asks the model for it, the code emits it, the tests look for it.
NOT_IN_LIBRARY = "The library has no paper that answers this question."

#: A sentence counts as supported by a source at or above this score.
SUPPORT_THRESHOLD = 0.45

_CITATION = re.compile(r"\[(\s*\d+(?:\s*[,;–-]\s*\d+)*\s*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*(?:\[[\d,;\s–-]+\]))*\s+(?=[A-Z0-9\"'(\[])")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
#: Words that carry no meaning of their own: bm25s's English list (NLTK's, with the
#: contractions) plus the words every abstract uses about itself.
DOMAIN_STOPWORDS = frozenset(
    [
        "also",
        "could",
        "would",
        "paper",
        "papers",
        "study",
        "work",
        "propose",
        "proposed",
        "show",
        "shows",
        "shown",
        "use",
        "used",
        "using",
        "based",
        "via",
        "new",
        "approach",
        "method",
        "results",
        "model",
        "models",
    ]
)
STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | DOMAIN_STOPWORDS


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; citation markers stay with the sentence they follow."""
    text = " ".join(text.split())
    if not text:
        return []
    parts, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        # the boundary sits after any citations that trail the full stop
        end = m.start() + len(m.group(0).rstrip())
        parts.append(text[start:end].strip())
        start = m.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]


#: A sentence that addresses the model rather than the reader ("ignore previous instructions
#: and ..."): a prompt injection planted in an abstract. Such sentences are kept out of the
#: prompt and are never evidence, so an answer that obeys one is unsupported.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.!?]{0,60}\b(instructions?|prompts?|rules)\b"
    r"|\b(system prompt|you are now|(reply|respond|answer) only with|say exactly)\b",
    re.IGNORECASE,
)
INSTRUCTION_REMOVED = "[instruction-like text removed]"


def looks_like_instruction(sentence: str) -> bool:
    return bool(_INSTRUCTION.search(sentence))


def without_instructions(text: str) -> str:
    """`text` with every instruction-like sentence replaced by a marker."""
    sentences = split_sentences(text)
    if not any(looks_like_instruction(s) for s in sentences):
        return text
    return " ".join(INSTRUCTION_REMOVED if looks_like_instruction(s) else s for s in sentences)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, as `split_sentences` cuts them."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() + len(m.group(0).rstrip())
        spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def widen_to_sentences(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The parts of `text` covered by `spans`, each widened to whole sentences and
    merged where they overlap; separate parts are joined with " ... "."""
    sentences = sentence_spans(text)
    keep = sorted({i for a, b in spans for i, (s, e) in enumerate(sentences) if s < max(b, a + 1) and e > a})
    parts: list[list[int]] = []
    for i in keep:
        if parts and parts[-1][-1] == i - 1:
            parts[-1].append(i)
        else:
            parts.append([i])
    return " ... ".join(text[sentences[p[0]][0] : sentences[p[-1]][1]].strip() for p in parts)


def parse_citations(sentence: str) -> tuple[str, list[int]]:
    """(sentence without markers, cited numbers in order). `[1, 3]`, `[1][2]`, `[2-4]` all work."""
    numbers: list[int] = []
    for group in _CITATION.findall(sentence):
        for part in re.split(r"[,;]", group):
            bounds = [int(x) for x in re.findall(r"\d+", part)]
            if len(bounds) == 2 and re.search(r"[–-]", part) and 0 < bounds[1] - bounds[0] < 20:
                numbers.extend(range(bounds[0], bounds[1] + 1))
            else:
                numbers.extend(bounds)
    clean = _CITATION.sub("", sentence)
    clean = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(clean.split()))
    return clean.strip(), list(dict.fromkeys(numbers))


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning (no stopwords, no one-letter words)."""
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1}


def overlap(claim: str, evidence: str) -> float:
    """Share of the claim's content words found in the evidence (0 when the claim has none)."""
    words = content_words(claim)
    return len(words & content_words(evidence)) / len(words) if words else 0.0


#: Meaning and wording count equally in the support score: the embedder alone rates a
#: sentence on the same topic as support; word overlap alone misses paraphrases.
SUPPORT_MEANING_WEIGHT = 0.5


def support_score(similarity: float, word_overlap: float) -> float:
    """One number for "does this source sentence back the claim": meaning and wording together."""
    meaning = SUPPORT_MEANING_WEIGHT * max(similarity, 0.0)
    return round(meaning + (1 - SUPPORT_MEANING_WEIGHT) * word_overlap, 4)


Similarity = Callable[[str, Sequence[str]], list[float]]


def score_sentence(
    sentence: CitedSentence,
    sources: Mapping[int, Sequence[str]],
    similarity: Similarity,
    threshold: float = SUPPORT_THRESHOLD,
) -> CitedSentence:
    """Score a sentence against the source sentences of what it cites; with no
    citation, find the best source and cite it if it clears the threshold."""
    candidates = sentence.citations or list(sources)
    best: tuple[float, int | None, str | None] = (0.0, None, None)
    for number in candidates:
        evidence = list(sources.get(number, []))
        if not evidence:
            continue
        sims = similarity(sentence.text, evidence)
        for ev, sim in zip(evidence, sims, strict=True):
            score = support_score(sim, overlap(sentence.text, ev))
            if score > best[0]:
                best = (score, number, ev)
    score, best_number, evidence_text = best
    scored = sentence.model_copy(
        update={"support": score, "supported": score >= threshold, "evidence": evidence_text}
    )
    if not sentence.citations and best_number is not None and score >= threshold:
        scored.citations, scored.auto_cited = [best_number], True
    return scored


def reattribute(
    sentence: CitedSentence,
    named: set[int],
    sources: Mapping[int, Sequence[str]],
    similarity: Similarity,
) -> CitedSentence | None:
    """A sentence that names a paper ("CASAL does ...") but cites only other sources:
    re-cited to the named paper when that paper supports it, else None (not shown).
    Small models often put the right claim next to the wrong number, or the wrong
    paper's claim next to the right name; either way the citation would mislead."""
    named &= set(sources)
    if not named or not sentence.citations or named & set(sentence.citations):
        return sentence
    moved = score_sentence(
        sentence.model_copy(update={"citations": sorted(named), "auto_cited": False}), sources, similarity
    )
    return moved if moved.supported else None


def cite_sentences(text: str, valid: set[int]) -> list[CitedSentence]:
    """Sentences with citations, keeping only numbers that name a given source."""
    out = []
    for raw in split_sentences(text):
        clean, numbers = parse_citations(raw)
        if clean:
            out.append(CitedSentence(text=clean, citations=[n for n in numbers if n in valid]))
    return out


#: A text repeats itself when more than this share of its word 4-grams are repeats (judged
#: only on 8 4-grams or more: short texts repeat by chance).
REPEATED_SHARE = 0.3


def is_repetitive(text: str, n: int = 4, limit: float = REPEATED_SHARE, min_grams: int = 8) -> bool:
    """True when many word n-grams repeat: the loop a small model falls into."""
    words = text.lower().split()
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(grams) >= min_grams and 1 - len(set(grams)) / len(grams) > limit


def renumber(sentences: Sequence[CitedSentence], mapping: Mapping[int, int]) -> list[CitedSentence]:
    """Citation numbers mapped to new ones (e.g. a conversation's stable numbering)."""
    return [
        s.model_copy(update={"citations": [mapping[c] for c in s.citations if c in mapping]})
        for s in sentences
    ]


def render(sentences: Sequence[CitedSentence]) -> str:
    """The answer text with citation markers after each sentence: `... text [1][3].`"""
    parts = []
    for s in sentences:
        marks = "".join(f"[{n}]" for n in s.citations)
        if marks and s.text[-1:] in ".!?":
            parts.append(f"{s.text[:-1]} {marks}{s.text[-1]}")
        elif marks:
            parts.append(f"{s.text} {marks}")
        else:
            parts.append(s.text)
    return " ".join(parts)
