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
from typing import NamedTuple

from paperqa.answer.find import parts
from paperqa.answer.find.parts import Role
from paperqa.answer.quoting import clean
from paperqa.answer.read.evidence import Ranker, evidence_sentences, source_sentences
from paperqa.answer.understand.intent import Intent, QuestionKind
from paperqa.answer.write.extractive import quote
from paperqa.text.patterns import CONTRIBUTION
from paperqa.types import CitedSentence, ComparisonRow, Paper, Source

NOT_STATED = "Not stated in the abstract."
#: ... and of a paper whose body was read too.
NOT_STATED_IN_PAPER = "Not stated in the paper."

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


def not_stated(paper: Paper) -> CitedSentence:
    """The cell of an aspect or column a paper does not state: in its abstract or, read whole,
    in the paper."""
    return CitedSentence(text=NOT_STATED_IN_PAPER if paper.sections else NOT_STATED)


#: Where in a whole paper's body each aspect is stated: the parts (`find.parts` roles) searched,
#: best first, each with what makes one of its sentences state the aspect (None: every sentence
#: of a "Data" or "Limitations" section does): the authors saying what they do, a finding, a
#: dataset or setting named, the gap ("however, ... remain"). Limitations only from a section
#: about them: read from conclusions by the abstract's cues, 3 of 7 cells were a limit (the
#: others findings, "does not add value", or plans: "Directions for future work are many").
GAP = re.compile(r"\b(?:however|but|lack|remain|challeng|limited)", re.IGNORECASE)
OWN_METHOD = re.compile(rf"{AUTHORS.pattern}|{CONTRIBUTION.pattern}", re.IGNORECASE)
BODY_PARTS: dict[str, tuple[tuple[Role, re.Pattern[str] | None], ...]] = {
    "Problem": (("introduction", GAP),),
    "Approach": (("method", OWN_METHOD),),
    "Data / setting": (("data", None), ("results", DATA)),
    "Key results": (("results", STRONG_RESULT),),
    "Limitations": (("limitations", None),),
}
#: A body sentence longer than this is not quoted in a summary or a cell.
BODY_SENTENCE_WORDS = 45
#: Body sentences never quoted for an aspect: about the paper's layout ("In this section we ...",
#: "Table 2 shows ...", "... is shown in Fig. 3"), or unreadable without the typeset math.
_META = re.compile(
    r"\bthis (?:section|chapter|subsection)\b|\bbelow\b"
    r"|^(?:table|figure|fig\.) \S+ (?:shows?|lists?|gives?)\b"
    r"|\b(?:shown|seen|given|listed|reported) in (?:table|fig)|\b(?:INLINEFORM|DISPLAYFORM|FIGREF|TABREF)\d",
    re.IGNORECASE,
)
#: A sentence citing other work (QASPER's "BIBREF6", "[12]", "(Smith et al., 2019)") is as
#: often about that work ("The same model reached 68.8% BIBREF6") as the paper's own: not quoted.
_CITES = re.compile(r"\bBIBREF\d|\[\d+(?:\s*[,–-]\s*\d+)*\]|\bet al\.,? \(?\d{4}")


class BodySentence(NamedTuple):
    text: str
    section: int
    part: int  # its part's place in the aspect's `BODY_PARTS` (0: the best)


def body_sentences(paper: Paper, aspect: str) -> list[BodySentence]:
    """The sentences of `paper`'s body that may state `aspect`: of the parts where it is stated
    (`BODY_PARTS`, `parts.PART_PARAGRAPHS` of each), matching that part's cue; never one citing
    other work, about the layout, of math or over `BODY_SENTENCE_WORDS`."""
    found: dict[str, BodySentence] = {}
    for k, (role, cue) in enumerate(BODY_PARTS[aspect]):
        for section, paragraph in parts.part_paragraphs(paper, role):
            for s in evidence_sentences(parts.paragraph_text(paper, section, paragraph)):
                if (
                    s not in found
                    and len(s.split()) <= BODY_SENTENCE_WORDS
                    and (cue is None or cue.search(s))
                    and not _META.search(s)
                    and not _CITES.search(s)
                ):
                    found[s] = BodySentence(s, section, k)
    return list(found.values())


def body_quote(
    paper: Paper,
    number: int,
    aspect: str,
    rank: Ranker | None = None,
    label: str | None = None,
) -> CitedSentence | None:
    """The sentence of `paper`'s body that states `aspect`, quoted and cited to where it was read
    (its section and page: a sentence of the method may stand in the introduction too); None when
    no sentence does (`body_sentences`). Of several: the best part's, "we propose ..." first,
    then (with `rank`) the most like the paper's abstract, else the first."""
    candidates = body_sentences(paper, aspect)
    if not candidates:
        return None
    texts = [c.text for c in candidates]
    sims = rank(f"{paper.title}. {paper.abstract}", texts) if rank else [-i for i in range(len(texts))]
    best = max(
        range(len(candidates)),
        key=lambda i: (-candidates[i].part, bool(CONTRIBUTION.search(texts[i])), sims[i]),
    )
    section = paper.sections[candidates[best].section]
    pages = [p for t, p in zip(section.paragraphs, section.pages, strict=False) if texts[best] in t]
    short = label if label and " " not in label else None
    cell = quote(clean(texts[best], short), number, texts[best])
    return cell.model_copy(update={"section": section.name, "page": pages[0] if pages else None})


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
    aspect classifier: 0.85 of 176 hand-labelled sentences right); for limitations, a whole
    paper only where it states its own (`own_limitations`)."""
    found: set[int] = set()
    if intent.kind == QuestionKind.DEFINITION and intent.named:
        found |= {s.number for s in sources if s.paper.id in intent.named}
    if aspect := asked(intent.question):
        for s in sources:
            if aspect == "Limitations" and s.paper.sections:
                if own_limitations(s.paper):
                    found.add(s.number)
            elif aspect_cells(s)[aspect].citations:
                found.add(s.number)
    return found


def own_limitations(paper: Paper) -> bool:
    """A whole paper states its limitations: a section about them, a paragraph of its body or a
    sentence of its abstract where the authors name their own (`parts.limitations_paragraphs`,
    `parts.OWN_LIMITATIONS`). Not the abstract classifier's cues, which read other work's
    limits as the paper's ("BERT ... do not leverage information on inter-document
    relatedness", SPECTER's problem)."""
    if parts.limitations_paragraphs(paper):
        return True
    return any(parts.OWN_LIMITATIONS.search(s) for s in evidence_sentences(paper.abstract))
