"""The Gradio app end to end in headless Chromium (Debian's /usr/bin/chromium via Playwright).

The app runs in this process on a free 127.0.0.1 port over a library holding the seed
papers, with the embedded models. Set SCREENSHOT_DIR=docs to refresh the README's
screenshots.
"""

from __future__ import annotations

import os
import shutil
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
    from paperqa.app import launch
    from paperqa.library import Library
    from paperqa.server import create_app
    from paperqa.settings import Settings

    home = tmp_path_factory.mktemp("app") / "lib"
    shutil.copytree(_seed_home, home)
    library = Library(Settings(home=home), embedder=embedder)
    if request.param == "mounted":
        with uvicorn_thread(create_app(library)) as base:
            yield f"{base}/app/"
        return
    port = free_port()
    demo = launch(library, port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it where it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(app_url)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def shot(page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#ask")


def test_ask_shows_cited_answer_and_source(page, tmp_path):
    ask(page, "How much does CASAL reduce hallucination?")
    page.wait_for_selector("#sources .pq-source", timeout=TIMEOUT)
    sources = page.inner_text("#sources")
    assert "Hallucination reduction with CASAL" in sources
    answer = page.locator("#chatbot .pq-answer").last.inner_text()
    assert "[1]" in answer and "30%-40%" in answer
    assert "from the abstracts" in page.inner_text("#chatbot")  # the note on where the text came from
    shot(page, "chat", tmp_path)


def test_list_question_names_each_paper_once(page, tmp_path):
    ask(page, "Which papers in the library deal with hallucinations?")
    page.wait_for_selector("#sources .pq-source", timeout=TIMEOUT)
    answer = page.locator("#chatbot .pq-answer").last.inner_text()
    assert "[1]" in answer and "[2]" in answer and "SAE-V" in answer
    sources = page.inner_text("#sources")
    assert "Hallucination reduction with CASAL" in sources and "SAE-V" in sources


def test_sessions_do_not_share_conversations(browser, app_url, page):
    ask(page, "What is the FIND benchmark for?")
    page.wait_for_selector("#sources .pq-source", timeout=TIMEOUT)
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


def test_errors_are_messages_not_tracebacks(page):
    page.click("#ask")  # empty question
    toast = page.wait_for_selector(".toast-body, [data-testid='toast-body']", timeout=30_000)
    assert "Type a question" in toast.inner_text() and "Traceback" not in page.content()
