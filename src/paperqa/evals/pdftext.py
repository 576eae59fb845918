"""How well a PDF was read: the text paperqa took from a PDF against the text the PDF was
made from (`scripts/pdf/render_fixtures.py` typesets QASPER papers' own sections).

- paragraph F1: each source paragraph of prose against the read paragraph that shares most of
  its words (token F1), averaged (QASPER keeps some formulas as LaTeX source, "$$\\log p(...)$$":
  typeset as text they are symbols, dropped as garbled math; they are not counted);
- headings found: the source's section names among the read ones (numbers aside);
- running lines inside paragraphs: read paragraphs that hold the running header's words, or a
  number their source paragraph does not have that is a page number of the PDF (should be none).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from paperqa.evals.qasper import tokens_f1
from paperqa.types import Paper

#: QASPER's placeholders, as the fixtures typeset them ("BIBREF3" -> "Bibref").
_PLACEHOLDER = re.compile(r"\b(BIBREF|INLINEFORM|DISPLAYFORM|TABREF|FIGREF|SECREF)\d+\b")
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def as_typeset(text: str) -> str:
    """Source text as the fixture shows it: placeholders as words, only Latin-1 characters."""
    text = _PLACEHOLDER.sub(lambda m: m.group(1).title(), text)
    return text.encode("latin-1", "ignore").decode("latin-1")


def heading_name(name: str) -> str:
    """ "Experiments ::: Datasets" -> "datasets"; "4.1 Datasets" -> "datasets"."""
    name = name.split(":::")[-1]
    return " ".join(words(re.sub(r"^\s*(\d+|[A-Z]|[IVX]+)(\.\d+)*\.?\s+(?=\S)", "", name.strip())))


def is_prose(text: str) -> bool:
    """Not LaTeX source: no display math, and mostly words."""
    letters = sum(len(w) for w in re.findall(r"[A-Za-z]{2,}", text))
    return "$$" not in text and "\\" not in text and letters >= 0.6 * len(text.replace(" ", ""))


def score(read: Paper, source: dict, pages: int, running: Sequence[str] = ("Preprint",)) -> dict[str, float]:
    """The read paper against its source record (`{title, abstract, sections}`) and the PDF's
    page count."""
    read_paragraphs = [read.abstract, *(p for s in read.sections for p in s.paragraphs)]
    read_words = [words(p) for p in read_paragraphs]
    index: dict[str, set[int]] = {}
    for i, ws in enumerate(read_words):
        for w in set(ws):
            index.setdefault(w, set()).add(i)
    f1s = []
    best_source: dict[int, set[str]] = {}  # read paragraph -> the words of its source paragraph
    for paragraph in [source["abstract"], *(p for s in source["sections"] for p in s["paragraphs"])]:
        ws = words(as_typeset(paragraph))
        if len(ws) < 5 or not is_prose(paragraph):
            continue
        candidates = Counter(i for w in set(ws) for i in index.get(w, ()))
        scored = [(tokens_f1(read_words[i], ws), i) for i, _ in candidates.most_common(5)]
        best, at = max(scored, default=(0.0, -1))
        f1s.append(best)
        if at >= 0:
            best_source.setdefault(at, set()).update(ws)
    names = {heading_name(s.name) for s in read.sections}
    wanted = [heading_name(s["name"]) for s in source["sections"] if s["paragraphs"]]
    found = sum(1 for n in wanted if n in names)
    marks = [m.lower() for m in running]
    page_numbers = {str(n) for n in range(1, pages + 1)}
    leaks = sum(
        1
        for i, p in enumerate(read_paragraphs)
        if any(m in p.lower() for m in marks)
        or (i in best_source and (set(read_words[i]) & page_numbers) - best_source[i])
    )
    return {
        "paragraph_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "headings_found": round(found / len(wanted), 4) if wanted else 1.0,
        "paragraphs_with_running_lines": leaks,
        "title_right": float(" ".join(words(read.title)) == " ".join(words(as_typeset(source["title"])))),
    }
