"""The embedded default for real: SmolLM2-135M via llama.cpp on the seed corpus.

The model is weak; these tests hold the product to what it promises whatever the
model writes: the right paper is cited for named-paper questions, every shown
sentence cites a source, and unanswerable questions are declined.
"""

from __future__ import annotations

import pytest

from paperqa.answer.find.gate import NOT_IN_LIBRARY
from paperqa.library import Library

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local(tmp_path_factory, embedder, _seed_home):
    import shutil

    from paperqa.settings import Settings

    home = tmp_path_factory.mktemp("local-llm") / "lib"
    shutil.copytree(_seed_home, home)
    settings = Settings(home=home)  # the local model rewrites (by default, answers are quoted)
    return Library(
        settings.model_copy(update={"llm": settings.llm.model_copy(update={"answer_mode": "rewrite"})}),
        embedder=embedder,
    )


@pytest.mark.parametrize(
    ("question", "title_start"),
    [
        ("How much does CASAL reduce hallucination?", "Hallucination reduction with CASAL"),
        ("What is FIND used for?", "A Function Interpretation Benchmark"),
        ("What does SAE-V reveal about multimodal models?", "SAE-V"),
        ("How does LIB choose its basis?", "The Local Interaction Basis"),
    ],
)
def test_named_paper_questions_cite_that_paper(local, question, title_start):
    tokens: list[str] = []
    answer = local.ask(question, on_token=tokens.append)
    assert answer.backend.startswith("local:SmolLM2-135M-Instruct")
    assert tokens, "the local model streams tokens"
    assert not answer.not_in_library and answer.sentences
    assert all(s.citations for s in answer.sentences)
    cited = {r.number: r.title for r in answer.references}
    first = answer.sentences[0].citations[0]
    assert cited[first].startswith(title_start)


@pytest.mark.parametrize(
    "question",
    ["What is the boiling point of ethanol at sea level?", "Who won the 1998 football World Cup?"],
)
def test_unanswerable_questions_are_declined(local, question):
    answer = local.ask(question)
    assert answer.not_in_library and answer.text == NOT_IN_LIBRARY


def test_summary_and_comparison(local):
    summary = local.summarize("CASAL")
    assert 3 <= len(summary.sentences) <= 6 and len(summary.text.split()) <= 140
    assert all(s.citations == [1] for s in summary.sentences)
    comparison = local.compare("CASAL", "FIND")
    assert len(comparison.comparison) == 5
    assert {c for s in comparison.sentences for c in s.citations} == {1, 2}


def test_the_loaded_model_is_closed_cleanly_at_exit():
    """llama.cpp's `Llama.__del__` printed a TypeError traceback when it ran during
    interpreter shutdown; paperqa closes its models at exit first."""
    import subprocess
    import sys

    code = (
        "from paperqa.answer.write.llm import get_chat_model; "
        "m, _ = get_chat_model(); m.invoke('Hi', max_tokens=4)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr
