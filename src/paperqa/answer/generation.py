"""The generate stage: prompts through the chat model, streamed, with tokens and time
counted in the run's `Usage`; and the rewrite of one evidence sentence into a direct
answer, accepted only when it passes the grounding check."""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from paperqa.answer.citations import parse_citations
from paperqa.answer.grounding import ground, keeps_facts, recombines
from paperqa.answer.prompts import load_prompt
from paperqa.answer.screening import is_repetitive
from paperqa.errors import BackendError, PaperQAError
from paperqa.text.sentences import split_sentences
from paperqa.text.tokens import count_tokens
from paperqa.types import CitedSentence, Usage

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

OnToken = Callable[[str], None]

T = TypeVar("T")


def streamed(run: Callable[[OnToken], T]) -> Iterator[str | T | BaseException]:
    """Run `run(on_token)` in a thread: the tokens as they come, then its result, or the
    exception it raised (handed over, not raised: each caller reports it its own way)."""
    items: queue.Queue[object] = queue.Queue()
    done = object()

    def work() -> None:
        try:
            items.put(run(items.put))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            items.put(exc)
        finally:
            items.put(done)

    threading.Thread(target=work, daemon=True).start()
    while (item := items.get()) is not done:
        yield item  # type: ignore[misc]


#: Tokens a rewrite may take: one sentence.
REWRITE_MAX_TOKENS = 90
#: A rewrite longer than this many times its sentence (plus a few words) is not a rewrite.
REWRITE_MAX_GROWTH = 1.4
REWRITE_SLACK_WORDS = 5


@dataclass
class Run:
    """The state of one ask / summarize / compare call, passed through its stages."""

    on_token: OnToken | None = None
    usage: Usage = field(default_factory=Usage)
    started: float = field(default_factory=time.perf_counter)
    #: LangChain callbacks (a tracer such as LangSmith's): each stage is reported to them
    #: as a child run named "retrieve", "select evidence", "generate", "rewrite", "check".
    callbacks: Any = None

    def elapsed(self) -> float:
        return round(time.perf_counter() - self.started, 3)

    def stage(self, name: str, fn: Callable[[], T], inputs: Any = None) -> T:
        """Run one stage; with callbacks, as a named child run that they see."""
        if self.callbacks is None:
            return fn()
        from langchain_core.runnables import RunnableLambda

        runnable: RunnableLambda[Any, T] = RunnableLambda(lambda _: fn(), name=name)
        return runnable.invoke(inputs if inputs is not None else {}, config={"callbacks": self.callbacks})

    def config(self, name: str) -> dict[str, Any]:
        """The config a chat model call takes so that callbacks see it under `name`."""
        return {"callbacks": self.callbacks, "run_name": name} if self.callbacks is not None else {}


class Writer:
    """A chat model and the two ways paperqa uses it: free generation and rewrites."""

    def __init__(self, model: BaseChatModel | None, backend: str | None, load: Callable[[], tuple]) -> None:
        self._given = (model, backend or type(model).__name__) if model is not None else None
        self._load = load

    @functools.cached_property
    def chat(self) -> tuple[BaseChatModel, str]:
        """(chat model, description), built on first use."""
        return self._given or self._load()

    @property
    def backend(self) -> str:
        return self.chat[1]

    def generate(
        self,
        prompt: str,
        variables: dict[str, str],
        run: Run,
        *,
        max_tokens: int | None = None,
        stream: bool = True,
        stage: str = "generate",
    ) -> str:
        """The model's reply to a prompt of `prompts/`, streamed to `run.on_token`."""
        model, backend = self.chat
        messages = load_prompt(prompt).template().format_messages(**variables)
        run.usage.prompt_tokens += sum(count_tokens(str(m.content)) for m in messages)
        start, parts = time.perf_counter(), []
        options = {"max_tokens": max_tokens} if max_tokens else {}
        try:
            for chunk in model.stream(messages, config=run.config(stage) or None, **options):  # type: ignore[arg-type]
                piece = str(chunk.content)
                if not piece:
                    continue
                if run.usage.first_token_seconds is None:
                    run.usage.first_token_seconds = round(
                        time.perf_counter() - start + run.usage.retrieval_seconds, 3
                    )
                parts.append(piece)
                if stream and run.on_token:
                    run.on_token(piece)
        except PaperQAError:
            raise
        except Exception as exc:  # openai / llama.cpp raise many kinds; all mean the backend failed
            raise BackendError(
                f"The chat model ({backend}) failed: {type(exc).__name__}: {exc}. Check that the server "
                "is running and PAPERQA_LLM__BASE_URL / PAPERQA_LLM__MODEL are right."
            ) from exc
        text = "".join(parts)
        run.usage.completion_tokens += count_tokens(text)
        run.usage.llm_calls += 1
        return text

    def rewrite(
        self,
        question: str,
        quoted: CitedSentence,
        names: Sequence[str],
        run: Run,
    ) -> CitedSentence:
        """The quoted sentence rewritten by the model as a direct answer to `question`, when
        the rewrite passes the grounding check against that sentence alone, adds no word
        the sentence and the question lack, and keeps every figure and name of it; else
        the quote itself."""
        raw = self.generate(
            "rewrite",
            {"question": question, "sentence": quoted.text},
            run,
            max_tokens=REWRITE_MAX_TOKENS,
            stage="rewrite",
        )
        first = next(iter(split_sentences(raw.strip().strip('"'))), "")
        text, _ = parse_citations(first)
        limit = REWRITE_MAX_GROWTH * len(quoted.text.split()) + REWRITE_SLACK_WORDS
        if (
            not text
            or is_repetitive(raw)
            or len(text.split()) > limit
            or not keeps_facts(text, quoted.text)
            or recombines(text, quoted.text, question)
        ):
            return quoted
        # Every word a rewrite adds beyond the question must come from the quoted sentence:
        # "attack success rate" may not become "accuracy".
        source = [quoted.evidence or quoted.text, quoted.text]
        if not ground(text, source, question, names, new_words_found=1.0).ok:
            return quoted
        if text[-1:] not in ".!?":
            text += "."
        return quoted.model_copy(update={"text": text, "origin": "rewrite", "grounded": True})
