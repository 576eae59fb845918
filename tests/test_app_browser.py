"""The Gradio app end to end in headless Chromium (Debian's /usr/bin/chromium via Playwright).

The app runs in this process on a free 127.0.0.1 port over a library holding the seed
papers, with the embedded models. Set SCREENSHOT_DIR=docs to refresh the README's
screenshots.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from .conftest import DATA
from .servers import free_port, uvicorn_thread

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TIMEOUT = 180_000  # ms: the local model answers in seconds, but CI machines are slow


@pytest.fixture(scope="module", params=["launched", "mounted"])
def app_url(request, tmp_path_factory, embedder, _seed_home):
    """The app as `paperqa app` launches it, and as `paperqa serve` mounts it at /app."""
    from paperqa.interfaces.app import launch
    from paperqa.interfaces.server import create_app
    from paperqa.library import Library
    from paperqa.settings import Settings

    home = tmp_path_factory.mktemp("app") / "lib"
    shutil.copytree(_seed_home, home)
    library = Library(Settings(home=home), embedder=embedder)
    if request.param == "mounted":
        with uvicorn_thread(create_app(library)) as base:
            LIBRARIES[f"{base}/app/"] = library
            yield f"{base}/app/"
        return
    running = launch(library, port=free_port(), block=False)
    LIBRARIES[f"{running.url}app/"] = library
    yield f"{running.url}app/"
    running.close()


#: The library behind each app's address, for the one test that holds an answer back.
LIBRARIES: dict[str, object] = {}


@pytest.fixture
def first_answer_held(app_url, monkeypatch):
    """The app's first answer waits until the test sets the returned event: the page is then
    certainly still answering when the test sends its next question (a real answer is too
    quick to rely on). The answer itself is the library's real one."""
    library = LIBRARIES[app_url]
    real_ask, release, calls = library.ask, threading.Event(), []

    def held_ask(question, **kwargs):
        calls.append(question)
        if len(calls) == 1:
            release.wait(timeout=120)
        return real_ask(question, **kwargs)

    monkeypatch.setattr(library, "ask", held_ask)
    yield release
    release.set()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it where it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, url: str, width: int = 1400, height: int = 1000):  # type: ignore[no-untyped-def]
    """A new browser context's page on the app at `url`, once its question box is there."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return page


@pytest.fixture
def page(browser, app_url):
    page = open_page(browser, app_url)
    yield page
    page.context.close()


def shot(page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def ask(page, question: str) -> None:
    """Type `question` and send it; the page shows it in the conversation at once (the submit
    event runs unqueued), so a question that does not appear there was lost before the server
    saw it: said here, not as a timeout three minutes later."""
    page.fill("#question textarea", question)
    page.click("#ask")
    try:
        shown = "q => document.querySelector('#chatbot')?.innerText.includes(q)"
        page.wait_for_function(shown, arg=question[:40], timeout=30_000)
    except Exception as exc:  # noqa: BLE001 - re-raised with what the page shows
        raise AssertionError(f"the question never reached the conversation\n{page_state(page)}") from exc


def page_state(page) -> str:  # type: ignore[no-untyped-def]
    """What the page shows and what this process's threads are doing (the app runs in it)."""
    import sys
    import traceback

    def text(selector: str) -> str:
        try:
            return page.inner_text(selector, timeout=2_000)[-600:]
        except Exception as exc:  # noqa: BLE001 - a diagnostic must not fail
            return f"<{type(exc).__name__}>"

    box = page.locator("#question textarea").input_value(timeout=2_000)
    busy = []
    for thread_id, frame in sys._current_frames().items():
        stack = traceback.format_stack(frame)
        if any("paperqa" in line for line in stack):
            busy.append(f"thread {thread_id}:\n" + "".join(stack[-12:]))
    return (
        f"box: {box!r}\nerror: {text('#question-error')!r}\nstatus: {text('#chat-status')!r}\n"
        f"chatbot: {text('#chatbot')!r}\nsources: {text('#sources')!r}\n"
        + ("\n".join(busy) or "no thread in paperqa code")
    )


