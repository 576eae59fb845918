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

import os
from dataclasses import dataclass
from typing import Any

import gradio as gr

from paperqa.answer.tasks import Conversation
from paperqa.interfaces.access import MAX_UPLOAD_MB, password_for
from paperqa.interfaces.actions import PAPER_MODE, TOPIC_MODE, Actions
from paperqa.interfaces.chat import ChatSession
from paperqa.interfaces.render import CSS, HEAD
from paperqa.library import Library

#: Answers the app works on at once (a local model serves them in turn).
CONCURRENT_ANSWERS = 4
THEME = gr.themes.Default(
    font=["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "sans-serif"],  # no web fonts: offline
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)


def page_options() -> dict[str, Any]:
    """What `launch` and `mount_gradio_app` both pass: style, script, theme, upload limit."""
    return {"css": CSS, "head": HEAD, "theme": THEME, "max_file_size": f"{MAX_UPLOAD_MB}mb"}


# --- the app ---------------------------------------------------------------------


@dataclass
class ChatTab:
    session: gr.State
    api_conversation: gr.State
    header: gr.Markdown
    chatbot: gr.Chatbot
    sources: gr.HTML
    question: gr.Textbox
    ask: gr.Button
    new: gr.Button
    error: gr.HTML
    status: gr.HTML
    examples: gr.Dataset
    api_ask: gr.Button


@dataclass
class LibraryTab:
    search: gr.Textbox
    note: gr.Markdown
    table: gr.Dataframe
    files: gr.File
    upload: gr.Button
    report: gr.Markdown
    upload_api: gr.Button
    zotero_collections: gr.Textbox
    zotero_tags: gr.Textbox
    to_remove: gr.Dropdown
    remove: gr.Button
    remove_note: gr.Markdown
    confirm_row: gr.Row
    confirm: gr.Button
    cancel: gr.Button


@dataclass
class TableTab:
    papers: gr.Dropdown
    topic: gr.Textbox
    columns: gr.Textbox
    make: gr.Button
    out: gr.HTML
    files: gr.File


def _chat_tab() -> ChatTab:
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
    error = gr.HTML(elem_id="question-error", padding=False)
    status = gr.HTML(elem_id="chat-status", padding=False)
    examples = gr.Dataset(components=[question], samples=[], label="Try", elem_id="examples", type="values")
    return ChatTab(
        session, api_conversation, header, chatbot, sources, question, ask_btn, new_btn, error, status,
        examples, gr.Button(visible=False),
    )  # fmt: skip


def _library_tab() -> LibraryTab:
    search = gr.Textbox(label="Search titles and abstracts", elem_id="library-search")
    note = gr.Markdown(elem_id="library-note")
    table = gr.Dataframe(
        headers=["date", "title", "text", "id"], interactive=False, elem_id="papers", wrap=True
    )
    with gr.Row():
        files = gr.File(
            label="Add papers: BibTeX, RIS, CSL-JSON, CSV/TSV, Web of Science, MEDLINE (.nbib), "
            "EndNote XML, JSON Lines, .gz, or your Zotero database (zotero.sqlite)",
            file_count="multiple",
            elem_id="upload",
        )
        with gr.Column():
            with gr.Accordion("Zotero: only some collections or tags", open=False):
                zotero_collections = gr.Textbox(
                    label="Collections (comma-separated; subcollections included)",
                    elem_id="zotero-collections",
                )
                zotero_tags = gr.Textbox(label="Tags (comma-separated; any of them)", elem_id="zotero-tags")
            upload = gr.Button("Ingest", variant="primary", elem_id="ingest")
            report = gr.Markdown(elem_id="ingest-report")
            upload_api = gr.Button(visible=False)
    with gr.Row():
        to_remove = gr.Dropdown(label="Remove a paper", filterable=True, elem_id="remove-paper")
        remove = gr.Button("Remove…", variant="stop", elem_id="remove")
    remove_note = gr.Markdown(elem_id="remove-note")
    with gr.Row(visible=False, elem_id="remove-confirm") as confirm_row:
        confirm = gr.Button("Yes, remove it", variant="stop", elem_id="remove-yes")
        cancel = gr.Button("Cancel", elem_id="remove-cancel")
    return LibraryTab(
        search, note, table, files, upload, report, upload_api, zotero_collections, zotero_tags, to_remove,
        remove, remove_note, confirm_row,
        confirm, cancel,
    )  # fmt: skip


def _table_tab() -> TableTab:
    gr.Markdown(
        "Papers in rows, your questions in columns: each cell is the paper's own sentence, "
        "cited (from its body, the section named, when its full text is in the library), "
        "or *Not stated in the abstract* (*in the paper*)."
    )
    with gr.Row():
        table_papers = gr.Dropdown(
            label="Papers (type to search; up to 30)", multiselect=True, filterable=True,
            max_choices=30, elem_id="table-papers", scale=3,
        )  # fmt: skip
        table_topic = gr.Textbox(
            label="…or a topic",
            placeholder="e.g. activation steering",
            elem_id="table-topic",
            scale=2,
        )
    table_columns = gr.Textbox(
        label="Columns, one per line (empty: Problem, Approach, Data / setting, Key results, "
        "Limitations)", placeholder="dataset\nmodel size\nWhich baselines do they beat?",
        lines=3, elem_id="table-columns",
    )  # fmt: skip
    table_btn = gr.Button("Make the table", variant="primary", elem_id="table-btn")
    table_out = gr.HTML(elem_id="lit-table")
    table_files = gr.File(
        label="Download", file_count="multiple", interactive=False, visible=False,
        elem_id="table-files",
    )  # fmt: skip
    return TableTab(table_papers, table_topic, table_columns, table_btn, table_out, table_files)


def _settings_tab(has_remote: bool) -> tuple[gr.Radio, gr.Markdown]:
    backend = gr.Radio(
        ["local", "openai"] if has_remote else ["local"],
        value="local",
        label="Chat model",
        info="local: the embedded model on this machine; openai: the configured endpoint.",
        visible=has_remote,
        elem_id="backend",
    )
    status = gr.Markdown(elem_id="status")
    if not has_remote:
        gr.Markdown(
            "Answers use the embedded model. To answer with an OpenAI-compatible model, "
            "start paperqa with `PAPERQA_LLM__BASE_URL` (and `PAPERQA_LLM__MODEL`, "
            "`OPENAI_API_KEY`) set; a switch then appears here."
        )
    return backend, status


#: Events only the page itself uses stay out of the public API.
_PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def _wire_chat(act: Actions, chat: ChatTab, backend: gr.Radio) -> None:
    gr.on(
        [chat.ask.click, chat.question.submit], act.submit,
        [chat.question, chat.session], [chat.question, chat.chatbot, chat.error],
        queue=False, trigger_mode="multiple", **_PRIVATE,
    ).then(
        act.work, [chat.session, backend], [chat.chatbot, chat.sources, chat.status, chat.ask],
        show_progress="hidden", **_PRIVATE,
    )  # fmt: skip
    chat.api_ask.click(
        act.ask_api,
        [chat.question, chat.chatbot, chat.api_conversation, backend],
        [chat.chatbot, chat.question, chat.sources],
        api_name="ask",
    )
    gr.on(
        [chat.new.click, chat.chatbot.clear], lambda s: (s.reset(), *s.shown())[1:],
        chat.session, [chat.chatbot, chat.sources, chat.status], **_PRIVATE,
    )  # fmt: skip
    chat.examples.click(lambda sample: sample[0], chat.examples, chat.question, **_PRIVATE)


def _wire_library(act: Actions, lib: LibraryTab, pickers: list[Any]) -> None:
    lib.search.change(act.refresh, lib.search, pickers, **_PRIVATE)
    upload_inputs = [lib.files, lib.zotero_collections, lib.zotero_tags]
    lib.upload.click(act.upload, upload_inputs, lib.report, api_name="upload_ui", **_PRIVATE).then(
        act.refresh, lib.search, pickers, **_PRIVATE
    )
    lib.upload_api.click(act.upload_api, lib.files, lib.report, api_name="upload")
    lib.remove.click(act.ask_remove, lib.to_remove, [lib.remove_note, lib.confirm_row], **_PRIVATE)
    lib.confirm.click(act.remove, lib.to_remove, [lib.remove_note, lib.confirm_row], **_PRIVATE).then(
        act.refresh, lib.search, pickers, **_PRIVATE
    )
    lib.cancel.click(
        lambda: ("Nothing removed.", gr.update(visible=False)), None, [lib.remove_note, lib.confirm_row],
        **_PRIVATE,
    )  # fmt: skip


def build(library: Library, remote: Library | None = None) -> gr.Blocks:
    """The UI over `library`; `remote` is the same library answered by an OpenAI-compatible
    model, offered in Settings when one is configured."""
    act = Actions(library, remote)
    with gr.Blocks(title="paperqa") as demo:
        gr.Markdown(
            "# paperqa\nCited answers from your library of papers. Every sentence points to its source."
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat = _chat_tab()
            with gr.Tab("Summarize", id="summarize"):
                mode = gr.Radio(
                    [PAPER_MODE, TOPIC_MODE], value=PAPER_MODE, label="Summarize", elem_id="summary-mode"
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
            with gr.Tab("Table", id="table"):
                table = _table_tab()
            with gr.Tab("Library", id="library"):
                lib = _library_tab()
            with gr.Tab("Settings", id="settings"):
                backend, status_md = _settings_tab(remote is not None)

        pickers = [
            lib.table, lib.note, summary_paper, paper_a, paper_b, lib.to_remove, table.papers, status_md,
            chat.header, chat.examples,
        ]  # fmt: skip
        _wire_chat(act, chat, backend)
        mode.change(
            lambda m: (gr.update(visible=m == PAPER_MODE), gr.update(visible=m == TOPIC_MODE)),
            mode, [summary_paper, summary_topic], **_PRIVATE,
        )  # fmt: skip
        gr.on(
            [summary_btn.click, summary_topic.submit], act.summarize,
            [mode, summary_paper, summary_topic, backend], summary_out, api_name="summarize",
        )  # fmt: skip
        compare_btn.click(act.compare, [paper_a, paper_b, backend], compare_out, api_name="compare")
        table.make.click(
            act.table, [table.papers, table.topic, table.columns, backend], [table.out, table.files],
            api_name="table",
        )  # fmt: skip
        _wire_library(act, lib, pickers)
        demo.load(act.refresh, lib.search, pickers, **_PRIVATE)
    return demo


def remote_library(library: Library) -> Library | None:
    """The same library answered by the configured OpenAI-compatible model, if one is configured."""
    llm = library.settings.llm
    if llm.backend == "openai" or not (llm.base_url or os.environ.get("OPENAI_API_KEY") or llm.api_key):
        return None
    settings = library.settings.model_copy(update={"llm": llm.model_copy(update={"backend": "openai"})})
    return Library(settings, embedder=library.embedder)


#: The port `paperqa app` listens on unless told otherwise (Gradio's own default).
APP_PORT = 7860


def launch(
    library: Library | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    password: str | None = None,
    block: bool = True,
) -> Any:
    """Serve the UI at /app (/ redirects there), with the server's guards: bound to loopback
    unless told otherwise, any other address needs a password (`PAPERQA_APP_PASSWORD`,
    Gradio's login page, user `paperqa`); only the host names it answers to; no page of another
    origin may act on the library; never framed. With `block=False`, returns the running
    server (`.url`, `.close()`)."""
    from paperqa.interfaces.access import host_names
    from paperqa.interfaces.server import create_app, run

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    password = password_for(host, password)
    app = create_app(library or Library(), password=password, hosts=host_names(host), api=False)
    return run(app, host, port or APP_PORT, block=block)
