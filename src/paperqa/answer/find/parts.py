"""The parts of a paper's body a summary or a table reads: its sections by what they are for
("method", "results", ...), told by their headings, and the lead paragraphs of each part.
Pure functions.

Headings name what a section is for in most papers ("3 Experimental Setup", "Results and
Discussion"); a method section is often named after the model ("Encoder", "Hierarchical
Attention"): a section no heading word places, after the introduction and before the first
experiment or result, is taken for the method."""

from __future__ import annotations

import re
from typing import Literal

from paperqa.text.sentences import split_sentences
from paperqa.types import Paper

Role = Literal["introduction", "related", "method", "data", "results", "conclusion", "limitations"]

#: Heading words of each role, tried in this order (the first that matches decides: "Results and
#: Discussion" is results, "Data Collection" data, "Conclusion and Limitations" limitations).
_HEADING_WORDS: tuple[tuple[Role, str], ...] = (
    ("limitations", r"limitation|threats? to validity|weakness"),
    ("introduction", r"introduction|motivation\b|overview\b"),
    ("related", r"related\b|background|prior work|previous work|literature"),
    ("results", r"results?\b|experiment|evaluation|performance|ablation|analysis|findings|comparison"),
    ("data", r"data|corpus|corpora|annotation|collection\b"),
    ("conclusion", r"conclu|summary\b|discussion|future work"),
    ("method", r"method|approach|model|architecture|framework|proposed|system\b|algorithm|our\b"),
)
ROLE_HEADINGS: tuple[tuple[Role, re.Pattern[str]], ...] = tuple(
    (role, re.compile(rf"\b(?:{words})", re.IGNORECASE)) for role, words in _HEADING_WORDS
)
#: Paragraphs of each part a summary or a table cell reads (`part_paragraphs`).
PART_PARAGRAPHS = 3
#: Of a part's sections, those whose heading says this come first: a results section before
#: the experimental setup ("Experiments"), which states no result.
PREFERRED = {"results": re.compile(r"\bresults?\b|performance|findings", re.IGNORECASE)}
#: A paragraph shorter than this many words ("Table 2 shows our results.") is joined by the next.
SHORT_PARAGRAPH_WORDS = 40


def heading_role(name: str) -> Role | None:
    """What a section is for, by its heading ("4.2 Main Results" -> "results"); None when no
    heading word says. A subsection ("Experiments ::: Datasets") is placed by its own heading
    first, then by its parent's; any subsection of the introduction or related work is that."""
    found = [_part_role(p) for p in re.split(r":::|\n", name) if p.strip()]
    if found and found[0] in ("introduction", "related"):
        return found[0]  # "Related Work ::: Pretrained Language Models" is background
    return next((role for role in reversed(found) if role is not None), None)


def _part_role(part: str) -> Role | None:
    text = re.sub(r"^[\W\d]+", "", part)  # the numbering: "3.1 ", "IV. "
    return next((role for role, words in ROLE_HEADINGS if words.search(text)), None)


def roles(paper: Paper) -> dict[int, Role]:
    """Each body section's role (index in `paper.sections`): by its heading, else "method" for a
    section between the introduction (or related work) and the first experiments or results."""
    out: dict[int, Role] = {}
    seen_start, seen_results = False, False
    for i, section in paper.body:
        role = heading_role(section.name)
        if role in ("introduction", "related"):
            seen_start = True
        elif role in ("results", "data", "conclusion", "limitations"):
            seen_results = True
        if role is None and seen_start and not seen_results:
            role = "method"
        if role is not None:
            out[i] = role
    return out


def part_paragraphs(paper: Paper, role: Role, limit: int = PART_PARAGRAPHS) -> list[tuple[int, int]]:
    """Up to `limit` (section, paragraph) places of the sections of `role`, in reading order;
    a short paragraph is counted with the one after it (see `paragraph_text`)."""
    places: list[tuple[int, int]] = []
    sections = [i for i, r in roles(paper).items() if r == role]
    if preferred := PREFERRED.get(role):
        sections.sort(key=lambda i: not preferred.search(paper.sections[i].name))
    for i in sections:
        paragraphs = paper.sections[i].paragraphs
        j = 0
        while j < len(paragraphs) and len(places) < limit:
            places.append((i, j))
            j += 2 if _short(paragraphs[j]) and j + 1 < len(paragraphs) else 1
        if len(places) >= limit:
            break
    return places


#: A sentence where the authors name their own work's limits ("While the findings of this study
#: are significant it is also important to note its limitations.", "A limitation of our
#: approach is ..."), not another work's ("existing corpora are not without their limitations",
#: "we address the limitations of prior work").
OWN_LIMITATIONS = re.compile(
    r"^(?=.*\b(?:limitations?|shortcomings?|weakness(?:es)?)\b)"
    r"(?=.*\b(?:(?:this|our|the present|the current) (?:study|work|paper|analysis|approach|review|"
    r"trial|survey|method|model|system|findings|results)|its limitations)\b)",
    re.IGNORECASE | re.DOTALL,
)


def limitations_paragraphs(paper: Paper) -> list[tuple[int, int]]:
    """Where a paper states its limitations: its "Limitations" section's lead paragraphs; else,
    past its introduction and related work, the first paragraph with a sentence where the
    authors name their own work's (`OWN_LIMITATIONS`; a discussion's "Strengths and
    limitations" paragraph); [] when neither."""
    if places := part_paragraphs(paper, "limitations"):
        return places
    role_of = roles(paper)
    for i, section in paper.body:
        if role_of.get(i) in ("introduction", "related"):
            continue
        for j, paragraph in enumerate(section.paragraphs):
            if any(OWN_LIMITATIONS.search(s) for s in split_sentences(paragraph)):
                return [(i, j)]
    return []


def paragraph_text(paper: Paper, section: int, paragraph: int) -> str:
    """The paragraph at a place, with the next one when it is short (a table's lead-in)."""
    paragraphs = paper.sections[section].paragraphs
    text = paragraphs[paragraph]
    if _short(text) and paragraph + 1 < len(paragraphs):
        text = f"{text} {paragraphs[paragraph + 1]}"
    return text


def _short(paragraph: str) -> bool:
    return len(paragraph.split()) < SHORT_PARAGRAPH_WORDS
