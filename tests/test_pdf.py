"""PDFs: the text read from LaTeX-typeset papers against the text they were typeset from (one
and two columns, running headers, page numbers, captions, references), PDFs linked from exports
becoming one paper with their record, and PDFs that cannot be read skipped with their reason."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from paperqa.errors import IngestError
from paperqa.evals.pdftext import score
from paperqa.ingest.loaders.common import attached_pdfs
from paperqa.ingest.loaders.pdf import join_lines, read_pdf, split_keywords
from paperqa.library import Library
from paperqa.settings import LimitsSettings, Settings

from .conftest import DATA

PDFS = DATA / "pdf"
TYPESET = sorted(PDFS.glob("*-column.pdf"))


def source_of(pdf: Path) -> dict:
    return json.loads((PDFS / f"{pdf.name.split('-')[0]}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("pdf", TYPESET, ids=lambda p: p.stem)
def test_a_typeset_paper_reads_back_as_its_source(pdf: Path) -> None:
    paper = read_pdf(pdf, LimitsSettings())
    with pdfium.PdfDocument(pdf) as doc:
        pages = len(doc)
    found = score(paper, source_of(pdf), pages)
    assert found["paragraph_f1"] >= 0.95, found
    assert found["headings_found"] >= 0.90, found
    assert found["paragraphs_with_running_lines"] == 0, found
    assert found["title_right"] == 1.0, (paper.title, found)


def test_captions_are_passages_and_the_references_are_apart() -> None:
    paper = read_pdf(PDFS / "1602.04341-two-column.pdf", LimitsSettings())
    paragraphs = [p for _, s in paper.body for p in s.paragraphs]
    assert any(p.startswith("Table 1: Experimental results for one-sentence") for p in paragraphs)
    assert paper.sections[-1].name == "References"
    assert not any("Teaching machines to read" in p for p in paragraphs)  # never searched, never quoted


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("machine compre\x02", "hension of text", "machine comprehension of text"),
        ("an open-domain question\x02", "answering problem", "an open-domain question-answering problem"),
        ("our best\x02", "performing system", "our best-performing system"),
    ],
)
def test_a_hyphen_at_a_line_end(first: str, second: str, joined: str) -> None:
    words = {"question-answering", "best", "performing", "machine", "text"}
    assert join_lines(first, second, words) == joined


def test_export_file_fields_point_to_pdfs(tmp_path: Path) -> None:
    fields = [
        "Full Text PDF:papers/Smith 2020.pdf:application/pdf;Snapshot:papers/x.html:text/html",
        ":C\\:/Users/me/Mendeley/y.pdf:pdf",
        "file:///home/me/z%20paper.pdf",
        "internal-pdf://1234/w.pdf",
    ]
    assert attached_pdfs(fields, tmp_path) == [
        str(tmp_path / "papers" / "Smith 2020.pdf"),
        str(tmp_path / "C:/Users/me/Mendeley/y.pdf"),
        "/home/me/z paper.pdf",
    ]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes((PDFS / "encrypted.pdf").read_bytes()), "encrypted"),
        (lambda p: p.write_bytes((PDFS / "1602.04341-one-column.pdf").read_bytes()[:30_000]), "damaged"),
        (lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40), "damaged"),
        (lambda p: p.write_bytes(b""), "damaged"),
    ],
    ids=["encrypted", "truncated", "garbage", "empty"],
)
def test_a_pdf_that_cannot_be_read_says_why(tmp_path: Path, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.pdf"
    make(bad)
    with pytest.raises(IngestError, match=reason) as caught:
        read_pdf(bad, LimitsSettings())
    assert str(bad) in str(caught.value) and caught.value.kind


def blank_pdf(path: Path, pages: int) -> Path:
    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(612, 792)
    doc.save(path)
    return path


def test_a_scan_without_text_and_a_book_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no text layer.*OCR"):
        read_pdf(blank_pdf(tmp_path / "scan.pdf", 2), LimitsSettings())
    with pytest.raises(IngestError, match="pdf_pages"):
        read_pdf(blank_pdf(tmp_path / "book.pdf", 12), LimitsSettings(pdf_pages=10))


@pytest.mark.slow
def test_a_folder_of_pdfs_with_a_bad_one_and_an_export_linking_one(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(PDFS / "1602.04341-two-column.pdf", folder / "habcnn.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    report = library.ingest([folder])
    assert len(report.added) == 1 and [s.reason for s in report.skipped][0].startswith("not a readable PDF")
    assert str(folder / "broken.pdf") in report.skipped[0].location
    paper = library.get(report.added[0])
    assert paper.title == "Attention-Based Convolutional Neural Network for Machine Comprehension"
    assert paper.files == [str(folder / "habcnn.pdf")] and len(paper.sections) >= 13
    assert [s.pages[0] for s in paper.sections[:2]] == [1, 2]  # "1 Introduction" p. 1, "2 Related Work" p. 2

    # a sentence quoted from the body names its section and page
    answer = library.ask("What is MCTest-500?", paper_ids=[paper.id])
    body = [s for s in answer.sentences if s.section is not None]
    assert body and all(isinstance(s.page, int) for s in body), answer.sentences
    assert f"{body[0].where}" in answer.text and ", p. " in body[0].where  # type: ignore[operator]

    # the same paper from a BibTeX export whose `file` field links the other PDF: one paper,
    # the record's metadata with the PDF's body
    record = source_of(PDFS / "1603.07252-one-column.pdf")
    shutil.copy(PDFS / "1603.07252-one-column.pdf", folder / "summ.pdf")
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@inproceedings{cheng2016,\n"
        f"  title = {{{record['title']}}},\n"
        "  author = {Cheng, Jianpeng and Lapata, Mirella},\n  year = {2016},\n"
        "  abstract = {" + record["abstract"].replace("%", "\\%") + "},\n"
        "  file = {Full Text:papers/summ.pdf:application/pdf}\n}\n",
        encoding="utf-8",
    )
    added = library.ingest([bib])
    summ = library.get(added.added[0])
    assert summ.authors == ["Jianpeng Cheng", "Mirella Lapata"] and summ.date and summ.date.year == 2016
    assert any(s.name.endswith("Document Reader") for s in summ.sections)
    answer = library.ask("Which corpus do they use besides DailyMail?", paper_ids=[summ.id])
    assert answer.sentences and answer.sentences[0].citations == [1]


REAL = PDFS / "real"


@pytest.mark.parametrize(
    ("name", "title", "abstract_starts", "sections"),
    [
        (
            "2020.acl-main.207.pdf",
            "SPECTER: Document-level Representation Learning using Citation-informed Transformers",
            "Representation learning is a critical ingredient for natural language processing systems.",
            ["1 Introduction", "2.1 Overview", "2.5 Inference", "5 Results", "8 Conclusions and Future Work"],
        ),
        (
            "N18-3011.pdf",
            "Construction of the Literature Graph in Semantic Scholar",
            "We describe a deployed scalable system for organizing published scientific literature",
            [
                "1 Introduction",
                "2.1 Node Types",
                "4.2 Entity Extraction Models",
                "6 Conclusion and Future Work",
            ],
        ),
        (  # LaTeX's logo drawn in pieces: "LATEX", not "LAT EX"
            "2020.acl-main.447.pdf",
            "S2ORC: The Semantic Scholar Open Research Corpus",
            "We introduce S2ORC,",
            ["1 Introduction", "2.2 Processing LATEX source", "2.6 Linking bibliographies to papers"],
        ),
        (  # small capitals drawn letter group by letter group: "LONGEVAL", not "L ONG E VAL"
            "2023.eacl-main.121.pdf",
            "LONGEVAL: Guidelines for Human Evaluation of Faithfulness in Long-form Summarization",
            "While human evaluation remains best practice for accurately judging the faithfulness",
            [
                "1 Introduction",
                "3 The LONGEVAL guidelines for faithfulness human evaluation",
                # a bold heading on two lines is one heading
                "3.2 RQ2: Can we reduce annotator workload by partially annotating a long summary?",
                "5 Conclusion",
            ],
        ),
        (  # a Word PDF (fonts of size 1 scaled by 12), justified: "ignite d", "th at" made whole
            "futureinternet-6-61.pdf",
            "Analysis Matrix for Smart Cities",
            "The current digital revolution has ignited the evolution of communications grids",
            ["1. Introduction", "2. Results and Discussion", "5. Conclusions"],
        ),
    ],
)
def test_real_papers_read_as_published(
    name: str, title: str, abstract_starts: str, sections: list[str]
) -> None:
    paper = read_pdf(REAL / name, LimitsSettings())
    assert paper.title == title
    assert paper.abstract.startswith(abstract_starts)
    names = [s.name for s in paper.sections]
    assert all(s in names for s in sections), names
    assert names.index(sections[0]) == 0 and "References" in names
    assert not any(s.name == "References" for _, s in paper.body)
    first = paper.sections[0].paragraphs[0]
    assert len(first.split()) >= 40  # a paragraph, not a line
    assert not re.search(r"\w \s?[,;.](?:\s|$)", first)  # no space before a comma after a citation link


@pytest.mark.parametrize(
    ("given", "kept"),
    [("Microsoft Word - draft3.docx", False), ("main.pdf", False), ("Untitled", False), ("SPECTER", True)],
)
def test_a_metadata_title_that_is_a_file_name_is_not_the_title(given: str, kept: bool) -> None:
    from paperqa.ingest.loaders.pdf import NO_TITLE

    assert (NO_TITLE.search(given) is None) == kept


@pytest.mark.parametrize(
    ("name", "authors"),
    [
        (
            "2020.acl-main.207.pdf",
            ["Arman Cohan", "Sergey Feldman", "Iz Beltagy", "Doug Downey", "Daniel S. Weld"],
        ),
        (
            "2020.acl-main.447.pdf",
            ["Kyle Lo", "Lucy Lu Wang", "Mark Neumann", "Rodney Kinney", "Daniel S. Weld"],
        ),
        (
            "futureinternet-6-61.pdf",
            ["Pablo E. Branchi", "Carlos Fernández-Valdivielso", "Ignacio R. Matias"],
        ),
        (
            "2023.eacl-main.121.pdf",
            [
                "Kalpesh Krishna",
                "Erin Bransom",
                "Bailey Kuehl",
                "Mohit Iyyer",
                "Pradeep Dasigi",
                "Arman Cohan",
                "Kyle Lo",
            ],
        ),
    ],
)
def test_authors_are_read_from_the_first_page(name: str, authors: list[str]) -> None:
    """Names as set under the title, without the metadata: footnote marks (†, ∗, ♠) split them,
    affiliation and e-mail lines are skipped."""
    from paperqa.ingest.loaders.pdf import first_page_authors, first_page_title, page_lines

    with pdfium.PdfDocument(REAL / name) as doc:
        first = page_lines(doc, 0)
    assert first_page_authors(first, first_page_title(first)) == authors


def test_a_pdf_without_author_metadata_gets_the_first_page_names() -> None:
    paper = read_pdf(REAL / "2023.eacl-main.121.pdf", LimitsSettings())  # its metadata names no one
    assert paper.authors[:2] == ["Kalpesh Krishna", "Erin Bransom"] and len(paper.authors) == 7
    typeset = read_pdf(PDFS / "1602.04341-two-column.pdf", LimitsSettings())  # "Anonymous Authors"
    assert typeset.authors == []
    # metadata naming fewer than the page, with a footnote mark ("Pablo E. Branchi *"): the page's
    mdpi = read_pdf(REAL / "futureinternet-6-61.pdf", LimitsSettings())
    assert mdpi.authors == ["Pablo E. Branchi", "Carlos Fernández-Valdivielso", "Ignacio R. Matias"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "section", "words"),
    [
        # a "Limitations" section; elsewhere "..., we discuss this in the Limitations section"
        ("2023.eacl-main.121.pdf", "Limitations", "noisy process"),
        # a discussion's paragraph: "... it is also important to note its limitations."
        ("hindawi-rrp-2010-157939.pdf", "11. Discussion", "small size of the focus groups"),
        # no word on its own limits ("existing corpora are not without their limitations")
        ("2020.acl-main.447.pdf", None, None),
        # nor here, though its abstract's "however, ... do not leverage" (BERT's) reads like one
        ("2020.acl-main.207.pdf", None, None),
    ],
)
def test_a_question_about_a_papers_limitations_reads_where_it_states_them(
    library, name: str, section: str | None, words: str | None
) -> None:  # type: ignore[no-untyped-def]
    """Asked for a whole paper's limitations, the answer quotes its "Limitations" section, else
    the paragraph where the authors name their own work's, else says the paper does not state
    them (as its literature-table cell does): not sentences that merely mention limitations."""
    library.ingest([REAL / name])
    (paper,) = library.papers()
    answer = library.ask("What are the limitations?", paper_ids=[paper.id])
    if section is None:
        assert answer.not_stated and "does not state the limitations" in answer.sentences[0].text
        return
    assert not answer.not_stated and {s.section for s in answer.sentences} == {section}
    assert words in answer.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "stated"),
    [
        ("What was the F1 score?", False),
        ("What BLEU score do they report?", False),
        ("How many GPUs were used?", False),
        ("How many participants took part?", True),
    ],
)
def test_a_paper_never_naming_what_is_asked_does_not_state_it(library, question: str, stated: bool) -> None:  # type: ignore[no-untyped-def]
    """A focus-group study of heart-failure patients asked about F1 scores: the reader (tuned on
    NLP papers) took a patient's "He (the GP) doesn't know the half of it" for an answer; a
    question naming what the paper never writes, nor spells out, is not answered from it."""
    library.ingest([REAL / "hindawi-rrp-2010-157939.pdf"])
    (paper,) = library.papers()
    answer = library.ask(question, paper_ids=[paper.id])
    assert answer.not_stated is not stated
    if stated:
        assert "Fifteen participants took part" in answer.text


@pytest.mark.slow
def test_a_whole_papers_limitations_cell_is_its_own_words(library) -> None:  # type: ignore[no-untyped-def]
    """The literature table agrees with an ask: of a whole paper, the Limitations cell is its
    section about them, or "Not stated in the paper." when the abstract's only "limitation" is
    other work's (SPECTER: "BERT ... do not leverage information on inter-document relatedness")."""
    library.ingest([REAL / "2023.eacl-main.121.pdf", REAL / "2020.acl-main.207.pdf"])
    ids = {p.title.split(":")[0]: p.id for p in library.papers()}
    table = library.table([ids["LONGEVAL"], ids["SPECTER"]])
    (limits,) = [row for row in table.comparison or [] if row.aspect == "Limitations"]
    longeval, specter = limits.cells
    assert longeval.section == "Limitations" and longeval.citations
    assert specter.text == "Not stated in the paper." and not specter.citations


