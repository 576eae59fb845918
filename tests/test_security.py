"""What a page of another site, a rebound host name or a password guesser can do to a running
server: `paperqa serve` on 127.0.0.1 (real uvicorn), probed with httpx and, for what a browser
does on its own (a `no-cors` fetch, a form POST), with headless Chromium on a page served
from another port."""

from __future__ import annotations

import base64
import http.server
import shutil
import threading
from pathlib import Path

import httpx
import pytest

from paperqa.interfaces.access import Throttle, authorized
from paperqa.interfaces.server import create_app
from paperqa.library import Library
from paperqa.settings import Settings

from .servers import free_port, uvicorn_thread

ENTRY = b"@article{k1,\n  title = {A Paper About Cats},\n  abstract = {We study cats at length.},\n}\n"


@pytest.mark.parametrize(
    "header",
    [
        "Basic abc",  # not base64 (was a 500)
        "Basic " + base64.b64encode(b"\xff\xfe:secret").decode(),  # not UTF-8
        "Basic " + base64.b64encode(b"nobody:secret").decode(),
        "Basic " + base64.b64encode(b"paperqa").decode(),  # no colon
        "Bearer ",
        "Digest x",
        "",
    ],
)
def test_every_malformed_or_wrong_header_is_not_authorized(header: str) -> None:
    assert not authorized(header, "secret")
    assert authorized("Basic " + base64.b64encode(b"paperqa:secret").decode(), "secret")
    assert authorized("Bearer secret", "secret")


def test_wrong_passwords_slow_a_client_down() -> None:
    throttle = Throttle(free=3, longest=10)
    for n in range(3):
        assert throttle.wait("1.2.3.4", n) == 0
        throttle.failed("1.2.3.4", n)
    waits = []
    for _ in range(6):
        throttle.failed("1.2.3.4", 100.0)
        waits.append(throttle.wait("1.2.3.4", 100.0))
    assert waits == sorted(waits) and waits[-1] == 10  # doubling, capped
    assert throttle.wait("5.6.7.8", 100.0) == 0  # per client
    throttle.succeeded("1.2.3.4")
    assert throttle.wait("1.2.3.4", 100.0) == 0


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("sec") / "lib"
    library = Library(Settings(home=home), embedder=embedder)
    with uvicorn_thread(create_app(library)) as base:
        yield base, library


@pytest.mark.slow
def test_a_rebound_host_name_is_refused(served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    assert httpx.get(f"{base}/healthz", headers={"Host": "evil.example"}).status_code == 421
    assert httpx.get(f"{base}/healthz").status_code == 200
    port = base.rsplit(":", 1)[1]
    assert httpx.get(f"{base}/healthz", headers={"Host": f"localhost:{port}"}).status_code == 200


@pytest.mark.slow
def test_pages_of_other_origins_cannot_change_the_library(served) -> None:  # type: ignore[no-untyped-def]
    base, library = served
    files = [("files", ("cats.bib", ENTRY))]
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:1"},  # another port is another origin
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Referer": "http://evil.example/page.html"},
    ):
        r = httpx.post(f"{base}/papers", files=files, headers=headers)
        assert r.status_code == 403, (headers, r.text)
        assert httpx.delete(f"{base}/papers/anything", headers=headers).status_code == 403
    assert library.stats().papers == 0
    same = httpx.post(f"{base}/papers", files=files, headers={"Origin": base})
    assert same.status_code == 200 and same.json()["added"]
    paper_id = same.json()["added"][0]
    # reading is not changing: an answer may be asked from anywhere
    assert httpx.get(f"{base}/papers", headers={"Origin": "http://evil.example"}).status_code == 200
    assert httpx.delete(f"{base}/papers/{paper_id}").status_code == 200  # no Origin: not a browser page


