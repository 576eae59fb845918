"""What the app's controls do: each handler takes widget values and returns widget
updates; the layout and the wiring are in `paperqa.interfaces.app`."""

from __future__ import annotations

import html
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from paperqa.answer.run import streamed
from paperqa.answer.tasks import Conversation, check_question
from paperqa.answer.write.aspects import ASPECTS
from paperqa.errors import PaperQAError, user_message
from paperqa.interfaces.chat import ChatSession
from paperqa.interfaces.export import note, render_table
from paperqa.interfaces.files import ingest_uploads, remove_papers
from paperqa.interfaces.render import (
    answer_html,
    cards_of,
    comparison_html,
    draft_html,
    error_html,
    example_questions,
    library_header,
    literature_table_html,
    papers_table,
    report_markdown,
    sources_html,
    status_markdown,
    table_html,
)
from paperqa.library import Library
from paperqa.types import Answer, Paper

MAX_UPLOAD_FILES = 20
#: A table by topic in the app holds at most this many papers.
TABLE_TOPIC_PAPERS = 10
#: Characters of a queued question shown in the status line.
STATUS_QUESTION_CHARS = 80
#: Paper pickers the library's refresh fills (summary, compare a and b, remove, table).
PICKERS = 5
PAPER_MODE, TOPIC_MODE = "A paper", "A topic"


def _table_files(answer: Answer) -> list[str]:
    """The table as CSV and Markdown files to download."""
    folder = Path(tempfile.mkdtemp(prefix="paperqa-table-"))
    paths = []
    for name, fmt in (("table.csv", "csv"), ("table.md", "markdown")):
        (folder / name).write_text(render_table(answer, fmt), encoding="utf-8")
        paths.append(str(folder / name))
    return paths


def paper_choice(p: Paper) -> tuple[str, str]:
    return (f"{p.title} ({p.date_text or 'no date'})", p.id)


