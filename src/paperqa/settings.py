"""All of paperqa's settings, in one place.

Precedence, highest first: arguments in code or CLI flags, `PAPERQA_*`
environment variables (nested groups with `__`, e.g.
`PAPERQA_EMBEDDING__BACKEND=openai`), the TOML settings file
(`$PAPERQA_CONFIG`, else `paperqa.toml` in the data directory), defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_threads() -> int:
    """Threads a model may use by default: the CPUs this process may run on, less one for
    everything else a laptop does (at least one). A model given every core spin-waits for
    the one another program holds: on 2 busy cores one llama.cpp call took 50-100 s, not 0.5."""
    return max(1, available_cpus() - 1)


def default_home() -> Path:
    """The per-user data directory, unless `PAPERQA_HOME` says otherwise."""
    return Path(platformdirs.user_data_dir("paperqa", appauthor=False))


class ChunkingSettings(BaseModel):
    """How abstracts are cut into token-bounded chunks."""

    model_config = ConfigDict(extra="forbid")

    chunk_tokens: int = Field(
        default=200,
        ge=32,
        le=4000,
        description="Tokens (cl100k_base) per chunk. Most abstracts fit in one chunk; "
        "keep it under ~220 with the local embedder, which reads 256 word pieces.",
    )
    overlap_tokens: int = Field(
        default=40, ge=0, description="Tokens shared by consecutive chunks of one abstract."
    )

    @model_validator(mode="after")
    def _overlap_smaller(self) -> ChunkingSettings:
        if self.overlap_tokens >= self.chunk_tokens:
            raise ValueError("overlap_tokens must be smaller than chunk_tokens")
        return self


class LimitsSettings(BaseModel):
    """How much of anything one input may be: every limit in one place, each enforced where
    the bytes arrive, with an error that names it and this setting."""

    model_config = ConfigDict(extra="forbid")

    file_mb: int = Field(
        default=2048, ge=1, description="Largest file read (on disk, compressed size for .gz)."
    )
    decompressed_mb: int = Field(
        default=1024, ge=1, description="Most a .gz file may expand to (counted as it inflates)."
    )
    expansion: int = Field(
        default=30,
        ge=2,
        description="A .gz file may also expand to at most this many times its own size (or 64 MB, "
        "whichever is more): text compresses 3-10 times; a decompression bomb, a thousand.",
    )
    records: int = Field(default=500_000, ge=1, description="Most records read from one file.")
    pdf_pages: int = Field(
        default=300, ge=1, description="Most pages of a PDF read (a longer one is a book or a dump: skipped)."
    )
    field_chars: int = Field(
        default=100_000,
        ge=1000,
        description="A title, abstract or other field longer than this is cut (and reported): no "
        "abstract is that long, and the text parsers would spend minutes on it.",
    )
    question_chars: int = Field(default=2000, ge=10, description="Longest question.")
    conversation_chars: int = Field(
        default=20_000,
        ge=100,
        description="Most characters of earlier messages a chat (the OpenAI-compatible API, the app) "
        "may send with a question; the oldest beyond are dropped.",
    )
    report_examples: int = Field(
        default=5, ge=0, description="Skipped records shown per reason in a report (the rest counted)."
    )


class EmbeddingSettings(BaseModel):
    """Which model turns chunks into vectors."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["local", "openai"] = Field(
        default="local",
        description="'local': all-MiniLM-L6-v2 (int8 ONNX) on this machine, no key, no network. "
        "'openai': any OpenAI-compatible /v1/embeddings endpoint.",
    )
    model: str = Field(default="text-embedding-3-small", description="Model name for the 'openai' backend.")
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (default: OpenAI)."
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key for the 'openai' backend; default $OPENAI_API_KEY."
    )
    batch_size: int = Field(
        default=64, ge=1, le=2048, description="Texts sent per request to an OpenAI-compatible endpoint."
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads for the local embedding model (default: the CPUs less one, at least one).",
    )
    workers: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Texts the local embedding model embeds at once when it embeds many (ingest, "
        "reindex), each call on a thread of its own; those past the CPUs less one run at the "
        "lowest priority, on a core no other program wants (default: every CPU on Linux, where "
        "a thread's priority can be lowered; elsewhere the CPUs less one).",
    )


