"""The typed objects passed between paperqa's steps."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Literal, NamedTuple

from pydantic import BaseModel, Field, field_validator


def normalize_title(title: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive form of a title.

    Two records whose titles normalise the same are the same paper.
    """
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


#: Control characters other than line breaks and tabs (C0, DEL and C1).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class SourceRef(BaseModel):
    """Where a paper was read from."""

    path: str = Field(description="File the record came from.")
    line: int | None = Field(default=None, description="1-based line of the record, if known.")
    format: str = Field(description="Loader that read it, e.g. 'hf-daily', 'arxiv', 'bibtex'.")


class Section(BaseModel):
    """One section of a paper's body: its heading and paragraphs, as the full text gave them."""

    name: str = Field(description='The heading, e.g. "4.1 Datasets" ("" when the source gave none).')
    paragraphs: list[str] = Field(default_factory=list)
    pages: list[int] = Field(
        default_factory=list,
        description="The PDF page (1-based) each paragraph starts on; empty when not read from a PDF.",
    )

    @field_validator("name")
    @classmethod
    def _no_controls(cls, text: str) -> str:
        return CONTROL.sub("", text)

    @field_validator("paragraphs")
    @classmethod
    def _no_controls_in_paragraphs(cls, paragraphs: list[str]) -> list[str]:
        return [CONTROL.sub("", p) for p in paragraphs]


#: Sections never answered from or searched: what a paper cites, who funded it, who did what
#: or what its authors declare is not what it found ("Acknowledgments" answered "What domain of
#: text?" with a grant number; "Author contribution", "What was the study design?" with "...
#: conceived and designed the study").
#: The headings of a journal's back matter (BMC, PeerJ, Portland Press, MDPI): who did what,
#: who paid, what the authors declare.
BACK_MATTER = (
    r"authors?['’]? (?:contributions?|details|information)|contributions of the authors|funding|"
    r"competing interests?|conflicts? of interests?|declarations?"
)
REFERENCE_SECTIONS = re.compile(
    rf"^\W*(?:\d+\W*)?(?:references|bibliography|works cited|acknowledge?ments?|{BACK_MATTER})\W*$",
    re.IGNORECASE,
)


class Place(NamedTuple):
    """Where a sentence of a paper's body is: its section's heading, the PDF page its paragraph
    starts on (None when unknown) and that paragraph."""

    section: str
    page: int | None
    paragraph: str

    @property
    def label(self) -> str:
        return place_label(self.section, self.page)


def place_label(section: str, page: int | None) -> str:
    """ "§4.1 Datasets, p. 5" ("§body" for a section without a heading)."""
    return f"§{section or 'body'}" + (f", p. {page}" if page else "")


