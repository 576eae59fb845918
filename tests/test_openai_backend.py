"""The OpenAI-compatible path, against a real server on 127.0.0.1 (llama-cpp-python's
server serving the bundled GGUF), through the `openai` client the product uses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paperqa.answer.find.gate import NOT_IN_LIBRARY
from paperqa.answer.write.llm import bundled_model_path, get_chat_model
from paperqa.errors import BackendError, ConfigError
from paperqa.library import Library
from paperqa.settings import EmbeddingSettings, LLMSettings, Settings

from .conftest import DATA, SEEDS
from .servers import free_port, llama_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with llama_server(bundled_model_path(), tmp_path_factory.mktemp("llama"), embedding=True) as url:
        yield url


def openai_settings(base: Settings, url: str) -> Settings:
    llm = LLMSettings(backend="openai", base_url=url, model="smollm2", api_key="unused", max_tokens=120)
    return base.model_copy(update={"llm": llm})


def test_chat_streams_through_the_openai_client(server):
    model, backend = get_chat_model(
        LLMSettings(backend="openai", base_url=server, model="smollm2", api_key="x", max_tokens=24)
    )
    pieces = [str(c.content) for c in model.stream("Say hello in three words.")]
    assert backend.startswith("openai:smollm2 at http://127.0.0.1:")
    assert len([p for p in pieces if p]) > 1 and "".join(pieces).strip()


def test_ask_compare_summarize_via_server(server, seed_library):
    lib = Library(openai_settings(seed_library.settings, server), embedder=seed_library.embedder)
    tokens: list[str] = []
    answer = lib.ask("How much does CASAL reduce hallucination?", on_token=tokens.append)
    assert answer.backend.startswith("openai:smollm2") and tokens and answer.usage.llm_calls == 1
    assert answer.references[0].title.startswith("Hallucination reduction with CASAL")
    assert all(s.citations for s in answer.sentences)
    assert lib.ask("What is the capital of France?").text == NOT_IN_LIBRARY
    compared = lib.compare("CASAL", "SAE-V")
    assert len(compared.comparison) == 5 and {r.number for r in compared.references} <= {1, 2}
    summary = lib.summarize("FIND")
    assert 3 <= len(summary.sentences) <= 6 and all(s.citations == [1] for s in summary.sentences)


def test_the_app_switches_to_the_configured_endpoint(server, seed_library):
    """With an endpoint configured, the app's Settings offer it and answers come from it."""
    from gradio_client import Client

    from paperqa.interfaces.app import build, remote_library

    llm = LLMSettings(base_url=server, model="smollm2", api_key="unused", max_tokens=120)  # local by default
    lib = Library(seed_library.settings.model_copy(update={"llm": llm}), embedder=seed_library.embedder)
    remote = remote_library(lib)
    assert remote is not None
    demo = build(lib, remote)
    demo.queue()
    demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(demo.local_url, verbose=False)
        history, _, sources = client.predict("What does CASAL reduce?", [], "openai", api_name="/ask")
        assert "Hallucination reduction with CASAL" in sources
        assert "Model: openai:smollm2" in str(history)  # the details line names who wrote
        config = str(demo.config)
        assert "'openai'" in config  # the switch is offered
    finally:
        demo.close()


def test_embeddings_endpoint_builds_its_own_index(server, tmp_path):
    settings = Settings(
        home=tmp_path / "remote-emb",
        embedding=EmbeddingSettings(backend="openai", base_url=server, model="smollm2", api_key="unused"),
    )
    lib = Library(settings)
    report = lib.ingest([DATA / "sample.bib"])
    assert len(report.added) == 2
    stats = lib.stats()
    assert stats.embedding_model == "openai:smollm2" and stats.embedding_dim == 576


def test_server_down_is_a_clear_error(seed_library):
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens here
    lib = Library(openai_settings(seed_library.settings, url), embedder=seed_library.embedder)
    with pytest.raises(BackendError, match="server is running"):
        lib.ask("How much does CASAL reduce hallucination?")


def test_missing_key_says_how_to_fix(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="set OPENAI_API_KEY"):
        get_chat_model(LLMSettings(backend="openai"))


