"""A chat's memory (`Conversation`) and an answer's short answer (`Short`): what every stage
may read and none decides."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperqa.types import Answer


@dataclass(frozen=True)
class Short:
    """An answer's short answer: the words that answer, and the source they are quoted from."""

    text: str
    citation: int


@dataclass
class Conversation:
    """A chat's memory: its turns, and a citation number per paper that never changes."""

    numbers: dict[str, int] = field(default_factory=dict)
    turns: list[Answer] = field(default_factory=list)

    def number_for(self, paper_id: str) -> int:
        return self.numbers.setdefault(paper_id, len(self.numbers) + 1)

    def last_cited(self) -> list[str]:
        """Paper ids the last answer cited, in order of first citation."""
        if not self.turns:
            return []
        by_number = {r.number: r.paper_id for r in self.turns[-1].references}
        return list(
            dict.fromkeys(
                by_number[c] for s in self.turns[-1].sentences for c in s.citations if c in by_number
            )
        )