@pytest.mark.slow
def test_a_tables_rows_are_never_quoted(library) -> None:  # type: ignore[no-untyped-def]
    """SPECTER's results tables are read into the paragraphs around them ("... could help
    improve results. Recomm. Avg. ˆ ˆ CLS USR CITE REC Avg. SPECTER 84.2 88.4 ..."): its text is
    searched, but no row or header is ever an answer's sentence."""
    library.ingest([REAL / "2020.acl-main.207.pdf"])
    (paper,) = library.papers()
    for question in ("What are the main results?", "What is the average performance of SPECTER?"):
        answer = library.ask(question, paper_ids=[paper.id])
        assert answer.sentences
        for sentence in answer.sentences:
            assert "CLS USR" not in sentence.text and "88.4 91.5" not in sentence.text


def _broken(reason: str) -> pytest.MarkDecorator:
    """A real PDF paperqa does not read right yet: the test says what, and fails loudly (strict)
    once it does."""
    return pytest.mark.xfail(strict=True, reason=reason)


@pytest.mark.parametrize(
    ("name", "title", "abstract_starts", "first_section"),
    [
        (
            "bmc-health-services-14-1.pdf",  # BMC: the metadata title is a production code
            "Understanding the barriers to setting up a healthcare quality improvement process in "
            "resource-limited settings: a situational analysis at the Medical Department of Kamuzu "
            "Central Hospital in Lilongwe, Malawi",
            "Background: Knowledge regarding the best approaches to improving the quality of healthcare",
            "Background",
        ),
        (
            "hindawi-rrp-2010-157939.pdf",  # Hindawi: "Research Article" set before the title
            "Patient Experiences of Structured Heart Failure Programmes",
            "Objectives. Patient experiences of structured heart failure rehabilitation",
            "1. Introduction",
        ),
        (  # BMC: two columns under a full-width abstract; tables' 7.3 pt text outnumbers the body's
            "bmc-trauma-4-1.pdf",
            "Complications related to deep venous thrombosis prophylaxis in trauma: a systematic "
            "review of the literature",
            "Deep venous thrombosis prophylaxis is essential to the appropriate management",
            "Introduction",
        ),
        (  # PeerJ: affiliations and the editor in a margin column beside the abstract
            "peerj-cs-118.pdf",
            "VESPA: Very large-scale Evolutionary and Selective Pressure Analyses",
            "Background. Large-scale molecular evolutionary analyses of protein coding sequences",
            "INTRODUCTION",
        ),
        (  # a margin text set up the page ("Clinical Science www.clinsci.org") is not read
            "clinsci-126-305.pdf",
            "Fragment-based design for the development of N-domain-selective "
            "angiotensin-1-converting enzyme inhibitors",
            "ACE (angiotensin-1-converting enzyme) is a zinc metallopeptidase",
            "INTRODUCTION",
        ),
    ],
)
def test_publishers_pdfs(name: str, title: str, abstract_starts: str, first_section: str) -> None:
    """Journal articles as their publishers set them (CC BY; tests/data/README.md)."""
    paper = read_pdf(REAL / name, LimitsSettings())
    assert paper.title == title
    assert paper.abstract.startswith(abstract_starts)
    assert paper.sections[0].name == first_section


