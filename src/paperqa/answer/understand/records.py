"""Questions about the papers' records, not their content: who wrote a paper, when and where
it appeared, its link; how many papers the library holds, which are dated in a range or
written by someone (`parse_record`); and the year phrase of a question about several papers
(`year_filter`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Field = Literal["authors", "date", "venue", "link", "count", "dated", "by_author"]

_YEAR = r"((?:19|20)\d\d)"
_PAPERS = r"(?:papers?|articles?|works?|entries|preprints?|publications?)"
_LIBRARY = r"(?:\s+(?:are\s+)?(?:in|of)\s+(?:the|my|this)\s+(?:library|collection|reading list))?"
_SINGLE: list[tuple[Field, re.Pattern[str]]] = [
    (
        "authors",
        re.compile(
            r"\b(?:who\s+(?:wrote|writes|authored|are\s+the\s+authors|is\s+the\s+author)|"
            r"(?:the\s+)?authors?\s+(?:of|for|behind)|who\s+(?:is|are)\s+behind)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"\b(?:when\s+(?:was|were|is|did)\b.*\b(?:published|released|written|posted|submitted|"
            r"appear|come\s+out|out)\b|what\s+(?:year|date|month)\b|(?:publication|release)\s+"
            r"(?:date|year)|how\s+(?:old|recent)\s+is)",
            re.I,
        ),
    ),
    (
        "venue",
        re.compile(
            r"\b(?:where\s+(?:was|were|is|did)\b.*\b(?:published|appear|presented)|"
            r"(?:which|what|in\s+which)\s+(?:venue|journal|conference|proceedings)|"
            r"published\s+in\s+which)\b",
            re.I,
        ),
    ),
    (
        "link",
        re.compile(
            r"\b(?:(?:link|url|web\s?page|pdf)\s+(?:to|for|of)\b(?!.*\bbetween\b)|"
            r"doi\b|arxiv\s+(?:id|number|link)|where\s+can\s+i\s+(?:read|find|get))",
            re.I,
        ),
    ),
]
_COUNT = re.compile(
    rf"^how\s+many\s+{_PAPERS}\s*(?:are\s+there|does|do|are|is)?\s*(?:(?:the|my|this)\s+)?"
    rf"(?:library|collection|reading\s+list|in\s+the\s+library|in\s+my\s+library|there)?\s*"
    rf"(?:hold|have|contain|has)?\s*(?:(?:from|in|dated|since|after|before)\s+{_YEAR})?\s*\??$",
    re.I,
)
_DATED = re.compile(
    rf"^(?:which|what|list|show(?:\s+me)?)\s+(?:all\s+)?(?:the\s+)?{_PAPERS}{_LIBRARY}\s+"
    rf"(?:are\s+|were\s+)?(?:published\s+|written\s+|dated\s+|released\s+)?"
    rf"(from|in|since|after|before|between)\s+{_YEAR}(?:\s+and\s+{_YEAR})?\s*\??$",
    re.I,
)
_BY_AUTHOR = re.compile(
    rf"^(?:which|what|list|show(?:\s+me)?)\s+(?:all\s+)?(?:the\s+)?{_PAPERS}{_LIBRARY}\s+"
    r"(?:are\s+|were\s+)?(?:by|written\s+by|authored\s+by|co-?authored\s+by)\s+"
    r"(?P<name>[^\d?]{2,80}?)\s*\??$",
    re.I,
)


@dataclass(frozen=True)
class RecordQuestion:
    """What a metadata question asks: a field of one paper, or a list or count of papers."""

    field: Field
    since: dt.date | None = None
    until: dt.date | None = None
    author: str | None = None


def parse_record(question: str) -> RecordQuestion | None:
    """The record question `question` asks, or None for a question about content."""
    q = " ".join(question.split())
    if m := _COUNT.match(q):
        since, until = _year_range("in", m.group(1), None) if m.group(1) else (None, None)
        return RecordQuestion("count", since, until)
    if m := _DATED.match(q):
        since, until = _year_range(m.group(1).lower(), m.group(2), m.group(3))
        return RecordQuestion("dated", since, until)
    if m := _BY_AUTHOR.match(q):
        return RecordQuestion("by_author", author=m.group("name").strip())
    for asked, pattern in _SINGLE:
        if pattern.search(q):
            return RecordQuestion(asked)
    return None


_YEAR_PHRASE = re.compile(
    rf"\s*\b(?:(?:published|written|dated|released)\s+)?(from|in|since|after|before|between)\s+{_YEAR}"
    rf"(?:\s+and\s+{_YEAR})?(?![-\w])",
    re.I,
)


#: "Which 2019 papers ...": the year as the papers' adjective.
_YEAR_OF_PAPERS = re.compile(rf"\b{_YEAR}\s+(?=(?:papers|works|studies|articles|publications)\b)", re.I)
#: A verb left alone at the end once the year phrase is gone: "... are (from 2019)?".
_LEFT_VERB = re.compile(r"\s+(?:are|is|were|was|published|written|dated|released)\s*(?=[?.!]*$)", re.I)


def year_filter(question: str) -> tuple[str, dt.date | None, dt.date | None]:
    """A question about several papers with a year ("Which papers from 2025 deal with
    steering?", "Which 2019 papers ...", "Which papers about X are from 2019?"): (the
    question without the year phrase, since, until); unchanged and no dates when it has none."""
    if (m := _YEAR_OF_PAPERS.search(question)) and int(m.group(1)) <= dt.date.today().year + 1:
        return f"{question[: m.start()]}{question[m.end() :]}".strip(), *_year_range("in", m.group(1), None)
    m = _YEAR_PHRASE.search(question)
    if not m or int(m.group(2)) > dt.date.today().year + 1:  # "in 2048 dimensions" is no date
        return question, None, None
    since, until = _year_range(m.group(1).lower(), m.group(2), m.group(3))
    rest = f"{question[: m.start()]}{question[m.end() :]}".strip()
    return _LEFT_VERB.sub("", rest), since, until


def _year_range(word: str, first: str, last: str | None) -> tuple[dt.date | None, dt.date | None]:
    a = int(first)
    if word == "between" and last:
        return dt.date(min(a, int(last)), 1, 1), dt.date(max(a, int(last)), 12, 31)
    if word in ("since",):
        return dt.date(a, 1, 1), None
    if word == "after":
        return dt.date(a + 1, 1, 1), None
    if word == "before":
        return None, dt.date(a - 1, 12, 31)
    return dt.date(a, 1, 1), dt.date(a, 12, 31)