def wait_sources(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the answer's source cards are shown; on timeout, say what the page shows."""
    try:
        page.wait_for_selector("#sources .pq-source", timeout=TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - re-raised with what the page shows
        raise AssertionError(f"no source cards within {TIMEOUT // 1000} s\n{page_state(page)}") from exc


def test_ask_shows_cited_answer_and_source(page, tmp_path):
    ask(page, "How much does CASAL reduce hallucination?")
    wait_sources(page)
    sources = page.inner_text("#sources")
    assert "Hallucination reduction with CASAL" in sources
    answer = page.locator("#chatbot .pq-answer").last.inner_text()
    assert "[1]" in answer and "30%-40%" in answer
    assert "from the abstracts" in page.inner_text("#chatbot")  # the note on where the text came from
    shot(page, "chat", tmp_path)


def test_list_question_names_each_paper_once(page, tmp_path):
    ask(page, "Which papers in the library deal with hallucinations?")
    wait_sources(page)
    answer = page.locator("#chatbot .pq-answer").last.inner_text()
    assert "[1]" in answer and "[2]" in answer and "SAE-V" in answer
    sources = page.inner_text("#sources")
    assert "Hallucination reduction with CASAL" in sources and "SAE-V" in sources


def test_sessions_do_not_share_conversations(browser, app_url, page):
    ask(page, "What is the FIND benchmark for?")
    wait_sources(page)
    other = browser.new_context().new_page()
    other.goto(app_url)
    other.wait_for_selector("#question textarea")
    assert "FIND" not in other.inner_text("#chatbot")
    other.context.close()


def pick(page, dropdown: str, text: str) -> None:
    box = page.locator(f"{dropdown} input")
    box.click()
    box.fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()


def test_compare_renders_table_with_both_titles(page, tmp_path):
    page.get_by_role("tab", name="Compare").click()
    pick(page, "#paper-a", "Hallucination reduction with CASAL")
    pick(page, "#paper-b", "SAE-V")
    page.click("#compare-btn")
    table = page.wait_for_selector("#comparison table", timeout=TIMEOUT)
    heads = table.inner_text()
    assert "Hallucination reduction with CASAL" in heads and "SAE-V" in heads
    for aspect in ("Problem", "Approach", "Key results", "Limitations"):
        assert aspect in heads
    shot(page, "compare", tmp_path)


def test_table_of_four_papers_with_a_column_of_ones_own_then_csv(page, tmp_path):
    page.get_by_role("tab", name="Table").click()
    box = page.locator("#table-papers input")
    for name in ("Hallucination reduction with CASAL", "SAE-V", "LegalVis", "Mimicking the Physicist"):
        box.click()
        box.fill(name)
        page.get_by_role("option").filter(has_text=name).first.click()
    page.fill("#table-columns textarea", "main result\nWhich baselines do they compare against?")
    page.click("#table-btn")
    page.wait_for_selector("#lit-table .pq-source", timeout=TIMEOUT)  # finished: the cards are there
    table = page.inner_text("#lit-table table")
    assert "main result" in table and "Which baselines do they compare against?" in table
    assert table.count("[1]") >= 2 and "96%" in table and "reading…" not in table
    assert "4 in 10" in page.inner_text("#lit-table")  # the note on columns of one's own
    page.locator("#lit-table table a.pq-cite").first.click()
    source = page.locator('#lit-table .pq-source[data-n="1"]')
    assert source.locator("details").evaluate("d => d.open")
    assert source.locator("details mark").first.is_visible()
    shot(page, "table", tmp_path)
    with page.expect_download() as download:
        page.locator('#table-files a[download="table.csv"]').click()
    saved = tmp_path / "table.csv"
    download.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0] == "number,paper_id,title,date,main result,Which baselines do they compare against?"
    assert len(lines) == 5 and lines[1].startswith("1,hallucination-reduction-with")


def count_papers(page) -> int:
    status = page.inner_text("#status")
    return int(status.split("Library:")[1].split("papers")[0])


def test_upload_bib_then_broken_file(page, tmp_path):
    page.get_by_role("tab", name="Settings").click()
    page.wait_for_selector("#status p")
    before = count_papers(page)
    page.get_by_role("tab", name="Library").click()
    page.set_input_files("#upload input[type=file]", str(DATA / "sample.bib"))
    page.click("#ingest")
    page.wait_for_selector("#ingest-report:has-text('added')", timeout=TIMEOUT)
    page.get_by_role("tab", name="Settings").click()
    page.wait_for_function(f"document.querySelector('#status').innerText.includes('{before + 1} papers')")
    assert count_papers(page) == before + 1  # one of the two .bib papers is already in the seed
    page.get_by_role("tab", name="Library").click()
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "Fine", "abstract": "A fine abstract about probes."}\n{"title": oops}\n')
    page.set_input_files("#upload input[type=file]", str(broken))
    page.click("#ingest")
    report = page.wait_for_selector("#ingest-report:has-text('rejected broken.jsonl')", timeout=TIMEOUT)
    assert "not valid JSON" in report.inner_text()
    # a reference-manager export with an entry that has no abstract: the rest is added
    page.set_input_files("#upload input[type=file]", str(DATA / "exports" / "zotero.bib"))
    page.click("#ingest")
    report = page.wait_for_selector("#ingest-report:has-text('skipped zotero.bib')", timeout=TIMEOUT)
    text = report.inner_text()
    assert "2 added" in text and "luhring_handbook_2007" in text and "no abstract" in text
    shot(page, "library", tmp_path)
    # the app still works after the bad file
    page.fill("#library-search textarea", "Gradient")
    page.wait_for_function("document.querySelector('#papers').innerText.includes('Do Input Gradients')")


