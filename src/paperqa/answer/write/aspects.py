"""Comparison aspects: which sentence of an abstract states its problem, approach,
data or setting, key results and limitations.

The classifier reads an abstract the way its authors write one: background and the
gap come before the sentence that says what the paper contributes ("we propose",
"this paper introduces"); after it come the method's details, the data it was tried on,
the results and, rarely, the limits. Cue phrases decide among the latter. It was chosen
over cue-and-meaning scores and embedding prototypes by accuracy on 176 hand-labelled
seed sentences (`evals/aspects.jsonl`, `benchmarks/bench_aspects.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperqa.answer.quoting import clean
from paperqa.answer.read.evidence import Ranker, source_sentences
from paperqa.answer.understand.intent import Intent, QuestionKind
from paperqa.answer.write.extractive import quote
from paperqa.text.patterns import CONTRIBUTION
from paperqa.types import CitedSentence, ComparisonRow, Source

NOT_STATED = "Not stated in the abstract."

#: The rows of a comparison, with what each means (also the meaning the embedding
#: prototypes are compared with).
ASPECTS: dict[str, str] = {
    "Problem": "the problem, question or challenge the paper addresses and why it matters",
    "Approach": "the method, framework or technique the paper proposes",
    "Data / setting": "the datasets, benchmarks, models and experimental setting used",
    "Key results": "the main findings and quantitative results",
    "Limitations": "limitations, failure cases and open problems the paper admits",
}

#: Where no sentence says "we propose", the first one speaking as the authors.
AUTHORS = re.compile(r"\b(?:we|our)\b|\bthis (?:paper|work|study|article|research)\b", re.IGNORECASE)
LIMITATION = re.compile(
    r"\b(?:does not|do not yield|not applicable|limitations? of (?:our|this)|inconsistent|"
    r"sensitive to|future work|secondary|treated as|at the cost|trade-off|in its current form)\b",
    re.IGNORECASE,
)
STRONG_RESULT = re.compile(
    r"\bwe (?:find|found|show|showed|demonstrate|observe|showcase|conclude|prove)\b"
    r"|\b(?:results?|experiments|evaluations?|analys[ie]s|findings|studies) (?:\w+ )?"
    r"(?:show|suggest|indicate|demonstrate|confirm|highlight|support|reveal|corroborate)"
    r"|\boutperform|\bachiev|\d\s?%|\bstate-of-the-art\b|\bsurpass|\bobtained an?\b",
    re.IGNORECASE,
)
DATA = re.compile(
    r"\b(?:datasets?|benchmarks?|corpus|corpora|we evaluate|(?:is|was|were|are) evaluated|"
    r"experiments on|trained on|case stud(?:y|ies)|usage scenarios?|we apply|simulation|"
    r"domain experts|participants|images of)\b",
    re.IGNORECASE,
)
WEAK_RESULT = re.compile(
    r"\b(?:results?|reveal|improv|reduc|increas|significant|effective|generaliz|yields?|"
    r"useful|promising|represents|advances|suggests?|enabl)\w*",
    re.IGNORECASE,
)


#: A question that asks for one aspect of a paper and nothing more ("What are its main
#: results?", "What are the limitations of SAE-V?", "What problem does it address?").
_SUBJECT = r"(?:its|their|the|the paper'?s?|this paper'?s?|the authors'?|the work'?s?|(?:the )?[\w-]+'s)"
_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (
        aspect,
        re.compile(
            rf"^(?:what|which) (?:is|are|were|was) {_SUBJECT} (?:main |key |major )?{words}"
            rf"(?: of [\w -]{{1,40}})?\??$",
            re.IGNORECASE,
        ),
    )  # fmt: skip
    for aspect, words in (
        ("Key results", r"(?:results?|findings?|outcomes?|conclusions?)"),
        ("Limitations", r"(?:limitations?|weaknesses?|drawbacks?|shortcomings?)"),
        ("Approach", r"(?:contributions?|approach|method)"),
        ("Problem", r"(?:problem|goal|aim|motivation)"),
    )
) + (
    (
        "Key results",
        re.compile(
            r"^what (?:do|did|does) (?:they|the authors|it|the paper) (?:find|show|conclude)\??$", re.I
        ),
    ),
    (
        "Problem",
        re.compile(
            r"^what (?:problem|question|challenge) (?:do|does|did) (?:they|the authors|it|the paper) "
            r"(?:address|tackle|solve|study)\??$",
            re.I,
        ),
    ),  # fmt: skip
)


def asked(question: str) -> str | None:
    """The aspect a question asks for and nothing more, if it is one of those."""
    text = " ".join(question.split())
    return next((aspect for aspect, pattern in _ASKED if pattern.match(text)), None)


def classify(sentences: Sequence[str]) -> list[str]:
    """The aspect of each sentence of one abstract, in order."""
    n = len(sentences)
    start = next((i for i, s in enumerate(sentences) if CONTRIBUTION.search(s)), None)
    if start is None:
        start = next((i for i, s in enumerate(sentences) if AUTHORS.search(s)), min(1, n - 1))
    labels = []
    for i, s in enumerate(sentences):
        if i < start:
            labels.append("Problem")
        elif i == start:
            labels.append("Approach")
        elif LIMITATION.search(s):
            labels.append("Limitations")
        elif STRONG_RESULT.search(s):
            labels.append("Key results")
        elif DATA.search(s):
            labels.append("Data / setting")
        elif WEAK_RESULT.search(s) and i > start + 1:
            labels.append("Key results")
        else:
            labels.append("Approach")
    return labels


def classify_by_meaning(sentences: Sequence[str], rank: Ranker) -> list[str]:
    """The alternative measured against `classify`: each sentence's nearest aspect
    meaning by embedding similarity (with the first sentence leaning to Problem)."""
    scores = {aspect: rank(meaning, list(sentences)) for aspect, meaning in ASPECTS.items()}
    labels = []
    for i in range(len(sentences)):
        best = max(ASPECTS, key=lambda a: scores[a][i] + (0.1 if a == "Problem" and i == 0 else 0.0))
        labels.append(best)
    return labels


#: Within one aspect, the cell is its most telling sentence: a figure for the results,
#: the contribution sentence for the approach, the earliest for the problem.
def _pick(aspect: str, candidates: list[tuple[int, str]]) -> tuple[int, str]:
    if aspect == "Key results":
        return max(candidates, key=lambda c: (bool(re.search(r"\d", c[1])), bool(STRONG_RESULT.search(c[1]))))
    if aspect == "Approach":
        return max(candidates, key=lambda c: bool(CONTRIBUTION.search(c[1])))
    if aspect == "Problem":  # the gap ("however, ... remain") rather than the field's praise
        gap = [
            c for c in candidates if re.search(r"\b(?:however|but|lack|remain|challeng|limited)", c[1], re.I)
        ]
        return (gap or candidates)[0]
    return candidates[0]


def aspect_cells(source: Source, label: str | None = None) -> dict[str, CitedSentence]:
    """For each comparison aspect, the sentence of the source that states it (cleaned to
    stand alone, "we" resolved to the paper's authors), or `NOT_STATED`."""
    sentences = source_sentences(source)
    by_aspect: dict[str, list[tuple[int, str]]] = {}
    for i, (sentence, aspect) in enumerate(zip(sentences, classify(sentences), strict=True)):
        by_aspect.setdefault(aspect, []).append((i, sentence))
    cells = {}
    for aspect in ASPECTS:
        if aspect not in by_aspect:
            cells[aspect] = CitedSentence(text=NOT_STATED)
            continue
        _, sentence = _pick(aspect, by_aspect[aspect])
        short = label if label and " " not in label else None
        cells[aspect] = quote(clean(sentence, short), source.number, sentence)
    return cells


def _lower_first(text: str) -> str:
    """Lower-case the first letter ("The method" -> "the method") unless the first word is an
    acronym or name, or starts a capitalised phrase ("Large Language Models")."""
    words = text.split(" ", 2)
    if not words[0][:1].isupper() or sum(c.isupper() for c in words[0]) != 1:
        return text
    if len(words) > 1 and words[1][:1].isupper() and words[0].lower() not in _FUNCTION_WORDS:
        return text
    return text[0].lower() + text[1:]


_FUNCTION_WORDS = frozenset(
    ["the", "a", "an", "this", "these", "those", "their", "its", "in", "on", "for", "with", "when", "by"]
)


def contrast(rows: Sequence[ComparisonRow], labels: Sequence[str]) -> list[CitedSentence]:
    """One sentence per aspect that both papers state, contrasting them:
    "<paper 1's cell>, whereas <paper 2's cell> [1][2]." Each clause names its paper
    ("the CASAL authors introduce ...", "the SAE-V paper states that ...")."""
    out = []
    for row in rows:
        a, b = row.cells
        if not (a.citations and b.citations):
            continue
        clauses = []
        for cell, label in zip((a, b), labels, strict=True):
            text = cell.text.rstrip(" .;")
            if label.casefold() not in text.casefold():
                text = f"the {label} paper states that {_lower_first(text)}"
            clauses.append(text)
        text = f"{clauses[0][:1].upper()}{clauses[0][1:]}, whereas {_lower_first(clauses[1])}."
        out.append(
            CitedSentence(
                text=text,
                citations=[a.citations[0], b.citations[0]],
                support=1.0,
                supported=True,
                evidence=f"{a.evidence} | {b.evidence}",
                origin="quote",
                grounded=True,
            )
        )
    return out


def stated_anyway(intent: Intent, sources: Sequence[Source]) -> set[int]:
    """Sources whose abstracts answer whatever the reader makes of the wording: a paper named
    in "What is CASAL?" / "What does SAE-V do?" (an abstract says what its own method is),
    and, for a question that asks for one aspect and nothing more ("What are its main
    results?", "What are CASAL's limitations?"), those with a sentence of that aspect (the
    aspect classifier: 0.85 of 176 hand-labelled sentences right)."""
    found: set[int] = set()
    if intent.kind == QuestionKind.DEFINITION and intent.named:
        found |= {s.number for s in sources if s.paper.id in intent.named}
    if aspect := asked(intent.question):
        found |= {s.number for s in sources if aspect_cells(s)[aspect].citations}
    return found
