"""A paper's PDF as one `Paper`: its title, abstract and body, section by section.

The text layer is read with PDFium (pypdfium2: Google's PDF engine, BSD-3/Apache-2.0), line by
line with each line's box. What a reader of the text needs is rebuilt from the boxes:

- reading order: a two-column page is read left column, then right (full-width lines above the
  columns, such as a title, first);
- running headers, footers and page numbers dropped: lines in the page's top or bottom band
  that repeat (digits aside) on other pages, or hold only a page number;
- paragraphs: a new one where the vertical gap is wider than the line spacing or the first line
  is indented; a paragraph continues across columns and pages;
- words hyphenated at a line end joined ("compre-" + "hension"); ligatures ("ﬁ") as letters;
- sections recognised by their headings: a short line set apart, numbered ("4.1 Datasets") or
  one of the headings papers use unnumbered ("Abstract", "References"); the references
  section is kept apart by `Paper.body`;
- table and figure captions ("Table 2: ...") as their own paragraphs; lines that are mostly
  symbols (garbled math) dropped so that the sentences around them stay whole.

A PDF that cannot be read (encrypted, damaged, truncated, no text layer, too many pages) is one
skipped entry with its reason; the rest of a batch goes on.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paperqa.errors import IngestError
from paperqa.ingest.loaders.common import LoadNote, paper_id, split_authors, squash
from paperqa.settings import LimitsSettings
from paperqa.types import BACK_MATTER, Paper, Section, SourceRef

#: The top and bottom bands of a page where running headers, footers and page numbers live.
MARGIN_BAND = 0.08
#: A line in those bands is a running header when it repeats (digits aside) on this share of pages.
REPEATED_SHARE = 0.5
#: Headings papers use without a number.
NAMED_HEADINGS = re.compile(
    r"^(abstract|introduction|related work|background|method(s|ology)?|experiments?|results|"
    r"discussion|conclusions?|limitations|acknowledge?ments?|references|bibliography|appendix|"
    r"ethics statement|broader impact|materials and methods|methods and materials|"
    rf"{BACK_MATTER}|data availability|availability of data and materials)$",
    re.IGNORECASE,
)
NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}|[A-H](?:\.\d{1,2}){0,2}|[IVX]{1,4})\.?\s+[A-Z]")
#: A footnote's mark (a number, "*", "†", ...) set before its first word or link:
#: "6We also experimented ...", "11 https://github.com/...", "*Work done during ...".
FOOTNOTE_MARK = re.compile(r"^(?:\d{1,2}|[*∗†‡§¶])(?=[A-Z][a-z]|\s?https?:)")
CAPTION = re.compile(r"^(Table|Figure|Fig\.)\s+\d+[.:]")
PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE)
PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?")
#: Metadata titles that are no title: a file name, the word processor's, "untitled".
NO_TITLE = re.compile(
    r"\.(docx?|pdf|tex|dvi|ps|odt)$|^microsoft word\b|^untitled$|^\s*$"
    # a journal's name and site ("Clinical Science www.clinsci.org"); a production code
    # ("6489122611071476 1..10"): no word of four letters
    r"|\bwww\.|https?://|^[^A-Za-z]*(?:\b[A-Za-z]{1,3}\b[^A-Za-z]*)*$",
    re.IGNORECASE,
)
SOFT_HYPHEN = "\x02"  # PDFium's mark for a word hyphenated at the line end
#: A line in type this much smaller than the text's is a footnote.
FOOTNOTE_SIZE = 0.85
#: A line this many times taller than the text's is set up a page's margin, not across it.
MARGIN_TEXT = 5
#: A side column (`side_column`): at least this many lines, in a font under this share of the
#: text's, this many points clear of where the text's lines start or end.
SIDE_LINES = 3
SIDE_SIZE = 0.95
SIDE_GAP = 10.0
#: ... and within this share of the page's width from its edge.
SIDE_ZONE = 0.3
#: A font size under this is a scaled font's nominal size, not the size on the page.
MIN_FONT_SIZE = 3.0
#: The second line of a heading set bold in the body's size has at most this many words.
HEADING_TAIL_WORDS = 8


@dataclass
class Line:
    page: int
    left: float
    bottom: float
    right: float
    top: float
    text: str
    size: float = 0.0  # the font size of its first letter
    bold: bool = False  # its first letter's font is bold (weight 600 or more)
    bold_end: bool = False  # and its last letter's
    column: str = "F"  # "L", "R" or "F" (full width)
    #: letters set at each font size, over the pieces joined into the line
    letters: dict[float, int] = field(default_factory=dict)

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def text_size(self) -> float:
        """The size most of its letters are set in: a line of text that opens with a word in
        small capitals ("COARSE, since shorter spans ...") is no footnote."""
        return max(self.letters, key=self.letters.__getitem__) if self.letters else self.size


def load(path: Path, limits: LimitsSettings | None = None) -> Iterator[Paper | IngestError | LoadNote]:
    """The paper a PDF holds (an `IngestError` entry when it cannot be read)."""
    limits = limits or LimitsSettings()
    if path.suffix.lower() == ".gz":
        raise IngestError("a gzipped PDF: unzip it first (PDFs are compressed inside already)", path)
    try:
        yield read_pdf(path, limits)
    except IngestError as exc:
        yield exc


def with_body(paper: Paper, limits: LimitsSettings) -> tuple[Paper, str | None]:
    """A record (from an export, Zotero) with the body of the first of its PDFs found on disk:
    the record's metadata and the PDF's text, one paper. Also what went wrong reading it."""
    found = next((Path(f) for f in paper.files if f.lower().endswith(".pdf") and Path(f).is_file()), None)
    if found is None:
        return paper, None
    try:
        sections = read_pdf(found, limits).sections
    except IngestError as exc:
        return paper, f"its PDF was not read ({exc.reason}): {found}"
    return paper.model_copy(update={"sections": sections}), None


def read_pdf(path: Path, limits: LimitsSettings) -> Paper:
    import pypdfium2 as pdfium

    def fail(reason: str, kind: str) -> IngestError:
        return IngestError(reason, path, kind=kind)

    if path.stat().st_size > limits.file_mb * 1024 * 1024:
        raise fail(f"larger than {limits.file_mb} MB (limits.file_mb)", "too large")
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise fail("encrypted: save a copy without a password and ingest that", "encrypted PDF") from None
        raise fail(f"not a readable PDF (damaged or truncated): {exc}", "unreadable PDF") from None
    try:
        if len(pdf) > limits.pdf_pages:
            raise fail(
                f"{len(pdf):,} pages, more than limits.pdf_pages ({limits.pdf_pages}): a book or a "
                "collection? Split it, or raise PAPERQA_LIMITS__PDF_PAGES",
                "too many pages",
            )
        pages = [page_lines(pdf, n) for n in range(len(pdf))]
        meta = pdf.get_metadata_dict()
    except pdfium.PdfiumError as exc:
        raise fail(f"not a readable PDF (damaged or truncated): {exc}", "unreadable PDF") from None
    finally:
        pdf.close()
    if not any(pages):
        raise fail("no text layer (a scanned PDF?): run OCR first (e.g. ocrmypdf)", "no text in PDF")
    return to_paper(path, pages, meta)


def page_lines(pdf: object, number: int) -> list[Line]:
    """One page's lines of text with their boxes, in reading order, running headers kept."""
    import pypdfium2.raw as pdfium_c

    page = pdf[number]  # type: ignore[index]
    try:
        width, height = page.get_size()
        text = page.get_textpage()
        try:
            lines = []
            rects = [text.get_rect(i) for i in range(text.count_rects())]
            for i, (left, bottom, right, top) in enumerate(rects):
                piece = clean(text.get_text_bounded(*_clipped(rects, i)))
                if piece.strip():
                    at = text.get_index(left + 1, (bottom + top) / 2, 3, 3)
                    found = at is not None and at >= 0
                    bold = found and pdfium_c.FPDFText_GetFontWeight(text.raw, at) >= 600
                    end = text.get_index(right - 1, (bottom + top) / 2, 3, 3)
                    bold_end = (
                        end is not None and end >= 0 and pdfium_c.FPDFText_GetFontWeight(text.raw, end) >= 600
                    )
                    size = _size(text, at) or (top - bottom)
                    line = Line(number, left, bottom, right, top, piece, size, bold, bold_end)
                    # a piece opening with small capitals ("SPECTER, which learns") is set at
                    # its end's size: the larger of the two is the text's
                    line.letters = {max(size, _size(text, end)): len(piece.strip())}
                    lines.append(line)
        finally:
            text.close()
    finally:
        page.close()
    # twice: a comma's box is too short to overlap its line until the words after it join it
    merged = merge_same_line(merge_same_line(lines))
    for line in merged:
        line.text = without_marks(line.text)
    return reading_order(merged, width, height if number == 0 else None)


