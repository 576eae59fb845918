"""The `paperqa` command line.

The commands live by what they do: manage.py (ingest, papers, search, show, remove,
check, stats, reindex), answers.py (ask, chat, summarize, compare), evaluate.py (eval);
the servers and the entry point are here. Importing a module registers its commands, in
the order `--help` lists them.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

# Library commands first in --help, then the answering ones.
from paperqa.interfaces.cli import manage  # noqa: F401

# isort: split
from paperqa.errors import PaperQAError
from paperqa.interfaces.cli import answers, evaluate  # noqa: F401
from paperqa.interfaces.cli._common import HostOpt, app, err, open_library, out, print_error

__all__ = ["app", "main"]


@app.command("serve")
def serve_api(
    ctx: typer.Context,
    host: HostOpt = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    docs: Annotated[
        bool,
        typer.Option("--docs", help="Serve Swagger UI at /docs (your browser loads its script from a CDN)."),
    ] = False,
) -> None:
    """Serve the library over HTTP for programs and people: a JSON API (schema at
    /openapi.json; Swagger UI at /docs with --docs), an OpenAI-compatible endpoint
    (/v1/chat/completions, /v1/models) and the web app (/app).

    Any OpenAI client works: base_url http://HOST:PORT/v1, model "paperqa", any key (or the
    password when one is set). Other hosts than loopback need PAPERQA_APP_PASSWORD: HTTP
    basic (user paperqa) or a bearer token for the API, the login page for the app. Pages of
    other sites cannot add or remove papers; the server answers only to its own host names.
    """
    from paperqa.interfaces.server import serve

    library = open_library(ctx)
    out.print(
        f"paperqa is serving on http://{host}:{port} (OpenAI-compatible /v1, app /app"
        f"{', API docs /docs' if docs else ''}; Ctrl-C to stop)",
        highlight=False,
    )
    serve(library, host=host, port=port, docs=docs)


@app.command("app")
def serve(
    ctx: typer.Context,
    host: HostOpt = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
) -> None:
    """Start the web UI (chat, summarize, compare, library) on http://HOST:PORT."""
    from paperqa.interfaces.app import launch

    library = open_library(ctx)
    out.print(f"paperqa is running on http://{host}:{port} (Ctrl-C to stop)", highlight=False)
    launch(library, host=host, port=port)


def main() -> None:
    """Entry point: run the app, turning paperqa's errors into one line and exit code 1."""
    try:
        app()
    except PaperQAError as exc:
        print_error(exc)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Interrupted. Papers written so far are kept; run the command again to finish.")
        sys.exit(130)
