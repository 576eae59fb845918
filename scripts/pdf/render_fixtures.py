"""Render QASPER full-text papers as PDFs with LaTeX, to check the PDF reader against the text
it was made from (`make pdf-fixtures`; needs Debian's texlive-latex-base and
texlive-latex-recommended).

Each paper is typeset twice, one column (article) and two columns (article, twocolumn), with
a running header (the short title), a footer and page numbers (fancyhdr), numbered section
headings, the paper's own paragraphs, its table captions as tables (a caption over an empty
box, after the first section) and a references section (the entries written here: QASPER keeps
no bibliography). The output (PDF + the JSON record it came from)
goes to tests/data/pdf/; the tests compare what paperqa reads from each PDF with the record.

    python scripts/pdf/render_fixtures.py [--papers N] [--out tests/data/pdf]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "data" / "qasper_fulltext" / "dev_papers.jsonl"

#: QASPER's placeholders for citations, formulas, tables and figures, as plain words.
PLACEHOLDER = re.compile(r"\b(BIBREF|INLINEFORM|DISPLAYFORM|TABREF|FIGREF|SECREF)\d+\b")
SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip


REFERENCES = [
    r"\bibitem{a} M. Richardson, C. Burges and E. Renshaw. MCTest: A challenge dataset for the "
    r"open-domain machine comprehension of text. EMNLP, 2013.",
    r"\bibitem{b} K. M. Hermann et al. Teaching machines to read and comprehend. NIPS, 2015.",
]


def tex(text: str) -> str:
    """Plain text as LaTeX source: specials escaped, characters outside Latin-1 dropped."""
    text = PLACEHOLDER.sub(lambda m: m.group(1).title(), text)
    text = "".join(SPECIAL.get(c, c) for c in text)
    return text.encode("latin-1", "ignore").decode("latin-1")


def document(paper: dict, two_columns: bool) -> str:
    options = "10pt,twocolumn" if two_columns else "11pt"
    short = tex(paper["title"][:40])
    lines = [
        rf"\documentclass[{options}]{{article}}",
        r"\input{glyphtounicode}",  # ligatures ("fi") map to their letters, as arXiv's PDFs do
        r"\pdfgentounicode=1",
        r"\usepackage[latin1]{inputenc}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\usepackage{fancyhdr}",
        r"\pagestyle{fancy}",
        rf"\fancyhead[L]{{{short}}}",
        r"\fancyhead[R]{Preprint}",
        r"\fancyfoot[C]{\thepage}",
        rf"\title{{{tex(paper['title'])}}}",
        r"\author{Anonymous Authors}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        r"\thispagestyle{fancy}",
        r"\begin{abstract}",
        tex(paper["abstract"]),
        r"\end{abstract}",
    ]
    tables = [f["caption"] for f in paper.get("figures_and_tables", []) if f["caption"].startswith("Table")]
    for n, section in enumerate(paper["sections"]):
        name = section["name"].split(":::")[-1].strip()
        sub = ":::" in section["name"]
        lines.append(rf"\{'sub' if sub else ''}section{{{tex(name)}}}")
        lines += [tex(p) + "\n" for p in section["paragraphs"]]
        if n == 0:
            for caption in tables[:2]:
                text = tex(re.sub(r"^Table \d+:\s*", "", caption))
                lines += [
                    r"\begin{table}[h]",
                    rf"\caption{{{text}}}",
                    r"\fbox{\rule{0pt}{1cm}\hspace{4cm}}",
                    r"\end{table}",
                ]
    lines += [
        r"\begin{thebibliography}{9}",
        *REFERENCES,
        r"\end{thebibliography}",
        r"\end{document}",
    ]
    return "\n".join(lines)


def render(paper: dict, two_columns: bool, out: Path) -> Path:
    name = f"{paper['id']}-{'two' if two_columns else 'one'}-column"
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"{name}.tex"
        source.write_text(document(paper, two_columns), encoding="latin-1")
        for _ in range(2):
            subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
                cwd=work, check=True, capture_output=True,
            )  # fmt: skip
        shutil.copy(Path(work) / f"{name}.pdf", out / f"{name}.pdf")
    return out / f"{name}.pdf"


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--papers", type=int, default=2, help="How many dev papers (the first N).")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "pdf")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with SOURCE.open(encoding="utf-8") as f:
        papers = [json.loads(line) for line, _ in zip(f, range(args.papers), strict=False)]
    for paper in papers:
        record = {k: paper[k] for k in ("id", "title", "abstract", "sections", "figures_and_tables")}
        (args.out / f"{paper['id']}.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
        for two in (False, True):
            print(render(paper, two, args.out))


if __name__ == "__main__":
    main()