def _clipped(rects: list[tuple[float, float, float, float]], i: int) -> tuple[float, float, float, float]:
    """Rectangle `i`, cut where its neighbours on the same line overlap it: PDFium gives the
    text of every character that touches a rectangle, so a ligature ("ff") whose box reaches into
    the next rectangle was read in both ("effeffects")."""
    left, bottom, right, top = rects[i]

    def same_line(j: int) -> bool:
        r = rects[j]
        return min(top, r[3]) - max(bottom, r[1]) > 0.5 * min(top - bottom, r[3] - r[1])

    if i > 0 and same_line(i - 1) and left < rects[i - 1][2] < right:
        left = rects[i - 1][2] + 0.01
    if i + 1 < len(rects) and same_line(i + 1) and left < rects[i + 1][0] < right:
        right = rects[i + 1][0] - 0.01
    return left, bottom, right, top


def _size(text: object, index: int | None) -> float:
    """The font size of character `index` (0 when there is none)."""
    import pypdfium2.raw as pdfium_c

    if index is None or index < 0:
        return 0.0
    size = float(pdfium_c.FPDFText_GetFontSize(text.raw, index))  # type: ignore[attr-defined]
    if size < MIN_FONT_SIZE:
        size *= _scale(text, index)  # a scaled font (Word's PDFs: 1.0 x 12)
    return size