def test_eval_runs_through_the_server(server, tmp_path: Path):
    """`paperqa eval --backend openai` answers with the configured endpoint, offline here."""
    questions = tmp_path / "q.jsonl"
    lines = (SEEDS.parent / "evals" / "seed_questions.jsonl").read_text().splitlines()
    questions.write_text("\n".join(line for line in lines if json.loads(line)["id"] in {"q01", "q41"}))
    env = {
        **os.environ,
        "PAPERQA_HOME": str(tmp_path / "home"),
        "PAPERQA_LLM__BASE_URL": server,
        "PAPERQA_LLM__MODEL": "smollm2",
        "PAPERQA_LLM__API_KEY": "unused",
    }
    script = shutil.which("paperqa", path=str(Path(sys.executable).parent)) or "paperqa"
    cmd = [script, "eval", "-q", str(questions), "--backend", "openai", "--out", str(tmp_path / "out")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert "openai:smollm2" in (tmp_path / "out" / "report.md").read_text()
    by_id = {q["id"]: q for q in data["questions"]}
    assert by_id["q01"]["recall_at_5"] == 1.0 and by_id["q41"]["declined"]


def forced(url: str, text: str):  # type: ignore[no-untyped-def]
    """The server's model, made to write exactly `text` (a GBNF grammar on the real server):
    the check stage, not the 135M model's whims, is what these tests exercise."""
    from langchain_openai import ChatOpenAI

    literal = text.replace("\\", "\\\\").replace('"', '\\"')
    return ChatOpenAI(
        model="smollm2", base_url=url, api_key="unused", max_completion_tokens=200, temperature=0,
        extra_body={"grammar": f'root ::= "{literal}"'},
    )  # fmt: skip


def test_free_answers_keep_abbreviations_and_drop_invented_figures(server, seed_library):
    """A capable model writes "LLMs" where the abstract says "large language models": shown.
    A figure no source holds: not shown. Through ask, summarize and compare."""
    settings = openai_settings(seed_library.settings, server)

    def lib(text: str) -> Library:
        return Library(settings, embedder=seed_library.embedder, chat_model=forced(server, text))

    answer = lib(
        "LIB in its current form is not applicable to LLMs [1]. LIB improves interpretability by 45% [1]."
    ).ask("Is LIB applicable to large language models?")
    assert "not applicable to LLMs" in answer.text and "45%" not in answer.text
    assert not answer.fallback and answer.references[0].title.startswith("The Local Interaction Basis")

    summary = lib(
        "LIB transforms the activations of a network into a new basis [1]. LIB is evaluated on modular "
        "addition and CIFAR-10 models [1]. It is not applicable to LLMs in its current form [1]. "
        "LIB cuts compute by 73% [1]."
    ).summarize("The Local Interaction Basis")
    assert "LLMs" in summary.text and "73%" not in summary.text and not summary.fallback

    compared = lib(
        "CASAL bakes activation steering into the weights of LLMs [1], whereas SAE-V interprets MLLMs [2]. "
        "Both were tested on 900 benchmarks [1][2]."
    ).compare("CASAL", "SAE-V")
    assert "LLMs" in compared.text and "900" not in compared.text and not compared.fallback


def test_with_an_endpoint_the_reader_still_decides_what_the_paper_does_not_state(server, seed_library):
    """A model that would answer anything is not asked when the reader finds no answer in the
    chosen paper: the answer says the abstract does not state it. Where the paper does answer,
    the model writes and the check still reads every sentence."""
    settings = openai_settings(seed_library.settings, server)
    lib = Library(
        settings,
        embedder=seed_library.embedder,
        chat_model=forced(server, "The inter-annotator agreement was 0.91 (Cohen's kappa) [1]."),
    )
    casal = lib.get("CASAL")
    answer = lib.ask("What is the inter-annotator agreement?", paper_ids=[casal.id])
    assert answer.not_stated and not answer.not_in_library and answer.usage.llm_calls == 0
    assert answer.sentences[0].text.startswith("The abstract of CASAL does not state the inter-annotator")
    assert "0.91" not in answer.text

    answered = Library(
        settings,
        embedder=seed_library.embedder,
        chat_model=forced(server, "CASAL reduces hallucination by 30% to 40% [1]. It was rated 0.91 [1]."),
    ).ask("How much does CASAL reduce hallucination?", paper_ids=[casal.id])
    assert not answered.not_stated and answered.usage.llm_calls == 1
    assert "30%" in answered.text and "0.91" not in answered.text
