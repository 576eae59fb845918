"""`paperqa serve` on 127.0.0.1 over a copy of the seed library with the embedded models:
the official `openai` client against /v1 (plain, streaming, a follow-up), httpx against
every JSON endpoint including bad input, eight concurrent clients, the password, and the
mounted web app."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from openai import OpenAI

from paperqa.interfaces.server import create_app
from paperqa.library import Library
from paperqa.settings import Settings

from .conftest import DATA
from .servers import uvicorn_thread

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory, _seed_home):  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("serve") / "lib"
    shutil.copytree(_seed_home, home)
    return home


@pytest.fixture(scope="module")
def url(home, embedder):  # type: ignore[no-untyped-def]
    with uvicorn_thread(create_app(Library(Settings(home=home), embedder=embedder))) as base:
        yield base


@pytest.fixture
def client(url: str):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=url, timeout=300) as c:
        yield c


def test_openai_client_plain_and_streaming(url: str):
    ai = OpenAI(base_url=f"{url}/v1", api_key="anything")
    assert [m.id for m in ai.models.list().data] == ["paperqa"]
    reply = ai.chat.completions.create(
        model="paperqa", messages=[{"role": "user", "content": "How much does CASAL reduce hallucination?"}]
    )
    text = reply.choices[0].message.content or ""
    assert "30%-40%" in text and "[1]" in text and "References:" in text and "CASAL" in text
    structured = (reply.model_extra or {})["paperqa"]
    assert structured["references"][0]["title"].startswith("Hallucination reduction with CASAL")
    assert reply.usage is not None
    streamed = ai.chat.completions.create(
        model="paperqa",
        messages=[{"role": "user", "content": "Which notation bridges text and music?"}],
        stream=True,
    )
    chunks = list(streamed)
    assert "ABC notation" in "".join(c.choices[0].delta.content or "" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop" and "paperqa" in (chunks[-1].model_extra or {})


def test_follow_up_uses_the_conversation(url: str):
    ai = OpenAI(base_url=f"{url}/v1", api_key="anything")
    reply = ai.chat.completions.create(
        model="paperqa",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "What does SAE-V do?"},
            {"role": "assistant", "content": "SAE-V interprets multimodal models [1]."},
            {"role": "user", "content": "What are its results?"},
        ],
    )
    refs = (reply.model_extra or {})["paperqa"]["references"]
    assert any(r["title"].startswith("SAE-V") for r in refs)


def test_follow_up_keeps_the_papers_and_numbers_of_the_earlier_reply(url: str):
    """The client resends its messages; the earlier reply's reference list gives the follow-up its paper."""
    ai = OpenAI(base_url=f"{url}/v1", api_key="anything")
    messages = [{"role": "user", "content": "What does the Hyperdimensional Probe do?"}]
    first = ai.chat.completions.create(model="paperqa", messages=messages)  # type: ignore[arg-type]
    first_refs = (first.model_extra or {})["paperqa"]["references"]
    probe = next(r for r in first_refs if "Hyperdimensional Probe" in r["title"])
    messages += [
        {"role": "assistant", "content": first.choices[0].message.content or ""},
        {"role": "user", "content": "What are its main results?"},
    ]
    second = ai.chat.completions.create(model="paperqa", messages=messages)  # type: ignore[arg-type]
    refs = (second.model_extra or {})["paperqa"]["references"]
    assert [r["number"] for r in refs if r["paper_id"] == probe["paper_id"]] == [probe["number"]]


