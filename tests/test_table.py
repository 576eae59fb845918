"""The literature table: papers in rows, a cited cell per column, each quoting the row's own
paper or saying the abstract is silent; exports; the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from paperqa.answer.table import NOT_STATED, aspect_of, column_question
from paperqa.errors import InputError
from paperqa.interfaces.export import format_for, render_table, to_csv, to_markdown
from paperqa.text.sentences import split_sentences

from .test_cli import run

PAPERS = ["CASAL", "SAE-V", "LegalVis", "VIPER-R1"]


def test_column_questions_and_aspect_names():
    assert column_question("model size") == "What model size does the paper report?"
    assert column_question("Which baselines do they beat") == "Which baselines do they beat?"
    assert column_question("  main   result? ") == "What main result does the paper report?"
    assert aspect_of("Limitations") == aspect_of("limitation") == "Limitations"
    assert aspect_of("main result") == "Key results" and aspect_of("dataset") == "Data / setting"
    assert aspect_of("model size") is None
    with pytest.raises(InputError, match="column is empty"):
        column_question(" ? ")


def test_every_cell_quotes_its_own_paper_or_says_not_stated(seed_library):
    seen: list[tuple[int, int]] = []
    columns = ["dataset", "model size", "Which baselines do they compare against?", "Limitations"]
    answer = seed_library.table(PAPERS, columns=columns, on_cell=lambda i, j, _: seen.append((i, j)))
    assert answer.task == "table" and [r.aspect for r in answer.comparison] == columns
    assert sorted(seen) == [(i, j) for i in range(4) for j in range(4)]  # every cell streamed once
    sources = sorted(answer.sources, key=lambda s: s.number)
    assert [s.paper.title.split(":")[0] for s in sources][0] == "Hallucination reduction with CASAL"
    for row in answer.comparison:
        assert len(row.cells) == len(PAPERS)
        for number, cell in enumerate(row.cells, 1):
            if cell.text == NOT_STATED:
                assert not cell.citations
                continue
            assert cell.citations == [number] and cell.grounded and cell.supported
            assert cell.evidence in split_sentences(sources[number - 1].paper.abstract)
    by_column = {r.aspect: r.cells for r in answer.comparison}
    assert "baselines" in by_column["Which baselines do they compare against?"][0].text  # CASAL's sentence
    assert [r.number for r in answer.references] == [1, 2, 3, 4]
    assert all(s.citations and s.origin == "note" for s in answer.sentences)  # the overview


def test_default_columns_are_the_aspects_and_compare_is_the_two_row_table(seed_library):
    table = seed_library.table(["CASAL", "SAE-V"])
    compared = seed_library.compare("CASAL", "SAE-V")
    assert [r.aspect for r in table.comparison] == [r.aspect for r in compared.comparison]
    assert [c.text for r in table.comparison for c in r.cells] == [
        c.text for r in compared.comparison for c in r.cells
    ]


def test_rows_by_topic_and_by_dates(seed_library):
    by_topic = seed_library.table(topic="activation steering", limit=3, columns=["main result"])
    titles = [s.paper.title for s in by_topic.sources]
    assert 1 <= len(titles) <= 3 and any("CASAL" in t for t in titles)
    dated = seed_library.table(date_from=dt.date(2025, 9, 1), limit=30, columns=["dataset"])
    assert dated.sources and all(s.paper.date >= dt.date(2025, 9, 1) for s in dated.sources)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "Name the papers"),
        ({"papers": ["CASAL", "CASAL"]}, "named twice"),
        ({"papers": ["CASAL"], "columns": [f"c{i}" for i in range(11)]}, "more than a table holds"),
        ({"topic": "medieval pottery glazes"}, "No paper of the library is about"),
        ({"papers": ["CASAL"], "columns": [""]}, "column is empty"),
    ],
)
def test_bad_tables_say_how_to_fix_them(seed_library, options, message):
    papers = options.pop("papers", ())
    with pytest.raises(InputError, match=message):
        seed_library.table(papers, **options)


def test_exports(seed_library, tmp_path: Path):
    answer = seed_library.table(["CASAL", "LegalVis"], columns=["main result", "number of | pipes"])
    markdown = to_markdown(answer)
    assert markdown.splitlines()[0] == "|  | Paper | main result | number of \\| pipes |"
    assert "References:" in markdown and "1. Hallucination reduction with CASAL" in markdown
    assert "about 4 in 10 answer it" in markdown  # "number of | pipes" is the researcher's own column
    assert "4 in 10" not in to_markdown(seed_library.table(["CASAL", "LegalVis"], columns=["Limitations"]))
    rows = list(csv.DictReader(io.StringIO(to_csv(answer))))
    assert [r["number"] for r in rows] == ["1", "2"] and rows[1]["title"].startswith("LegalVis")
    assert "96%" in rows[1]["main result"] and rows[1]["main result"].endswith("[2]")
    assert json.loads(render_table(answer, "json"))["task"] == "table"
    assert format_for(tmp_path / "t.CSV", None) == "csv" and format_for(tmp_path / "t.txt", "json") == "json"
    with pytest.raises(InputError, match="cannot tell the format"):
        format_for(tmp_path / "t.txt", None)


@pytest.mark.slow
def test_table_command(seed_library, tmp_path: Path):
    seed_home = seed_library.settings.home
    shown = run("table", "CASAL", "SAE-V", "LegalVis", "-c", "main result", home=seed_home).stdout
    assert "main result" in shown and "96%" in shown and "References:" in shown
    out = tmp_path / "steering.csv"
    proc = run("table", "--topic", "activation steering", "--limit", "3", "--out", str(out), home=seed_home)
    assert "to " + str(out) in proc.stderr
    header = out.read_text().splitlines()[0]
    assert header == "number,paper_id,title,date,Problem,Approach,Data / setting,Key results,Limitations"
    bad = run("table", "CASAL", "--out", str(tmp_path / "t.docx"), home=seed_home, check=False)
    assert (
        bad.returncode != 0 and "cannot tell the format" in bad.stderr and not (tmp_path / "t.docx").exists()
    )


def test_a_writing_model_may_shorten_own_column_cells_under_the_checks(seed_library):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from paperqa.library import Library

    settings = seed_library.settings
    free = settings.model_copy(update={"llm": settings.llm.model_copy(update={"answer_mode": "free"})})
    replies = [
        "The LegalVis authors evaluated their identification model and obtained an accuracy of 96%.",
        "CASAL is the best method ever made.",  # adds what the sentence does not say: refused
    ]
    library = Library(free, embedder=seed_library.embedder, chat_model=FakeListChatModel(responses=replies))
    legalvis, casal = library.table(["LegalVis", "CASAL"], columns=["accuracy"]).comparison[0].cells
    assert legalvis.origin == "rewrite" and legalvis.text == replies[0] and legalvis.citations == [1]
    assert legalvis.evidence and "qualitative analysis" in legalvis.evidence  # the quoted sentence
    # the rewrite that adds a claim is refused: the quote stays (or the reader found no accuracy
    # in CASAL's abstract and the cell is "Not stated")
    assert "best method" not in casal.text and (casal.origin == "quote" or casal.text == NOT_STATED)
