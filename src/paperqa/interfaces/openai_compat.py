"""The OpenAI-compatible face of `paperqa serve`: `/v1/chat/completions` requests read into
a question and a conversation, and the cited answer written back as a chat completion (one
response, or server-sent chunks)."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from paperqa.answer.tasks import Conversation
from paperqa.errors import InputError, PaperNotFoundError
from paperqa.library import Library
from paperqa.types import Answer, CitedSentence, Reference

#: The model name the OpenAI-compatible endpoint answers to.
MODEL_NAME = "paperqa"
#: Words per chunk when the checked answer is streamed to an OpenAI client.
STREAM_WORDS = 8


class ChatMessage(BaseModel):
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model: str = MODEL_NAME
    messages: list[ChatMessage]
    stream: bool = False


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return content or ""


def with_references(answer: Answer) -> str:
    """The answer as a chat reply: the short answer in bold (when there is one), the cited text,
    then the numbered reference list."""
    text = answer.text
    if answer.short_answer:
        text = f"**{answer.short_answer}** [{answer.short_citation}]\n\n{text}"
    if not answer.references:
        return text
    lines = [text, "", "References:"]
    for ref in answer.references:
        where = f" {ref.url}" if ref.url else ""
        lines.append(f"[{ref.number}] {ref.title} ({ref.date_text or ref.date or 'no date'}){where}")
    return "\n".join(lines)


_REFERENCE_LINE = re.compile(r"^\[(\d+)\] (.+) \([^()]*\)(?: \S+)?$")
_CITATION = re.compile(r"\[(\d+)\]")


#: Reference lines read back from one earlier reply: an answer lists a handful; a client
#: sending thousands is not replaying paperqa's reply.
MAX_REFERENCES = 100


def _within(messages: Sequence[ChatMessage], chars: int) -> list[ChatMessage]:
    """The messages, the last one always, and of the earlier ones the newest whose text fits
    in `chars` together (`limits.conversation_chars`): the oldest are dropped."""
    kept: list[ChatMessage] = []
    used = 0
    for message in reversed(messages[:-1]):
        used += len(_text(message.content))
        if used > chars:
            break
        kept.append(message)
    return [*reversed(kept), *messages[-1:]]


def conversation_from(messages: Sequence[ChatMessage], library: Library) -> Conversation:
    """The chat's memory rebuilt from the client's message list.

    An OpenAI client resends the whole conversation each time. Only the newest earlier
    messages within `limits.conversation_chars` are read, each question within
    `limits.question_chars` and the first `MAX_REFERENCES` reference lines of a reply, so a
    client cannot make the server work for minutes. The earlier question gives a
    follow-up ("What are its limits?") its subject, and the papers the earlier reply cited
    (read back from its reference list, matched to the library by title) give it its focus;
    the reply's numbering is kept so a paper keeps its number for the whole chat.
    """
    conversation = Conversation()
    previous_question: str | None = None
    limits = library.settings.limits
    messages = _within(messages, limits.conversation_chars)
    for message, following in zip(messages, [*messages[1:], None], strict=True):
        text = _text(message.content)[: limits.conversation_chars]
        if message.role == "user" and following is not None and text.strip():
            previous_question = text[: limits.question_chars]
        if message.role != "assistant" or previous_question is None or following is None:
            continue
        body, _, listing = text.partition("\nReferences:\n")
        references = []
        for line in listing.splitlines()[:MAX_REFERENCES]:
            match = _REFERENCE_LINE.match(line.strip())
            try:
                paper = library.get(match.group(2)) if match else None
            except PaperNotFoundError:  # edited by the client, or removed since
                paper = None
            if match and paper is not None:
                number = int(match.group(1))
                references.append(Reference(number=number, paper_id=paper.id, title=paper.title))
                conversation.numbers.setdefault(paper.id, number)
        cited = [int(n) for n in dict.fromkeys(_CITATION.findall(body))]
        conversation.turns.append(
            Answer(
                task="ask",
                question=previous_question,
                text=body.strip(),
                sentences=[CitedSentence(text=body.strip(), citations=cited)] if cited else [],
                references=references,
                sources=[],
                backend="",
            )
        )
        previous_question = None
    if previous_question is not None:  # an earlier question without the reply: keep its subject
        conversation.turns.append(
            Answer(
                task="ask",
                question=previous_question,
                text="",
                sentences=[],
                references=[],
                sources=[],
                backend="",
            )  # fmt: skip
        )
    return conversation


def models() -> dict[str, Any]:
    """`/v1/models`: the one model this server is."""
    model = {"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "paperqa"}
    return {"object": "list", "data": [model]}


def chat_completion(library: Library, body: ChatRequest) -> dict[str, Any] | Iterator[str]:
    """The completion for a chat request: the last user message answered in the conversation
    the earlier messages make; a dict, or server-sent chunks when `body.stream`."""
    users = [_text(m.content) for m in body.messages if m.role == "user" and _text(m.content).strip()]
    if not users:
        raise InputError("The request has no user message: send the question as a user message.")
    answer = library.ask(users[-1], conversation=conversation_from(body.messages, library))
    head = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "created": int(time.time()), "model": MODEL_NAME}
    content = with_references(answer)
    usage = {
        "prompt_tokens": answer.usage.prompt_tokens,
        "completion_tokens": answer.usage.completion_tokens,
        "total_tokens": answer.usage.prompt_tokens + answer.usage.completion_tokens,
    }
    structured = json.loads(answer.model_dump_json())
    if body.stream:
        return _chunks(head, content, usage, structured)
    return {
        **head,
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": usage,
        "paperqa": structured,
    }


def _chunks(head: dict[str, Any], content: str, usage: dict[str, int], structured: Any) -> Iterator[str]:
    """The checked answer as `chat.completion.chunk` events, a few words each; the usage and
    the structured answer ride on the last one."""

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            **head,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    words = content.split(" ")
    for i in range(0, len(words), STREAM_WORDS):
        piece = " ".join(words[i : i + STREAM_WORDS])
        yield chunk({"content": piece if i == 0 else f" {piece}"})
    yield chunk({}, "stop", usage=usage, paperqa=structured)
    yield "data: [DONE]\n\n"
