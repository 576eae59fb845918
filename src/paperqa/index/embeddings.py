"""Embedders: text to vectors, as LangChain `Embeddings`.

- `LocalEmbedder`: all-MiniLM-L6-v2 (`encoder.MiniLM`: ONNX with int8 MatMuls, shipped in
  paperqa with its tokenizer, sha256-checked, run by onnxruntime). No PyTorch, no network.
- `OpenAIEmbedder`: any OpenAI-compatible `/v1/embeddings` endpoint.

`get_embedder(settings)` builds the configured one.
"""

from __future__ import annotations

import numpy as np
from langchain_core.embeddings import Embeddings

from paperqa.errors import BackendError
from paperqa.index.assets import LOCAL_EMBEDDING_DIM, LOCAL_EMBEDDING_MODEL
from paperqa.index.encoder import MiniLM
from paperqa.settings import EmbeddingSettings, resolve_api_key


class PaperQAEmbeddings(Embeddings):
    """An `Embeddings` that also says which model it is, so the index can record it."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        return np.asarray(self.embed_documents(texts), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()


class LocalEmbedder(PaperQAEmbeddings):
    """all-MiniLM-L6-v2 on this machine (`encoder.MiniLM`) as a LangChain `Embeddings`:
    mean-pooled, L2-normalised, 384 dimensions."""

    name = LOCAL_EMBEDDING_MODEL
    dim = LOCAL_EMBEDDING_DIM

    def __init__(
        self, threads: int | None = None, *, model: MiniLM | None = None, workers: int | None = None
    ) -> None:
        self.model = model or MiniLM(threads, workers=workers)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.model.embed(texts)


class OpenAIEmbedder(PaperQAEmbeddings):
    """An OpenAI-compatible embeddings endpoint (OpenAI, vLLM, Ollama, llama.cpp server...)."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        from langchain_openai import OpenAIEmbeddings

        self.name = f"openai:{settings.model}"
        self._base_url = settings.base_url or "api.openai.com"
        self._dim: int | None = None
        self._client = OpenAIEmbeddings(
            model=settings.model,
            base_url=settings.base_url,
            api_key=resolve_api_key(settings.api_key, "embedding"),  # type: ignore[arg-type]
            chunk_size=settings.batch_size,
            # Token-length checks would fetch a tiktoken file per model; send text as is.
            check_embedding_ctx_length=False,
        )

    @property
    def dim(self) -> int:  # type: ignore[override]
        """The endpoint's vector size, asked once with a one-word probe."""
        if self._dim is None:
            self.embed(["dimension"])
        assert self._dim is not None
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        try:
            raw = self._client.embed_documents(texts)
        except Exception as exc:  # the openai client raises many kinds; all mean "backend failed"
            raise BackendError(
                f"The embedding endpoint ({self.name} at {self._base_url}) failed: "
                f"{type(exc).__name__}: {exc}. Check PAPERQA_EMBEDDING__BASE_URL and __MODEL."
            ) from exc
        # A server without pooling (llama.cpp serving a chat model) returns one vector per
        # token: mean-pool them, as the local model does.
        vectors = np.stack([np.atleast_2d(np.asarray(v, dtype=np.float32)).mean(axis=0) for v in raw])
        if vectors.size:
            self._dim = int(vectors.shape[1])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.clip(norms, 1e-12, None)


def get_embedder(settings: EmbeddingSettings | None = None) -> PaperQAEmbeddings:
    """The embedder the settings name."""
    settings = settings or EmbeddingSettings()
    if settings.backend == "openai":
        return OpenAIEmbedder(settings)
    return LocalEmbedder(threads=settings.threads, workers=settings.workers)
