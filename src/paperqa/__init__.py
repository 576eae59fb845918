"""paperqa: cited answers from a library of scientific papers.

    >>> from paperqa import Library
    >>> library = Library()                       # settings from PAPERQA_* and paperqa.toml
    >>> library.ingest(["seeds/"])
    >>> print(library.ask("How does CASAL reduce hallucinations?").text)

Nothing heavy happens at import: models load on first use.
"""

from paperqa.answer.gate import NOT_IN_LIBRARY
from paperqa.answer.tasks import Conversation
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
from paperqa.library import Library, LibraryStats
from paperqa.settings import Settings
from paperqa.types import Answer, CitedSentence, ComparisonRow, IngestReport, Paper, Reference, Source

__version__ = "0.1.0"

__all__ = [
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