def test_json_endpoints(client: httpx.Client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/stats").json()["papers"] == 29
    papers = client.get("/papers", params={"search": "steering"}).json()
    assert papers and all("title" in p for p in papers)
    one = client.get(f"/papers/{papers[0]['id']}").json()
    assert one["id"] == papers[0]["id"]
    ask = client.post("/ask", json={"question": "What does the FIND benchmark contain?"}).json()
    assert "FIND" in ask["text"] and ask["references"]
    tldr = client.post("/summarize", json={"paper": "CASAL", "tldr": True}).json()
    assert len(tldr["sentences"]) == 1
    table = client.post("/compare", json={"paper_a": "CASAL", "paper_b": "SAE-V"}).json()
    assert [row["aspect"] for row in table["comparison"]][:2] == ["Problem", "Approach"]
    # Swagger UI loads its script from a CDN: off unless `serve --docs`; the schema is served
    assert client.get("/docs").status_code == 404
    assert "/v1/chat/completions" in client.get("/openapi.json").text


def sse_events(client: httpx.Client, path: str, body: dict) -> list[tuple[str | None, Any]]:
    """(event, data) of a streamed answer, in order."""
    events = []
    with client.stream("POST", path, params={"stream": "true"}, json=body) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                events.append((event, json.loads(line[6:])))
    return events


def test_streaming_answers_as_server_sent_events(client: httpx.Client):
    events = sse_events(client, "/ask", {"question": "What is CASAL?"})
    assert events[-1][0] == "answer" and events[-1][1]["references"]
    assert all(kind == "token" for kind, _ in events[:-1])


def test_table_as_json_and_cell_by_cell(client: httpx.Client):
    body = {"papers": ["CASAL", "SAE-V", "LegalVis"], "columns": ["main result", "model size"]}
    table = client.post("/table", json=body).json()
    assert [row["aspect"] for row in table["comparison"]] == ["main result", "model size"]
    assert "96%" in table["comparison"][0]["cells"][2]["text"] and len(table["references"]) == 3
    events = sse_events(client, "/table", body)
    cells = [data for kind, data in events if kind == "cell"]
    assert len(cells) == 6 and events[-1][0] == "answer"
    assert {(c["row"], c["column"]) for c in cells} == {(i, j) for i in range(3) for j in range(2)}
    assert events[-1][1]["comparison"] == table["comparison"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "message"),
    [
        (
            "post",
            "/ask",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            "bad request",
        ),
        ("post", "/ask", {"json": {"question": "   "}}, 400, "empty"),
        ("post", "/ask", {"json": {"question": "x" * 3000}}, 400, "limit is 2,000"),
        ("get", "/papers/no-such-paper-anywhere", {}, 404, "No paper"),
        ("delete", "/papers/no-such-paper-anywhere", {}, 404, "No paper"),
        ("post", "/compare", {"json": {"paper_a": "CASAL", "paper_b": "casal"}}, 400, "same paper"),
        ("post", "/table", {"json": {"papers": ["CASAL", "casal"]}}, 400, "named twice"),
        ("post", "/table", {"json": {"topic": "steering", "limit": 99}}, 422, "limit"),
        # a misspelt filter is refused, not ignored (the answer would be unfiltered)
        ("post", "/ask", {"json": {"question": "What is CASAL?", "date_from": "2025"}}, 422, "date_from"),
        ("post", "/ask", {"json": {"question": "What is CASAL?", "since": "2025-13"}}, 422, "2024-05"),
        (
            "post",
            "/v1/chat/completions",
            {"json": {"model": "paperqa", "messages": []}},
            400,
            "no user message",
        ),
    ],
)
def test_bad_input_is_a_4xx_with_a_message_and_changes_nothing(client, method, path, kwargs, status, message):
    before = client.get("/stats").json()["papers"]
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code == status and message in r.json()["error"]
    assert "Traceback" not in r.text and client.get("/stats").json()["papers"] == before


def test_dates_as_a_year_or_a_month(client: httpx.Client):
    dated = client.post("/ask", json={"question": "Which papers deal with hallucinations?", "until": "2025"})
    assert dated.status_code == 200 and all(r["date"] <= "2025-12-31" for r in dated.json()["references"])
    none = client.post(
        "/ask", json={"question": "Which papers deal with hallucinations?", "since": "2030-01"}
    )
    assert none.status_code == 200 and not none.json()["references"]