class Actions:
    """The handlers over `library`; `remote` is the same library answered by an
    OpenAI-compatible model, chosen with the Settings switch."""

    def __init__(self, library: Library, remote: Library | None = None) -> None:
        self.library, self.remote = library, remote

    def pick(self, backend: str) -> Library:
        return self.remote if (backend == "openai" and self.remote is not None) else self.library

    # --- chat: submit shows the question at once; the session's worker answers in order ---

    def submit(self, message: str, session: ChatSession) -> tuple[Any, Any, str]:
        try:
            question = check_question(message)
        except PaperQAError as exc:  # refused: the text stays in the box, the message beside it
            return gr.skip(), gr.skip(), error_html(str(exc))
        session.add(question)
        return "", session.shown()[0], ""

    def work(self, session: ChatSession, backend: str) -> Iterator[tuple[Any, ...]]:
        if not session.claim():  # the session's worker is running: it will answer this one too
            yield (*session.shown(), gr.skip())
            return
        while (job := session.next_job()) is not None:
            waiting = len(session.jobs)
            more = f" · {waiting} more waiting" if waiting else ""
            question = html.escape(job.question[:STATUS_QUESTION_CHARS])
            session.status = f'<span class="pq-note">Answering “{question}”{more}</span>'
            job.reply["content"] = "…"
            yield (*session.shown(), gr.update(value="Ask (queues after the answer)"))
            yield from self._answer_job(session, job, backend)
        session.status = ""
        yield (*session.shown(), gr.update(value="Ask"))

    def _answer_job(self, session: ChatSession, job: Any, backend: str) -> Iterator[tuple[Any, ...]]:
        draft = ""
        library = self.pick(backend)
        for item in streamed(
            lambda on_token: library.ask(job.question, conversation=job.conversation, on_token=on_token)
        ):
            if isinstance(item, str):
                draft += item
                job.reply["content"] = draft_html(draft)
                yield (*session.shown(), gr.skip())
            elif isinstance(item, BaseException):
                job.reply["content"] = error_html(f"Could not answer: {user_message(item)}")
            else:
                job.reply["content"] = answer_html(item)
                if job.conversation is session.conversation:
                    for card in cards_of(item):
                        session.cards[card.reference.number] = card
                    session.sources = sources_html(item, list(session.cards.values()))

    def ask_api(
        self, message: str, history: list[dict[str, Any]], conversation: Conversation, backend: str
    ) -> tuple[list[dict[str, Any]], str, str]:
        """For programs (gradio_client): (messages, "", sources) once the answer is done."""
        if not message.strip():
            raise gr.Error("Type a question first.")
        try:
            answer = self.pick(backend).ask(message, conversation=conversation)
        except PaperQAError as exc:
            raise gr.Error(str(exc)) from None
        history = [
            *history,
            {"role": "user", "content": message},
            {"role": "assistant", "content": answer_html(answer)},
        ]
        return history, "", sources_html(answer)

    # --- summarize, compare: progress and errors shown where the result goes ---

    def summarize(self, mode: str, paper_id: str | None, topic: str, backend: str) -> Iterator[str]:
        if mode == TOPIC_MODE and not topic.strip():
            yield error_html("Type a topic, e.g. “activation steering”.")
            return
        if mode != TOPIC_MODE and not paper_id:
            yield error_html("Pick a paper.")
            return
        yield '<p class="pq-note">Reading the abstracts…</p>'
        lib = self.pick(backend)
        words = 0
        for item in streamed(
            lambda on_token: (
                lib.summarize(topic=topic, on_token=on_token)
                if mode == TOPIC_MODE
                else lib.summarize(paper_id, on_token=on_token)
            )
        ):
            if isinstance(item, str):
                words += len(item.split())
                yield f'<p class="pq-note">The model is writing the summary… ({words} words so far)</p>'
            elif isinstance(item, BaseException):
                yield error_html(user_message(item))
            else:
                yield answer_html(item) + sources_html(item)

    def compare(self, a: str | None, b: str | None, backend: str) -> Iterator[str]:
        if not a or not b:
            yield error_html("Pick two papers.")
            return
        yield '<p class="pq-note">Reading both abstracts…</p>'
        for item in streamed(lambda on_token: self.pick(backend).compare(a, b, on_token=on_token)):
            if isinstance(item, BaseException):
                yield error_html(user_message(item))
            elif isinstance(item, Answer):
                yield comparison_html(item)

    def table(
        self, papers: list[str] | None, topic: str, columns_text: str, backend: str
    ) -> Iterator[tuple[Any, Any]]:
        """The literature table, filled cell by cell; then the CSV and Markdown to download."""
        columns = [c.strip() for c in (columns_text or "").splitlines() if c.strip()]
        if not papers and not (topic or "").strip():
            yield error_html("Pick papers, or type a topic."), gr.update(visible=False)
            return
        lib = self.pick(backend)
        try:
            rows = lib.tasks.table_papers(papers or [], topic=topic.strip() or None, limit=TABLE_TOPIC_PAPERS)
        except PaperQAError as exc:
            yield error_html(str(exc)), gr.update(visible=False)
            return
        titles = [p.title for p in rows]
        shown = columns or list(ASPECTS)
        cells: dict[tuple[int, int], Any] = {}
        yield table_html(titles, shown, cells), gr.update(visible=False)
        ids = [p.id for p in rows]

        def fill(put: Any) -> Answer:  # each cell handed over as (row, column, cell)
            return lib.table(ids, columns=columns, on_cell=lambda r, k, c: put((r, k, c)))

        for item in streamed(fill):
            if isinstance(item, BaseException):
                yield error_html(user_message(item)), gr.update(visible=False)
            elif isinstance(item, Answer):
                yield (
                    literature_table_html(item, note(item)),
                    gr.update(value=_table_files(item), visible=True),
                )
            elif isinstance(item, tuple):
                row, column, cell = item
                cells[(row, column)] = cell
                yield table_html(titles, shown, cells), gr.update(visible=False)

    # --- the library ---

    def refresh(self, search: str | None) -> tuple[Any, ...]:
        search = search or ""
        everything = self.library.papers()
        papers = self.library.papers(search) if search.strip() else everything
        choices = [paper_choice(p) for p in everything]
        note = f"No paper matches “{html.escape(search)}”." if search.strip() and not papers else ""
        return (
            papers_table(papers),
            note,
            *(gr.update(choices=choices) for _ in range(PICKERS)),
            status_markdown(self.library),
            library_header(everything),
            gr.Dataset(samples=[[q] for q in example_questions(everything)]),
        )

    def ingest(
        self, files: list[str] | None, progress: gr.Progress, collections: str = "", tags: str = ""
    ) -> tuple[bool, str]:
        """(whether the files could be read, the report or the reason in Markdown). `collections`
        and `tags` (comma-separated) choose what is read of a Zotero database."""
        if not files:
            return False, "Choose one or more files first."
        if len(files) > MAX_UPLOAD_FILES:
            return False, f"Upload at most {MAX_UPLOAD_FILES} files at a time."
        from paperqa.ingest.loaders.zotero import ZoteroSelection

        def listed(text: str) -> tuple[str, ...]:
            return tuple(part.strip() for part in (text or "").split(",") if part.strip())

        try:
            report = ingest_uploads(
                self.library,
                [Path(f) for f in files],
                skip_bad=True,
                progress=lambda done, total: progress(done / max(total, 1), desc="Embedding"),
                zotero=ZoteroSelection(listed(collections), listed(tags)),
            )
        except PaperQAError as exc:
            return False, str(exc)
        return True, report_markdown(report)

    def upload(
        self,
        files: list[str] | None,
        collections: str = "",
        tags: str = "",
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio idiom)
    ) -> str:
        ok, text = self.ingest(files, progress, collections, tags)
        return text if ok else error_html(text)

    def upload_api(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        """For programs (gradio_client): the report, or an error the client raises."""
        ok, text = self.ingest(files, progress)
        if not ok:
            raise gr.Error(text)
        return text

    def ask_remove(self, paper_id: str | None) -> tuple[Any, Any]:
        if not paper_id:
            return error_html("Pick a paper to remove."), gr.update(visible=False)
        try:
            paper = self.library.get(paper_id)
        except PaperQAError as exc:
            return error_html(str(exc)), gr.update(visible=False)
        return (
            f"Remove **{html.escape(paper.title)}** ({html.escape(paper.id)}) from the library? "
            "Its record and passages are deleted; add its file again to undo.",
            gr.update(visible=True),
        )

    def remove(self, paper_id: str | None) -> tuple[str, Any]:
        try:
            (paper,) = remove_papers(self.library, [paper_id or ""])
        except PaperQAError as exc:
            return error_html(str(exc)), gr.update(visible=False)
        return f"Removed **{html.escape(paper.title)}**.", gr.update(visible=False)
