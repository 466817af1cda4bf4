"""The review desk in a real browser: Debian's headless Chromium, driven by Playwright, against
a real `bulletin serve` on 127.0.0.1. Phone-width screenshots are kept in test-artifacts/desk/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bulletin.services.review import approve
from bulletin.services.station import Station
from bulletin.services.users import add_user
from tests.conftest import ROOT, built
from tests.servers import free_port, terminate

PASSWORD = "mat-khau-du-dai"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("BULLETIN_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "desk"
PHONE = {"width": 360, "height": 740}

sync_api = pytest.importorskip("playwright.sync_api")

if not Path(CHROMIUM).exists():  # .ci/run installs it; say so rather than skip quietly
    pytest.fail(f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def desk(
    built_ws: Path, tmp_path_factory: pytest.TempPathFactory, tone_mp3: bytes
) -> Iterator[dict]:
    """`bulletin serve` on a copy of the built sample, with an editor, two approvers, the
    sample bulletin already approved and an emergency bulletin waiting."""
    root = tmp_path_factory.mktemp("desk-browser") / "ws"
    shutil.copytree(built_ws, root)
    station = Station.open(root)
    add_user(station, "lan", ["editor"], display_name="Chị Lan", password=PASSWORD)
    add_user(station, "hung", ["approver"], display_name="Anh Hùng", password=PASSWORD)
    add_user(station, "mai", ["approver"], display_name="Chị Mai", password=PASSWORD)
    approve(station, 1, user="hung")
    emergency = built(station, tone_mp3, priority="emergency")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bulletin.cli", "-w", str(root), "serve", "--port", str(port)],
        env={**os.environ, "BULLETIN_LANG": "vi"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        assert time.monotonic() < deadline, "bulletin serve did not start"
        time.sleep(0.2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield {"url": url, "station": station, "emergency": emergency}
    finally:
        terminate(server)


@pytest.fixture(scope="module")
def browser(desk: dict) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def signed_in_page(browser: object, url: str, name: str) -> object:
    """A new phone-sized browser session signed in as `name`, through the sign-in form."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{url}/bulletins")
    assert "/sign-in" in page.url  # no session: sent to the sign-in page
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("form[action='/sign-in'] button[type=submit]")
    page.wait_for_url(f"{url}/bulletins")
    return page


def shot(page: object, name: str, *, full: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)  # type: ignore[attr-defined]


def test_an_editor_plays_a_sentence_fixes_its_reading_and_approval_resets(
    desk: dict, browser: object
) -> None:
    url, station = desk["url"], desk["station"]
    page = signed_in_page(browser, url, "lan")
    shot(page, "1-list-editor")
    assert page.locator("text=Đã duyệt").first.is_visible()
    page.click("a[href='/bulletins/1']")
    page.wait_for_url(f"{url}/bulletins/1")
    shot(page, "2-bulletin-top")
    # The page fits a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with station.store(readonly=True) as store:
        sentences = store.sentences(1)
        audio_before = store.bulletin(1).audio_sha256
    assert len(sentences) >= 20
    target = next(s for s in sentences if s.part == "item" and s.text != s.spoken)
    row = page.locator(f"#s{target.index}")
    row.scroll_into_view_if_needed()
    with page.expect_response(f"{url}/bulletins/1/sentences/{target.index}/audio") as heard:
        row.locator("button.play").click()
    assert heard.value.status in (200, 206)  # browsers ask for ranges of media
    assert heard.value.headers["content-type"] == "audio/wav"
    page.wait_for_function(
        "() => { const p = document.getElementById('sentence-player');"
        " return p.currentTime > 0 || p.ended; }",
        timeout=15000,
    )

    row.locator("summary").click()
    fixed = target.spoken.replace(target.spoken.split()[0], "Xin thông báo", 1)
    row.locator("textarea[name=spoken]").fill(fixed)
    shot(page, "3-editing-a-sentence")
    cache = station.workspace.cache_dir / "sentences"
    cached_before = set(cache.rglob("*.wav"))
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{url}/bulletins/1?*")
    # Back at the sentence just fixed, which says what happened to it and to the approval.
    assert page.url.endswith(f"#s{target.index}")
    notice = page.locator(f"#s{target.index} p.notice").inner_text()
    assert "đọc lại 1 câu" in notice and "duyệt lại" in notice
    assert page.locator(".facts .badge.state").inner_text() == "Chờ duyệt"
    shot(page, "4-after-edit-needs-approval")
    # The editor cannot approve, and the page says why.
    approve_button = page.locator("form.approve button[type=submit]")
    assert approve_button.is_disabled()
    assert "Chỉ người có vai trò người duyệt" in page.locator("#why-disabled").inner_text()

    with station.store(readonly=True) as store:
        after = store.sentences(1)
        bulletin = store.bulletin(1)
    assert bulletin.state == "built" and bulletin.audio_sha256 != audio_before
    assert after[target.index].spoken == fixed
    assert [s.index for s in after if s.spoken != sentences[s.index].spoken] == [target.index]
    assert len(set(cache.rglob("*.wav")) - cached_before) == 1  # exactly that one sentence
    page.context.close()


def test_two_approvers_approve_an_emergency_bulletin(desk: dict, browser: object) -> None:
    url, station, number = desk["url"], desk["station"], desk["emergency"]
    first = signed_in_page(browser, url, "hung")
    first.goto(f"{url}/bulletins/{number}")
    assert "hai người duyệt khác nhau" in first.content()
    first.click("form.approve button[type=submit]")
    first.wait_for_url(f"{url}/bulletins/{number}?*")
    assert "Cần thêm 1 người duyệt khác" in first.locator("p.notice").first.inner_text()
    assert first.locator("form.approve button[type=submit]").is_disabled()
    shot(first, "5-emergency-first-approval", full=True)
    with station.store(readonly=True) as store:
        assert store.bulletin(number).state == "built"

    second = signed_in_page(browser, url, "mai")
    second.goto(f"{url}/bulletins/{number}")
    assert "Đã duyệt: Anh Hùng" in second.locator("p.approvers").inner_text()
    second.click("form.approve button[type=submit]")
    second.wait_for_url(f"{url}/bulletins/{number}?*")
    assert f"Đã duyệt bản tin {number}" in second.locator("p.notice").first.inner_text()
    shot(second, "6-emergency-approved", full=True)
    with station.store(readonly=True) as store:
        assert store.bulletin(number).state in {"approved", "delivering", "delivered"}
        approvals = [e.actor for e in store.audit_log(number) if e.action.startswith("approve")]
    assert approvals == ["hung", "mai"]
    first.context.close()
    second.context.close()


def test_the_controllers_page_and_sign_out_on_a_phone(desk: dict, browser: object) -> None:
    url = desk["url"]
    page = signed_in_page(browser, url, "mai")
    page.click("a[href='/controllers']")
    page.wait_for_url(f"{url}/controllers")
    assert "loa-thu-muc" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "7-controllers", full=True)
    page.click("text=Đăng xuất")
    page.wait_for_url(f"{url}/sign-in?m=out")
    page.goto(f"{url}/bulletins")
    assert "/sign-in" in page.url
    page.context.close()