def test_upload_and_remove(client: httpx.Client, tmp_path):
    files = [("files", ("zotero.bib", (DATA / "exports" / "zotero.bib").read_bytes()))]
    report = client.post("/papers", files=files).json()
    assert len(report["added"]) == 2 and report["skipped"][0]["key"] == "luhring_handbook_2007"
    too_many = [("files", (f"f{i}.jsonl", b'{"title": "t", "abstract": "a"}\n')) for i in range(21)]
    r = client.post("/papers", files=too_many)
    assert r.status_code == 400 and "at most 20" in r.json()["error"]
    removed = client.delete(f"/papers/{report['added'][0]}").json()
    assert removed["id"] == report["added"][0]
    client.delete(f"/papers/{report['added'][1]}")
    assert client.get("/stats").json()["papers"] == 29


def test_eight_concurrent_clients_get_their_own_answers(url: str):
    questions = {  # a title's words -> a question about that paper
        "CASAL": "How much does CASAL reduce hallucination?",
        "SAE-V": "What does SAE-V do?",
        "LegalVis": "Which court's binding precedents does LegalVis analyze?",
        "Encoding Time-Series": "What does TimeX train to mimic a pretrained model?",
        "GCAV": "What does GCAV use to align concept representations?",
        "A Function Interpretation": "What does the FIND benchmark contain?",
        "Hyperdimensional": "What does the Hyperdimensional Probe use?",
        "The Local Interaction": "How does the Local Interaction Basis align its basis?",
    }

    def ask(item: tuple[str, str]) -> tuple[str, list[str]]:
        name, question = item
        ai = OpenAI(base_url=f"{url}/v1", api_key="anything", timeout=600)
        reply = ai.chat.completions.create(model="paperqa", messages=[{"role": "user", "content": question}])
        return name, [r["title"] for r in (reply.model_extra or {})["paperqa"]["references"]]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, questions.items()))
    for name, titles in results:
        assert any(name in t for t in titles), (name, titles)


def test_mounted_app_and_root_redirect(client: httpx.Client):
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200 and "gradio" in page.text.lower()