@pytest.mark.parametrize(
    ("name", "back_matter", "kept"),
    [
        ("clinsci-126-305.pdf", ["AUTHOR CONTRIBUTION", "FUNDING"], ["MATERIALS AND METHODS", "DISCUSSION"]),
        (
            "peerj-cs-118.pdf",
            ["Funding", "Competing Interests", "Author Contributions"],
            ["Data Availability"],  # where the data is
        ),
        ("futureinternet-6-61.pdf", ["Conflicts of Interest"], ["5. Conclusions"]),
        # a typographic apostrophe; affiliations under "Author details"
        (
            "bmc-trauma-4-1.pdf",
            ["Authors’ contributions", "Author details", "Competing interests"],
            ["Conclusion"],
        ),
    ],
)
def test_a_journals_back_matter_is_its_own_and_never_read_as_findings(
    name: str, back_matter: list[str], kept: list[str]
) -> None:
    """Journals close with who did what, who paid and what the authors declare, under headings
    set like any other ("AUTHOR CONTRIBUTION"): they are sections, kept out of the body answers
    read ("... conceived and designed the study" answered "What was the study design?"); a
    data availability statement stays (it says where the data is)."""
    paper = read_pdf(REAL / name, LimitsSettings())
    names = [s.name for s in paper.sections]
    read = [s.name for _, s in paper.body]
    assert all(n in names and n not in read for n in back_matter), names
    assert all(n in read for n in kept), read


