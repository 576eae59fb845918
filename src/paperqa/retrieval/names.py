"""The paper-name table: which paper a query names, by a short name only that paper uses
(CASAL, SAE-V, LIB) or by the main part of its title."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from paperqa.text.names import NAME_TOKEN, defined
from paperqa.types import Paper, normalize_title

#: A short name has at least this many letters and digits (hyphens aside): "LIB", not "AI".
MIN_NAME_CHARS = 3
#: A title head (the part before any colon) names its paper when it has this many words or more.
MIN_TITLE_HEAD_WORDS = 3


def paper_names(papers: Sequence[Paper]) -> dict[str, set[str]]:
    """Short names that identify one paper: acronyms such as CASAL, SAE-V or LIB
    that stand in its title or are defined in its abstract ("... Basis (LIB)",
    "FIND (Function ...)") and that no other paper of the library uses."""
    candidates: dict[str, set[str]] = {}
    users: Counter[str] = Counter()
    for p in papers:
        in_title = set(NAME_TOKEN.findall(p.title))
        candidates[p.id] = {
            a for a in in_title | defined(p.abstract) if len(a.replace("-", "")) >= MIN_NAME_CHARS
        }
        users.update(set(NAME_TOKEN.findall(f"{p.title} {p.abstract}")))
    return {pid: {a for a in names if users[a] == 1} for pid, names in candidates.items()}


@dataclass(frozen=True)
class NameIndex:
    """Which paper a query names: by a unique acronym (case-sensitive: "FIND", not
    "find") or by the main part of its title (before any colon, three words or more)."""

    by_acronym: dict[str, str]
    by_title: dict[str, str]  # " normalised title head " -> paper id
    longest: int = 0  # words in the longest title head

    @classmethod
    def build(cls, papers: Sequence[Paper]) -> NameIndex:
        by_acronym = {a: pid for pid, names in paper_names(papers).items() for a in names}
        by_title = {}
        for p in papers:
            head = normalize_title(p.title.split(":")[0])
            if len(head.split()) >= MIN_TITLE_HEAD_WORDS:
                by_title[f" {head} "] = p.id
        return cls(by_acronym, by_title, max((len(h.split()) for h in by_title), default=0))

    def short_names(self) -> dict[str, set[str]]:
        """Paper id -> the acronyms that name it alone."""
        out: dict[str, set[str]] = {}
        for acronym, pid in self.by_acronym.items():
            out.setdefault(pid, set()).add(acronym)
        return out

    @functools.cached_property
    def by_folded(self) -> dict[str, str]:
        """Acronyms by their case-folded spelling, where that spelling is one paper's alone:
        a query may write "TweetQA" for the title's "TWEETQA"."""
        papers: dict[str, set[str]] = {}
        for acronym, pid in self.by_acronym.items():
            papers.setdefault(acronym.casefold(), set()).add(pid)
        return {folded: next(iter(pids)) for folded, pids in papers.items() if len(pids) == 1}

    def named(self, query: str) -> list[str]:
        """Ids of the papers the query names: by a short name (as written, or in another case
        when the query writes it as a name too: "TweetQA", never "find") or by a title head."""
        found = [
            pid
            for a in NAME_TOKEN.findall(query)
            if (pid := self.by_acronym.get(a) or self.by_folded.get(a.casefold())) is not None
        ]
        # A title head is named when it is a run of the query's words: look up each run of
        # three words or more, no longer than the longest title head (linear in the query's
        # words: a few hundred dict lookups, not a scan of every title).
        words = normalize_title(query).split()
        for start in range(len(words)):
            for end in range(start + MIN_TITLE_HEAD_WORDS, min(len(words), start + self.longest) + 1):
                pid = self.by_title.get(f" {' '.join(words[start:end])} ")
                if pid is not None:
                    found.append(pid)
        return list(dict.fromkeys(found))