def test_password_for_the_api(home, embedder):  # type: ignore[no-untyped-def]
    app = create_app(Library(Settings(home=home), embedder=embedder), password="s3cret", mount_ui=False)
    with uvicorn_thread(app) as base, httpx.Client(base_url=base, timeout=60) as c:
        assert c.get("/stats").status_code == 401 and "password" in c.get("/stats").json()["error"]
        assert c.get("/stats", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/stats", auth=("paperqa", "s3cret")).status_code == 200
        assert c.get("/stats", auth=("paperqa", "wrong")).status_code == 401
        ai = OpenAI(base_url=f"{base}/v1", api_key="s3cret")
        assert [m.id for m in ai.models.list().data] == ["paperqa"]


def test_a_papers_own_pdf_opens_at_its_page(tmp_path, embedder):  # type: ignore[no-untyped-def]
    """`GET /pdf/{id}` serves the PDF the library read a paper from, inline, so the app's "p. 5"
    opens it at the page; a paper without one, or whose recorded file is no PDF, is a 404;
    behind a password like every route."""
    from paperqa.interfaces.files import pdf_of
    from paperqa.interfaces.render import evidence_html

    source = DATA / "pdf" / "1602.04341-two-column.pdf"
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    (paper_id,) = library.ingest([source]).added
    paper = library.get(paper_id)
    app = create_app(library, mount_ui=False, api=False)  # the app's own server has the route too
    with uvicorn_thread(app) as base, httpx.Client(base_url=base, timeout=60) as c:
        got = c.get(f"/pdf/{paper_id}")
        assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("inline") and got.content == source.read_bytes()
        missing = c.get("/pdf/no-such-paper")
        assert missing.status_code == 404 and "no-such-paper" in missing.json()["error"]

    sentence = next(s for s in paper.sections[3].paragraphs[0].split(". ") if len(s.split()) > 8)
    page = paper.place_of(sentence).page  # type: ignore[union-attr]
    assert f'href="/pdf/{paper_id}#page={page}"' in evidence_html(sentence, paper)

    fake = tmp_path / "notes.pdf"
    fake.write_text("not a PDF")
    assert pdf_of(paper.model_copy(update={"files": [str(fake), str(source)]})) == source
    assert pdf_of(paper.model_copy(update={"files": [str(fake), str(tmp_path / "gone.pdf")]})) is None

    guarded = create_app(library, password="s3cret", mount_ui=False, api=False)
    with uvicorn_thread(guarded) as base, httpx.Client(base_url=base, timeout=60) as c:
        assert c.get(f"/pdf/{paper_id}").status_code == 401
        assert c.get(f"/pdf/{paper_id}", auth=("paperqa", "s3cret")).status_code == 200


@pytest.mark.slow
def test_a_pdf_link_clicked_in_the_app_needs_no_second_password(tmp_path, embedder):  # type: ignore[no-untyped-def]
    """Behind a password, someone logged in to the app opens a cited page's PDF with the app's
    session cookie (the browser asked for the password once, in the app's login form); without
    it, or with a made-up one, the PDF still wants the password, and the API ignores the cookie."""
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    (paper_id,) = library.ingest([DATA / "pdf" / "1602.04341-two-column.pdf"]).added
    app = create_app(library, password="s3cret")
    with uvicorn_thread(app) as base, httpx.Client(base_url=base, timeout=120) as c:
        assert c.get(f"/pdf/{paper_id}").status_code == 401
        assert c.post("/app/login", data={"username": "paperqa", "password": "s3cret"}).status_code == 200
        assert c.get(f"/pdf/{paper_id}").status_code == 200
        assert c.get("/stats").status_code == 401  # the API still wants the password
        forged = {name: "made-up" for name in c.cookies}
        assert httpx.get(f"{base}/pdf/{paper_id}", cookies=forged).status_code == 401


def test_an_uploaded_pdf_is_kept_by_the_library(tmp_path, embedder):  # type: ignore[no-untyped-def]
    """`POST /papers` reads uploads from a temporary folder: the PDFs among them are kept in
    the library's own folder, so the paper's PDF (its page links, `GET /pdf/{id}`) outlives the
    upload; the report still names the files as uploaded; a PDF that cannot be read is not
    kept."""
    home = tmp_path / "lib"
    source = DATA / "pdf" / "1602.04341-two-column.pdf"
    app = create_app(Library(Settings(home=home), embedder=embedder), mount_ui=False)
    with uvicorn_thread(app) as base, httpx.Client(base_url=base, timeout=300) as c:
        files = [
            ("files", ("habcnn.pdf", source.read_bytes())),
            ("files", ("broken.pdf", b"%PDF-1.4 not really")),
        ]
        report = c.post("/papers", files=files).json()
        (paper_id,) = report["added"]
        assert [s["location"] for s in report["skipped"]] == ["broken.pdf"]
        paper = c.get(f"/papers/{paper_id}").json()
        (kept,) = paper["files"]
        assert kept.startswith(str(home / "files")) and kept.endswith("/habcnn.pdf")
        got = c.get(f"/pdf/{paper_id}")
        assert got.status_code == 200 and got.content == source.read_bytes()
        assert [p.name for p in (home / "files").glob("*/*")] == ["habcnn.pdf"]  # no broken.pdf
        assert c.delete(f"/papers/{paper_id}").status_code == 200
    assert not list((home / "files").iterdir())  # the kept copy went with its paper


def test_a_pdf_uploaded_in_the_app_is_kept_too(tmp_path, embedder):  # type: ignore[no-untyped-def]
    """The app's Library tab gets Gradio's temporary copies of the files: a PDF among them is
    kept in the library's folder like an API upload, and the report names the upload."""
    from paperqa.interfaces.actions import Actions

    upload = tmp_path / "gradio" / "habcnn.pdf"
    upload.parent.mkdir()
    shutil.copyfile(DATA / "pdf" / "1602.04341-two-column.pdf", upload)
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    ok, report = Actions(library).ingest([str(upload)], progress=lambda *a, **k: None)
    assert ok and "1 added" in report and str(tmp_path / "lib") not in report
    upload.unlink()  # Gradio's cache is cleared
    (paper,) = library.papers()
    assert paper.files[0].startswith(str(tmp_path / "lib" / "files")) and Path(paper.files[0]).is_file()
    Actions(library).remove(paper.id)
    assert not Path(paper.files[0]).exists() and not library.papers()