def test_a_ligature_across_two_pieces_is_read_once() -> None:
    """Hindawi's "ff" is one glyph whose box reaches into the next piece of the line: it was read
    in both ("effeffects")."""
    paper = read_pdf(REAL / "hindawi-rrp-2010-157939.pdf", LimitsSettings())
    assert "The combined effects of an ageing population" in paper.sections[0].paragraphs[0]


def test_a_margin_column_is_not_the_first_paragraph() -> None:
    """PeerJ sets "Submitted ... Academic editor James Procter ... OPEN ACCESS" down the first
    page's left margin in a smaller font: read after the page's text, as one paragraph of its
    own, it neither cuts the first paragraph ("James Procter" was it) nor joins the abstract."""
    paper = read_pdf(REAL / "peerj-cs-118.pdf", LimitsSettings())
    first, *rest = paper.sections[0].paragraphs
    assert first.startswith("Estimating selective pressure variation") and len(first.split()) >= 40
    assert "Academic editor" not in paper.abstract and "Academic editor" not in first
    assert any("Academic editor James Procter" in p for p in rest)


def test_a_journal_first_paragraph_is_read_whole() -> None:
    """Hindawi's and BMC's first pages set the title block and abstract full width above two
    columns: the columns under it are read one after the other, not across (a short line of the
    block, "Received ...; Accepted ...", is the block's, not the left column's)."""
    paper = read_pdf(REAL / "hindawi-rrp-2010-157939.pdf", LimitsSettings())
    first = paper.sections[0].paragraphs[0]
    assert first.startswith("The combined effects of an ageing population and advances in treatments")
    assert "silent epidemic in industrialised nations" in first and "Heart failure places" not in first
    assert paper.abstract.startswith("Objectives.") and "Received" not in paper.abstract
    bmc = read_pdf(REAL / "bmc-trauma-4-1.pdf", LimitsSettings())
    assert [s.name for s in bmc.sections][:2] == ["Introduction", "Methods"]  # 10.3 pt over 9.8 pt text
    assert bmc.sections[0].paragraphs[0].startswith("Multisystem traumatic injury is a significant risk")
    assert "prolonged immobilization" in bmc.sections[0].paragraphs[0]


