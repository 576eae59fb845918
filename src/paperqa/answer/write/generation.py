"""The generate stage: prompts through the chat model, streamed, with tokens and time
counted in the run's `Usage`; and the rewrite of one evidence sentence into a direct
answer, accepted only when it passes the grounding check."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from paperqa.answer.check.citations import parse_citations
from paperqa.answer.check.grounding import ground
from paperqa.answer.check.rewrites import keeps_facts, recombines
from paperqa.answer.run import Run
from paperqa.answer.screening import is_repetitive
from paperqa.answer.write.prompts import load_prompt
from paperqa.errors import BackendError, PaperQAError
from paperqa.text.sentences import split_sentences
from paperqa.text.tokens import count_tokens
from paperqa.types import CitedSentence

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

#: Tokens a rewrite may take: one sentence.
REWRITE_MAX_TOKENS = 90
#: A rewrite longer than this many times its sentence (plus a few words) is not a rewrite.
REWRITE_MAX_GROWTH = 1.4
REWRITE_SLACK_WORDS = 5


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
