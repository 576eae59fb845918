"""The Gradio UI: chat, summarize, compare and the library, over a `Library`.

This module only maps library results to widgets (the HTML of answers, sources
and tables included); retrieval, prompts and checks live in the library.
`app_gradio.py` at the repository root and `paperqa app` both launch it.
"""

from __future__ import annotations

import html
import ipaddress
import os
import queue
import threading
from collections.abc import Iterator
from typing import Any

import gradio as gr

from paperqa.errors import ConfigError, PaperQAError
from paperqa.library import Library
from paperqa.tasks import Conversation
from paperqa.types import Answer, CitedSentence, Paper

EXAMPLES = [
    "How much does CASAL reduce hallucination?",
    "What is the FIND benchmark for?",
    "How does the Local Interaction Basis find features?",
    "Which papers steer models through their activations?",
]
MAX_UPLOAD_FILES = 20
MAX_UPLOAD_MB = 200
CSS = """
.pq-answer .weak { background: #fff3cd; }
.pq-answer .ok::after { content: " \\2713"; color: #2e7d32; font-size: 0.8em; }
.pq-answer .weak::after {
  content: " \\26A0 not supported by the cited source"; color: #b26a00; font-size: 0.8em;
}
.pq-answer .unverified { background: #fde2e1; }
.pq-answer .unverified::after {
  content: " \\26A0 not verified: a name, figure or claim is not in the cited source"; color: #b3261e;
  font-size: 0.8em;
}
.pq-source { border-left: 3px solid #ddd; padding-left: 0.6em; margin-bottom: 0.8em; }
.pq-source mark { background: #d7f5dd; }
.pq-table td, .pq-table th { vertical-align: top; padding: 0.4em; border: 1px solid #ddd; }
.pq-note { color: #666; font-size: 0.85em; }
"""


# --- rendering -------------------------------------------------------------------


def sentence_html(s: CitedSentence) -> str:
    marks = "".join(f"[{n}]" for n in s.citations)
    css = "unverified" if s.grounded is False else ("ok" if s.supported else "weak")
    title = f' title="{html.escape(s.problem)}"' if s.problem else ""
    return f'<span class="{css}"{title}>{html.escape(s.text)} {marks}</span>'


def answer_html(answer: Answer) -> str:
    """The answer with a mark per sentence (supported or not), and a note on fallbacks."""
    if answer.not_in_library:
        body = html.escape(answer.text)
    else:
        body = " ".join(sentence_html(s) for s in answer.sentences)
    written = answer.how_written()
    note = f'<p class="pq-note">{html.escape(written)}.</p>' if written else ""
    u = answer.usage
    meta = (
        f'<p class="pq-note">{html.escape(answer.backend)} · {u.prompt_tokens}+{u.completion_tokens} tokens'
        f" · {u.total_seconds:.1f} s</p>"
    )
    return f'<div class="pq-answer">{body}</div>{note}{meta}'


def _highlight(abstract: str, evidence: list[str]) -> str:
    out = html.escape(abstract)
    for sentence in sorted(set(evidence), key=len, reverse=True):
        escaped = html.escape(sentence)
        out = out.replace(escaped, f"<mark>{escaped}</mark>")
    return out


def sources_html(answer: Answer) -> str:
    """The cited papers (or the nearest ones) with their abstracts, supporting sentences marked."""
    if not answer.references:
        return "<p>No sources.</p>"
    heading = "Nearest papers (none answers the question)" if answer.not_in_library else "Sources"
    evidence: dict[int, list[str]] = {}
    for s in answer.sentences:
        for n in s.citations:
            if s.evidence:
                evidence.setdefault(n, []).append(s.evidence)
    papers = {s.number: s.paper for s in answer.sources}
    parts = [f"<h3>{heading}</h3>"]
    for ref in answer.references:
        paper = papers.get(ref.number)
        link = f' · <a href="{html.escape(ref.url)}" target="_blank">link</a>' if ref.url else ""
        abstract = _highlight(paper.abstract, evidence.get(ref.number, [])) if paper else ""
        parts.append(
            f'<div class="pq-source" data-paper-id="{html.escape(ref.paper_id)}">'
            f"<b>[{ref.number}] {html.escape(ref.title)}</b><br>"
            f'<span class="pq-note">{ref.date_text or ref.date or "no date"} · '
            f"{html.escape(ref.paper_id)}{link}</span>"
            f"<details><summary>Abstract</summary>{abstract}</details></div>"
        )
    return "\n".join(parts)


