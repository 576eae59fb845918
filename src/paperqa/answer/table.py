"""`table`: a literature table. Papers in rows; columns the five comparison aspects or the
researcher's own ("dataset", "model size", "Which baselines do they compare against?").

Each cell is the sentence of that paper's abstract that answers its column, quoted and
cited, or `NOT_STATED`: an aspect column by the aspect classifier (`aspects`), a column of
the researcher's by the learned sentence ranker and answerability gate restricted to that
one abstract (`evidence.score_sentences`), so a cell never quotes another paper. Cells are
independent; every column question and abstract sentence is embedded once, in one batch.
A whole paper (its full text ingested) is read as an ask restricted to it reads it: a column
of the researcher's from its abstract and the body paragraphs retrieved for the column
(`body_for`), an aspect its abstract does not state from the body's part that states it
(`aspect_cells`: the data section, a limitations section, the results ...), the section named;
its empty cells say "Not stated in the paper."
Under the table, one cited sentence per column says which papers state it and which names
they share. `compare` is the two-paper case (`comparison`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from paperqa.answer.conversation import Conversation
from paperqa.answer.find import parts
from paperqa.answer.find.listing import LIST_PASSAGES, LIST_RARE_SHARE, list_sources
from paperqa.answer.find.sources import BODY_CANDIDATES, make_source, whole_paper, with_body
from paperqa.answer.pipeline import Pipeline
from paperqa.answer.quoting import clean
from paperqa.answer.read import reading
from paperqa.answer.read.evidence import Ranker, score_sentences, source_sentences
from paperqa.answer.read.ranking import Idf
from paperqa.answer.read.reader import Reads
from paperqa.answer.run import Run
from paperqa.answer.understand.intent import Intent, read_intent
from paperqa.answer.write import aspects
from paperqa.answer.write.extractive import quote
from paperqa.errors import InputError
from paperqa.text.names import terms
from paperqa.text.wordlists import FIELD_ACRONYMS
from paperqa.types import Answer, CitedSentence, ComparisonRow, Paper, Source

NOT_STATED = aspects.NOT_STATED
#: A table has at most this many papers and columns: beyond, it no longer fits a page.
MAX_PAPERS = 30
MAX_COLUMNS = 10
#: A column of the researcher's is filled only where the answerability gate gives the abstract
#: at least this probability of answering it (None: the gate's own cut, fitted on QASPER train).
#: A stricter cut was tried on the 60 hand-labelled seed cells (`benchmarks/bench_table.py`):
#: it leaves more cells "Not stated" without making the filled ones more often on their column
#: (the gate does not tell on-column sentences apart), so none is applied.
CELL_ANSWERABLE: float | None = None
#: ...and the ranker gives its sentence at least this probability of answering.
CELL_MIN_SCORE = 0.2
#: What a table says about cells of the researcher's own columns: how often, on hand-labelled
#: cells, such a cell answers its column (the aspects' cells: 0.91; `benchmarks/bench_table.py`).
OWN_COLUMNS_NOTE = (
    "Cells of the columns you named hold each paper's sentence closest to the column; on "
    "hand-labelled seed cells about 4 in 10 answer it (the five aspect columns: 9 in 10). Check them."
)
#: Column names that mean one of the five aspects, which the aspect classifier fills.
ASPECT_ALIASES: dict[str, str] = {
    **dict.fromkeys(["problem", "motivation", "research question", "gap", "goal", "aim"], "Problem"),
    **dict.fromkeys(
        ["approach", "method", "methods", "methodology", "contribution", "technique"], "Approach"
    ),
    **dict.fromkeys(
        [
            "data / setting",
            "data",
            "dataset",
            "datasets",
            "data set",
            "benchmark",
            "benchmarks",
            "setting",
            "experimental setting",
            "evaluation data",
        ],
        "Data / setting",
    ),
    **dict.fromkeys(
        [
            "key results",
            "key result",
            "results",
            "result",
            "main result",
            "main results",
            "findings",
            "main finding",
            "main findings",
            "finding",
            "outcome",
            "outcomes",
        ],
        "Key results",
    ),
    **dict.fromkeys(
        ["limitations", "limitation", "weaknesses", "weakness", "limits", "open problems"], "Limitations"
    ),
}
#: A column written as a question starts like one.
_QUESTION = re.compile(
    r"^(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|does|do|did|can|could|has|have)\b",
    re.IGNORECASE,
)

#: A table by topic reads this many passages per paper it may hold (a paper has one to three).
TOPIC_PASSAGES_PER_PAPER = 3

#: Called as each cell is filled: (row, column, cell), rows and columns from 0.
OnCell = Callable[[int, int, CitedSentence], None]


def column_question(column: str) -> str:
    """The question a column asks of each paper: the column itself when it starts as one
    ("Which datasets did they use"), else "What <column> does the paper report?"."""
    text = " ".join(column.split()).rstrip(" ?")
    if not text:
        raise InputError("A column is empty: name what each paper should be asked (e.g. 'dataset').")
    if _QUESTION.match(text):
        return f"{text}?"
    return f"What {text} does the paper report?"


def aspect_of(column: str) -> str | None:
    """The comparison aspect a column names ("limitations", "main result", "dataset"), if any."""
    folded = " ".join(column.strip().rstrip("?").casefold().split())
    return ASPECT_ALIASES.get(folded)


def check_shape(papers: Sequence[Paper], columns: Sequence[str]) -> None:
    if not papers:
        raise InputError("The table has no papers: name papers, or give --topic or --since/--until.")
    if len(papers) > MAX_PAPERS:
        raise InputError(
            f"{len(papers)} papers is more than a table holds ({MAX_PAPERS}); "
            "name fewer papers or lower --limit."
        )
    if len(columns) > MAX_COLUMNS:
        raise InputError(f"{len(columns)} columns is more than a table holds ({MAX_COLUMNS}); drop some.")
    seen = [p.id for p in papers]
    if len(set(seen)) < len(seen):
        twice = next(pid for pid, n in Counter(seen).items() if n > 1)
        raise InputError(f"Paper {twice} is named twice; each paper is one row.")


@dataclass(frozen=True)
class ColumnFiller:
    """Fills the cells of one researcher's column, paper by paper (its intent read once)."""

    intent: Intent
    rank: Ranker
    idf: Idf
    cut: float
    reader: Reads | None = None
    #: A whole paper's source as an ask restricted to it reads it for the column (`body_for`).
    find: Callable[[str, Source], Source] | None = None

    @property
    def question(self) -> str:
        return self.intent.question

    def cell(self, source: Source, label: str | None) -> CitedSentence:
        if self.find is not None and source.paper.sections:
            source = self.find(self.question, source)
        scored = score_sentences(self.intent, [source], self.rank, self.idf)
        best = max(scored, key=lambda e: e.score, default=None)
        if best is not None and self.reader is not None:
            # the reader decides whether the abstract answers the column, and the sentence
            # holding the words that do is the cell
            (read,) = self.reader.read(self.question, [" ".join(source.text.split())])
            read = reading.with_gate({source.number: read}, {source.number: best.answerable})[source.number]
            if read.p < self.cut:
                return aspects.not_stated(source.paper)
            best = reading.lead_with_span(
                [best], [source], {source.number: read}, self.cut, self.reader.span_cut
            )[0]
        elif best is None or best.answerable < self.cut or best.score < CELL_MIN_SCORE:
            return aspects.not_stated(source.paper)
        if best is None:
            return aspects.not_stated(source.paper)
        short = label if label and " " not in label else None
        cell = quote(clean(best.sentence, short), source.number, best.sentence)
        place = source.paper.place_of(best.sentence)
        return cell.model_copy(update={"section": place.section, "page": place.page}) if place else cell


