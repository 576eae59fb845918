"""HTML for the web app: answers with their marks and citation links, sources, tables,
and the library's header. Pure functions of results; the app (`paperqa.interfaces.app`) wires them
to widgets, and the page's one script (`HEAD`) makes `[n]` open its source."""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from paperqa.answer.write.record_answers import date_span
from paperqa.interfaces.files import pdf_of
from paperqa.retrieval.names import paper_names
from paperqa.text.wordlists import STOPWORDS
from paperqa.types import Answer, CitedSentence, IngestReport, Paper, Reference

if TYPE_CHECKING:
    from paperqa.library import Library

#: Authors named on a source card before "et al." (a card is narrower than a record answer,
#: which names `records.SHOWN_AUTHORS`).
CARD_AUTHORS = 6

CSS = """
.pq-answer .weak { background: #fff3cd; }
.pq-answer .ok::after { content: " \\2713"; color: #2e7d32; font-size: 0.8em; }
.pq-answer .weak::after { content: " \\26A0"; color: #b26a00; font-size: 0.8em; }
.pq-answer .unverified { background: #fde2e1; }
.pq-answer .unverified::after { content: " \\26A0 not verified"; color: #b3261e; font-size: 0.8em; }
a.pq-cite { text-decoration: none; font-weight: 600; cursor: pointer; }
.pq-source { border-left: 3px solid #ddd; padding-left: 0.6em; margin-bottom: 0.8em; scroll-margin: 4em; }
.pq-source.pq-flash { border-left-color: #2e7d32; background: #f1faf2; }
.pq-source mark, .pq-evidence mark { background: #d7f5dd; }
.pq-evidence { margin: 0.3em 0; padding-left: 0.5em; border-left: 2px solid #d7f5dd; font-size: 0.95em; }
.pq-table td, .pq-table th { vertical-align: top; padding: 0.4em; border: 1px solid #ddd; }
.pq-note, .pq-legend, .pq-details { color: #666; font-size: 0.85em; }
.pq-error { color: #b3261e; }
.pq-title { font-weight: 600; }
#question-error:not(:has(.pq-error)), #chat-status:not(:has(.pq-note)) { display: none; }
"""

#: Clicking a citation opens its source (and the abstract around the supporting sentence).
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.pq-cite");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const n = link.dataset.n || (link.getAttribute("href") || "").split("-").pop();
  const scope = link.closest(".pq-scope") || document.querySelector("#sources");
  const source = scope && scope.querySelector(`.pq-source[data-n="${n}"]`);
  if (!source) return;
  for (let d = source.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
  source.querySelectorAll("details").forEach((d) => { d.open = true; });
  const target = source.querySelector("details mark") || source;
  target.scrollIntoView({ block: "center" });
  source.classList.add("pq-flash");
  setTimeout(() => source.classList.remove("pq-flash"), 2000);
}, true);
</script>"""

LEGEND = (
    "✓ checked: the cited source states it (its names, figures and claim) · "
    "⚠ not found in the cited source · click [n] to see the source"
)


# --- answers ---------------------------------------------------------------------


def cite_links(numbers: Sequence[int]) -> str:
    return "".join(f'<a class="pq-cite" href="#pq-source-{n}" data-n="{n}">[{n}]</a>' for n in numbers)


def sentence_html(s: CitedSentence) -> str:
    css = "unverified" if s.grounded is False else ("ok" if s.supported else "weak")
    title = f' title="{html.escape(s.problem)}"' if s.problem else ""
    marks = f" {cite_links(s.citations)}" if s.citations else ""
    if marks and s.where:  # quoted from the paper's body: which section (and page)
        marks += f' <span class="pq-where">{html.escape(s.where)}</span>'
    return f'<span class="{css}"{title}>{html.escape(s.text)}{marks}</span>'


def made_by(answer: Answer) -> str:
    """The details line: which model wrote, tokens and time, in a reader's words."""
    u = answer.usage
    model = "no language model was used" if answer.backend == "none" else f"model: {answer.backend}"
    tokens = f" · {u.prompt_tokens:,} + {u.completion_tokens:,} tokens" if u.llm_calls else ""
    return f"{model[0].upper()}{model[1:]}{tokens} · {u.total_seconds:.1f} s"