def test_a_margin_text_is_neither_the_title_nor_in_the_way() -> None:
    """Clinical Science sets "Clinical Science www.clinsci.org" up the page's margin, in a box
    taller than any line: it was taken for the title, and kept the "Abstract" heading from being
    seen, so the affiliations above it were read as the abstract."""
    paper = read_pdf(REAL / "clinsci-126-305.pdf", LimitsSettings())
    assert paper.title.startswith("Fragment-based design for the development of N-domain-selective")
    assert paper.abstract.startswith("ACE (angiotensin-1-converting enzyme) is a zinc metallopeptidase")
    # nor does it, a box in no column, keep the page from being read as two columns under its
    # full-width abstract (whose lines a subscript split, "− 0.74 nM) and was 927-fold", stay whole)
    assert paper.abstract.endswith("could be employed in treatment of fibrosis disorders.")
    assert "(Ki = 11.21" in paper.abstract and "927-fold more selective" in paper.abstract
    first = paper.sections[0]
    assert first.name == "INTRODUCTION" and first.paragraphs[0].startswith(
        "ACE (angiotensin-1-converting enzyme; EC"
    )
    assert "halt differentiation of the haematopoietic system" in first.paragraphs[0]


def test_a_title_whose_last_line_is_short_words_is_read_whole() -> None:
    """A title set on two lines keeps a second line of short words or a number ("for NLP",
    "2019"), which alone would look like a production code; a margin code alone is no title."""
    from paperqa.ingest.loaders.pdf import Line, first_page_title

    def line(top: float, text: str, size: float) -> Line:
        return Line(page=0, left=72, bottom=top - size, right=500, top=top, text=text, size=size)

    page = [
        line(770, "Preprint", 9),
        line(706, "Clinical Information Extraction with Convolutional Networks", 17.2),
        line(684, "for NLP 2019", 17.2),
        line(645, "Anonymous Authors", 12),
        line(608, "Abstract", 14.3),
    ]
    assert (
        first_page_title(page) == "Clinical Information Extraction with Convolutional Networks for NLP 2019"
    )
    assert first_page_title([line(700, "6489122611071476 1..10", 17.2), *page[3:]]) == "Anonymous Authors"