def fill(
    pipeline: Pipeline,
    papers: Sequence[Paper],
    columns: Sequence[str],
    on_cell: OnCell | None = None,
    run: Run | None = None,
) -> tuple[list[Source], list[ComparisonRow]]:
    """The table's sources (paper i is source i + 1) and its columns, each a `ComparisonRow`
    with one cell per paper. With a chat model writing (`free` or `rewrite` mode, and `run`
    given), a cell of one's own column may be shortened into a direct answer (`shorten`)."""
    sources = [whole_paper(p, i) for i, p in enumerate(papers, 1)]
    labels = pipeline.labels(sources)
    own = [c for c in columns if aspect_of(c) is None]
    rank, idf = pipeline.ranker(), pipeline.idf()
    if own:  # one embedding batch: every column question and every sentence of every abstract
        questions = [column_question(c) for c in own]
        rank(questions[0], [*questions[1:], *(t for s in sources for t in source_sentences(s))])
    cut = pipeline.answerable_cut() if CELL_ANSWERABLE is None else CELL_ANSWERABLE
    by_aspect = [aspect_cells(s, labels[s.number], rank) for s in sources] if len(own) < len(columns) else []
    names = pipeline.names(sources) if run is not None and pipeline.mode != "quote" else {}
    rows = []
    for j, column in enumerate(columns):
        aspect = aspect_of(column)
        filler = (
            None
            if aspect
            else ColumnFiller(
                read_intent(column_question(column)),
                rank,
                idf,
                cut,
                pipeline.reader,
                partial(body_for, pipeline),
            )
        )
        cells = []
        for i, source in enumerate(sources):
            if aspect:
                cell = by_aspect[i][aspect]
            else:
                cell = filler.cell(source, labels[source.number])  # type: ignore[union-attr]
                if run is not None and pipeline.mode != "quote" and cell.citations:
                    cell = shorten(pipeline, filler.question, cell, names[source.number], run)  # type: ignore[union-attr]
            cells.append(cell)
            if on_cell is not None:
                on_cell(i, j, cell)
        rows.append(ComparisonRow(aspect=column.strip(), cells=cells))
    return sources, rows


