"""The exceptions paperqa raises. Every one is a :class:`PaperQAError`.

The CLI and the app turn these into one readable line; anything else that
escapes is a bug.
"""

from __future__ import annotations

from pathlib import Path


class PaperQAError(Exception):
    """Base class of every error paperqa raises on purpose."""


class ConfigError(PaperQAError):
    """A setting is missing or wrong; the message says which and how to fix it."""


class IngestError(PaperQAError):
    """A file could not be read as papers, or one of its entries cannot be used.

    Carries the file and, where known, the line (1-based) or record, so the
    user can go straight to the problem. An error with a `kind` is about one
    entry of an otherwise readable file ("no abstract", "no title",
    "unparseable"): by default that entry is skipped and reported, and the rest
    of the file is added; without a kind the file itself cannot be read.
    """

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        record: int | None = None,
        *,
        kind: str | None = None,
        key: str | None = None,
    ) -> None:
        self.reason = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.record = record
        self.kind = kind
        self.key = key
        super().__init__(self._render())

    @property
    def entry_only(self) -> bool:
        """The problem is one entry's, not the file's."""
        return self.kind is not None

    @property
    def location(self) -> str:
        """`file:line`, `file (record N)` or just the file."""
        if self.path is None:
            return ""
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.record is not None:
            return f"{self.path} (record {self.record})"
        return self.path

    def _render(self) -> str:
        loc = self.location
        return f"{loc}: {self.reason}" if loc else self.reason


class IndexMismatchError(PaperQAError):
    """The index was built by another embedding model or index format.

    Mixing vectors of two models would silently return wrong papers, so the
    library refuses to open it; the message names the re-index command.
    """


class PaperNotFoundError(PaperQAError):
    """No paper, or more than one, matches the id or title given."""


class LibraryLockedError(PaperQAError):
    """Another process is writing to the same library."""


class BackendError(PaperQAError):
    """An embedding or chat backend failed (server down, bad reply, missing model)."""


class InputError(PaperQAError):
    """A question or request that cannot be answered as given (empty, too long, same paper twice)."""


def user_message(exc: BaseException) -> str:
    """What a user may be told of an error: a paperqa error's own message; of any other,
    only its type (no traceback, no key, no internals)."""
    return str(exc) if isinstance(exc, PaperQAError) else f"internal error ({type(exc).__name__})"
