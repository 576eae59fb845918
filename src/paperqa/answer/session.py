"""One question on its way down the stages (after paper-qa's `PQASession`): what each stage
decided, kept for the stages after it, so that none calls back into an earlier one.

    understand -> find -> read -> (refused?) -> write -> check -> assemble

`ask` fills it stage by stage; whether the answer is refused is decided in one place,
`Session.refusal`, from what find and read put here."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from paperqa.answer.conversation import Conversation, Short
from paperqa.answer.find.gate import NOT_IN_LIBRARY
from paperqa.answer.read.evidence import Evidence
from paperqa.answer.read.reader import ReadResult
from paperqa.answer.run import Run
from paperqa.answer.understand.intent import Intent
from paperqa.types import CitedSentence, RetrievedChunk, Source


class Refusal(enum.Enum):
    """Why an answer says what it cannot answer instead of answering."""

    #: nothing in the library answers (the fixed sentence, or "name the paper")
    NOT_IN_LIBRARY = "not in library"
    #: the paper asked about does not state it (its closest sentence is shown, marked)
    NOT_STATED = "not stated"


@dataclass
class Session:
    """The state of one `ask`: the question's intent, then each stage's result in turn."""

    intent: Intent
    conversation: Conversation
    run: Run
    strict: bool = False
    # --- find: the passages retrieved, their sources as found (what a prompt shows), the same
    # with the papers' bodies (what the answer quotes and cites) and those the question means
    chunks: list[RetrievedChunk] = field(default_factory=list)
    found: list[Source] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    meant: list[Source] = field(default_factory=list)
    #: declined before reading: nothing retrieved is relevant (or the question is off topic, or
    #: no paper belongs in a list); or, after writing, the model says the library has nothing
    declined: bool = False
    # --- read: the evidence chosen, the reader's results, whether any source answers
    chosen: list[Evidence] = field(default_factory=list)
    reads: dict[int, ReadResult] = field(default_factory=dict)
    #: no source read answers (the reader off: the best chosen sentence of the papers asked
    #: about is under the gate's cut)
    unanswered: bool = False
    short: Short | None = None
    # --- write: the answer's sentences, and what a refusal says
    sentences: list[CitedSentence] = field(default_factory=list)
    #: why the model's text was replaced by quoted sentences
    fallback: str | None = None
    decline_text: str = NOT_IN_LIBRARY

    @property
    def question(self) -> str:
        return self.intent.question

    def refusal(self) -> Refusal | None:
        """Whether, and why, the answer is refused: decided here, once, from what find, read and
        write put in the session. A question about chosen, named or followed-up papers is
        answered from them ("not stated" when they do not say); one over the library is declined
        when nothing relevant was found or no paper read answers."""
        if self.declined:
            return Refusal.NOT_IN_LIBRARY
        if self.intent.papers:
            return Refusal.NOT_STATED if self.chosen and self.unanswered else None
        return Refusal.NOT_IN_LIBRARY if self.unanswered else None
