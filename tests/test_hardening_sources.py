"""Sources under attack (issue 14): a crashing source, links out of a folder, noise bytes,
a dripping portal and secrets echoed back, each on 127.0.0.1 or in a temp folder."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from bulletin import workspace as workspaces
from bulletin.messages import t
from bulletin.services import Station
from bulletin.services.fetching import fetch_sources
from bulletin.sources import FetchContext, fetcher_for
from bulletin.sources.http import HttpClient
from bulletin.store import Store
from bulletin.text.redact import MASK, env_secrets, redact
from tests.conftest import run_bulletin
from tests.httpserver import HttpServer, http_server, slow, static, status

__all__ = ["http_server"]

NOTICE = (
    "Thông báo lịch tiêm chủng\n\n"
    "Trạm y tế xã tổ chức tiêm chủng cho trẻ dưới năm tuổi vào sáng thứ Hai tuần sau. "
    "Đề nghị các hộ gia đình đưa trẻ đến đúng giờ.\n"
)
ARTICLE = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin</title></head>'
    "<body><article><h1>Lịch cắt điện tuần này</h1>"
    + "<p>Điện lực huyện thông báo tạm ngừng cấp điện để bảo dưỡng đường dây.</p>" * 8
    + "</article></body></html>"
).encode()


def _workspace(root: Path, sources: str, config: str = "") -> workspaces.Workspace:
    root.mkdir(parents=True, exist_ok=True)
    (root / "bulletin.yaml").write_text(
        "station: {name: Đài xã, commune: xã Minh Hòa}\n" + config, encoding="utf-8"
    )
    (root / "sources.yaml").write_text(sources, encoding="utf-8")
    return workspaces.load(root)


def _lead_feed(base: str, count: int) -> bytes:
    items = "".join(
        f"<item><title>Tin số {n}</title><link>{base}/tin/{n}.html</link><guid>tin-{n}</guid>"
        "<description>Điện lực huyện thông báo…</description></item>"
        for n in range(1, count + 1)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def _bodies(store: Store) -> list[str]:
    return [row[0] for row in store.db.execute("SELECT body FROM announcements")]


# 1. One failure boundary per source ------------------------------------------------------


def test_a_source_that_crashes_does_not_stop_the_next_one(
    tmp_path: Path, http_server: HttpServer
) -> None:
    # The demo environment of the issue: the article extractor's HTML cleaner is missing, so
    # following a feed's lead raises ImportError deep inside trafilatura.
    shadow = tmp_path / "shadow"
    (shadow / "lxml_html_clean").mkdir(parents=True)
    (shadow / "lxml_html_clean" / "__init__.py").write_text(
        "raise ImportError(\"No module named 'lxml_html_clean'\")\n", encoding="utf-8"
    )
    http_server.route("/rss", static(_lead_feed(http_server.url, 1)))
    http_server.route("/tin/1.html", static(ARTICLE, content_type="text/html; charset=utf-8"))
    ws = _workspace(
        tmp_path / "ws",
        "sources:\n"
        f"  cong-huyen:\n    kind: rss\n    url: {http_server.url}/rss\n"
        "  xa:\n    kind: folder\n    path: notices\n",
    )
    (ws.root / "notices").mkdir()
    (ws.root / "notices" / "lich-tiem.txt").write_text(NOTICE, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(shadow), os.environ.get("PYTHONPATH")) if p)

    result = run_bulletin("-w", str(ws.root), "fetch", "--json", env={"PYTHONPATH": path})

    assert result.code == 1 and "Traceback" not in result.err
    reports = {r["source"]: r for r in result.json()}
    crashed = reports["cong-huyen"]
    assert crashed["status"] == "error" and "ImportError" in crashed["error"]
    assert "\n" not in crashed["error"]
    assert (reports["xa"]["status"], reports["xa"]["new"]) == ("ok", 1)
    stored = run_bulletin("-w", str(ws.root), "items", "--json").json()
    assert [item["source"] for item in stored] == ["xa"]
    listed = run_bulletin("-w", str(ws.root), "sources", "list", "--json").json()
    assert next(s for s in listed if s["name"] == "cong-huyen")["last_error"] == crashed["error"]


def test_an_article_page_with_no_element_is_a_warning_not_a_crash(
    tmp_path: Path, http_server: HttpServer
) -> None:
    # lxml refuses a document of only blanks and comments; the page is simply empty.
    http_server.route("/rss", static(_lead_feed(http_server.url, 1)))
    http_server.route("/tin/1.html", static(b" \n<!-- het -->\n", content_type="text/html"))
    ws = _workspace(
        tmp_path / "ws", f"sources:\n  cong-huyen:\n    kind: rss\n    url: {http_server.url}/rss\n"
    )
    (report,) = fetch_sources(Station(ws))
    assert (report.status, report.new) == ("ok", 1)
    assert any("/tin/1.html" in w for w in report.warnings)


# 3. Folder sources stay inside their folder ----------------------------------------------


def test_folder_source_skips_links_leading_outside_it(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 5, encoding="utf-8")
    ws = _workspace(tmp_path / "ws", "sources:\n  xa:\n    kind: folder\n    path: notices\n")
    notices = ws.root / "notices"
    (notices / "luu-tru").mkdir(parents=True)
    (notices / "lich-tiem.txt").write_text(NOTICE, encoding="utf-8")
    (notices / "x.txt").symlink_to(secret)
    (notices / "luu-tru" / "cat-dien.txt").write_text(
        "Lịch cắt điện\n\nĐiện lực huyện tạm ngừng cấp điện sáng thứ Ba.", encoding="utf-8"
    )
    # A link that stays inside the folder is how staff file a notice twice: still read.
    (notices / "cat-dien.txt").symlink_to(notices / "luu-tru" / "cat-dien.txt")

    (report,) = fetch_sources(Station(ws))

    assert (report.status, report.new) == ("ok", 2)
    assert any("x.txt" in w and str(secret.resolve()) in w for w in report.warnings)
    assert not any("root:" in body for body in _bodies(Store(ws.db_path)))


# 4. Noise is not a notice ----------------------------------------------------------------


def test_random_bytes_in_a_folder_are_skipped_not_stored(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", "sources:\n  xa:\n    kind: folder\n    path: notices\n")
    notices = ws.root / "notices"
    notices.mkdir()
    (notices / "lich-tiem.txt").write_text(NOTICE, encoding="utf-8")
    (notices / "nhieu.txt").write_bytes(random.Random(14).randbytes(100_000))

    (report,) = fetch_sources(Station(ws))

    assert (report.status, report.new) == ("ok", 1)
    assert any("nhieu.txt" in w and "%" in w for w in report.warnings)
    (body,) = _bodies(Store(ws.db_path))
    assert "tiêm chủng" in body


# 5. A dripping portal --------------------------------------------------------------------


def test_a_dripping_portal_costs_its_timeout_per_page_and_a_bounded_total(
    tmp_path: Path, http_server: HttpServer
) -> None:
    count = 8
    http_server.route("/rss", static(_lead_feed(http_server.url, count)))
    for n in range(1, count + 1):
        # One byte every 0.1 s of a page that would take 17 minutes to arrive.
        http_server.route(f"/tin/{n}.html", slow(b"<p>" + b"x" * 10_000, chunk_delay_s=0.1))
    timeout_s = 0.5
    ws = _workspace(
        tmp_path / "ws",
        f"sources:\n  cham:\n    kind: rss\n    url: {http_server.url}/rss\n"
        f"    timeout_s: {timeout_s}\n",
    )
    spec = ws.sources()["cham"]
    with HttpClient(min_interval_s=0, backoff_s=0.01) as http:
        context = FetchContext(workspace=ws, name="cham", spec=spec, http=http)
        started = time.monotonic()
        result = fetcher_for("rss")(context)
        elapsed = time.monotonic() - started

    factor = ws.config.limits.source_budget_factor
    budget = timeout_s * factor
    assert elapsed < budget + 1.5, f"{elapsed:.1f} s"
    # Every item is kept, with the feed's own text where its page did not come.
    assert len(result.announcements) == count
    assert all(item.body.endswith("…") for item in result.announcements)
    page_timeouts = [w for w in context.warnings if "/tin/" in w]
    assert 2 <= len(page_timeouts) < count
    assert all(f"{timeout_s}" in w for w in page_timeouts)
    assert context.warnings[-1] == t(
        "source.budget_spent",
        name="cham",
        seconds=f"{budget:g}",
        factor=factor,
        count=count - len(page_timeouts),
    )
    # Pages never started were never asked for.
    asked = {p for p in http_server.paths() if p.startswith("/tin/")}
    assert len(asked) == len(page_timeouts)


# 7. Secrets stay out of what is kept and shown --------------------------------------------


def test_redaction_masks_credentials_of_every_shape() -> None:
    echoed = (
        'HTTP 401: {"Host": "127.0.0.1", "Authorization": "Bearer sk-live-9f8e7d6c5b4a", '
        '"X-Api-Key": "k-123456789"} https://bien-tap:mat-khau-9@portal.example.vn/rss '
        "?api_key=abcdef123456&page=2 Authorization: Basic dXNlcjpwYXNzd29yZA=="
    )
    shown = redact(echoed, {"unrelated-secret"})
    for secret in ("sk-live-9f8e7d6c5b4a", "k-123456789", "mat-khau-9", "abcdef123456"):
        assert secret not in shown
    assert "dXNlcjpwYXNzd29yZA" not in shown
    assert "https://bien-tap:***@portal.example.vn/rss" in shown
    assert "page=2" in shown and "127.0.0.1" in shown


def test_configured_env_secrets_are_found_anywhere_in_the_settings(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path / "ws",
        "sources: {}\n",
        "summary:\n  engine: llm\n  llm: {url: 'http://127.0.0.1:9/v1', api_key_env: TEST_K}\n",
    )
    assert env_secrets(ws.config, {"TEST_K": "sk-from-env-42"}) == {"sk-from-env-42"}
    assert env_secrets(ws.config, {}) == frozenset()


def test_fetch_errors_keep_no_password_or_configured_secret(
    tmp_path: Path, http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "tok-3c1d2e9a77"
    monkeypatch.setenv("BULLETIN_TEST_LLM_KEY", token)
    http_server.route("/rieng/rss", status(401))
    host = http_server.url.removeprefix("http://")
    ws = _workspace(
        tmp_path / "ws",
        "sources:\n"
        f"  rieng:\n    kind: rss\n    url: http://bien-tap:mat-khau-9@{host}/rieng/rss\n"
        f"  khoa:\n    kind: rss\n    url: {http_server.url}/feeds/{token}/rss\n",
        "summary:\n  llm: {api_key_env: BULLETIN_TEST_LLM_KEY}\n",
    )

    reports = {r.source: r for r in fetch_sources(Station(ws))}

    store = Store(ws.db_path)
    for name in ("rieng", "khoa"):
        state = store.source_state(name)
        assert reports[name].status == "error" and state is not None
        for kept in (reports[name].error or "", state.last_error or ""):
            assert "mat-khau-9" not in kept and token not in kept
            assert MASK in kept