def test_a_footnote_is_a_paragraph_of_its_own_without_its_number() -> None:
    """ACL sets footnotes small under the columns, each led by its number ("6We also
    experimented ..."): each is read as its own paragraph, the number dropped, and two footnotes
    on a page are two paragraphs ("13Unpaywall ... 14We use the cld2 tool" was one)."""
    specter = read_pdf(REAL / "2020.acl-main.207.pdf", LimitsSettings())
    paragraphs = [p for s in specter.sections for p in s.paragraphs]
    assert any(p.startswith("We also experimented with other distance functions") for p in paragraphs)
    assert not any(re.search(r"\b\d{1,2}We\b", p) for p in paragraphs)
    s2orc = read_pdf(REAL / "2020.acl-main.447.pdf", LimitsSettings())
    paragraphs = [p for s in s2orc.sections for p in s.paragraphs]
    assert any(p.startswith("We use the cld2 tool") for p in paragraphs)
    assert not any("data dump 14We" in p for p in paragraphs)


def test_a_footnote_reference_after_punctuation_is_not_read_as_text() -> None:
    """A footnote's number set small and raised after a word, comma or full stop ("S2ORC,¹ a
    large corpus", "the benchmark.¹") was read into the sentence ("S2ORC,1 a"); a raised number
    set before a symbol ("yield. ¹H NMR") is the symbol's and stays, as one word."""
    s2orc = read_pdf(REAL / "2020.acl-main.447.pdf", LimitsSettings())
    assert s2orc.abstract.startswith("We introduce S2ORC, a large corpus of 81.1M English-language")
    specter = read_pdf(REAL / "2020.acl-main.207.pdf", LimitsSettings())
    assert specter.abstract.endswith("outperforms a variety of competitive baselines on the benchmark.")
    text = " ".join(p for s in specter.sections for p in s.paragraphs)
    assert "Our system, SPECTER, incorporates" in text and not re.search(r"[a-z][.,]\d ", text)
    assert "Slanted Triangular LR scheduler (Howard" in text  # after a word too ("scheduler¹⁰")
    clinsci = read_pdf(REAL / "clinsci-126-305.pdf", LimitsSettings())
    assert "yield. 1H NMR" in " ".join(p for s in clinsci.sections for p in s.paragraphs)


