"""paperqa's LangChain parts against LangChain's own standard test suites
(`langchain-tests`): the local embedder, the OpenAI-compatible embedder (against
llama-cpp-python's server on 127.0.0.1), the llama.cpp chat model and the library's
retriever. What a part cannot do is declared through the suite's own switches, with the
reason next to it; nothing is skipped by hand."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import (
    ChatModelIntegrationTests,
    EmbeddingsIntegrationTests,
    RetrieversIntegrationTests,
)
from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests

from paperqa.answer.write.llm import LlamaCppChat, bundled_model_path
from paperqa.index.embeddings import LocalEmbedder, OpenAIEmbedder
from paperqa.interfaces.runnables import PaperRetriever
from paperqa.settings import EmbeddingSettings

from .servers import llama_server

pytestmark = pytest.mark.slow


class TestLocalEmbedderUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[LocalEmbedder]:
        return LocalEmbedder


class TestLocalEmbedderIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[LocalEmbedder]:
        return LocalEmbedder


@pytest.fixture(scope="module")
def embeddings_server(tmp_path_factory: pytest.TempPathFactory):
    with llama_server(bundled_model_path(), tmp_path_factory.mktemp("llama"), embedding=True) as url:
        yield url


class TestOpenAICompatibleEmbedderIntegration(EmbeddingsIntegrationTests):
    """The OpenAI-compatible embedder against a real server started on 127.0.0.1."""

    base_url = ""

    @pytest.fixture(autouse=True)
    def _server(self, embeddings_server: str) -> None:
        type(self).base_url = embeddings_server

    @property
    def embeddings_class(self) -> type[OpenAIEmbedder]:
        return OpenAIEmbedder

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        settings = EmbeddingSettings(
            backend="openai", model="smollm2", base_url=self.base_url, api_key="none"
        )
        return {"settings": settings}


class _LlamaCpp:
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return LlamaCppChat

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model_path": str(bundled_model_path()), "temperature": 0.0}

    # One GGUF file per instance: a per-call `model=` cannot switch to another model.
    @property
    def supports_model_override(self) -> bool:
        return False


class TestLlamaCppChatUnit(_LlamaCpp, ChatModelUnitTests):
    pass


class TestLlamaCppChatIntegration(_LlamaCpp, ChatModelIntegrationTests):
    """The bundled SmolLM2-135M through llama.cpp. It has no tool calling, structured output,
    JSON mode or multimodal inputs (the suite reads that from the class: no `bind_tools`,
    no `with_structured_output`; the multimodal switches default to off)."""


class TestPaperRetriever(RetrieversIntegrationTests):
    library: Any = None

    @pytest.fixture(autouse=True)
    def _library(self, seed_library) -> None:  # type: ignore[no-untyped-def]
        type(self).library = seed_library

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return PaperRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"library": self.library}

    @property
    def retriever_query_example(self) -> str:
        return "How does activation steering reduce hallucinations?"


def test_retriever_documents_carry_the_paper(seed_library):
    import datetime as dt

    docs = seed_library.as_retriever(k=3).invoke("How much does CASAL reduce hallucination?")
    assert len(docs) == 3 and docs[0].metadata["title"].startswith("Hallucination reduction with CASAL")
    meta = docs[0].metadata
    assert meta["paper_id"] and meta["chunk_index"] >= 0 and meta["named_in_query"] is True
    assert isinstance(meta["authors"], list) and meta["date"] and meta["fused_score"] > 0
    only = seed_library.as_retriever(k=5, paper_ids=["SAE-V"]).invoke("interpretability")
    assert {d.metadata["title"][:5] for d in only} == {"SAE-V"}
    recent = seed_library.as_retriever(k=5, since=dt.date(2025, 9, 1)).invoke("interpretability")
    assert all(d.metadata["date"] >= "2025-09" for d in recent)
