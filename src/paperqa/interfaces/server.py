"""`paperqa serve`: one HTTP server for programs and people.

- JSON API: `GET /papers`, `GET /papers/{id}`, `POST /ask`, `POST /summarize`,
  `POST /compare` (each `?stream=true` for server-sent events: `token` events with the
  model's draft, then one `answer` event with the checked answer), `POST /papers`
  (upload files; the ingest report), `DELETE /papers/{id}`, `GET /stats`, `GET /healthz`.
  OpenAPI docs at `/docs`.
- OpenAI-compatible: `POST /v1/chat/completions` (plain and `stream: true`) and
  `GET /v1/models`, so any OpenAI client or chat front-end uses the library as a model.
  The last user message is the question, earlier ones the conversation; the reply is
  the cited answer with its reference list, and the whole structured `Answer` rides
  along in the extra field `paperqa` of the completion (and of the last stream chunk).
- The Gradio app, mounted at `/app` (`/` redirects there).

The same rules as the app: loopback by default; any other host needs
`PAPERQA_APP_PASSWORD`, given to the API as HTTP basic (user `paperqa`) or a bearer
token, and to the page through its login; the same size and count limits; errors are
JSON `{"error": ...}` with a 4xx status, never a traceback or a key.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel

from paperqa.answer.generation import streamed
from paperqa.answer.tasks import Conversation
from paperqa.errors import ConfigError, InputError, PaperNotFoundError, PaperQAError, user_message
from paperqa.interfaces.runnables import AskInput, CompareInput, SummarizeInput, TaskInput, run_task
from paperqa.library import Library, LibraryStats
from paperqa.types import Answer, CitedSentence, IngestReport, Paper, Reference

#: The model name the OpenAI-compatible endpoint answers to.
MODEL_NAME = "paperqa"
MAX_UPLOAD_FILES = 20
MAX_UPLOAD_BYTES = 200 * 1024**2
#: Words per chunk when the checked answer is streamed to an OpenAI client.
STREAM_WORDS = 8


class ChatMessage(BaseModel):
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model: str = MODEL_NAME
    messages: list[ChatMessage]
    stream: bool = False


class Problem(BaseModel):
    error: str


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return content or ""


def with_references(answer: Answer) -> str:
    """The answer as a chat reply: the cited text, then the numbered reference list."""
    if not answer.references:
        return answer.text
    lines = [answer.text, "", "References:"]
    for ref in answer.references:
        where = f" {ref.url}" if ref.url else ""
        lines.append(f"[{ref.number}] {ref.title} ({ref.date_text or ref.date or 'no date'}){where}")
    return "\n".join(lines)


_REFERENCE_LINE = re.compile(r"^\[(\d+)\] (.+) \([^()]*\)(?: \S+)?$")
_CITATION = re.compile(r"\[(\d+)\]")


def conversation_from(messages: Sequence[ChatMessage], library: Library) -> Conversation:
    """The chat's memory rebuilt from the client's message list.

    An OpenAI client resends the whole conversation each time. The earlier question gives a
    follow-up ("What are its limits?") its subject, and the papers the earlier reply cited
    (read back from its reference list, matched to the library by title) give it its focus;
    the reply's numbering is kept so a paper keeps its number for the whole chat.
    """
    conversation = Conversation()
    previous_question: str | None = None
    for message, following in zip(messages, [*messages[1:], None], strict=True):
        text = _text(message.content)
        if message.role == "user" and following is not None and text.strip():
            previous_question = text
        if message.role != "assistant" or previous_question is None or following is None:
            continue
        body, _, listing = text.partition("\nReferences:\n")
        references = []
        for line in listing.splitlines():
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
            )
        )
    return conversation


def create_app(library: Library, *, password: str | None = None, mount_ui: bool = True) -> FastAPI:
    """The server's FastAPI app over `library`; with `password`, every route needs it."""
    app = FastAPI(
        title="paperqa",
        description="Cited answers from a library of scientific papers. OpenAI-compatible at /v1.",
        version="1",
    )

    def authorized(request: Request) -> None:
        if not password:
            return
        header = request.headers.get("authorization", "")
        given = ""
        if header.lower().startswith("bearer "):
            given = header[7:].strip()
        elif header.lower().startswith("basic "):
            try:
                user, _, given = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                given = ""
            given = given if user == "paperqa" else ""
        if not secrets.compare_digest(given.encode(), password.encode()):
            raise _Unauthorized

    guard = [Depends(authorized)]

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(request: Request, exc: _Unauthorized) -> JSONResponse:
        return JSONResponse(
            {"error": "This server needs the password: HTTP basic (user paperqa) or a bearer token."},
            status_code=401,
            headers={"WWW-Authenticate": 'Basic realm="paperqa"'},
        )

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e.get('loc', ()) if x != 'body') or 'body'}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return JSONResponse({"error": f"bad request: {problems}"}, status_code=422)

    @app.exception_handler(PaperQAError)
    async def _paperqa_error(request: Request, exc: PaperQAError) -> JSONResponse:
        status = 404 if isinstance(exc, PaperNotFoundError) else 400
        return JSONResponse({"error": str(exc)}, status_code=status)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": f"{user_message(exc)}; see the server log"}, 500)

    @app.get("/healthz", tags=["library"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/stats", dependencies=guard, tags=["library"])
    def stats() -> LibraryStats:
        return library.stats()

    @app.get("/papers", dependencies=guard, tags=["library"])
    def papers(search: str | None = None) -> list[Paper]:
        return library.papers(search)

    @app.get("/papers/{ref:path}", dependencies=guard, tags=["library"], responses={404: {"model": Problem}})
    def paper(ref: str) -> Paper:
        return library.get(ref)

    @app.delete(
        "/papers/{ref:path}", dependencies=guard, tags=["library"], responses={404: {"model": Problem}}
    )
    def remove(ref: str) -> Paper:
        return library.remove(ref)

    @app.post("/papers", dependencies=guard, tags=["library"], responses={400: {"model": Problem}})
    def upload(files: list[UploadFile] = File(...)) -> IngestReport:  # noqa: B008 (FastAPI idiom)
        if len(files) > MAX_UPLOAD_FILES:
            raise InputError(f"Upload at most {MAX_UPLOAD_FILES} files at a time (got {len(files)}).")
        with tempfile.TemporaryDirectory(prefix="paperqa-upload-") as tmp:
            paths, total = [], 0
            for f in files:
                path = Path(tmp) / Path(f.filename or "upload").name
                with path.open("wb") as out:
                    shutil.copyfileobj(f.file, out)
                total += path.stat().st_size
                if total > MAX_UPLOAD_BYTES:
                    raise InputError(f"The upload is larger than {MAX_UPLOAD_BYTES // 1024**2} MB.")
                paths.append(path)
            return library.ingest(paths, skip_bad=True)

    def answer(body: TaskInput, stream: bool) -> Any:
        def run(on_token: Any) -> Answer:
            return run_task(library.tasks, body, on_token=on_token)

        return run(None) if not stream else StreamingResponse(_sse(run), media_type="text/event-stream")

    @app.post("/ask", dependencies=guard, tags=["answers"], response_model=Answer)
    def ask(body: AskInput, stream: bool = False) -> Any:
        return answer(body, stream)

    @app.post("/summarize", dependencies=guard, tags=["answers"], response_model=Answer)
    def summarize(body: SummarizeInput, stream: bool = False) -> Any:
        return answer(body, stream)

    @app.post("/compare", dependencies=guard, tags=["answers"], response_model=Answer)
    def compare(body: CompareInput, stream: bool = False) -> Any:
        return answer(body, stream)

    @app.get("/v1/models", dependencies=guard, tags=["openai"])
    def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "paperqa"}],
        }

    @app.post("/v1/chat/completions", dependencies=guard, tags=["openai"])
    def chat_completions(body: ChatRequest) -> Any:
        users = [_text(m.content) for m in body.messages if m.role == "user" and _text(m.content).strip()]
        if not users:
            raise InputError("The request has no user message: send the question as a user message.")
        conversation = conversation_from(body.messages, library)
        answer = library.ask(users[-1], conversation=conversation)
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        content = with_references(answer)
        usage = {
            "prompt_tokens": answer.usage.prompt_tokens,
            "completion_tokens": answer.usage.completion_tokens,
            "total_tokens": answer.usage.prompt_tokens + answer.usage.completion_tokens,
        }
        structured = json.loads(answer.model_dump_json())
        if not body.stream:
            return {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": MODEL_NAME,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
                "paperqa": structured,
            }

        def chunks() -> Iterator[str]:
            def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
                body = {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": MODEL_NAME,
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

        return StreamingResponse(chunks(), media_type="text/event-stream")

    if mount_ui:
        import gradio as gr

        from paperqa.interfaces.app import build, page_options, remote_library

        demo = build(library, remote_library(library))
        demo.queue(default_concurrency_limit=4)
        gr.mount_gradio_app(
            app,
            demo,
            path="/app",
            auth=("paperqa", password) if password else None,
            show_error=False,
            footer_links=["api"],
            **page_options(),
        )

        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/app/")

    return app


class _Unauthorized(Exception):
    pass


def _sse(run: Callable[[Any], Answer]) -> Iterator[str]:
    """Server-sent events: `token` events as the model writes, then `answer` (or `error`)."""
    for item in streamed(run):
        if isinstance(item, Answer):
            yield f"event: answer\ndata: {item.model_dump_json()}\n\n"
        elif isinstance(item, BaseException):  # the stream has started: report, do not raise
            yield f"event: error\ndata: {json.dumps({'error': user_message(item)})}\n\n"
        else:
            yield f"event: token\ndata: {json.dumps(item)}\n\n"


def serve(library: Library | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the server (blocking). Any host but loopback needs `PAPERQA_APP_PASSWORD`."""
    import uvicorn

    from paperqa.interfaces.app import _loopback

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    password = os.environ.get("PAPERQA_APP_PASSWORD") or None
    if not _loopback(host) and not password:
        raise ConfigError(
            f"Serving on {host} makes the library reachable from other machines: set "
            "PAPERQA_APP_PASSWORD (HTTP basic user paperqa, or a bearer token), or use --host 127.0.0.1."
        )
    app = create_app(library or Library(), password=password)
    uvicorn.run(app, host=host, port=port, log_level="warning")
