"""The Gradio UI: chat, summarize, compare and the library, over a `Library`.

This module wires library results to widgets; the HTML comes from `paperqa.interfaces.render`,
and retrieval, prompts and checks live in the library. `app_gradio.py` at the
repository root, `paperqa app` and `paperqa serve` (mounted at /app) all build it.

The chat keeps one `ChatSession` per browser session: its messages, its conversation and
a queue of questions. A question sent while another is being answered is shown at once
as waiting and answered in turn; the session's one worker renders from the session, so
no event overwrites another's messages.
"""

from __future__ import annotations

import html
import ipaddress
import os
from collections.abc import Iterator
from typing import Any

import gradio as gr

from paperqa.answer.generation import streamed
from paperqa.answer.tasks import Conversation, check_question
from paperqa.errors import ConfigError, PaperQAError, user_message
from paperqa.interfaces.chat import ChatSession
from paperqa.interfaces.render import (
    CSS,
    HEAD,
    answer_html,
    cards_of,
    comparison_html,
    draft_html,
    error_html,
    example_questions,
    library_header,
    papers_table,
    report_markdown,
    sources_html,
    status_markdown,
)
from paperqa.library import Library
from paperqa.types import Answer, Paper

MAX_UPLOAD_FILES = 20
MAX_UPLOAD_MB = 200
THEME = gr.themes.Default(
    font=["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "sans-serif"],  # no web fonts: offline
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)


def page_options() -> dict[str, Any]:
    """What `launch` and `mount_gradio_app` both pass: style, script, theme, upload limit."""
    return {"css": CSS, "head": HEAD, "theme": THEME, "max_file_size": f"{MAX_UPLOAD_MB}mb"}


# --- the app ---------------------------------------------------------------------


def build(library: Library, remote: Library | None = None) -> gr.Blocks:
    """The UI over `library`; `remote` is the same library answered by an OpenAI-compatible
    model, offered in Settings when one is configured."""

    def pick(backend: str) -> Library:
        return remote if (backend == "openai" and remote is not None) else library

    # -- chat: submit shows the question at once; the session's worker answers in order --

    def submit(message: str, session: ChatSession) -> tuple[Any, Any, str]:
        try:
            question = check_question(message)
        except PaperQAError as exc:  # refused: the text stays in the box, the message beside it
            return gr.skip(), gr.skip(), error_html(str(exc))
        session.add(question)
        return "", session.shown()[0], ""

    def work(session: ChatSession, backend: str) -> Iterator[tuple[Any, ...]]:
        if not session.claim():  # the session's worker is running: it will answer this one too
            yield (*session.shown(), gr.skip())
            return
        while (job := session.next_job()) is not None:
            waiting = len(session.jobs)
            more = f" · {waiting} more waiting" if waiting else ""
            session.status = (
                f'<span class="pq-note">Answering “{html.escape(job.question[:80])}”{more}</span>'
            )
            job.reply["content"] = "…"
            yield (*session.shown(), gr.update(value="Ask (queues after the answer)"))
            draft = ""
            for item in streamed(
                lambda on_token, job=job: pick(backend).ask(  # type: ignore[misc]
                    job.question, conversation=job.conversation, on_token=on_token
                )
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
        session.status = ""
        yield (*session.shown(), gr.update(value="Ask"))

    def ask_api(message: str, history: list[dict[str, Any]], conversation: Conversation, backend: str):  # type: ignore[no-untyped-def]
        """For programs (gradio_client): (messages, "", sources) once the answer is done."""
        if not message.strip():
            raise gr.Error("Type a question first.")
        try:
            answer = pick(backend).ask(message, conversation=conversation)
        except PaperQAError as exc:
            raise gr.Error(str(exc)) from None
        history = [
            *history,
            {"role": "user", "content": message},
            {"role": "assistant", "content": answer_html(answer)},
        ]
        return history, "", sources_html(answer)

    # -- summarize, compare: progress and errors shown where the result goes --

    def summarize(mode: str, paper_id: str | None, topic: str, backend: str) -> Iterator[str]:
        if mode == "A topic" and not topic.strip():
            yield error_html("Type a topic, e.g. “activation steering”.")
            return
        if mode != "A topic" and not paper_id:
            yield error_html("Pick a paper.")
            return
        yield '<p class="pq-note">Reading the abstracts…</p>'
        lib = pick(backend)
        words = 0
        for item in streamed(
            lambda on_token: (
                lib.summarize(topic=topic, on_token=on_token)
                if mode == "A topic"
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

    def compare(a: str | None, b: str | None, backend: str) -> Iterator[str]:
        if not a or not b:
            yield error_html("Pick two papers.")
            return
        yield '<p class="pq-note">Reading both abstracts…</p>'
        for item in streamed(lambda on_token: pick(backend).compare(a, b, on_token=on_token)):
            if isinstance(item, BaseException):
                yield error_html(user_message(item))
            elif isinstance(item, Answer):
                yield comparison_html(item)

    # -- the library --

    def refresh(search: str | None) -> tuple[Any, ...]:
        search = search or ""
        everything = library.papers()
        papers = library.papers(search) if search.strip() else everything
        choices = [paper_choice(p) for p in everything]
        note = f"No paper matches “{html.escape(search)}”." if search.strip() and not papers else ""
        return (
            papers_table(papers),
            note,
            *(gr.update(choices=choices) for _ in range(4)),
            status_markdown(library),
            library_header(everything),
            gr.Dataset(samples=[[q] for q in example_questions(everything)]),
        )

    def ingest(files: list[str] | None, progress: gr.Progress) -> tuple[bool, str]:
        """(whether the files could be read, the report or the reason in Markdown)."""
        if not files:
            return False, "Choose one or more files first."
        if len(files) > MAX_UPLOAD_FILES:
            return False, f"Upload at most {MAX_UPLOAD_FILES} files at a time."
        try:
            report = library.ingest(
                files,
                skip_bad=True,
                progress=lambda done, total: progress(done / max(total, 1), desc="Embedding"),
            )
        except PaperQAError as exc:
            return False, str(exc)
        return True, report_markdown(report)

    def upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008 (Gradio idiom)
        ok, text = ingest(files, progress)
        return text if ok else error_html(text)

    def upload_api(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        """For programs (gradio_client): the report, or an error the client raises."""
        ok, text = ingest(files, progress)
        if not ok:
            raise gr.Error(text)
        return text

    def ask_remove(paper_id: str | None) -> tuple[Any, Any]:
        if not paper_id:
            return error_html("Pick a paper to remove."), gr.update(visible=False)
        try:
            paper = library.get(paper_id)
        except PaperQAError as exc:
            return error_html(str(exc)), gr.update(visible=False)
        return (
            f"Remove **{html.escape(paper.title)}** ({html.escape(paper.id)}) from the library? "
            "Its record and passages are deleted; add its file again to undo.",
            gr.update(visible=True),
        )

    def remove(paper_id: str | None) -> tuple[str, Any]:
        try:
            paper = library.remove(paper_id or "")
        except PaperQAError as exc:
            return error_html(str(exc)), gr.update(visible=False)
        return f"Removed **{html.escape(paper.title)}**.", gr.update(visible=False)

    has_remote = remote is not None
    with gr.Blocks(title="paperqa") as demo:
        gr.Markdown(
            "# paperqa\nCited answers from your library of papers. Every sentence points to its source."
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                session = gr.State(lambda: ChatSession())
                api_conversation = gr.State(lambda: Conversation())
                header = gr.Markdown(elem_id="library-header")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        chatbot = gr.Chatbot(
                            label="Conversation", height=480, elem_id="chatbot", sanitize_html=True,
                            buttons=["copy", "copy_all"],
                        )  # fmt: skip
                    with gr.Column(scale=2, min_width=300):
                        sources = gr.HTML("<p>Sources of the last answer appear here.</p>", elem_id="sources")
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        label="Question",
                        placeholder="Ask about your papers… (Enter sends, also while an answer is coming)",
                        elem_id="question", lines=1, scale=6, min_width=240,
                    )  # fmt: skip
                    ask_btn = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=90)
                    new_btn = gr.Button("New conversation", elem_id="new-conversation", scale=1, min_width=90)
                question_error = gr.HTML(elem_id="question-error", padding=False)
                status = gr.HTML(elem_id="chat-status", padding=False)
                examples = gr.Dataset(
                    components=[question], samples=[], label="Try", elem_id="examples", type="values"
                )
                api_ask = gr.Button(visible=False)
            with gr.Tab("Summarize", id="summarize"):
                summary_mode = gr.Radio(
                    ["A paper", "A topic"], value="A paper", label="Summarize", elem_id="summary-mode"
                )
                summary_paper = gr.Dropdown(label="Paper", filterable=True, elem_id="summary-paper")
                summary_topic = gr.Textbox(
                    label="Topic", placeholder="e.g. activation steering (Enter to summarize)",
                    visible=False, elem_id="summary-topic",
                )  # fmt: skip
                summary_btn = gr.Button("Summarize", variant="primary", elem_id="summarize-btn")
                summary_out = gr.HTML(elem_id="summary")
            with gr.Tab("Compare", id="compare"):
                with gr.Row():
                    paper_a = gr.Dropdown(label="First paper", filterable=True, elem_id="paper-a")
                    paper_b = gr.Dropdown(label="Second paper", filterable=True, elem_id="paper-b")
                compare_btn = gr.Button("Compare", variant="primary", elem_id="compare-btn")
                compare_out = gr.HTML(elem_id="comparison")
            with gr.Tab("Library", id="library"):
                search = gr.Textbox(label="Search titles and abstracts", elem_id="library-search")
                search_note = gr.Markdown(elem_id="library-note")
                table = gr.Dataframe(
                    headers=["date", "title", "id"], interactive=False, elem_id="papers", wrap=True
                )
                with gr.Row():
                    files = gr.File(
                        label="Add papers: BibTeX, RIS, CSL-JSON, CSV/TSV, JSON Lines, Daily Papers, .gz",
                        file_count="multiple",
                        elem_id="upload",
                    )
                    with gr.Column():
                        upload_btn = gr.Button("Ingest", variant="primary", elem_id="ingest")
                        upload_out = gr.Markdown(elem_id="ingest-report")
                        upload_api_btn = gr.Button(visible=False)
                with gr.Row():
                    to_remove = gr.Dropdown(label="Remove a paper", filterable=True, elem_id="remove-paper")
                    remove_btn = gr.Button("Remove…", variant="stop", elem_id="remove")
                remove_out = gr.Markdown(elem_id="remove-note")
                with gr.Row(visible=False, elem_id="remove-confirm") as confirm_row:
                    confirm_btn = gr.Button("Yes, remove it", variant="stop", elem_id="remove-yes")
                    cancel_btn = gr.Button("Cancel", elem_id="remove-cancel")
            with gr.Tab("Settings", id="settings"):
                backend = gr.Radio(
                    ["local", "openai"] if has_remote else ["local"],
                    value="local",
                    label="Chat model",
                    info="local: the embedded model on this machine; openai: the configured endpoint.",
                    visible=has_remote,
                    elem_id="backend",
                )
                status_md = gr.Markdown(elem_id="status")
                if not has_remote:
                    gr.Markdown(
                        "Answers use the embedded model. To answer with an OpenAI-compatible model, "
                        "start paperqa with `PAPERQA_LLM__BASE_URL` (and `PAPERQA_LLM__MODEL`, "
                        "`OPENAI_API_KEY`) set; a switch then appears here."
                    )

        pickers = [
            table,
            search_note,
            summary_paper,
            paper_a,
            paper_b,
            to_remove,
            status_md,
            header,
            examples,
        ]
        shown = [chatbot, sources, status, ask_btn]
        private: dict[str, Any] = {"api_visibility": "private"}
        gr.on(
            [ask_btn.click, question.submit], submit,
            [question, session], [question, chatbot, question_error],
            queue=False, trigger_mode="multiple", **private,
        ).then(work, [session, backend], shown, show_progress="hidden", **private)  # fmt: skip
        api_ask.click(
            ask_api,
            [question, chatbot, api_conversation, backend],
            [chatbot, question, sources],
            api_name="ask",
        )
        gr.on(
            [new_btn.click, chatbot.clear], lambda s: (s.reset(), *s.shown())[1:],
            session, [chatbot, sources, status], **private,
        )  # fmt: skip
        examples.click(lambda sample: sample[0], examples, question, **private)
        summary_mode.change(
            lambda m: (gr.update(visible=m == "A paper"), gr.update(visible=m == "A topic")),
            summary_mode, [summary_paper, summary_topic], **private,
        )  # fmt: skip
        gr.on(
            [summary_btn.click, summary_topic.submit], summarize,
            [summary_mode, summary_paper, summary_topic, backend], summary_out, api_name="summarize",
        )  # fmt: skip
        compare_btn.click(compare, [paper_a, paper_b, backend], compare_out, api_name="compare")
        search.change(refresh, search, pickers, **private)
        upload_btn.click(upload, files, upload_out, api_name="upload_ui", **private).then(
            refresh, search, pickers, **private
        )
        upload_api_btn.click(upload_api, files, upload_out, api_name="upload")
        remove_btn.click(ask_remove, to_remove, [remove_out, confirm_row], **private)
        confirm_btn.click(remove, to_remove, [remove_out, confirm_row], **private).then(
            refresh, search, pickers, **private
        )
        cancel_btn.click(
            lambda: ("Nothing removed.", gr.update(visible=False)), None, [remove_out, confirm_row], **private
        )
        demo.load(refresh, search, pickers, **private)
    return demo


def paper_choice(p: Paper) -> tuple[str, str]:
    return (f"{p.title} ({p.date_text or 'no date'})", p.id)


def remote_library(library: Library) -> Library | None:
    """The same library answered by the configured OpenAI-compatible model, if one is configured."""
    llm = library.settings.llm
    if llm.backend == "openai" or not (llm.base_url or os.environ.get("OPENAI_API_KEY") or llm.api_key):
        return None
    settings = library.settings.model_copy(update={"llm": llm.model_copy(update={"backend": "openai"})})
    return Library(settings, embedder=library.embedder)


def launch(
    library: Library | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    password: str | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Serve the UI. Bound to loopback unless told otherwise; any other address needs a
    password (`PAPERQA_APP_PASSWORD`), checked with Gradio's login page (user `paperqa`)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    library = library or Library()
    password = password or os.environ.get("PAPERQA_APP_PASSWORD")
    if not _loopback(host) and not password:
        raise ConfigError(
            f"Serving on {host} makes the library reachable from other machines: set "
            "PAPERQA_APP_PASSWORD (user name: paperqa), or use --host 127.0.0.1."
        )
    demo = build(library, remote_library(library))
    demo.queue(default_concurrency_limit=4)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=("paperqa", password) if password else None,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=True,
        footer_links=["api"],
        **page_options(),
    )
    return demo


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
