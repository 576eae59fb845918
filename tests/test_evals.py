"""`paperqa eval`: question files, scoring, aggregation, and the command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperqa.errors import IngestError, InputError
from paperqa.evals import report as eval_report
from paperqa.evals import run as evals
from paperqa.library import Library
from paperqa.types import Answer, CitedSentence, ComparisonRow, Paper, Source

from .conftest import ROOT

QUESTIONS = ROOT / "evals" / "seed_questions.jsonl"


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_seed_question_file_is_valid_and_big_enough():
    questions = evals.load_questions(QUESTIONS)
    assert len(questions) >= 40
    kinds = {q.type for q in questions}
    assert kinds == set(evals.TYPES)


def test_every_gold_title_of_the_seed_questions_is_a_seed_paper(seed_library: Library):
    by_title = evals.paper_titles(seed_library.papers())
    for q in evals.load_questions(QUESTIONS):
        assert len(evals.gold_ids(q, by_title, "seed")) == len(q.papers)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "q.jsonl:2: not valid JSON"),
        ('{"id": "x", "type": "compare", "question": "?", "papers": ["A"], "facts": []}', "exactly two"),
        ('{"id": "x", "type": "unanswerable", "question": "?", "papers": ["A"], "facts": []}', "empty"),
        ('{"id": "x", "type": "opinion", "question": "?", "papers": [], "facts": []}', "q.jsonl:2: type"),
        ('{"id": "x", "type": "single", "question": "?", "papers": ["A"], "extra": 1}', "extra"),
        ('{"id": "q1", "type": "single", "question": "?", "papers": ["A"], "facts": []}', "used twice"),
    ],
)
def test_bad_question_lines_name_file_and_line(tmp_path: Path, line: str, message: str):
    good = '{"id": "q1", "type": "single", "question": "What?", "papers": ["A"], "facts": ["x"]}'
    with pytest.raises(IngestError) as info:
        evals.load_questions(write(tmp_path, good, line))
    assert message in str(info.value)
    assert info.value.line == 2


def test_empty_or_missing_question_file(tmp_path: Path):
    with pytest.raises(IngestError, match="no questions"):
        evals.load_questions(write(tmp_path, ""))
    with pytest.raises(InputError, match="no such question file"):
        evals.load_questions(tmp_path / "nope.jsonl")


def test_unknown_gold_title_is_named():
    q = evals.EvalQuestion(id="q9", type="single", question="?", papers=["A Paper Nobody Wrote"])
    with pytest.raises(InputError, match="q9.*A Paper Nobody Wrote.*--corpus"):
        evals.gold_ids(q, {"something else": "x"}, "f.jsonl")


@pytest.mark.parametrize(
    ("fact", "text", "found"),
    [
        ("30%-40%|30-40%", "It cuts errors by 30-40% on QA.", True),
        ("thirty percent", "By THIRTY   percent.", True),
        ("110%", "reaches 11% of the data", False),
        ("a|b", "neither", False),
    ],
)
def test_fact_alternatives_case_and_spacing(fact: str, text: str, found: bool):
    assert evals.fact_found(fact, text) is found


def paper(pid: str) -> Paper:
    return Paper(id=pid, title=f"Title {pid}", abstract="An abstract.")


def answer(sentences: list[CitedSentence], numbers: dict[int, str], **extra) -> Answer:
    sources = [Source(number=n, paper=paper(pid), passages=[], text="") for n, pid in numbers.items()]
    return Answer(
        task=extra.pop("task", "ask"),
        question="q",
        text=" ".join(s.text for s in sentences),
        sentences=sentences,
        references=[],
        sources=sources,
        backend="fake",
        **extra,
    )


def test_score_counts_retrieval_citations_and_facts():
    q = evals.EvalQuestion(id="q", type="multi", question="?", papers=["A", "B"], facts=["alpha", "zeta|z2"])
    a = answer(
        [
            CitedSentence(text="Alpha works.", citations=[1], support=0.8, supported=True),
            CitedSentence(text="Beta too.", citations=[2, 3], support=0.6, supported=True),
            CitedSentence(text="Uncited.", citations=[]),
        ],
        {1: "a", 2: "b", 3: "c"},
    )
    r = evals.score(q, ["a", "b"], ["x", "a", "y", "z", "w", "b"], a)
    assert r.recall_at_5 == 0.5  # b is sixth
    assert r.reciprocal_rank == 0.5
    assert (r.sentences, r.cited_sentences, r.citations, r.gold_citations) == (3, 2, 3, 2)
    assert r.mean_support == pytest.approx(0.7)
    assert (r.facts_found, r.facts_total, r.missing_facts) == (1, 2, ["zeta|z2"])


def test_score_reads_the_comparison_table_for_facts():
    q = evals.EvalQuestion(id="q", type="compare", question="?", papers=["A", "B"], facts=["tabled"])
    row = ComparisonRow(aspect="Data", cells=[CitedSentence(text="A tabled fact.", citations=[1])])
    r = evals.score(q, ["a", "b"], ["a", "b"], answer([], {1: "a"}, task="compare", comparison=[row]))
    assert r.facts_found == 1


def test_declined_answers_count_as_abstentions_not_uncited_sentences():
    q = evals.EvalQuestion(id="u", type="unanswerable", question="?")
    a = answer([CitedSentence(text="The library does not say.")], {1: "a"}, not_in_library=True)
    r = evals.score(q, [], ["a"], a)
    assert r.declined and r.sentences == 0 and r.recall_at_5 is None


def result(kind: str, **fields) -> evals.QuestionResult:
    return evals.QuestionResult(id=kind, type=kind, question="?", task="ask", gold=[], retrieved=[], **fields)


def test_aggregate_and_targets():
    results = [
        result("single", recall_at_5=1.0, reciprocal_rank=1.0, sentences=2, cited_sentences=2),
        result("single", recall_at_5=0.0, reciprocal_rank=0.0, sentences=1, cited_sentences=1),
        result("single", recall_at_5=1.0, reciprocal_rank=0.5, declined=True),
        result("unanswerable", declined=True),
        result("unanswerable", sentences=1, cited_sentences=0),
    ]
    summary = eval_report.summarize_results(results)
    assert summary["single"]["recall_at_5"] == pytest.approx(2 / 3, abs=1e-3)
    assert summary["single"]["mrr"] == 0.5
    assert summary["overall"]["cited_sentence_share"] == 0.75
    assert summary["overall"]["unanswerable_declined"] == 0.5
    assert summary["overall"]["answerable_declined"] == pytest.approx(1 / 3, abs=1e-3)
    met = {t.name: t.met for t in eval_report.check_targets(summary)}
    assert met == {
        "recall@5 on single": False,
        "non-abstaining sentences cited": False,
        "unanswerable declined": False,
        "answerable declined": False,
        "facts found on single": None,  # no facts asked
        "ungrounded sentences shown": True,
    }
    baseline = eval_report.summarize_results([result("single", facts_total=2, facts_found=2)])
    worse = eval_report.summarize_results([result("single", facts_total=2, facts_found=1)])
    vs = {t.name: (t.value, t.met) for t in eval_report.check_targets(worse, baseline)}
    assert vs["facts on single vs quote baseline"] == (-0.5, False)


def test_report_puts_the_quote_baseline_and_the_difference_under_each_group(tmp_path: Path):
    pipeline = [result("single", facts_total=2, facts_found=2, sentences=1, cited_sentences=1)]
    quote = [result("single", facts_total=2, facts_found=1, sentences=1, cited_sentences=1)]
    summary, base, _ = eval_report.write_report(tmp_path, pipeline, {}, quote)
    rows = [label for label, _ in eval_report.table_rows(summary, base, indent="  ")]
    assert rows[:3] == ["overall", "  quote", "  diff"]
    report = (tmp_path / "report.md").read_text()
    assert "| single quote |" in report and "| single diff |" in report
    diff_row = next(line for line in report.splitlines() if line.startswith("| single diff |"))
    assert "0.50" in diff_row  # facts 1.00 - 0.50
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["baseline"]["summary"]["single"]["fact_coverage"] == 0.5


def test_write_report(tmp_path: Path):
    results = [result("single", recall_at_5=1.0, reciprocal_rank=1.0, sentences=1, cited_sentences=1)]
    summary, _, targets = eval_report.write_report(tmp_path / "out", results, {"chat model": "fake"})
    report = (tmp_path / "out" / "report.md").read_text()
    assert "| single |" in report and "chat model: fake" in report
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["questions"][0]["id"] == "single" and data["summary"]["overall"]["questions"] == 1
    assert (tmp_path / "out" / "eval.png").read_bytes()[:4] == b"\x89PNG"
    assert [t.met for t in targets] == [True, True, None, True, None, True]