def body_for(pipeline: Pipeline, question: str, source: Source) -> Source:
    """A whole paper's source as an ask restricted to the paper reads it for `question`: its
    abstract and the body paragraphs retrieved for the question (`find.sources.with_body`)."""
    chunks = pipeline.retriever.retrieve(question, k=BODY_CANDIDATES, paper_ids=[source.paper.id])
    if not chunks:
        return source
    k = pipeline.settings.retrieval.k
    return with_body(
        make_source(source.number, source.paper, chunks[:k]), question=question, candidates=chunks
    )


def aspect_cells(source: Source, label: str | None, rank: Ranker) -> dict[str, CitedSentence]:
    """The aspect cells of one paper: its abstract's sentence of each aspect; for an aspect its
    abstract does not state, the sentence of its body that does (`aspects.body_quote`: a
    limitations section for limitations, the data sections for the data ...),
    cited to its section; else "Not stated in the paper"."""
    cells = aspects.aspect_cells(source, label=label)
    if not source.paper.sections:
        return cells
    limits = cells["Limitations"]
    if limits.citations and not parts.OWN_LIMITATIONS.search(limits.evidence or limits.text):
        # of a whole paper, its own words on its limits, not the abstract classifier's broad cues
        cells["Limitations"] = CitedSentence(text=aspects.NOT_STATED)
    for aspect, cell in cells.items():
        if not cell.citations:
            body = aspects.body_quote(source.paper, source.number, aspect, rank, label)
            cells[aspect] = body or aspects.not_stated(source.paper)
    return cells