def comparison_html(answer: Answer) -> str:
    heads = [s.paper.title for s in sorted(answer.sources, key=lambda s: s.number)]
    rows = "".join(
        f"<tr><th>{html.escape(row.aspect)}</th>"
        + "".join(f"<td>{sentence_html(c) if c.citations else html.escape(c.text)}</td>" for c in row.cells)
        + "</tr>"
        for row in answer.comparison or []
    )
    columns = "".join(f"<th>[{n}] {html.escape(t)}</th>" for n, t in enumerate(heads, 1))
    table = (
        f'<table class="pq-table pq-answer"><thead><tr><th></th>{columns}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return f"{table}<h3>In one paragraph</h3>{answer_html(answer)}"


def paper_choice(p: Paper) -> tuple[str, str]:
    return (f"{p.title} ({p.date_text or 'no date'})", p.id)


def papers_table(papers: list[Paper]) -> list[list[str]]:
    return [[p.date_text or "", p.title, p.id] for p in papers]


def status_markdown(library: Library) -> str:
    s = library.stats()
    size = f"{s.store_bytes / 1024**2:.1f} MiB" if s.store_bytes is not None else "server"
    return (
        f"**Chat model:** {library.tasks.chat[1]}  \n"
        f"**Embedding model:** {s.embedding_model} ({s.embedding_dim} dimensions)  \n"
        f"**Library:** {s.papers} papers, {s.chunks} chunks  \n"
        f"**Index:** {s.store} ({size})  \n"
        f"**Data directory:** {s.home}"
    )


# --- the app ---------------------------------------------------------------------


def build(library: Library, remote: Library | None = None) -> gr.Blocks:
    """The UI over `library`; `remote` is the same library answered by an OpenAI-compatible
    model, offered in Settings when one is configured."""

    def pick(backend: str) -> Library:
        return remote if (backend == "openai" and remote is not None) else library

    def fail(exc: PaperQAError) -> gr.Error:
        return gr.Error(str(exc), duration=None)

    def chat(
        message: str, history: list[dict[str, Any]], conversation: Conversation, backend: str
    ) -> Iterator[tuple[list[dict[str, Any]], Conversation, str, str]]:
        if not message.strip():
            raise gr.Error("Type a question first.")
        history = [*history, {"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        yield history, conversation, "", gr.skip()
        tokens: queue.Queue[str | None] = queue.Queue()
        result: dict[str, Any] = {}

        def work() -> None:
            try:
                result["answer"] = pick(backend).ask(message, conversation=conversation, on_token=tokens.put)
            except PaperQAError as exc:
                result["error"] = exc
            finally:
                tokens.put(None)

        threading.Thread(target=work, daemon=True).start()
        draft = ""
        while (piece := tokens.get()) is not None:  # stream the model's draft as it is written
            draft += piece
            history[-1]["content"] = f"<span class='pq-note'>{html.escape(draft)}</span>"
            yield history, conversation, "", gr.skip()
        if "error" in result:
            history[-1]["content"] = f"⚠ {html.escape(str(result['error']))}"
            yield history, conversation, "", gr.skip()
            raise fail(result["error"])
        answer = result["answer"]
        history[-1]["content"] = answer_html(answer)
        yield history, conversation, "", sources_html(answer)

    def summarize(paper_id: str | None, topic: str, backend: str) -> str:
        try:
            if topic.strip():
                answer = pick(backend).summarize(topic=topic)
            elif paper_id:
                answer = pick(backend).summarize(paper_id)
            else:
                raise gr.Error("Pick a paper or type a topic.")
        except PaperQAError as exc:
            raise fail(exc) from None
        return answer_html(answer) + sources_html(answer)

    def compare(a: str | None, b: str | None, backend: str) -> str:
        if not a or not b:
            raise gr.Error("Pick two papers.")
        try:
            return comparison_html(pick(backend).compare(a, b))
        except PaperQAError as exc:
            raise fail(exc) from None

    def refresh(search: str) -> tuple[Any, Any, Any, Any, Any, str]:
        papers = library.papers(search or None)
        everything = library.papers() if search else papers
        choices = [paper_choice(p) for p in everything]
        return (
            papers_table(papers),
            gr.update(choices=choices),
            gr.update(choices=choices),
            gr.update(choices=choices),
            gr.update(choices=choices),
            status_markdown(library),
        )

    def upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008 (Gradio idiom)
        if not files:
            raise gr.Error("Choose one or more files first.")
        if len(files) > MAX_UPLOAD_FILES:
            raise gr.Error(f"Upload at most {MAX_UPLOAD_FILES} files at a time.")
        try:
            report = library.ingest(
                files,
                skip_bad=True,
                progress=lambda done, total: progress(done / max(total, 1), desc="Embedding"),
            )
        except PaperQAError as exc:
            raise fail(exc) from None
        lines = [
            f"**{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
            f"{len(report.skipped)} skipped or rejected, {len(report.merged)} merged.**"
        ]
        lines += [
            f"- {'skipped' if s.kind else 'rejected'} {html.escape(os.path.basename(s.location))}"
            f"{' ' + html.escape(s.key) if s.key else ''}: {html.escape(s.reason)}"
            for s in report.skipped
        ]
        lines += [f"- note: {html.escape(w)}" for w in report.warnings[:20]]
        return "\n".join(lines)

    def remove(paper_id: str | None) -> str:
        if not paper_id:
            raise gr.Error("Pick a paper to remove.")
        try:
            paper = library.remove(paper_id)
        except PaperQAError as exc:
            raise fail(exc) from None
        return f"Removed **{html.escape(paper.title)}**."

    has_remote = remote is not None
    with gr.Blocks(title="paperqa") as demo:
        gr.Markdown(
            "# paperqa\nCited answers from your library of papers. Every sentence points to its source."
        )
        backend = gr.Radio(
            ["local", "openai"] if has_remote else ["local"],
            value="local",
            label="Chat model",
            visible=has_remote,
            elem_id="backend",
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                conversation = gr.State(Conversation())
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="Conversation", height=480, elem_id="chatbot", sanitize_html=True
                        )
                        question = gr.Textbox(
                            label="Question",
                            placeholder="Ask about your papers…",
                            elem_id="question",
                            lines=1,
                        )
                        with gr.Row():
                            ask_btn = gr.Button("Ask", variant="primary", elem_id="ask")
                            new_btn = gr.Button("New conversation", elem_id="new-conversation")
                        gr.Examples(EXAMPLES, inputs=question, label="Try")
                    with gr.Column(scale=2):
                        sources = gr.HTML("<p>Sources of the last answer appear here.</p>", elem_id="sources")
            with gr.Tab("Summarize", id="summarize"):
                summary_paper = gr.Dropdown(label="Paper", filterable=True, elem_id="summary-paper")
                summary_topic = gr.Textbox(label="…or a topic", placeholder="e.g. activation steering")
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
                table = gr.Dataframe(
                    headers=["date", "title", "id"], interactive=False, elem_id="papers", wrap=True
                )
                with gr.Row():
                    files = gr.File(
                        label="Add papers: .txt (Daily Papers), .jsonl, .json, .csv, .tsv, .bib, or .gz",
                        file_count="multiple",
                        elem_id="upload",
                    )
                    with gr.Column():
                        upload_btn = gr.Button("Ingest", variant="primary", elem_id="ingest")
                        upload_out = gr.Markdown(elem_id="ingest-report")
                with gr.Row():
                    to_remove = gr.Dropdown(label="Remove a paper", filterable=True, elem_id="remove-paper")
                    remove_btn = gr.Button("Remove", variant="stop", elem_id="remove")
                remove_out = gr.Markdown()
            with gr.Tab("Settings", id="settings"):
                status = gr.Markdown(elem_id="status")
                gr.Markdown(
                    "Switch the chat model above when an OpenAI-compatible endpoint is configured "
                    "(`PAPERQA_LLM__BASE_URL`, `PAPERQA_LLM__MODEL`, `OPENAI_API_KEY`)."
                )

        pickers = [table, summary_paper, paper_a, paper_b, to_remove, status]
        ask_inputs = [question, chatbot, conversation, backend]
        ask_outputs = [chatbot, conversation, question, sources]
        # One API endpoint, /ask, for the button and Enter (used by gradio_client and the load test).
        gr.on([ask_btn.click, question.submit], chat, ask_inputs, ask_outputs, api_name="ask")
        new_btn.click(
            lambda: ([], Conversation(), "<p>New conversation.</p>"), outputs=[chatbot, conversation, sources]
        )
        summary_btn.click(
            summarize, [summary_paper, summary_topic, backend], summary_out, api_name="summarize"
        )
        compare_btn.click(compare, [paper_a, paper_b, backend], compare_out, api_name="compare")
        search.change(refresh, search, pickers)
        upload_btn.click(upload, files, upload_out, api_name="upload").then(refresh, search, pickers)
        remove_btn.click(remove, to_remove, remove_out).then(refresh, search, pickers)
        demo.load(refresh, search, pickers)
    return demo


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
        css=CSS,
        max_file_size=f"{MAX_UPLOAD_MB}mb",
        footer_links=["api"],
    )
    return demo


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