def test_an_abstract_ends_at_its_keywords_which_become_tags() -> None:
    """BMC sets "Keywords: ..." under the abstract, then the correspondence address and the
    licence; PeerJ "Subjects ... Keywords ...": none of it is the abstract (an answer quoted
    "Keywords: ... * Correspondence: jossey.ach@gmail.com 1 Project Officer ..."), and the
    keywords are kept as the paper's tags."""
    bmc = read_pdf(REAL / "bmc-health-services-14-1.pdf", LimitsSettings())
    assert bmc.abstract.endswith("contributions from clients, staff and management.")
    assert bmc.tags == [
        "Healthcare quality improvement", "Patient care", "Barriers to quality improvement",
        "Healthcare in resource-limited settings",
    ]  # fmt: skip
    peerj = read_pdf(REAL / "peerj-cs-118.pdf", LimitsSettings())
    assert peerj.abstract.endswith(
        "VESPA may be found at the following website: http://www.mol-evol.org/VESPA."
    )
    assert (
        peerj.tags[:2] == ["Bioinformatics", "Computational Biology"] and "Positive selection" in peerj.tags
    )


@pytest.mark.parametrize(
    ("abstract", "kept", "tags"),
    [
        (
            "We study keywords in search. " * 10 + "Keywords: search; ranking. © 2020",
            "We study",
            ["search", "ranking"],
        ),
        ("Keywords matter for search, we show. " * 2, "Keywords matter for search, we show.", []),
        (
            "A result. " * 30 + "Index Terms—speech recognition, transformers",
            "A result.",
            ["speech recognition", "transformers"],
        ),
    ],
)
def test_keywords_are_cut_only_after_the_abstract(abstract: str, kept: str, tags: list[str]) -> None:
    summary, found = split_keywords(abstract.strip())
    assert summary.startswith(kept) and "Keywords:" not in summary and "Index Terms" not in summary
    assert found == tags


def test_a_line_opening_with_small_capitals_is_text_not_a_footnote() -> None:
    """LongEval writes its two annotation schemes in small capitals: a line that opens with
    one ("COARSE, since shorter spans needs to be judged") starts at the small size and was read
    as a footnote, cutting its sentence ("it is less subjective than") and the paragraph."""
    paper = read_pdf(REAL / "2023.eacl-main.121.pdf", LimitsSettings())
    text = " ".join(p for s in paper.sections for p in s.paragraphs)
    assert "it is less subjective than COARSE, since shorter spans needs to be judged rather than" in text
    assert "FINE annotations have higher inter-annotator agreement than COARSE annotations." in text


def test_in_a_terminal_a_cited_page_links_to_the_pdf(tmp_path: Path, embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`paperqa ask` in a terminal that shows links: "p. 5" opens the paper's PDF at page 5
    (OSC 8); piped, the text is plain."""
    import io

    from rich.console import Console

    from paperqa.interfaces.cli import answers as cli_answers

    source = PDFS / "1602.04341-two-column.pdf"
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    (paper_id,) = library.ingest([source]).added
    answer = library.ask("What is MCTest-500?", paper_ids=[paper_id])
    page = next(s.page for s in answer.sentences if s.page)
    for terminal in (True, False):
        shown = io.StringIO()
        monkeypatch.setattr(cli_answers, "out", Console(file=shown, force_terminal=terminal, width=300))
        cli_answers._print_answer(answer)
        linked = f"{source.resolve().as_uri()}#page={page}" in shown.getvalue()
        assert linked is terminal and f", p. {page}" in shown.getvalue()