def shorten(
    pipeline: Pipeline, question: str, cell: CitedSentence, names: Sequence[str], run: Run
) -> CitedSentence:
    """The chat model's direct answer to the column from the quoted sentence, kept when it passes
    the rewrite checks (grounded in that sentence alone, every figure and name kept, no word
    the sentence and the question lack) and is shorter than the quote; else the quote."""
    written = pipeline.writer.rewrite(question, cell, names, run)
    return written if len(written.text) < len(cell.text) else cell


def overview(rows: Sequence[ComparisonRow], labels: dict[int, str]) -> list[CitedSentence]:
    """One sentence per column: which papers' abstracts state it (cited) and which do not,
    and the names (datasets, models, methods) two or more of its cells share."""
    out = []
    for row in rows:
        stated = [(i + 1, c) for i, c in enumerate(row.cells) if c.citations]
        if not stated:
            continue
        silent = [labels[i + 1] for i, c in enumerate(row.cells) if not c.citations]
        who = _join([labels[n] for n, _ in stated])
        asked = row.aspect.strip()
        text = f"“{asked}”: answered by {who}" if asked.endswith("?") else f"{asked}: stated by {who}"
        if silent:
            text += f"; not stated by {_join(silent)}"
        shared = _shared_names(stated, labels)
        if shared:
            name, numbers = shared
            text += f"; {_join([labels[n] for n in numbers])} all mention {name}"
        out.append(
            CitedSentence(
                text=f"{text}.",
                citations=[n for n, _ in stated],
                support=1.0,
                supported=True,
                evidence=" | ".join(c.evidence or c.text for _, c in stated),
                origin="note",
                grounded=True,
            )
        )
    return out


def _shared_names(
    stated: Sequence[tuple[int, CitedSentence]], labels: dict[int, str]
) -> tuple[str, list[int]] | None:
    """The name most cells of a column use, when two or more use it (not a paper's own name)."""
    own = {label.casefold() for label in labels.values()}
    users: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for number, cell in stated:
        for name in {t for t in terms(cell.evidence or cell.text) if t not in FIELD_ACRONYMS}:
            key = name.casefold()
            if key in own:
                continue
            users.setdefault(key, []).append(number)
            shown.setdefault(key, name)
    common = max(users.items(), key=lambda kv: (len(kv[1]), kv[0]), default=None)
    if common is None or len(common[1]) < 2:
        return None
    return shown[common[0]], sorted(common[1])


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def topic_papers(
    pipeline: Pipeline,
    topic: str,
    limit: int,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[Paper]:
    """The `limit` papers most about `topic`, chosen as for "which papers ..." questions
    (`listing.list_sources`: close in meaning, or holding the topic's distinctive words)."""
    chunks = pipeline.retriever.retrieve(
        topic, k=max(LIST_PASSAGES, TOPIC_PASSAGES_PER_PAPER * limit), date_from=date_from, date_to=date_to
    )
    rare = pipeline.retriever.rare_stems(topic, LIST_RARE_SHARE)
    settings = pipeline.settings.retrieval
    sources = list_sources(
        pipeline.sources(chunks), [rare] if rare else [], settings.list_relevance, settings.list_margin
    )
    return [s.paper for s in sources][:limit]


def table(
    pipeline: Pipeline,
    papers: Sequence[Paper],
    columns: Sequence[str],
    run: Run,
    on_cell: OnCell | None = None,
) -> Answer:
    """The literature table of `papers` on `columns` (default: the five aspects)."""
    columns = list(columns) or list(aspects.ASPECTS)
    check_shape(papers, columns)
    sources, rows = run.stage("fill cells", lambda: fill(pipeline, papers, columns, on_cell, run), {})
    labels = pipeline.labels(sources)
    question = f"Table: {' | '.join(r.aspect for r in rows)}"
    answer = pipeline.assemble("table", question, overview(rows, labels), sources, Conversation(), run)
    answer.comparison = rows  # a table keeps its sources' numbers (`assemble.numbering`)
    return answer
