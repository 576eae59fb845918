"""paperqa: cited answers from a library of scientific papers.

    >>> from paperqa import Library
    >>> library = Library()                       # settings from PAPERQA_* and paperqa.toml
    >>> library.ingest(["seeds/"])
    >>> print(library.ask("How does CASAL reduce hallucinations?").text)

Nothing heavy happens at import: models load on first use.
"""

from typing import TYPE_CHECKING, Any

from paperqa.errors import (
    BackendError,
    ConfigError,
    IndexMismatchError,
    IngestError,
    InputError,
    LibraryLockedError,
    PaperNotFoundError,
    PaperQAError,
)
from paperqa.settings import Settings
from paperqa.types import Answer, CitedSentence, ComparisonRow, IngestReport, Paper, Reference, Source

if TYPE_CHECKING:
    from paperqa.answer.conversation import Conversation
    from paperqa.answer.find.gate import NOT_IN_LIBRARY
    from paperqa.ingest.loaders.zotero import ZoteroSelection
    from paperqa.library import Library, LibraryStats

#: Names whose modules load on first use, so `import paperqa` (and `paperqa --help`,
#: `paperqa papers`) does not import the answer path or LangChain.
_LAZY = {
    "Library": "paperqa.library",
    "LibraryStats": "paperqa.library",
    "Conversation": "paperqa.answer.write.assemble",
    "NOT_IN_LIBRARY": "paperqa.answer.find.gate",
    "ZoteroSelection": "paperqa.ingest.loaders.zotero",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'paperqa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "ZoteroSelection",
    "NOT_IN_LIBRARY",
    "Answer",
    "BackendError",
    "CitedSentence",
    "ComparisonRow",
    "ConfigError",
    "Conversation",
    "IndexMismatchError",
    "IngestError",
    "IngestReport",
    "InputError",
    "Library",
    "LibraryLockedError",
    "LibraryStats",
    "Paper",
    "PaperNotFoundError",
    "PaperQAError",
    "Reference",
    "Settings",
    "Source",
    "__version__",
]
