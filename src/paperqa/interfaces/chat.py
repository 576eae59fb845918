"""One browser session's chat: its messages, its conversation, and a queue of questions.

A question sent while another is being answered is shown at once as waiting and answered
in turn by the session's one worker; every event renders from the session, so no event
overwrites another's messages. Pure Python: the app (`paperqa.interfaces.app`) wires it to widgets.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from dataclasses import dataclass, field, fields
from typing import Any

from paperqa.answer.tasks import Conversation
from paperqa.interfaces.render import SourceCard

WAITING = '<span class="pq-note">Waiting: answered after the question above.</span>'


@dataclass
class Job:
    question: str
    reply: dict[str, Any]  # the assistant message it fills in
    conversation: Conversation


@dataclass
class ChatSession:
    """One browser session's chat: messages shown, conversation, questions waiting."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    conversation: Conversation = field(default_factory=Conversation)
    jobs: deque[Job] = field(default_factory=deque)
    cards: dict[int, SourceCard] = field(default_factory=dict)
    sources: str = "<p>Sources of the last answer appear here.</p>"
    status: str = ""
    busy: bool = False
    mutex: threading.Lock = field(default_factory=threading.Lock)

    def __deepcopy__(self, memo: dict[int, Any]) -> ChatSession:
        """Gradio deep-copies a State's value (its default, for each new browser session); a
        lock cannot be copied, so the copy gets a lock of its own."""
        kept = {f.name: copy.deepcopy(getattr(self, f.name), memo) for f in fields(self) if f.name != "mutex"}
        return ChatSession(**kept)

    def add(self, question: str) -> None:
        with self.mutex:
            reply = {"role": "assistant", "content": WAITING if (self.busy or self.jobs) else "…"}
            self.messages += [{"role": "user", "content": question}, reply]
            self.jobs.append(Job(question, reply, self.conversation))

    def next_job(self) -> Job | None:
        """The next question to answer, or None (and no longer busy) when there is none."""
        with self.mutex:
            if self.jobs:
                return self.jobs.popleft()
            self.busy = False
            return None

    def claim(self) -> bool:
        """Become this session's worker, unless another event already is."""
        with self.mutex:
            if self.busy:
                return False
            self.busy = True
            return True

    def reset(self) -> None:
        with self.mutex:
            self.messages, self.conversation, self.cards = [], Conversation(), {}
            self.jobs.clear()
            self.sources, self.status = "<p>New conversation.</p>", ""

    def shown(self) -> tuple[list[dict[str, Any]], str, str]:
        with self.mutex:
            return [dict(m) for m in self.messages], self.sources, self.status