@pytest.mark.slow
def test_every_response_forbids_framing_and_remote_files(served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    for path in ("/healthz", "/app/", "/papers"):
        r = httpx.get(f"{base}{path}", follow_redirects=True)
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "default-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.slow
def test_stats_and_reports_show_no_server_paths(served) -> None:  # type: ignore[no-untyped-def]
    base, library = served
    stats = httpx.get(f"{base}/stats").json()
    assert stats["home"] is None and str(library.settings.home) not in str(stats)


@pytest.mark.slow
def test_a_password_guesser_is_slowed_down(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    with uvicorn_thread(create_app(library, password="right", mount_ui=False)) as base:
        codes = [
            httpx.get(f"{base}/stats", headers={"Authorization": "Basic abc"}).status_code for _ in range(8)
        ]
        assert codes[:5] == [401] * 5 and 429 in codes[5:]
        r = httpx.get(f"{base}/stats", headers={"Authorization": "Bearer right"})
        assert r.status_code in (200, 429)  # the right password waits its turn too


# --- in a browser: what a page of another origin can make Chromium send -----------------

EVIL_PAGE = """<!doctype html><html><body>
<form id="f" method="POST" action="{target}/papers" enctype="multipart/form-data" target="sink">
<input type="file" name="files"></form>
<iframe name="sink"></iframe>
<script>
const data = new FormData();
data.append("files", new Blob([{entry!r}], {{type: "text/plain"}}), "cats.bib");
fetch("{target}/papers", {{method: "POST", mode: "no-cors", body: data}})
  .then(() => fetch("{target}/papers/{victim}", {{method: "DELETE", mode: "no-cors"}}))
  .finally(() => {{ document.title = "sent"; document.getElementById("f").submit(); }});
</script></body></html>"""


@pytest.mark.slow
@pytest.mark.browser
def test_a_page_on_another_port_cannot_add_or_remove_papers(tmp_path: Path, embedder, _seed_home) -> None:  # type: ignore[no-untyped-def]
    from .test_app_browser import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it where it can)")
    from playwright.sync_api import sync_playwright

    home = tmp_path / "lib"
    shutil.copytree(_seed_home, home)
    library = Library(Settings(home=home), embedder=embedder)
    victim = library.papers()[0].id
    with uvicorn_thread(create_app(library)) as base:
        site = tmp_path / "evil"
        site.mkdir()
        entry = ENTRY.decode()
        (site / "index.html").write_text(EVIL_PAGE.format(target=base, entry=entry, victim=victim))
        port = free_port()
        handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(site))  # noqa: E731
        evil = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/index.html")
                page.wait_for_function("document.title === 'sent'", timeout=60_000)
                page.wait_for_timeout(2000)  # the form POST lands in the frame
                browser.close()
        finally:
            evil.shutdown()
        assert library.stats().papers == 29 and library.get(victim).id == victim
        assert not [p for p in library.papers() if p.title == "A Paper About Cats"]
        # the app's own origin still can
        ok = httpx.post(f"{base}/papers", files=[("files", ("cats.bib", ENTRY))], headers={"Origin": base})
        assert ok.status_code == 200 and library.stats().papers == 30


@pytest.mark.slow
def test_oversized_and_absurdly_nested_requests_are_json_errors(served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    big = httpx.post(
        f"{base}/ask", content=b"x" * (5 * 1024**2), headers={"content-type": "application/json"}
    )
    assert big.status_code == 413 and "error" in big.json()
    nested = "[" * 100_000 + "]" * 100_000
    r = httpx.post(f"{base}/ask", content=nested, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500 and set(r.json()) == {"error"}


@pytest.mark.slow
def test_the_app_login_is_throttled_too(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    with uvicorn_thread(create_app(library, password="right", api=False)) as base:
        codes = [
            httpx.post(f"{base}/app/login", data={"username": "paperqa", "password": "wrong"}).status_code
            for _ in range(8)
        ]
        assert all(c >= 400 for c in codes) and 429 in codes[5:], codes