class Paper(BaseModel):
    """One paper of the library: metadata plus abstract (and, when a full text was
    ingested, its body section by section)."""

    id: str = Field(description="Stable id: arXiv id, DOI, or a slug of the title plus a hash.")
    title: str
    abstract: str = Field(description="Abstract cleaned for display (no LaTeX, no hard breaks).")
    abstract_raw: str | None = Field(
        default=None, description="The abstract as the source had it, when cleaning changed it."
    )
    authors: list[str] = Field(default_factory=list, description='Display names, "First Last".')
    n_authors: int | None = Field(default=None, description="Author count when names are unknown.")
    date: dt.date | None = Field(
        default=None, description="Publication date; with a year-only or month-only date, its first day."
    )
    date_precision: Literal["year", "month", "day"] | None = Field(
        default=None, description="How much of `date` the source gave (None: a full date, or no date)."
    )
    doi: str | None = Field(default=None, description="DOI, lower-cased, when the source gave one.")
    arxiv_id: str | None = Field(default=None, description="arXiv id without version, when known.")
    venue: str | None = Field(default=None, description="Journal, proceedings or publisher.")
    url: str | None = None
    code_urls: list[str] = Field(default_factory=list)
    upvotes: int | None = None
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="Tags (keywords) a reference manager gave it.")
    collections: list[str] = Field(
        default_factory=list, description='Reference-manager collections holding it ("Reading list / NLP").'
    )
    files: list[str] = Field(default_factory=list, description="Its attached PDFs (paths), where known.")
    zotero: str | None = Field(default=None, description="Its Zotero link (zotero://select/...).")
    aliases: list[str] = Field(
        default_factory=list, description="Other ids the same paper had in other sources."
    )
    sections: list[Section] = Field(
        default_factory=list, description="The body, section by section, when a full text was ingested."
    )
    source: SourceRef | None = None

    @field_validator("title", "abstract", "abstract_raw", "venue")
    @classmethod
    def _no_controls(cls, text: str | None) -> str | None:
        """No control characters but line breaks and tabs: an ESC sequence in a title from an
        untrusted file would re-colour or re-title the terminal that prints it."""
        return CONTROL.sub("", text) if text else text

    @field_validator("authors")
    @classmethod
    def _no_controls_in_names(cls, names: list[str]) -> list[str]:
        return [CONTROL.sub("", n) for n in names]

    @field_validator("url")
    @classmethod
    def _web_url(cls, url: str | None) -> str | None:
        """Only web links: the app renders this as a link, so a `javascript:` or `file:`
        URL from an untrusted file is dropped; a bare `doi.org/...` gets https://."""
        url = (url or "").strip()
        if re.match(r"https?://\S+$", url, re.IGNORECASE):
            return url
        if re.match(r"[\w-]+(\.[\w-]+)+/\S*$", url):
            return f"https://{url}"
        return None

    @property
    def title_key(self) -> str:
        return normalize_title(self.title)

    @property
    def date_text(self) -> str | None:
        """The date at the precision the source gave: "2023", "2023-05" or "2023-05-17"."""
        if self.date is None:
            return None
        if self.date_precision == "year":
            return f"{self.date.year}"
        if self.date_precision == "month":
            return f"{self.date.year}-{self.date.month:02d}"
        return self.date.isoformat()

    def dated_within(self, since: dt.date | None, until: dt.date | None) -> bool:
        """The paper is dated in [since, until] (either end open); with no bound at all, any
        paper is, dated or not."""
        if since is None and until is None:
            return True
        return (
            self.date is not None
            and (since is None or self.date >= since)
            and (until is None or self.date <= until)
        )

    def contradicts(self, other: Paper) -> str | None:
        """Why two records with the same title are two papers (a different DOI, arXiv id or
        year), or None when nothing says they differ."""
        if self.doi and other.doi and self.doi != other.doi:
            return f"different DOIs ({self.doi}, {other.doi})"
        if self.arxiv_id and other.arxiv_id and self.arxiv_id != other.arxiv_id:
            return f"different arXiv ids ({self.arxiv_id}, {other.arxiv_id})"
        if (self.doi and self.doi == other.doi) or (self.arxiv_id and self.arxiv_id == other.arxiv_id):
            return None  # the same identifier: one paper, whatever years its records give
        if self.date and other.date and self.date.year != other.date.year:
            # a preprint is often published the year after arXiv lists it
            preprint = (self.arxiv_id or other.arxiv_id) and abs(self.date.year - other.date.year) == 1
            if not preprint:
                return f"different years ({self.date.year}, {other.date.year})"
        return None

    @property
    def author_count(self) -> int | None:
        return len(self.authors) if self.authors else self.n_authors

    def content_hash(self, salt: str = "") -> str:
        """Hash of what the index is built from (plus `salt`, e.g. chunking settings):
        a change means re-chunking and re-embedding."""
        blob = f"{self.title}\x00{self.abstract}\x00{salt}"
        if self.sections:  # a paper without a body keeps the hash it always had
            blob += "".join(f"\x01{s.name}\x02" + "\x03".join(s.paragraphs) for s in self.sections)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def place_of(self, sentence: str) -> Place | None:
        """Where in the body `sentence` is; None when it is the abstract's or nowhere."""
        if not self.sections or sentence in self.abstract:
            return None
        for _, section in self.body:
            for i, paragraph in enumerate(section.paragraphs):
                if sentence in paragraph:
                    return Place(
                        section.name, section.pages[i] if i < len(section.pages) else None, paragraph
                    )
        return None

    def section_of(self, sentence: str) -> str | None:
        place = self.place_of(sentence)
        return place.section if place else None

    @property
    def body(self) -> list[tuple[int, Section]]:
        """The sections searched and read, with their positions: all but the references."""
        return [(i, s) for i, s in enumerate(self.sections) if not REFERENCE_SECTIONS.match(s.name)]


class Chunk(BaseModel):
    """A token-bounded piece of one paper's abstract or of one paragraph of its body, the
    unit of retrieval."""

    id: str
    paper_id: str
    index: int = Field(description="0-based position of the chunk within its paper.")
    title: str
    text: str = Field(description="The slice of the abstract (or of the paragraph).")
    start_char: int = Field(description="Where it starts in the abstract (in the paragraph).")
    end_char: int
    start_token: int
    end_token: int
    date: dt.date | None = None
    section: int | None = Field(
        default=None, description="Its section (in `Paper.sections`); None: the abstract."
    )
    paragraph: int | None = Field(default=None, description="Its paragraph in that section.")

    @property
    def n_tokens(self) -> int:
        return self.end_token - self.start_token

    @property
    def embed_text(self) -> str:
        """What is embedded and searched: the title gives every chunk its context."""
        return f"{self.title}\n\n{self.text}"