def answer_html(answer: Answer) -> str:
    """The answer with a mark per sentence, the legend, where its sentences come from, and
    the engine-room facts folded away."""
    if answer.not_in_library:
        return f'<div class="pq-answer">{html.escape(answer.text)}</div>' + _details(answer, None)
    body = " ".join(sentence_html(s) for s in answer.sentences)
    if answer.short_answer:
        marks = f" {cite_links([answer.short_citation])}" if answer.short_citation else ""
        body = f'<p class="pq-short"><strong>{html.escape(answer.short_answer)}</strong>{marks}</p>{body}'
    legend = f'<p class="pq-legend">{LEGEND}</p>' if any(s.citations for s in answer.sentences) else ""
    return f'<div class="pq-answer">{body}</div>{legend}' + _details(answer, answer.how_written())


def _details(answer: Answer, written: str | None) -> str:
    note = f'<p class="pq-note">{html.escape(written)}.</p>' if written else ""
    made = html.escape(made_by(answer))
    return f'{note}<details class="pq-details"><summary>Details</summary>{made}</details>'


def draft_html(draft: str) -> str:
    """The model's draft while it writes: plain text on one line, never markup."""
    text = html.escape(" ".join(draft.split()))
    return f'<span class="pq-note">Writing (checked against the sources when done): {text}</span>'


# --- sources ---------------------------------------------------------------------


@dataclass
class SourceCard:
    reference: Reference
    paper: Paper | None
    evidence: list[str] = field(default_factory=list)


def cards_of(answer: Answer) -> list[SourceCard]:
    """One card per reference of `answer`: the paper and the sentences that support it."""
    evidence: dict[int, list[str]] = {}
    for s in answer.sentences:
        for n in s.citations:
            if s.evidence and s.evidence not in evidence.get(n, []):
                evidence.setdefault(n, []).append(s.evidence)
    papers = {s.number: s.paper for s in answer.sources}
    return [SourceCard(r, papers.get(r.number), evidence.get(r.number, [])) for r in answer.references]


def _highlight(abstract: str, evidence: list[str]) -> str:
    out = html.escape(abstract)
    for sentence in sorted(set(evidence), key=len, reverse=True):
        escaped = html.escape(sentence)
        out = out.replace(escaped, f"<mark>{escaped}</mark>")
    return out


def evidence_html(sentence: str, paper: Paper | None) -> str:
    """A supporting sentence; one from the paper's body in its paragraph, its section named."""
    place = paper.place_of(sentence) if paper else None
    if paper is None or place is None:
        return f'<div class="pq-evidence"><mark>{html.escape(sentence)}</mark></div>'
    label = html.escape(place.label)
    if place.page and has_pdf(paper):  # the page opens in the browser's PDF viewer
        label = f'<a href="{pdf_url(paper)}#page={place.page}" target="_blank" rel="noopener">{label}</a>'
    where = f'<span class="pq-where">{label}</span> '
    return f'<div class="pq-evidence">{where}{_highlight(place.paragraph, [sentence])}</div>'


def has_pdf(paper: Paper) -> bool:
    """The paper's own PDF is on this machine (served at `pdf_url` by `paperqa serve` and the
    app: `interfaces.server`)."""
    return pdf_of(paper) is not None


def pdf_url(paper: Paper) -> str:
    return html.escape(f"/pdf/{quote(paper.id, safe='/:')}")


def card_html(card: SourceCard) -> str:
    ref, paper = card.reference, card.paper
    link = f' · <a href="{html.escape(ref.url)}" target="_blank">link</a>' if ref.url else ""
    if paper is not None and has_pdf(paper):
        link += f' · <a href="{pdf_url(paper)}" target="_blank" rel="noopener">PDF</a>'
    authors = ""
    if paper is not None and paper.authors:
        shown = paper.authors[:CARD_AUTHORS]
        names = ", ".join(shown) + (" et al." if len(paper.authors) > CARD_AUTHORS else "")
        authors = f"{html.escape(names)} · "
    quotes = "".join(evidence_html(e, paper) for e in card.evidence)
    abstract = _highlight(paper.abstract, card.evidence) if paper else ""
    return (
        f'<div class="pq-source" id="pq-source-{ref.number}" data-n="{ref.number}" '
        f'data-paper-id="{html.escape(ref.paper_id)}">'
        f'<span class="pq-title">[{ref.number}] {html.escape(ref.title)}</span><br>'
        f'<span class="pq-note">{authors}{html.escape(ref.date_text or str(ref.date or "no date"))} · '
        f"{html.escape(ref.paper_id)}{link}</span>{quotes}"
        f"<details><summary>Abstract</summary>{abstract}</details></div>"
    )