def _scale(text: object, index: int) -> float:
    """How much the text matrix of character `index` scales its font."""
    import pypdfium2.raw as pdfium_c

    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFText_GetMatrix(text.raw, index, m):  # type: ignore[attr-defined]
        return 1.0
    return abs(m.a * m.d - m.b * m.c) ** 0.5 or 1.0


def clean(text: str) -> str:
    """Ligatures as letters, PDFium's line-end hyphen kept as a mark, no control characters."""
    text = unicodedata.normalize("NFKC", text.replace("\r", " ").replace("\n", " "))
    return "".join(c for c in text if c == SOFT_HYPHEN or unicodedata.category(c)[0] != "C")


#: Pieces of one line are looked for among this many lines read before (a citation link or a
#: small-caps name is often drawn apart from the words around it).
LOOK_BACK = 6


def merge_same_line(lines: list[Line]) -> list[Line]:
    """Pieces PDFium gives apart on one line (a change of font, a link) joined into one line,
    left to right: boxes that overlap vertically by half a line and touch horizontally."""
    merged: list[Line] = []
    for line in lines:
        for last in reversed(merged[-LOOK_BACK:]):
            overlap = min(last.top, line.top) - max(last.bottom, line.bottom)
            if overlap <= 0.5 * min(last.height, line.height):
                continue
            if -1 <= line.left - last.right < 12:  # after it
                if footnote_reference(last, line):  # decided by what follows it (`without_marks`)
                    last.text += f"{MARK_OPEN}{line.text.strip()}{MARK_CLOSE}"
                else:
                    last.text += _between(last, line, line.left - last.right) + line.text
                last.right, last.bold_end = line.right, line.bold_end
            elif -1 <= last.left - line.right < 12:  # before it
                last.text = line.text + _between(line, last, last.left - line.right) + last.text
                last.left, last.bold = line.left, line.bold
            else:
                continue
            last.top, last.bottom = max(last.top, line.top), min(last.bottom, line.bottom)
            for size, n in line.letters.items():
                last.letters[size] = last.letters.get(size, 0) + n
            break
        else:
            merged.append(line)
    return merged


def footnote_reference(before: Line, mark: Line) -> bool:
    """`mark` may be a footnote's number, set small and raised right after punctuation or a
    word ("S2ORC,¹ a large corpus", "the benchmark.¹ As ...", "LR scheduler¹⁰ (Howard ...");
    a raised number after a number or a short symbol ("10⁵", "O(n²)", "R²", "cm²") is an
    exponent and stays."""
    return (
        FOOTNOTE_REFERENCE.fullmatch(mark.text.strip()) is not None
        and (before.text[-1:] in ".,;:" or _WORD_END.search(before.text) is not None)
        and mark.size < SUPERSCRIPT_SIZE * before.size
        and mark.bottom > before.bottom + SUPERSCRIPT_RISE * before.height
    )


def without_marks(text: str) -> str:
    """The line's possible footnote references (`footnote_reference`) dropped where they are
    footnotes: after a word, comma, semicolon or colon, or after a full stop when a word of
    two letters or more or the line's end follows. Kept otherwise, as the next word's: "yield.
    ¹H NMR" is a hydrogen NMR."""

    def decide(m: re.Match[str]) -> str:
        before, mark, space = m.group(1), m.group(2), m.group(3)
        after = text[m.end() :]
        if before != ".":
            return before + (space or (" " if before and after else ""))
        if not after or re.match(r"[A-Za-z]{2}", after):
            return before + (" " if after else "")
        return f"{before} {mark}"

    return _MARKED.sub(decide, text)


MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
_MARKED = re.compile(f"([.,;:]|(?<=[a-z]{{3}})){MARK_OPEN}(.*?){MARK_CLOSE}(\\s*)")
#: A word of three lower-case letters or more ends the text: "scheduler", not "n" or "cm".
_WORD_END = re.compile(r"(?<![A-Za-z])[A-Za-z]*[a-z]{3}$")


