"""`paperqa serve`: one HTTP server for programs and people.

- JSON API: `GET /papers`, `GET /papers/{id}`, `POST /ask`, `POST /summarize`,
  `POST /compare` (each `?stream=true` for server-sent events: `token` events with the
  model's draft, then one `answer` event with the checked answer), `POST /table` (a
  literature table; `?stream=true` sends a `cell` event per cell as it is filled), `POST /papers`
  (upload files; the ingest report), `DELETE /papers/{id}`, `GET /stats`, `GET /healthz`,
  `GET /pdf/{id}` (the paper's own PDF, when the library has one; the app links its pages).
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

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperqa.answer.run import streamed
from paperqa.errors import InputError, PaperNotFoundError, PaperQAError, user_message
from paperqa.interfaces import openai_compat
from paperqa.interfaces.access import (
    LOOPBACK_NAMES,
    MAX_UPLOAD_FILES,
    MAX_UPLOAD_MB,
    USER,
    Throttle,
    authorized,
    host_names,
    password_for,
)
from paperqa.interfaces.files import ingest_uploads, pdf_of, remove_papers
from paperqa.interfaces.openai_compat import ChatRequest
from paperqa.interfaces.runnables import (
    AskInput,
    CompareInput,
    SummarizeInput,
    TableInput,
    TaskInput,
    run_task,
)
from paperqa.library import Library, LibraryStats
from paperqa.types import Answer, IngestReport, Paper

#: Answers the mounted app works on at once.
CONCURRENT_ANSWERS = 4


class Problem(BaseModel):
    error: str


class _Unauthorized(Exception):
    pass


class _Throttled(Exception):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


#: Largest request body for questions and answers (uploads: `MAX_UPLOAD_MB`).
MAX_REQUEST_MB = 4

#: Methods that may change something; a page on another site may not send them to routes that
#: change the library (a `no-cors` form POST needs no CORS permission).
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: What the browser may load for any page of this server: only its own files (the app loads no
#: remote script, style or font), never framed by another page.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; "
    "connect-src 'self' ws: wss:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


def _changes_library(path: str) -> bool:
    """Routes through which a request can add or remove papers: the API's /papers and every
    action of the mounted app."""
    return path == "/papers" or path.startswith(("/papers/", "/app"))


def _cross_site(request: Request) -> bool:
    """The request comes from a page of another origin (another site, or another port of this
    one): its Origin (or Referer) differs from the host it was sent to, or the browser says so."""
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return False  # not sent by a browser page (curl, an OpenAI client)
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


def _hostname(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _add_guards(app: FastAPI, hosts: Sequence[str] | None, throttle: Throttle) -> None:
    """The Host header must be one this server answers to; a page of another origin may not
    change the library (unless it sends the bearer token, which browsers never add on their
    own); every response forbids framing and loading anything from elsewhere."""

    @app.middleware("http")
    async def guards(request: Request, call_next: Any) -> Any:
        host = request.headers.get("host", "")
        if hosts is not None and _hostname(host) not in hosts:
            return JSONResponse(
                {"error": f"This server does not answer to the host name {host!r}; use 127.0.0.1."},
                status_code=421,
            )
        size = request.headers.get("content-length", "")
        limit = (MAX_UPLOAD_MB if _changes_library(request.url.path) else MAX_REQUEST_MB) * 1024**2
        if size.isdigit() and int(size) > limit:
            return JSONResponse(
                {"error": f"The request is larger than {limit // 1024**2} MB; send less."}, status_code=413
            )
        bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
        if (
            request.method in _UNSAFE
            and _changes_library(request.url.path)
            and _cross_site(request)
            and not bearer
        ):
            return JSONResponse(
                {"error": "A page of another site may not change this library; use the app itself."},
                status_code=403,
            )
        login = request.method == "POST" and request.url.path.endswith("/login")  # the app's login form
        client, now = request.client.host if request.client else "?", time.monotonic()
        if login and (wait := throttle.wait(client, now)) > 0:
            seconds = max(1, int(wait + 0.999))
            return JSONResponse(
                {"error": f"Too many wrong passwords from this address: try again in {seconds} s."},
                status_code=429,
                headers={"Retry-After": str(seconds)},
            )
        response = await call_next(request)
        if login and response.status_code >= 400:
            throttle.failed(client, now)
        elif login:
            throttle.succeeded(client)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def create_app(
    library: Library,
    *,
    password: str | None = None,
    mount_ui: bool = True,
    hosts: Sequence[str] | None = LOOPBACK_NAMES,
    docs: bool = False,
    api: bool = True,
) -> FastAPI:
    """The server's FastAPI app over `library`; with `password`, every route needs it. `api`:
    the JSON and OpenAI-compatible routes (`paperqa app` serves the web app alone).

    `hosts`: the Host header names it answers to (default: loopback names; None: any), so a
    page on another name that resolves here (DNS rebinding) is refused. `docs`: serve
    Swagger UI at /docs (it loads its script from a CDN, so it is off unless asked for; the
    OpenAPI schema is always at /openapi.json)."""
    app = FastAPI(
        title="paperqa",
        description="Cited answers from a library of scientific papers. OpenAI-compatible at /v1.",
        version="1",
        docs_url="/docs" if docs else None,
        redoc_url=None,
    )
    _add_error_handlers(app)
    throttle = Throttle()
    _add_guards(app, hosts, throttle)

    @app.get("/healthz", tags=["library"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def guard(request: Request) -> None:
        if not password:
            return
        client, now = request.client.host if request.client else "?", time.monotonic()
        if (wait := throttle.wait(client, now)) > 0:
            raise _Throttled(wait)
        if not authorized(request.headers.get("authorization", ""), password):
            throttle.failed(client, now)
            raise _Unauthorized
        throttle.succeeded(client)

    def pdf_guard(request: Request) -> None:
        # a page link clicked in the app carries the app's login, not the password again
        if not (password and _logged_in(app, request)):
            guard(request)

    routers = (_library_routes(library), _answer_routes(library), _openai_routes(library)) if api else ()
    for router in routers:
        app.include_router(router, dependencies=[Depends(guard)])
    app.include_router(_pdf_routes(library), dependencies=[Depends(pdf_guard)])
    if mount_ui:
        _mount_ui(app, library, password)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Errors as JSON `{"error": ...}` with a 4xx status; never a traceback or a key."""

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(request: Request, exc: _Unauthorized) -> JSONResponse:
        return JSONResponse(
            {"error": "This server needs the password: HTTP basic (user paperqa) or a bearer token."},
            status_code=401,
            headers={"WWW-Authenticate": 'Basic realm="paperqa"'},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI's own ("There was an error parsing the body" for JSON nested 100,000 deep)
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(_Throttled)
    async def _throttled(request: Request, exc: _Throttled) -> JSONResponse:
        seconds = max(1, int(exc.seconds + 0.999))
        return JSONResponse(
            {"error": f"Too many wrong passwords from this address: try again in {seconds} s."},
            status_code=429,
            headers={"Retry-After": str(seconds)},
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


def _logged_in(app: FastAPI, request: Request) -> bool:
    """The request carries the session cookie of someone logged in to the app mounted at /app
    (Gradio's login). Read-only routes only: a cookie also rides along requests other sites
    make, so everything that changes the library asks for the password itself."""
    for route in app.routes:
        ui = getattr(route, "app", None) if getattr(route, "path", None) == "/app" else None
        cookie_id, tokens = getattr(ui, "cookie_id", None), getattr(ui, "tokens", None)
        if cookie_id and isinstance(tokens, dict):
            names = (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}")
            token = next((request.cookies[n] for n in names if n in request.cookies), None)
            return token is not None and token in tokens
    return False


def _pdf_routes(library: Library) -> APIRouter:
    """A paper's own PDF, so a citation's page can be opened (the app's "p. 5" links to
    `/pdf/{id}#page=5`): only a file the library recorded for that paper, and only a PDF."""
    router = APIRouter(tags=["library"])

    @router.get("/pdf/{ref:path}", response_class=FileResponse, responses={404: {"model": Problem}})
    def pdf(ref: str) -> FileResponse:
        paper = library.get(ref)
        path = pdf_of(paper)
        if path is None:
            raise StarletteHTTPException(404, f"No PDF of {paper.id!r} is in the library.")
        return FileResponse(
            path, media_type="application/pdf", filename=path.name, content_disposition_type="inline"
        )

    return router


def _library_routes(library: Library) -> APIRouter:
    router = APIRouter(tags=["library"])
    not_found: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}

    @router.get("/stats")
    def stats() -> LibraryStats:
        """The library's size and models; where it lives on the server is not said."""
        found = library.stats()
        store = found.store if "://" in found.store else "embedded Chroma"
        return found.model_copy(update={"home": None, "store": store})

    @router.get("/papers")
    def papers(search: str | None = None) -> list[Paper]:
        return library.papers(search)

    @router.get("/papers/{ref:path}", responses=not_found)
    def paper(ref: str) -> Paper:
        return library.get(ref)

    @router.delete("/papers/{ref:path}", responses=not_found)
    def remove(ref: str) -> Paper:
        (paper,) = remove_papers(library, [ref])
        return paper

    @router.post("/papers", responses={400: {"model": Problem}})
    def upload(files: list[UploadFile] = File(...)) -> IngestReport:  # noqa: B008 (FastAPI idiom)
        return _ingest_uploads(library, files)

    return router


def _ingest_uploads(library: Library, files: list[UploadFile]) -> IngestReport:
    """Uploaded files ingested from a temporary folder, within the count and size limits."""
    if len(files) > MAX_UPLOAD_FILES:
        raise InputError(f"Upload at most {MAX_UPLOAD_FILES} files at a time (got {len(files)}).")
    with tempfile.TemporaryDirectory(prefix="paperqa-upload-") as tmp:
        paths, total = [], 0
        for n, f in enumerate(files):
            name = Path(f.filename or "").name
            path = Path(tmp) / (name if name not in ("", ".", "..") else f"upload-{n + 1}")
            with path.open("wb") as out:
                shutil.copyfileobj(f.file, out)
            total += path.stat().st_size
            if total > MAX_UPLOAD_MB * 1024**2:
                raise InputError(f"The upload is larger than {MAX_UPLOAD_MB} MB.")
            paths.append(path)
        report = ingest_uploads(library, paths, skip_bad=True)
        return without_folder(report.compact(library.settings.limits.report_examples), tmp)


def without_folder(report: IngestReport, folder: str) -> IngestReport:
    """The report with the server's temporary folder taken out of every location: a client sees
    its own file names and lines, never a path on the server."""
    prefix = str(Path(folder)) + "/"

    def strip(text: str) -> str:
        return text.replace(prefix, "")

    return report.model_copy(
        update={
            "skipped": [s.model_copy(update={"location": strip(s.location)}) for s in report.skipped],
            "warnings": [strip(w) for w in report.warnings],
            "files_ignored": [strip(f) for f in report.files_ignored],
        }
    )


def _answer_routes(library: Library) -> APIRouter:
    router = APIRouter(tags=["answers"])

    def answer(body: TaskInput, stream: bool) -> Any:
        def run(on_token: Any) -> Answer:
            return run_task(library.tasks, body, on_token=on_token)

        return run(None) if not stream else StreamingResponse(_sse(run), media_type="text/event-stream")

    @router.post("/ask", response_model=Answer)
    def ask(body: AskInput, stream: bool = False) -> Any:
        return answer(body, stream)

    @router.post("/summarize", response_model=Answer)
    def summarize(body: SummarizeInput, stream: bool = False) -> Any:
        return answer(body, stream)

    @router.post("/compare", response_model=Answer)
    def compare(body: CompareInput, stream: bool = False) -> Any:
        return answer(body, stream)

    @router.post("/table", response_model=Answer)
    def table(body: TableInput, stream: bool = False) -> Any:
        """Papers in rows, a cited cell per column (`answer.comparison`: one entry per column,
        a cell per paper). Streamed: `cell` events {row, column, cell}, then `answer`."""

        def run(put: Any) -> Answer:
            def on_cell(row: int, column: int, cell: Any) -> None:
                put({"row": row, "column": column, "cell": cell.model_dump()})

            return run_task(library.tasks, body, on_cell=on_cell if put else None)

        return run(None) if not stream else StreamingResponse(_sse(run), media_type="text/event-stream")

    return router


def _openai_routes(library: Library) -> APIRouter:
    router = APIRouter(tags=["openai"])
    router.get("/v1/models")(openai_compat.models)

    @router.post("/v1/chat/completions")
    def chat_completions(body: ChatRequest) -> Any:
        reply = openai_compat.chat_completion(library, body)
        return reply if isinstance(reply, dict) else StreamingResponse(reply, media_type="text/event-stream")

    return router


def _mount_ui(app: FastAPI, library: Library, password: str | None) -> None:
    """The Gradio app at /app (and / redirecting there), behind the same password."""
    import gradio as gr

    from paperqa.interfaces.app import build, page_options, remote_library

    demo = build(library, remote_library(library))
    demo.queue(default_concurrency_limit=CONCURRENT_ANSWERS)
    gr.mount_gradio_app(
        app,
        demo,
        path="/app",
        auth=(USER, password) if password else None,
        show_error=False,
        footer_links=["api"],
        **page_options(),
    )

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/app/")


def _sse(run: Callable[[Any], Answer]) -> Iterator[str]:
    """Server-sent events: `token` events as the model writes (`cell` as a table fills),
    then `answer` (or `error`)."""
    for item in streamed(run):
        if isinstance(item, Answer):
            yield f"event: answer\ndata: {item.model_dump_json()}\n\n"
        elif isinstance(item, BaseException):  # the stream has started: report, do not raise
            yield f"event: error\ndata: {json.dumps({'error': user_message(item)})}\n\n"
        elif isinstance(item, dict):  # a table's cell
            yield f"event: cell\ndata: {json.dumps(item)}\n\n"
        else:
            yield f"event: token\ndata: {json.dumps(item)}\n\n"


def serve(
    library: Library | None = None, host: str = "127.0.0.1", port: int = 8000, docs: bool = False
) -> None:
    """Run the server (blocking). Any host but loopback needs `PAPERQA_APP_PASSWORD`."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    password = password_for(host, how="HTTP basic user paperqa, or a bearer token")
    app = create_app(library or Library(), password=password, hosts=host_names(host), docs=docs)
    run(app, host, port)


class Running:
    """A server started in a thread (`run(..., block=False)`): its address, and `close()`."""

    def __init__(self, server: Any, thread: threading.Thread, url: str) -> None:
        self.server, self.thread, self.url = server, thread, url

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def run(app: FastAPI, host: str, port: int, block: bool = True) -> Running | None:
    """Serve `app` with uvicorn: until stopped, or (`block=False`) in a thread, returned once
    it answers."""
    import uvicorn

    # open streams (a chat waiting for its answer) get a few seconds, then the server stops
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    if block:
        server.run()
        return None
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError(f"the server did not start on {host}:{port}")
    return Running(server, thread, f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/")