def test_upload_a_zotero_database_with_a_tag(page):
    page.get_by_role("tab", name="Library").click()
    page.get_by_text("Zotero: only some collections or tags").click()
    page.fill("#zotero-tags textarea", "BCN, nothing-else")
    page.set_input_files("#upload input[type=file]", str(DATA / "zotero" / "real-unlicense.sqlite"))
    page.click("#ingest")
    report = page.wait_for_selector("#ingest-report:has-text('added')", timeout=TIMEOUT)
    assert "1 added" in report.inner_text()
    page.fill("#library-search textarea", "boron carbon nitride")
    page.wait_for_function("document.querySelector('#papers').innerText.includes('Defect states induced')")


def test_errors_are_messages_next_to_the_box_and_keep_the_text(page):
    page.click("#ask")  # empty question
    page.wait_for_selector("#question-error:has-text('Type what you want to know')", timeout=30_000)
    long = "why? " * 700
    page.fill("#question textarea", long)
    page.click("#ask")
    message = page.wait_for_selector("#question-error:has-text('the limit is 2,000')", timeout=30_000)
    assert "3,499 characters" in message.inner_text()
    assert page.input_value("#question textarea").strip() == long.strip()  # the text is kept
    assert page.locator(".error").count() == 0 and "Traceback" not in page.content()  # no red labels
    page.get_by_role("tab", name="Library").click()
    page.click("#ingest")  # nothing chosen
    page.wait_for_selector("#ingest-report:has-text('Choose one or more files')", timeout=30_000)
    assert page.locator(".error").count() == 0


def test_a_question_sent_while_another_is_answered_is_answered_in_turn(page, first_answer_held):
    ask(page, "What is GCAV?")
    page.wait_for_selector("#chat-status:has-text('Answering')", timeout=30_000)
    page.fill("#question textarea", "What does SAE-V do?")
    page.press("#question textarea", "Enter")  # while the first answer is still coming
    page.wait_for_selector("#chatbot:has-text('What does SAE-V do?')", timeout=10_000)  # shown at once
    page.wait_for_function("document.querySelector('#question textarea').value === ''", timeout=10_000)
    assert "Answering" in page.inner_text("#chat-status")  # the first is still being answered
    first_answer_held.set()
    page.wait_for_function("document.querySelectorAll('#chatbot .pq-answer').length >= 2", timeout=TIMEOUT)
    answers = page.locator("#chatbot .pq-answer")
    assert "GCAV" in answers.nth(0).inner_text() and "SAE-V" in answers.nth(1).inner_text()
    page.wait_for_function("!document.querySelector('#chat-status').innerText.includes('Answering')")
    assert "[1]" in answers.nth(0).inner_text()  # a new conversation numbers from 1


def test_clicking_a_citation_opens_its_source_with_the_sentence_marked(page, tmp_path):
    ask(page, "How much does CASAL reduce hallucination?")
    wait_sources(page)
    assert "✓ checked" in page.inner_text("#chatbot")  # the legend says what the marks mean
    page.locator("#chatbot a.pq-cite").first.click()
    source = page.locator('#sources .pq-source[data-n="1"]')
    assert source.locator("details").evaluate("d => d.open")
    mark = source.locator("details mark").first
    assert "30%-40%" in mark.inner_text() and mark.is_visible()
    assert page.evaluate(
        "() => { const r = document.querySelector('#sources .pq-source[data-n=\"1\"] details mark')"
        ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )


def test_a_question_about_a_paper_is_answered_from_its_record(page):
    ask(page, "When was the FIND benchmark published?")
    wait_sources(page)
    answer = page.locator("#chatbot .pq-answer").last.inner_text()
    assert "2023-09-07" in answer and "[1]" in answer
    assert "from the library's records" in page.inner_text("#chatbot")
    assert "A Function Interpretation Benchmark" in page.inner_text("#sources")


def test_summarize_a_paper_or_a_topic(page):
    page.get_by_role("tab", name="Summarize").click()
    assert page.locator("#summary-topic").is_hidden()
    page.get_by_label("A topic").check()
    page.wait_for_selector("#summary-topic textarea")
    assert page.locator("#summary-paper").is_hidden()
    page.fill("#summary-topic textarea", "activation steering")
    page.press("#summary-topic textarea", "Enter")
    page.wait_for_selector("#summary .pq-answer", timeout=TIMEOUT)
    assert "[1]" in page.inner_text("#summary")
    page.get_by_label("A paper").check()
    page.click("#summarize-btn")  # no paper picked: said where the result goes
    page.wait_for_selector("#summary:has-text('Pick a paper')", timeout=30_000)


def test_remove_asks_first(page):
    page.get_by_role("tab", name="Settings").click()
    page.wait_for_selector("#status p")
    before = count_papers(page)
    page.get_by_role("tab", name="Library").click()
    pick(page, "#remove-paper", "LegalVis")
    page.click("#remove")
    page.wait_for_selector("#remove-note:has-text('Remove LegalVis')", timeout=30_000)
    page.click("#remove-cancel")
    page.wait_for_selector("#remove-note:has-text('Nothing removed')", timeout=30_000)
    page.click("#remove")
    page.click("#remove-yes")
    page.wait_for_selector("#remove-note:has-text('Removed LegalVis')", timeout=30_000)
    page.get_by_role("tab", name="Settings").click()
    page.wait_for_function(f"document.querySelector('#status').innerText.includes('{before - 1} papers')")
    page.get_by_role("tab", name="Library").click()
    page.fill("#library-search textarea", "zzzz no such words")
    page.wait_for_selector("#library-note:has-text('No paper matches')", timeout=30_000)


def test_narrow_screen_shows_sources_right_after_the_answer(browser, app_url, tmp_path):
    page = open_page(browser, app_url, width=420, height=900)
    ask(page, "What is the FIND benchmark for?")
    wait_sources(page)
    chat, sources, box = (page.locator(s).bounding_box() for s in ("#chatbot", "#sources", "#question"))
    assert chat and sources and box and chat["y"] < sources["y"] < box["y"]
    shot(page, "chat-narrow", tmp_path)
    page.context.close()


@pytest.fixture(scope="module")
def pdf_app_url(tmp_path_factory, embedder):
    """The app as `paperqa app` launches it, over a library of one paper read from its PDF."""
    from paperqa.interfaces.app import launch
    from paperqa.library import Library
    from paperqa.settings import Settings

    library = Library(Settings(home=tmp_path_factory.mktemp("pdf-app") / "lib"), embedder=embedder)
    library.ingest([DATA / "pdf" / "1602.04341-two-column.pdf"])
    running = launch(library, port=free_port(), block=False)
    yield f"{running.url}app/"
    running.close()


def test_a_cited_page_opens_the_pdf_there(browser, pdf_app_url, tmp_path):
    """A sentence quoted from a PDF's body shows its section and page in the sources panel;
    the page is a link to the paper's own PDF at that page, which the app serves."""
    page = open_page(browser, pdf_app_url)
    ask(page, "What is MCTest-500?")
    wait_sources(page)
    link = page.locator('#sources .pq-where a[href*="#page="]').first
    href = link.get_attribute("href") or ""
    assert href.startswith("/pdf/") and link.inner_text().startswith("§") and ", p. " in link.inner_text()
    assert link.get_attribute("target") == "_blank"
    got = page.request.get(pdf_app_url.split("/app/")[0] + href.split("#")[0])
    assert got.status == 200 and got.headers["content-type"] == "application/pdf"
    assert got.body()[:5] == b"%PDF-"
    assert page.locator('#sources .pq-note a:text("PDF")').count() >= 1
    shot(page, "pdf-page-link", tmp_path)
    page.context.close()