#: A footnote reference: one or two digits (or a mark), set at most this share of the text's
#: size, its foot at least this share of the line's height above the line's.
FOOTNOTE_REFERENCE = re.compile(r"\d{1,2}|[*∗†‡§¶]")
SUPERSCRIPT_SIZE = 0.85
SUPERSCRIPT_RISE = 0.2

#: Pieces of one word drawn apart (small capitals: "L" "ONG" "E" "VAL"; a word and the comma
#: after a citation link) are closer than this share of the font size; a space is wider
#: (about a quarter of it). Measured on ACL papers: 0.07-0.13 within a word at 8-14 pt.
WORD_GAP = 0.15
PUNCTUATION_GAP = 0.25


def _between(first: Line, second: Line, gap: float) -> str:
    """What joins two pieces of one line: nothing when one already ends or starts with a space
    or they are closer than a space, else a space."""
    if first.text.endswith(" ") or second.text.startswith(" "):
        return ""
    size = max(first.size, second.size, 1.0)
    # punctuation's box starts after its side bearing: "2021" ";" are 2 pt apart at 11 pt
    wide = PUNCTUATION_GAP if second.text[:1] in ",;:.)]" else WORD_GAP
    return "" if gap < wide * size else " "


def side_column(lines: list[Line], width: float) -> list[Line]:
    """A page's side column: lines set in a smaller font in the page's outer margin, wholly
    beside the text, left of where its lines start or right of where they end (PeerJ's first
    page: "Submitted ...", "Academic editor James Procter", "DOI ...", "Distributed under
    Creative Commons" down the left margin). Read after the page's text, so it interrupts no
    paragraph; [] when there is none. An indented abstract, a caption or an algorithm set in a
    smaller font inside a column is none: it is not in the margin."""
    if not lines:
        return []
    sizes = Counter(round(ln.size, 1) for ln in lines for _ in ln.text.split())
    body = sizes.most_common(1)[0][0]
    main = [ln for ln in lines if abs(ln.size - body) < 0.5]
    lefts, rights = sorted(ln.left for ln in main), sorted(ln.right for ln in main)
    start, end = lefts[len(lefts) // 10], rights[-1 - len(rights) // 10]
    side = [
        ln
        for ln in lines
        if ln.size < body * SIDE_SIZE
        and (
            ln.right < min(start - SIDE_GAP, width * SIDE_ZONE)
            or ln.left > max(end + SIDE_GAP, width * (1 - SIDE_ZONE))
        )
    ]
    return side if len(side) >= SIDE_LINES else []


def margin_text(lines: list[Line]) -> list[Line]:
    """Lines set up a page's margin ("Clinical Science www.clinsci.org", a box taller than
    `MARGIN_TEXT` lines): no column's."""
    if not lines:
        return []
    height = statistics.median(ln.height for ln in lines)
    return [ln for ln in lines if ln.height > MARGIN_TEXT * height]


def _top_down(line: Line) -> tuple[int, float]:
    """Reading order within a column: top to bottom, and pieces of one line (tops within a
    point: a subscript shifts a piece's box) left to right."""
    return (-round(line.top), line.left)


def _in_block(full: Line, line: Line) -> bool:
    """`line` is above the full-width `full`, or ends the paragraph `full` is the last line of
    (just under it, starting where it starts)."""
    ends = 0 <= full.bottom - line.top < full.height and abs(full.left - line.left) < 3
    return full.top < line.bottom or ends


def _crossing(lines: list[Line], left: list[Line], right: list[Line]) -> int:
    """Lines across the middle where both columns run beside them: many make the page one
    column. A title block or an abstract set full width above the columns (Hindawi, BMC,
    Clinical Science), or footnotes below them, say nothing about it."""
    top = min(max(ln.top for ln in left), max(ln.top for ln in right))
    bottom = max(min(ln.bottom for ln in left), min(ln.bottom for ln in right))
    return sum(ln.column == "F" and ln.bottom < top and ln.top > bottom for ln in lines)


def reading_order(lines: list[Line], width: float, first_page_height: float | None = None) -> list[Line]:
    """Two columns read one after the other: full-width lines above the columns, the left
    column, the right, then full-width lines below them. One column: top to bottom. On the
    first page (its height given) the title block is everything down to its last full-width
    line in the top 40% of the page: authors set on one side of the middle belong to it. A side
    column in a smaller font (`side_column`) comes after all of them."""
    if side := side_column(lines, width):
        kept = [ln for ln in lines if ln not in side]
        return reading_order(kept, width, first_page_height) + sorted(side, key=_top_down)
    if tall := margin_text(lines):  # set up the margin: in no column (and never read, `blocks`)
        return reading_order([ln for ln in lines if ln not in tall], width, first_page_height) + tall
    middle = width / 2
    for line in lines:
        line.column = "L" if line.right < middle + 5 else "R" if line.left > middle - 5 else "F"
    left = [ln for ln in lines if ln.column == "L"]
    right = [ln for ln in lines if ln.column == "R"]
    if len(left) < 5 or len(right) < 5 or _crossing(lines, left, right) > 0.3 * (len(left) + len(right)):
        for line in lines:
            line.column = "F"
        return sorted(lines, key=_top_down)
    if first_page_height is not None:
        # the first page's title block spans the page: authors set on one side of the middle
        # belong to it, and so does a short line stopping left of the middle above where both
        # columns start ("Received ...; Accepted ..." under Hindawi's affiliations)
        head = [ln for ln in lines if ln.column == "F" and ln.top > first_page_height * 0.6]
        head_bottom = min((ln.bottom for ln in head), default=float("inf")) - 1
        for line in lines:
            if line.column != "F" and line.bottom >= head_bottom:
                line.column = "F"
        left = [ln for ln in lines if ln.column == "L"]
        right = [ln for ln in lines if ln.column == "R"]
        if head and left and right:
            # a line on one side above where both columns run, with full-width lines under it or
            # ending the paragraph of the one over it, is the block's ("Received ...; Accepted
            # ..." over Hindawi's abstract, "priately utilized." ending BMC's, the end of an
            # abstract's line a subscript split off, "− 0.74 nM) and was 927-fold")
            both_top = min(max(ln.top for ln in left), max(ln.top for ln in right))
            full = [ln for ln in lines if ln.column == "F" and ln.bottom > both_top + 1]
            for line in lines:
                if (
                    line.column != "F"
                    and line.bottom > both_top + 1
                    and any(_in_block(f, line) for f in full)
                ):
                    line.column = "F"
            left = [ln for ln in lines if ln.column == "L"]
            right = [ln for ln in lines if ln.column == "R"]
        if not left or not right:
            return sorted(lines, key=_top_down)
    columns_top = max(ln.top for ln in left + right)
    full = [ln for ln in lines if ln.column == "F"]
    above = [ln for ln in full if ln.bottom >= columns_top - 1]
    below = [ln for ln in full if ln.bottom < columns_top - 1]
    by_top = lambda group: sorted(group, key=_top_down)  # noqa: E731
    return by_top(above) + by_top(left) + by_top(right) + by_top(below)


def without_running_lines(pages: list[list[Line]], height: float) -> list[list[Line]]:
    """Running headers, footers and page numbers out: lines in a page's top or bottom band
    that repeat on other pages (digits aside) or are only a page number."""
    band = height * MARGIN_BAND

    def in_band(line: Line) -> bool:
        return line.top > height - band or line.bottom < band

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text.strip().lower())

    seen = Counter(k for page in pages for k in {key(ln) for ln in page if in_band(ln)})
    enough = max(2, int(len(pages) * REPEATED_SHARE))
    return [
        [
            ln
            for ln in page
            if not (in_band(ln) and (seen[key(ln)] >= enough or PAGE_NUMBER.match(ln.text.strip())))
        ]
        for page in pages
    ]