class RetrievalSettings(BaseModel):
    """How passages are found for a question, and the similarity cut-offs that decide what
    is relevant. Every cut-off is a cosine similarity (or a score built on one) with the
    configured embedder: the defaults were measured with all-MiniLM-L6-v2, so re-fit them
    when you change `embedding.backend` or `embedding.model`."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(default=6, ge=1, le=50, description="Passages given to the model.")
    max_per_paper: int = Field(
        default=2, ge=1, description="Most passages from one paper, so one paper cannot fill every slot."
    )
    candidates: int = Field(
        default=40, ge=5, description="Passages each of dense and BM25 search proposes before fusion."
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal rank fusion constant.")
    exact_search_chunks: int = Field(
        default=50_000,
        ge=0,
        description="Up to this many chunks, dense search compares the question with every chunk's "
        "vector, kept with the BM25 cache: exact, the same on every build, and no chromadb "
        "import when a command starts (2.4 ms a query at 50k chunks on 2 cores). Above it, "
        "Chroma's approximate HNSW index answers (10 ms vs ~3 ms at 134k chunks). 0: always Chroma.",
    )
    min_relevance: float = Field(
        default=0.25,
        ge=-1.0,
        le=1.0,
        description="Below this cosine similarity of the best passage (and with no paper named in "
        "the question), the answer is that the library has nothing on it.",
    )
    sure_relevance: float = Field(
        default=0.45,
        ge=-1.0,
        le=1.0,
        description="Below this similarity of the best passage, a question (naming no paper) that "
        'uses a word the library never uses ("AlphaFold", "diffusion") is about something '
        "the library does not cover, and is declined.",
    )
    confident_margin: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description='A model\'s own "not in the library" is taken as a failure (and the answer quoted) '
        "when the best passage is this much above `min_relevance`.",
    )
    list_relevance: float = Field(
        default=0.35,
        ge=-1.0,
        le=1.0,
        description='A paper belongs in the answer to a "which papers ..." question when its best '
        "passage is at least this similar to the question (or its abstract holds the topic's "
        "distinctive words).",
    )
    list_margin: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="...and within this much of the best paper's similarity.",
    )
    reader: bool = Field(
        default=True,
        description="Read the candidate abstracts with the bundled reader (a small model fitted on "
        "QASPER, SciFact and SciTLDR; `make reader`): it decides whether an abstract answers, which "
        "of its words do (the short answer) and a yes/no verdict. Off: the earlier word-based gate "
        "and verdict rules (for comparison).",
    )
    answerable_cut: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="A question about chosen papers (--paper, named, a follow-up's) is answered "
        "'the abstract does not answer this', and a paper is left out of an answer over the library, "
        "when the reader's probability that its abstract answers is below this (of one whole paper: "
        "that its abstract or a body paragraph read, each read alone, answers). Default: the cuts "
        "shipped with the reader, chosen on QASPER dev and full-text dev (`make reader`).",
    )
    support_threshold: float = Field(
        default=0.45,
        ge=0.0,
        le=1.0,
        description="A sentence counts as supported by the source it cites at or above this support "
        "score (half the cosine similarity to the best source sentence, half its share of content "
        "words found there); below it, the sentence is flagged (dropped with --strict).",
    )


class LLMSettings(BaseModel):
    """Which chat model writes answers."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["local", "openai"] = Field(
        default="local",
        description="'local': a GGUF model run in-process by llama-cpp-python (default: the "
        "bundled SmolLM2-135M-Instruct). 'openai': any OpenAI-compatible chat endpoint.",
    )
    answer_mode: Literal["auto", "free", "rewrite", "quote"] = Field(
        default="auto",
        description="How answers are written. 'quote': the source sentences that answer the "
        "question, cleaned to stand alone; no model call. 'rewrite': those sentences, each "
        "rewritten by the model as a direct answer and kept only when the rewrite passes the "
        "grounding check. 'free': the model writes from the sources, every sentence checked. "
        "'auto': 'quote' for the local model (its rewrites measured no better than the quotes "
        "on QASPER dev and the seed questions), 'free' for 'openai'.",
    )
    show_unverified: bool = Field(
        default=False,
        description="Show sentences that fail the grounding check, flagged, instead of dropping them.",
    )
    model_path: Path | None = Field(
        default=None, description="A GGUF file for the 'local' backend (default: bundled)."
    )
    model: str = Field(default="gpt-4o-mini", description="Model name for the 'openai' backend.")
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (default: OpenAI)."
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key for the 'openai' backend; default $OPENAI_API_KEY."
    )
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(default=320, ge=16, description="Most tokens one answer may have.")
    n_ctx: int = Field(default=4096, ge=512, description="Context window of the local model.")
    context_tokens: int | None = Field(
        default=None,
        ge=100,
        description="Most tokens of sources put in one prompt (default: 450 for the local "
        "model, whose prompt processing sets the time to first token; 3000 for 'openai').",
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads the local model generates with (default: the CPUs less one, at least one).",
    )
    batch_threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads the local model reads the prompt with (default: as `threads`).",
    )


class Settings(BaseSettings):
    """paperqa's settings; see the module docstring for where they come from."""

    model_config = SettingsConfigDict(
        env_prefix="PAPERQA_",
        env_nested_delimiter="__",
        env_ignore_empty=True,  # PAPERQA_HOME= is unset, not "." (a library in the current folder)
        extra="forbid",
        validate_default=True,
    )

    home: Path = Field(
        default_factory=default_home,
        description="Data directory: the index, the lock file and the settings file.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000); "
        "unset: an embedded store under `home`.",
    )
    collection: str = Field(default="paperqa", description="Name prefix of the Chroma collections.")
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)

    @property
    def store_path(self) -> Path:
        return self.home / "chroma"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=settings_file()),
        )


def settings_file() -> Path:
    """The TOML settings file: `$PAPERQA_CONFIG`, else `paperqa.toml` in the data directory."""
    if explicit := os.environ.get("PAPERQA_CONFIG"):
        return Path(explicit)
    home = os.environ.get("PAPERQA_HOME")
    return (Path(home) if home else default_home()) / "paperqa.toml"


def resolve_api_key(key: SecretStr | None, what: str) -> str:
    """The API key for an OpenAI-compatible backend, or an error that says how to set one."""
    from paperqa.errors import ConfigError

    if key is not None:
        return key.get_secret_value()
    if env := os.environ.get("OPENAI_API_KEY"):
        return env
    raise ConfigError(
        f"The {what} backend is 'openai' but no API key is set: set OPENAI_API_KEY, or "
        f"PAPERQA_{what.upper()}__API_KEY (any value works for a local server that needs none)."
    )