class SkippedRecord(BaseModel):
    """A record left out of an ingest, and why."""

    location: str
    reason: str
    kind: str | None = Field(
        default=None,
        description="For an entry of a readable file: 'no abstract', 'no title' or 'unparseable'; "
        "None for a file that could not be read (with --skip-bad).",
    )
    key: str | None = Field(default=None, description="The entry's key or id in its file, if it has one.")


_SKIP_LABELS = {
    "no abstract": "without an abstract",
    "no title": "without a title",
    "unparseable": "unparseable",
}


class IngestReport(BaseModel):
    """What an ingest did."""

    added: list[str] = Field(default_factory=list, description="Ids of papers new to the library.")
    updated: list[str] = Field(default_factory=list, description="Ids whose abstract changed.")
    unchanged: list[str] = Field(default_factory=list)
    skipped: list[SkippedRecord] = Field(default_factory=list)
    merged: list[str] = Field(
        default_factory=list,
        description="Records merged into a paper read or stored under another id (same title, "
        "nothing contradicting), as 'new id -> kept id'.",
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="Things read but worth a look (a repeated field, a recovered comma).",
    )
    files_read: int = 0
    files_ignored: list[str] = Field(
        default_factory=list, description="Files in a folder with no supported extension."
    )
    removed: list[str] = Field(
        default_factory=list,
        description="Ids of papers removed because their Zotero items are gone (ingest --prune).",
    )
    chunks_added: int = 0
    chunks_removed: int = 0
    seconds: float = 0.0
    skipped_counts: dict[str, int] | None = Field(
        default=None,
        description="In a compact report: skipped entries per reason, when `skipped` holds only "
        "the first few of each.",
    )
    warnings_total: int | None = Field(
        default=None, description="In a compact report: all warnings, when `warnings` holds the first few."
    )

    def _groups(self) -> dict[str, list[SkippedRecord]]:
        groups: dict[str, list[SkippedRecord]] = {}
        for s in self.skipped:
            groups.setdefault(_SKIP_LABELS.get(s.kind or "", s.kind or "unreadable files"), []).append(s)
        return groups

    def compact(self, examples: int = 5, warnings: int = 20) -> IngestReport:
        """The report with at most `examples` skipped entries per reason (the counts kept in
        `skipped_counts`) and the first `warnings` warnings: what a response or a screen shows.
        A file of 500,000 bad lines is a few lines of report, not 70 MB."""
        groups = self._groups()
        kept = [s for items in groups.values() for s in items[:examples]]
        return self.model_copy(
            update={
                "skipped": kept,
                "skipped_counts": {label: len(items) for label, items in groups.items()},
                "warnings": self.warnings[:warnings],
                "warnings_total": len(self.warnings),
                "files_ignored": self.files_ignored[:warnings],
            }
        )

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped_counts.values()) if self.skipped_counts is not None else len(self.skipped)

    def skipped_summary(self, examples: int = 3) -> str | None:
        """One line grouping the skipped entries by reason, with a few `file:line key`
        examples each: "Skipped 16 entries: 14 without an abstract (a.bib:12 Luhring2007,
        ...), 2 unparseable (a.bib:40)." None when nothing was skipped."""
        if not self.skipped:
            return None
        counts = self.skipped_counts or {}
        parts = []
        for label, items in self._groups().items():
            n = counts.get(label, len(items))
            shown = ", ".join(f"{s.location} {s.key}" if s.key else s.location for s in items[:examples])
            more = ", ..." if n > min(examples, len(items)) else ""
            parts.append(f"{n:,} {label} ({shown}{more})")
        total = self.skipped_total
        noun = "entry" if total == 1 else "entries"
        return f"Skipped {total:,} {noun}: {'; '.join(parts)}."


class RetrievedChunk(BaseModel):
    """A chunk found for a query, with the scores that ranked it."""

    chunk_id: str
    paper_id: str
    index: int
    text: str
    dense: float | None = Field(default=None, description="Cosine similarity to the query.")
    bm25: float | None = Field(default=None, description="BM25 score of the query words.")
    fused: float = Field(default=0.0, description="Reciprocal-rank-fusion score.")
    named: bool = Field(default=False, description="The query names this chunk's paper.")
    start_char: int = Field(default=0, description="Where the chunk starts in the abstract.")
    end_char: int = Field(default=0, description="Where it ends (0: unknown, or not in the abstract).")
    section: int | None = Field(default=None, description="Its section of the body; None: the abstract.")
    paragraph: int | None = Field(default=None, description="Its paragraph in that section.")


class Source(BaseModel):
    """A numbered paper as the model saw it: the passages of it that were retrieved."""

    number: int
    paper: Paper
    passages: list[RetrievedChunk]
    text: str = Field(description="The passages merged, widened to whole sentences of the abstract.")


class Reference(BaseModel):
    """A line of an answer's reference list."""

    number: int
    paper_id: str
    title: str
    date: dt.date | None = None
    date_text: str | None = Field(default=None, description="The date at the precision the source gave.")
    url: str | None = None