def is_garbled(text: str) -> bool:
    """A line that is mostly symbols and single letters: a formula's remains."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    return len("".join(words)) < 0.4 * len(text.replace(" ", "")) and not CAPTION.match(text)


@dataclass
class Block:
    """A heading or a paragraph, as read."""

    text: str
    heading: bool = False
    page: int = 0
    aside: bool = False  # a footnote: its own paragraph, never interrupting the text around it
    lines: int = 1
    size: float = 0.0  # a heading's font size (its first line's)


def blocks(lines: list[Line]) -> list[Block]:
    """Lines joined into headings and paragraphs."""
    if not lines:
        return []
    body_height = statistics.median(ln.height for ln in lines)
    body_size = statistics.median(ln.size for ln in lines)
    words = vocabulary(lines)
    spacing = statistics.median(
        a.bottom - b.bottom
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and a.column == b.column and 0 < a.bottom - b.bottom < 3 * body_height
    ) if len(lines) > 1 else body_height * 1.2  # fmt: skip
    column_left: dict[tuple[int, str], float] = {}
    for ln in lines:
        where = (ln.page, ln.column)
        column_left[where] = min(column_left.get(where, ln.left), ln.left)
    out: list[Block] = []
    previous: Line | None = None
    main = -1  # the paragraph the text flows on in (footnotes between columns aside)
    for ln in lines:
        text = ln.text.strip()
        if ln.height > MARGIN_TEXT * body_height:
            continue  # text set up a margin ("Clinical Science www.clinsci.org"), not read
        if ln.text_size < body_size * FOOTNOTE_SIZE and not heading_like(text, ln, body_size):
            # a footnote's number starts a footnote of its own, and is not part of its text
            mark = FOOTNOTE_MARK.match(text)
            text = text[mark.end() :].lstrip() if mark else text
            if out and out[-1].aside and out[-1].page == ln.page and not mark:
                out[-1].text = join_lines(out[-1].text, text, words)
            else:
                out.append(Block(text, page=ln.page, aside=True))
            continue
        gap = (
            previous.bottom - ln.bottom
            if previous and (previous.page, previous.column) == (ln.page, ln.column)
            else None
        )
        set_apart = gap is None or gap > spacing * 1.3
        close = gap is not None and previous is not None and gap <= previous.size * 1.6
        # a heading on two lines: set larger (as large as its first: BMC's text, 9.8 pt under a
        # 10.3 pt "Introduction", is larger than the median line, its tables' 7.3 pt), or bold
        # from end to end and short ("Citations. We instantiate ...", a paragraph's bold
        # lead-in, is not a heading's second line)
        heading = out[main] if main >= 0 and out[main].heading else None
        larger = ln.size > body_size * 1.05 and ln.size >= heading.size * 0.97 if heading else False
        if heading is not None and close and (larger or _bold_tail(heading, ln, text)):
            heading.text = join_lines(heading.text, text, words)
            heading.lines += 1
            previous = ln
            continue
        if heading_like(text, ln, body_size) and set_apart:
            out.append(Block(text, heading=True, page=ln.page, size=ln.size))
            main, previous = len(out) - 1, ln
            continue
        if is_garbled(text):
            continue
        # a first line sits further right than the line before it (an abstract set narrower
        # than the column is not a run of paragraphs), and than the column's own left edge
        indented = ln.left > column_left[(ln.page, ln.column)] + 6 and (
            gap is None or previous is None or ln.left > previous.left + 6
        )
        starts = (
            main < 0
            or out[main].heading
            or CAPTION.match(text) is not None
            or (gap is not None and gap > spacing * 1.45)
            or indented
            or CAPTION.match(out[main].text) is not None
            and gap is not None
            and gap > spacing * 1.2
        )
        if starts:
            out.append(Block(text, page=ln.page))
            main = len(out) - 1
        else:
            out[main].text = join_lines(out[main].text, text, words)
        previous = ln
    return out


def _bold_tail(heading: Block, ln: Line, text: str) -> bool:
    """`ln` is the second line of a heading set bold in the body's size: bold from end to end,
    short, after a one-line heading that does not end a sentence."""
    return (
        heading.lines == 1
        and ln.bold
        and ln.bold_end
        and len(text.split()) <= HEADING_TAIL_WORDS
        and not heading.text.endswith((".", ":"))
        and ":" not in text
    )


def vocabulary(lines: list[Line]) -> set[str]:
    """The words the text writes whole (not at a line end), lower case, hyphenated or not:
    what decides whether a hyphen at a line end is the word's own."""
    found: set[str] = set()
    for ln in lines:
        found.update(w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", ln.text)[1:-1])
    return found


#: "Research Article Patient Experiences of ...": a journal's label set before the title.
ARTICLE_LABEL = re.compile(
    r"^(?:research|original|review|short|brief)\s+(?:article|paper|communication|report)\s+(?=[A-Z])",
    re.IGNORECASE,
)
WORD_PIECE = re.compile(r"[A-Za-z]+")
#: "Abstract: The current ..." (a journal's run-in label).
#: Where an abstract read from the first page ends: its keywords' label ("Keywords:", "Key
#: words", "Index Terms—"), or PeerJ's subjects before them ("... website. Subjects Bioinformatics,
#: ... Keywords ..."). What follows the keywords is the first page's small print
#: ("* Correspondence: ...", "© 2014 ...; licensee BioMed Central"), no abstract.
KEYWORDS_LABEL = re.compile(
    r"(?:(?<=[.!?] )Subjects (?=[A-Z][^.]{0,200}\bKey ?words\b)|\b(?:Key ?[Ww]ords|KEYWORDS|Index Terms)\b)"
    r"\s*[:—–.-]?\s*"
)
#: The end of a keyword list: a footnote mark, a correspondence line, a copyright sign, an
#: affiliation's number, a full stop.
KEYWORDS_END = re.compile(r"\s[*∗†‡]|\bCorrespondence\b|©|\(c\)|\s\d{1,2}\s[A-Z]|\.(?:\s|$)")
#: An abstract is cut at a keywords label only this many words in (a label in its first
#: sentence is the paper's own word).
KEYWORDS_AFTER_WORDS = 40
KEYWORD_WORDS = 8


def split_keywords(abstract: str) -> tuple[str, list[str]]:
    """The abstract without its keywords and what follows them on the first page, and the
    keywords (kept as the paper's tags)."""
    label = next(
        (
            m
            for m in KEYWORDS_LABEL.finditer(abstract)
            if len(abstract[: m.start()].split()) >= KEYWORDS_AFTER_WORDS
        ),
        None,
    )
    if label is None:
        return abstract, []
    rest = abstract[label.end() :]
    if label.group(0).lower().startswith("subjects"):  # "Subjects A, B Keywords C, D"
        rest = KEYWORDS_LABEL.sub(", ", rest, count=1)
    end = KEYWORDS_END.search(rest)
    listed = rest[: end.start()] if end else rest
    keywords = [k.strip() for k in re.split(r"[,;·•]", listed) if k.strip()]
    return abstract[: label.start()].rstrip(), [k for k in keywords if len(k.split()) <= KEYWORD_WORDS]


ABSTRACT_LABEL = re.compile(r"^abstract\s*[:.—–-]\s*", re.IGNORECASE)


def rejoin(text: str, counts: Counter[str]) -> str:
    """Words a justified line's spacing split ("ignite d", "th at", "so cial") made whole: two
    pieces join when the paper writes the whole word more often than it writes one of them
    alone ("that" 50 times, "th" twice); "in to" stays ("in" and "to" are commoner than "into")."""

    def joined(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        whole = counts[(a + b).lower()]
        return a + b if whole and whole > min(counts[a.lower()], counts[b.lower()]) else m.group(0)

    return re.sub(r"\b([A-Za-z]+) ([a-z]+)\b", joined, text)


def heading_like(text: str, line: Line, body_size: float) -> bool:
    words = text.split()
    if not words or len(words) > 12 or text.endswith((".", ",", ";", ":")) and not NAMED_HEADINGS.match(text):
        return False
    if re.search(r":\s+[a-z]", text):  # "II. Hybrid: defines a small number of": a list item
        return False
    named = NAMED_HEADINGS.match(re.sub(r"^[\dIVX.]+\s+", "", text).strip()) is not None
    numbered = NUMBERED_HEADING.match(text) is not None and len(words) >= 2
    return named or (numbered and (line.size > body_size * 1.05 or line.bold))


def join_lines(first: str, second: str, words: set[str] | frozenset[str] = frozenset()) -> str:
    """Two lines of a paragraph as one text. A hyphen at the line end (PDFium marks it) is
    kept when the text writes the word with it elsewhere ("question-answering") and not as one
    word, or both halves are words it writes ("best-" + "performing"); else it is a syllable
    break and dropped ("compre-" + "hension")."""
    if first.endswith((SOFT_HYPHEN, "-")):
        head = re.search(r"[A-Za-z-]*$", first[:-1]).group(0)  # type: ignore[union-attr]
        tail = re.match(r"[A-Za-z-]*", second).group(0)  # type: ignore[union-attr]
        hyphenated = f"{head}-{tail}".lower()
        whole = f"{head}{tail}".lower()
        halves = len(head) >= 3 and len(tail) >= 3 and {head.lower(), tail.lower()} <= words
        if whole not in words and (hyphenated in words or halves):
            return f"{first[:-1]}-{second}"
        return first[:-1] + second
    return f"{first} {second}"


def to_paper(path: Path, pages: list[list[Line]], meta: dict[str, str]) -> Paper:
    """Title, abstract and sections from the lines of every page."""
    height = max((ln.top for page in pages for ln in page), default=792.0) + 20
    pages = without_running_lines(pages, height)
    found = blocks([ln for page in pages for ln in page])
    given = (meta.get("Title") or "").strip()
    title = given if given and not NO_TITLE.search(given) else first_page_title(pages[0])
    title = ARTICLE_LABEL.sub("", title)
    sections: list[Section] = []
    abstract: list[str] = []
    current: Section | None = None
    seen_heading = False
    # with an "Abstract" heading, the abstract is what follows it (not the affiliations above)
    labelled = any(b.heading and b.text.strip().lower() == "abstract" for b in found)
    after_abstract = False
    for block in found:
        text = block.text.replace(SOFT_HYPHEN, "")
        if block.heading:
            seen_heading = True
            name = text
            if name.lower() == "abstract":
                current, after_abstract = None, True
                continue
            current = Section(name=name, paragraphs=[])
            sections.append(current)
        elif current is None:
            if after_abstract if labelled else seen_heading or len(text.split()) >= 40:
                abstract.append(text)
        else:
            current.paragraphs.append(squash(text))
            current.pages.append(block.page + 1)
    sections = [s for s in sections if s.paragraphs]
    counts = Counter(w.lower() for b in found for w in WORD_PIECE.findall(b.text))
    for s in sections:
        s.paragraphs = [rejoin(p, counts) for p in s.paragraphs]
    abstract = [ABSTRACT_LABEL.sub("", rejoin(squash(a), counts)) for a in abstract]
    if not abstract and sections:  # no "Abstract" heading: the first paragraph stands for it
        abstract = [sections[0].paragraphs[0]]
    if not title:
        raise IngestError(
            "no title found in the PDF (no metadata, no first-page title)", path, kind="no title"
        )
    if not abstract:
        raise IngestError("no abstract or text found in the PDF", path, kind="no abstract")
    date = _pdf_date(meta.get("CreationDate", ""))
    summary, keywords = split_keywords(squash(" ".join(abstract)))
    return Paper(
        id=paper_id(squash(title), None, None),
        title=squash(title),
        abstract=summary,
        tags=keywords,
        authors=pdf_authors(meta.get("Author"), first_page_authors(pages[0], title)),
        date=date,
        date_precision="day" if date else None,
        files=[str(path)],
        sections=sections,
        source=SourceRef(path=str(path), line=None, format="pdf"),
    )


def first_page_title(first: list[Line]) -> str:
    """The largest type near the top of the first page, its lines joined (not a heading word)."""
    candidates = [  # not a heading word, nor a journal's name and site set in a margin
        ln for ln in first[:15] if not NAMED_HEADINGS.match(ln.text.strip()) and not NO_TITLE.search(ln.text)
    ]
    if not candidates:
        return ""
    biggest = max(ln.size for ln in candidates)
    lines: list[Line] = []
    taken = False  # the line before was the title's: its next may be short words ("for NLP", "2019")
    for ln in first[:15]:
        heading = bool(NAMED_HEADINGS.match(ln.text.strip()))
        taken = ln.size >= biggest - 0.5 and not heading and (taken or any(ln is c for c in candidates))
        if taken:
            lines.append(ln)
    return " ".join(ln.text.strip() for ln in lines).replace(SOFT_HYPHEN, "-")


#: A line of affiliations, addresses or e-mail, not of names.
AFFILIATION = re.compile(
    r"@|\{|https?:|\b(?:universit|institut|college|school|department|dept\b|laborator|research|"
    r"centre|center|inc\b|ltd\b|corporation|anonymous|e-?mail)",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|van|von|de|der|den|da|di|del|la|le|du)"
#: A person's name as set under a title: two to five capitalised words ("Madeleine van Zuylen").
PERSON = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}")


def _latin(c: str) -> bool:
    return c.isascii() or c in "’‘" or "LATIN" in unicodedata.name(c, "")


def first_page_authors(first: list[Line], title: str) -> list[str]:
    """The names set under the title on the first page (for a PDF whose metadata names no
    author): full-width lines between the title and the abstract, in the body's type or larger,
    split at commas, "and" and footnote marks (♠, ∗, †, digits, letters of other scripts);
    lines of affiliations and e-mail addresses skipped. Empty when no line reads as
    names."""
    if not first:
        return []
    body = statistics.median(ln.size for ln in first)
    names: list[str] = []
    below_title = False  # a journal's header above the title names no one ("Future Internet")
    for ln in first[:30]:
        text = " ".join(ln.text.split())
        if text and text in title:
            below_title = True
            continue
        if not below_title:
            continue
        if ln.column != "F" or NAMED_HEADINGS.match(text):
            break  # the columns, or the abstract, begin
        if ln.size < body * 0.95 or AFFILIATION.search(text):
            continue
        latin = "".join(
            c if c.isascii() or c in "’‘" or "LATIN" in unicodedata.name(c, "") else "," for c in text
        )
        latin = re.sub(r"(?:[^\w\s,.'’-]|\d)+", ",", latin)  # a mark ends a name: "Kyle Lo†∗ Lucy Lu Wang†"
        for part in re.split(r",|;|\s+and\s+|\s+&\s+", latin):
            name = " ".join(re.sub(r"^and\s+", "", part.strip()).split())
            if PERSON.fullmatch(name):
                names.append(name)
    return names


def pdf_authors(given: str | None, on_page: list[str]) -> list[str]:
    """The metadata's authors (footnote marks dropped), or the names under the title when the
    metadata names none, or fewer than the page and the first of them among those."""
    given = re.sub(r"[{}]|\bet al\b\.?", "", given or "")  # "Nuala E. Tully {et al."
    meta = [a.strip(" *†‡∗") for a in split_authors(given or None) if a.strip(" *†‡∗")]
    if not meta or len(on_page) > len(meta) and meta[0].split()[-1] in " ".join(on_page):
        return on_page or meta
    return meta


def _pdf_date(value: str) -> dt.date | None:
    """A PDF's creation date ("D:20160215...") as a date; None when it has none."""
    m = PDF_DATE.match(value or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None
