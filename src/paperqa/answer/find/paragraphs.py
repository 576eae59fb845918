"""Which paragraphs of a whole paper an answer reads: those retrieved for the question,
reranked by what retrieval does not see.

Retrieval ranks a paper's chunks by meaning and word overlap with the question. Its first
paragraph is a gold evidence paragraph for a third of QASPER's questions; the paragraph's
section says more: a heading sharing the question's words ("Which baselines?" and "4.2
Baselines"), a data section for a question about the data, a results section for one about
scores, related work rarely. A logistic regression over those features and retrieval's own
scores, fitted on QASPER full-text train (`make paragraphs`, `scripts/fit_paragraphs.py`;
nothing fitted on dev), orders the paragraphs; its weights ship in
`paperqa/data/paragraphs.json`. Pure functions, numpy only.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence

import numpy as np

from paperqa.answer.find.parts import Role, roles
from paperqa.answer.linear import LinearModel
from paperqa.index.assets import bundled_file
from paperqa.text.words import stems
from paperqa.types import Paper, RetrievedChunk

#: What a question asks about, by its words: its data, its scores, its method, a count, languages.
_ASKS: dict[str, re.Pattern[str]] = {
    "data": re.compile(r"\b(?:data(?:set)?s?|corpus|corpora|annotat\w*|collect\w*|label\w*|source)\b", re.I),
    "results": re.compile(
        r"\b(?:baselines?|compar\w*|perform\w*|results?|accuracy|score|improv\w*|better|outperform\w*"
        r"|metric\w*|evaluat\w*|state of the art|sota)\b",
        re.I,
    ),
    "method": re.compile(
        r"\b(?:model|architecture|method|approach|features?|layers?|train\w*|encod\w*|network)\b", re.I
    ),
    "count": re.compile(r"^how (?:many|much|large|big)\b|\bsize\b|\bnumber of\b", re.I),
    "languages": re.compile(r"\blanguages?\b", re.I),
}
_ROLES: tuple[Role | None, ...] = (
    "introduction",
    "related",
    "method",
    "data",
    "results",
    "conclusion",
    "limitations",
    None,
)
_DIGIT = re.compile(r"\d")

#: The features, in the order of the weight vector.
FEATURES: tuple[str, ...] = (
    "reciprocal_rank",  # 1 / (1 + its first chunk's place in retrieval's order)
    "cosine",  # its best chunk's meaning similarity with the question
    "cosine_gap",  # ... minus the best paragraph's
    "bm25",  # its best chunk's BM25 score over the best paragraph's
    "fused",  # retrieval's reciprocal-rank-fusion score
    "heading_overlap",  # share of the question's stems in its section's heading
    "position",  # its section's place in the paper (0 first, 1 last)
    "log_words",
    "first_in_section",
    "has_figure",  # holds a digit
    *(f"role_{r or 'unplaced'}" for r in _ROLES),
    "data_question_data_section",
    "results_question_results_section",
    "method_question_method_section",
    "count_question_figure",
    "languages_question_data_section",
)


@functools.cache
def bundled() -> LinearModel:
    """The reranker shipped with paperqa (`paperqa/data/paragraphs.json`, sha256-checked)."""
    body = json.loads(bundled_file("paragraphs.json").read_text(encoding="utf-8"))
    return LinearModel.from_dict(body, FEATURES, "make paragraphs")


def features(
    question: str, paper: Paper, chunks: Sequence[RetrievedChunk]
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The body paragraphs among `chunks` (of `paper`, in retrieval's order) as (section,
    paragraph) places, and one row of `FEATURES` each."""
    scores: dict[tuple[int, int], dict[str, float]] = {}
    for rank, chunk in enumerate(chunks):
        if chunk.section is None or chunk.paragraph is None:
            continue
        s = scores.setdefault(
            (chunk.section, chunk.paragraph), {"rank": rank, "dense": -1.0, "bm25": 0.0, "fused": 0.0}
        )
        s["dense"] = max(s["dense"], chunk.dense or 0.0)
        s["bm25"] = max(s["bm25"], chunk.bm25 or 0.0)
        s["fused"] = max(s["fused"], chunk.fused)
    if not scores:
        return [], np.zeros((0, len(FEATURES)))
    role_of, asked = roles(paper), {name: bool(p.search(question)) for name, p in _ASKS.items()}
    wanted = set(stems(question))
    best_dense = max(s["dense"] for s in scores.values())
    best_bm25 = max(s["bm25"] for s in scores.values()) or 1.0
    rows = []
    for (section, paragraph), s in scores.items():
        role, text = role_of.get(section), paper.sections[section].paragraphs[paragraph]
        figure = bool(_DIGIT.search(text))
        rows.append(
            [
                1.0 / (1 + s["rank"]),
                s["dense"],
                s["dense"] - best_dense,
                s["bm25"] / best_bm25,
                s["fused"],
                len(wanted & set(stems(paper.sections[section].name))) / max(1, len(wanted)),
                section / max(1, len(paper.sections)),
                math.log(1 + len(text.split())),
                float(paragraph == 0),
                float(figure),
                *(float(role == r) for r in _ROLES),
                float(asked["data"] and role == "data"),
                float(asked["results"] and role == "results"),
                float(asked["method"] and role == "method"),
                float(asked["count"] and figure),
                float(asked["languages"] and role == "data"),
            ]
        )
    return list(scores), np.asarray(rows, dtype=np.float64)


def ranked(question: str, paper: Paper, chunks: Sequence[RetrievedChunk]) -> list[tuple[int, int]]:
    """The body paragraphs among `chunks`, the likeliest to answer `question` first."""
    places, rows = features(question, paper, chunks)
    if not places:
        return []
    logits = bundled().logits(rows)
    return [places[i] for i in sorted(range(len(places)), key=lambda i: -logits[i])]