class Usage(BaseModel):
    """Tokens (counted with tiktoken cl100k_base) and time of one result."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    retrieval_seconds: float = 0.0
    first_token_seconds: float | None = None
    total_seconds: float = 0.0


class CitedSentence(BaseModel):
    """One sentence of an answer with the source numbers it cites."""

    text: str = Field(description="The sentence without its citation markers.")
    citations: list[int] = Field(default_factory=list)
    support: float = Field(default=0.0, description="Best support score among its cited sources (0-1).")
    supported: bool = False
    evidence: str | None = Field(default=None, description="The source sentence that supports it best.")
    section: str | None = Field(
        default=None, description="The body section its evidence is from (None: the abstract, or unknown)."
    )
    page: int | None = Field(default=None, description="The PDF page its evidence is on (1-based), if known.")

    @property
    def where(self) -> str | None:
        """Where in the paper's body its evidence is: "§4.1 Datasets, p. 5" (None: the abstract)."""
        return None if self.section is None else place_label(self.section, self.page)

    auto_cited: bool = Field(
        default=False, description="The model gave no citation; paperqa found the supporting source."
    )
    origin: Literal["model", "rewrite", "quote", "record", "note"] = Field(
        default="model",
        description="'model': written by the chat model; 'rewrite': a source sentence the model "
        "rewrote as an answer; 'quote': a source sentence itself (cleaned to stand alone); "
        "'record': read from the paper's record (authors, date, venue, links), not its abstract; "
        "'note': paperqa saying something about the sources (\"the abstract of X does not answer\").",
    )
    grounded: bool | None = Field(
        default=None,
        description="Every figure and name is in the cited source and it says something the "
        "question did not (see paperqa.answer.check.grounding); None when not checked.",
    )
    problem: str | None = Field(default=None, description="Why the sentence is not grounded, if it is not.")


class ComparisonRow(BaseModel):
    """One aspect of a side-by-side comparison: a cell per paper."""

    aspect: str
    cells: list[CitedSentence] = Field(description="One cell per compared paper, in order.")


class Answer(BaseModel):
    """The result of ask, summarize or compare: cited sentences plus everything to check them."""

    task: str = Field(description="'ask', 'summarize' or 'compare'.")
    question: str
    text: str = Field(description="The answer with [n] markers, as shown to the user.")
    sentences: list[CitedSentence]
    references: list[Reference]
    sources: list[Source] = Field(description="Every numbered source the model was given.")
    not_in_library: bool = False
    not_stated: bool = Field(
        default=False,
        description="The question was about chosen papers and their abstracts do not say: the answer "
        "says so and shows the closest sentence, flagged as not answering.",
    )
    fallback: str | None = Field(
        default=None,
        description="Why the model's own text was replaced by source sentences, if it was.",
    )
    short_answer: str | None = Field(
        default=None,
        description="The words of a cited source that answer the question (a name, a figure, a "
        "phrase), as the source writes them: shown before the sentences. None when no phrase "
        "answers on its own.",
    )
    short_citation: int | None = Field(
        default=None, description="The number of the source the short answer is quoted from."
    )
    backend: str = Field(description="Which chat model wrote it.")
    mode: str = Field(
        default="free", description="How it was written: 'free', 'rewrite' or 'quote' (see LLMSettings)."
    )
    comparison: list[ComparisonRow] | None = None
    usage: Usage = Field(default_factory=Usage)

    def how_written(self) -> str | None:
        """One line for the reader on where the sentences come from (None: nothing to say)."""
        if self.not_in_library or not self.sentences:
            return None
        # sentences from a paper's body: its full text was read, not only its abstract
        read = "papers" if any(s.section is not None for s in self.sentences) else "abstracts"
        if self.not_stated:
            # what was read of the paper asked about: its full text, when it has one
            cited = {n for s in self.sentences for n in s.citations}
            if any(src.paper.sections for src in self.sources if src.number in cited):
                read = "papers"
            shown = "its closest sentence is shown, marked as not answering"
            return f"The {read[:-1]} does not answer this; {shown}"
        origins = [s.origin for s in self.sentences]
        quoted, rewritten = origins.count("quote"), origins.count("rewrite")
        if origins.count("record") == len(origins):
            return "Answered from the library's records (authors, dates, venues, links), not the abstracts"
        if self.fallback:
            return f"Quoted from the {read}: the model's own answer did not pass the checks"
        if quoted == len(origins):
            return f"Quoted from the {read} (each sentence is the cited paper's own, lightly cleaned)"
        if rewritten:
            return (
                f"{rewritten} of {len(origins)} sentences rephrased by the model from the cited "
                f"sentence and checked against it; the rest quoted from the {read}"
            )
        return None