def sources_html(answer: Answer, earlier: Sequence[SourceCard] = ()) -> str:
    """The last answer's sources (supporting sentences shown, abstracts folded), then the
    other papers cited earlier in the conversation, so every [n] on the page has its card."""
    if not answer.references and not earlier:
        return "<p>No sources.</p>"
    heading = "Nearest papers (none answers the question)" if answer.not_in_library else "Sources"
    parts = [f"<h3>{heading}</h3>", *(card_html(c) for c in cards_of(answer))]
    shown = {r.number for r in answer.references}
    rest = [c for c in earlier if c.reference.number not in shown]
    if rest:
        inner = "".join(card_html(c) for c in sorted(rest, key=lambda c: c.reference.number))
        parts.append(
            f"<details><summary>Cited earlier in this conversation ({len(rest)})</summary>{inner}</details>"
        )
    return "\n".join(parts)


def comparison_html(answer: Answer) -> str:
    heads = [s.paper.title for s in sorted(answer.sources, key=lambda s: s.number)]
    rows = "".join(
        f"<tr><th>{html.escape(row.aspect)}</th>"
        + "".join(f"<td>{sentence_html(c) if c.citations else html.escape(c.text)}</td>" for c in row.cells)
        + "</tr>"
        for row in answer.comparison or []
    )
    columns = "".join(f"<th>[{n}] {html.escape(t)}</th>" for n, t in enumerate(heads, 1))
    table = (
        f'<table class="pq-table pq-answer"><thead><tr><th></th>{columns}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return f"{table}<h3>In one paragraph</h3>{answer_html(answer)}"


def table_html(
    titles: Sequence[str], columns: Sequence[str], cells: dict[tuple[int, int], CitedSentence]
) -> str:
    """A literature table, papers in rows: the cells filled so far (`cells` by (row, column)),
    the others marked as being read."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    for i, title in enumerate(titles):
        tds = []
        for j in range(len(columns)):
            cell = cells.get((i, j))
            if cell is None:
                tds.append('<td class="pq-note">reading…</td>')
            else:
                tds.append(f"<td>{sentence_html(cell) if cell.citations else html.escape(cell.text)}</td>")
        rows.append(f"<tr><th>[{i + 1}] {html.escape(title)}</th>{''.join(tds)}</tr>")
    return (
        f'<table class="pq-table pq-answer"><thead><tr><th>Paper</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def literature_table_html(answer: Answer, note: str | None = None) -> str:
    """The finished table, its note, the overview paragraph and a card per paper with the
    sentences its cells quote marked; each [n] opens its card (`.pq-scope`)."""
    rows = answer.comparison or []
    titles = [s.paper.title for s in sorted(answer.sources, key=lambda s: s.number)]
    cells = {(i, j): cell for j, row in enumerate(rows) for i, cell in enumerate(row.cells)}
    evidence: dict[int, list[str]] = {}
    for cell in cells.values():
        for n in cell.citations:
            if cell.evidence and cell.evidence not in evidence.setdefault(n, []):
                evidence[n].append(cell.evidence)
    papers = {s.number: s.paper for s in answer.sources}
    cards = "".join(
        card_html(SourceCard(r, papers.get(r.number), evidence.get(r.number, []))) for r in answer.references
    )
    said = f'<p class="pq-note">{html.escape(note)}</p>' if note else ""
    return (
        f'<div class="pq-scope">{table_html(titles, [r.aspect for r in rows], cells)}{said}'
        f"<h3>In one paragraph</h3>{answer_html(answer)}<h3>Sources</h3>{cards}</div>"
    )


def error_html(message: str) -> str:
    return f'<p class="pq-error">⚠ {html.escape(message)}</p>'


# --- the library -----------------------------------------------------------------

#: Title words too common in any field's titles to say what a library is about.
_GENERIC = frozenset(
    {"model", "models", "learning", "neural", "network", "networks", "deep", "via", "using", "based"}
    | {"towards", "toward", "approach", "method", "methods", "study", "analysis", "framework", "large"}
    | {"language", "data"}
)
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")


def subjects(papers: Sequence[Paper], n: int = 5) -> list[str]:
    """The words the library's titles use most (stopwords and generic words aside)."""
    counts: Counter[str] = Counter()
    for p in papers:
        counts.update({w.lower() for w in _WORD.findall(p.title)} - STOPWORDS - _GENERIC)
    return [w for w, c in counts.most_common(n) if c > 1]


def distinctive_subject(papers: Sequence[Paper]) -> str | None:
    """A frequent title word that not most papers share (in an interpretability library,
    "steering" rather than "interpretability"): a list question about it picks some."""
    for word in subjects(papers, 8):
        if sum(word in p.title.lower() for p in papers) <= len(papers) / 2:
            return word
    return None


def example_questions(papers: Sequence[Paper], n: int = 4) -> list[str]:
    """Questions this library can answer: about a paper it names, a subject it covers,
    and its records. Drawn from the papers loaded, not from a fixed list."""
    if not papers:
        return []
    recent = sorted(papers, key=lambda p: (p.date is not None, p.date), reverse=True)
    names = paper_names(recent)
    named = [(p, sorted(names[p.id])[0]) for p in recent if names.get(p.id)]
    questions: list[str] = []
    if named:
        questions.append(f"What does {named[0][1]} do?")
    else:
        questions.append(f"What are the main results of “{recent[0].title}”?")
    if topic := distinctive_subject(papers):
        questions.append(f"Which papers deal with {topic}?")
    if len(named) > 1:
        questions.append(f"How does {named[1][1]} work, and what are its limitations?")
    years = Counter(p.date.year for p in papers if p.date)
    if years:
        questions.append(f"Which papers are from {years.most_common(1)[0][0]}?")
    if named:
        questions.append(f"When was {named[-1][1]} published?")
    return questions[:n]


def library_header(papers: Sequence[Paper]) -> str:
    """One line on what the library holds: count, date range, subjects."""
    if not papers:
        return "**The library is empty.** Add papers in the Library tab (BibTeX, RIS, CSV, JSON...)."
    dates = date_span(papers)
    span = f", {dates[0]} to {dates[1]}" if dates else ""
    about = subjects(papers)
    topics = f" · frequent title words: {', '.join(about)}" if about else ""
    return f"**{len(papers)} {'paper' if len(papers) == 1 else 'papers'}**{span}{topics}"


def papers_table(papers: list[Paper]) -> list[list[str]]:
    return [[p.date_text or "", p.title, read_as(p), p.id] for p in papers]


def read_as(paper: Paper) -> str:
    """What the library has of the paper: "PDF, 12 sections", "full text, 7 sections" or
    "abstract" (an answer can only quote that much of it)."""
    if not paper.sections:
        return "abstract"
    n = len(paper.sections)
    return f"{'PDF' if has_pdf(paper) else 'full text'}, {n} section{'s' if n > 1 else ''}"


_TEMP_PATH = re.compile(r"(?:/[^\s/:]+)+/([^\s/:]+:\d+)")


def _file_and_line(match: re.Match[str]) -> str:
    return match.group(1)


def report_markdown(report: IngestReport, examples: int = 5) -> str:
    """An upload's report: counts, then the skipped entries and rejected files grouped by
    reason, the first few of each with their reason (a file of 500,000 bad lines is a few
    lines here)."""
    compact = report.compact(examples) if report.skipped_counts is None else report
    lines = [
        f"**{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{compact.skipped_total:,} skipped or rejected, {len(report.merged)} merged.**"
    ]
    lines += [
        f"- {'skipped' if s.kind else 'rejected'} {html.escape(os.path.basename(s.location))}"
        f"{' ' + html.escape(s.key) if s.key else ''}: {html.escape(s.reason)}"
        for s in compact.skipped
    ]
    if compact.skipped_total > len(compact.skipped):
        counts = ", ".join(f"{n:,} {label}" for label, n in (compact.skipped_counts or {}).items())
        hidden = compact.skipped_total - len(compact.skipped)
        lines.append(f"- ... {hidden:,} more not shown ({counts} in all)")
    # the upload's temporary folder means nothing to the reader: keep the file name and line
    lines += [f"- note: {html.escape(_TEMP_PATH.sub(_file_and_line, w))}" for w in compact.warnings]
    if (compact.warnings_total or 0) > len(compact.warnings):
        lines.append(f"- ... {compact.warnings_total - len(compact.warnings):,} more notes")  # type: ignore[operator]
    return "\n".join(lines)


def status_markdown(library: Library) -> str:
    s = library.stats()
    size = f"{s.store_bytes / 1024**2:.1f} MiB" if s.store_bytes is not None else "server"
    return (
        f"**Chat model:** {library.tasks.chat[1]}  \n"
        f"**Embedding model:** {s.embedding_model} ({s.embedding_dim} dimensions)  \n"
        f"**Library:** {s.papers} papers, {s.chunks} chunks  \n"
        f"**Index:** {s.store} ({size})  \n"
        f"**Data directory:** {s.home}"
    )
