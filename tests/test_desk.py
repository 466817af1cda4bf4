"""The review desk's rules, in-process through its ASGI app (Starlette's test client): sign-in,
sessions, CSRF, roles, the two-person rule, what pages escape, where audio may come from."""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bulletin.domain import ItemRecord
from bulletin.services.station import Station
from bulletin.services.users import add_user
from bulletin.store.bulletins import StoredAudio
from bulletin.web.app import create_app
from bulletin.web.desk import SESSION_COOKIE
from tests.conftest import built

PASSWORD = "mat-khau-du-dai"


@pytest.fixture(scope="module")
def desk_ws(built_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built sample workspace with an editor and two approvers who can sign in."""
    target = tmp_path_factory.mktemp("desk") / "ws"
    shutil.copytree(built_ws, target)
    station = Station.open(target)
    add_user(station, "lan", ["editor"], display_name="Chị Lan", password=PASSWORD)
    add_user(station, "hung", ["approver"], display_name="Anh Hùng", password=PASSWORD)
    add_user(station, "mai", ["approver"], password=PASSWORD)
    return target


@pytest.fixture
def ws(desk_ws: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(desk_ws, target)
    return target


@pytest.fixture
def station(ws: Path) -> Station:
    return Station.open(ws)


@pytest.fixture
def client(station: Station) -> Iterator[TestClient]:
    with TestClient(create_app(station), follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Signs in through the form; returns the session's CSRF token (from a page)."""
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"csrf": csrf_of(form.text), "name": name, "password": password, "next": "/"},
    )
    assert answer.status_code == 303, answer.text[:500]
    page = client.get("/bulletins")
    assert page.status_code == 200
    return csrf_of(page.text)


def test_without_a_session_every_page_and_audio_sends_to_sign_in(client: TestClient) -> None:
    for path in (
        "/bulletins",
        "/bulletins/1",
        "/bulletins/1/audio",
        "/bulletins/1/sentences/0/audio",
        "/controllers",
    ):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/sign-in?next="), path
    posted = client.post("/bulletins/1/approve", data={"csrf": "x"})
    assert posted.status_code == 303
    assert posted.headers["location"].startswith("/sign-in")


def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it(
    client: TestClient, station: Station
) -> None:
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"csrf": csrf_of(form.text), "name": "Lan", "password": PASSWORD, "next": "/"},
    )
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = client.cookies[SESSION_COOKIE]
    with station.store(readonly=True) as store:  # kept hashed, never as the cookie
        rows = store.db.execute("SELECT token_sha256 FROM web_sessions").fetchall()
    assert rows and all(token not in row[0] for row in rows)
    page = client.get("/bulletins")
    assert "Chị Lan" in page.text
    out = client.post("/sign-out", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303
    client.cookies.set(SESSION_COOKIE, token)  # a copied cookie is dead after sign-out
    assert client.get("/bulletins").status_code == 303


def test_wrong_password_unknown_user_and_missing_csrf_are_refused(client: TestClient) -> None:
    form = client.get("/sign-in")
    token = csrf_of(form.text)
    wrong = client.post("/sign-in", data={"csrf": token, "name": "lan", "password": "sai-roi-1"})
    nobody = client.post("/sign-in", data={"csrf": token, "name": "ai-do", "password": "x" * 9})
    assert wrong.status_code == nobody.status_code == 401
    assert SESSION_COOKIE not in client.cookies
    no_csrf = client.post("/sign-in", data={"name": "lan", "password": PASSWORD})
    assert no_csrf.status_code == 403


def test_sign_in_is_rate_limited_per_user(client: TestClient, station: Station) -> None:
    limit = station.workspace.config.review.sign_in_failures_per_user
    token = csrf_of(client.get("/sign-in").text)
    for _ in range(limit):
        client.post("/sign-in", data={"csrf": token, "name": "hung", "password": "doan-mo-1"})
    # Even the right password is refused while limited: guessing gains nothing.
    limited = client.post("/sign-in", data={"csrf": token, "name": "hung", "password": PASSWORD})
    assert limited.status_code == 429
    assert "thử lại sau" in limited.text
    # Another person from the same address is not locked out by it.
    assert sign_in(client, "mai")


def test_sign_in_is_rate_limited_per_address(client: TestClient, station: Station) -> None:
    limit = station.workspace.config.review.sign_in_failures_per_address
    token = csrf_of(client.get("/sign-in").text)
    for n in range(limit):
        client.post("/sign-in", data={"csrf": token, "name": f"ai-{n}", "password": "x" * 9})
    limited = client.post("/sign-in", data={"csrf": token, "name": "lan", "password": PASSWORD})
    assert limited.status_code == 429


def test_an_idle_session_expires(client: TestClient, station: Station) -> None:
    sign_in(client, "lan")
    idle = station.workspace.config.review.session_idle_minutes * 60
    with station.store() as store, store.tx() as db:
        db.execute("UPDATE web_sessions SET seen_at = ?", (time.time() - idle - 5,))
    answer = client.get("/bulletins")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")


def test_a_disabled_user_is_signed_out_at_once(client: TestClient, station: Station) -> None:
    from bulletin.services.users import disable_user

    sign_in(client, "lan")
    disable_user(station, "lan")
    assert client.get("/bulletins").status_code == 303


def test_a_session_cookie_from_another_workspace_does_not_work(
    client: TestClient, desk_ws: Path, tmp_path: Path
) -> None:
    sign_in(client, "lan")
    stolen = client.cookies[SESSION_COOKIE]
    other_root = tmp_path / "other"
    shutil.copytree(desk_ws, other_root)  # the same users and passwords, another station
    with TestClient(create_app(Station.open(other_root)), follow_redirects=False) as other:
        other.cookies.set(SESSION_COOKIE, stolen)
        answer = other.get("/bulletins")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")


def test_forms_without_the_session_csrf_token_are_refused(
    client: TestClient, station: Station
) -> None:
    sign_in(client, "hung")
    for data in ({}, {"csrf": "khong-dung"}, {"csrf": ""}):
        answer = client.post("/bulletins/1/approve", data=data)
        assert answer.status_code == 403, data
    # Another session's token does not count either.
    with TestClient(create_app(station), follow_redirects=False) as other:
        others = sign_in(other, "mai")
    assert client.post("/bulletins/1/approve", data={"csrf": others}).status_code == 403
    with station.store(readonly=True) as store:
        assert store.bulletin(1).state == "built"


def test_an_editor_cannot_approve_and_sees_why(client: TestClient, station: Station) -> None:
    csrf = sign_in(client, "lan")
    page = client.get("/bulletins/1")
    assert "Chỉ người có vai trò người duyệt" in page.text
    assert re.search(
        r'<button type="submit" class="primary" disabled[^>]*>Duyệt cho phát', page.text
    )
    answer = client.post("/bulletins/1/approve", data={"csrf": csrf})
    assert answer.status_code == 403
    rejected = client.post("/bulletins/1/reject", data={"csrf": csrf, "reason": "không"})
    assert rejected.status_code == 403
    with station.store(readonly=True) as store:
        assert store.bulletin(1).state == "built"


def test_approving_needs_the_approver_role_even_for_an_admin(
    client: TestClient, station: Station
) -> None:
    add_user(station, "khach", ["admin"], password=PASSWORD)
    csrf = sign_in(client, "khach")
    assert client.post("/bulletins/1/approve", data={"csrf": csrf}).status_code == 403


def test_traversal_in_audio_paths_is_not_found(client: TestClient, station: Station) -> None:
    sign_in(client, "lan")
    for path in (
        "/bulletins/1/audio/../../bulletin.yaml",
        "/bulletins/1/audio/..%2f..%2fbulletin.yaml",
        "/bulletins/1/sentences/..%2f..%2f..%2fbulletin.yaml/audio",
        "/bulletins/%2e%2e/audio",
        "/static/..%2f..%2f..%2fbulletin.yaml",
        "/static/%2e%2e/%2e%2e/store/__init__.py",
        "/bulletins/999/audio",
        "/bulletins/1/sentences/999/audio",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
    # A stored path that leads outside the audio folder (a tampered store) is not served.
    with station.store() as store, store.tx() as db:
        db.execute("UPDATE bulletins SET audio_path = 'bulletin.yaml' WHERE id = 1")
    assert client.get("/bulletins/1/audio").status_code == 404


def test_signed_in_people_hear_the_bulletin_and_each_sentence(
    client: TestClient, station: Station
) -> None:
    sign_in(client, "lan")
    full = client.get("/bulletins/1/audio")
    assert full.status_code == 200 and full.headers["content-type"] == "audio/mpeg"
    assert full.content[:3] == b"ID3" or full.content[0] == 0xFF
    part = client.get("/bulletins/1/audio", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    sentence = client.get("/bulletins/1/sentences/0/audio")
    assert sentence.status_code == 200 and sentence.content[:4] == b"RIFF"
    # Served from the audio folder, like every other audio file.
    clips = list((station.workspace.audio_dir / "sentences").glob("*.wav"))
    assert [c.read_bytes() for c in clips] == [sentence.content]


def test_a_pruned_sentence_is_spoken_again_on_request(client: TestClient, station: Station) -> None:
    sign_in(client, "lan")
    with station.store(readonly=True) as store:
        key = store.sentences(1)[2].audio_key
    assert key
    cached = station.workspace.cache_dir / "sentences" / key[:2] / key[2:4] / f"{key}.wav"
    cached.unlink()
    answer = client.get("/bulletins/1/sentences/2/audio")
    assert answer.status_code == 200 and answer.content[:4] == b"RIFF"
    assert cached.is_file()


def test_the_bulletin_page_shows_script_items_pictures_and_audit(client: TestClient) -> None:
    sign_in(client, "lan")
    page = client.get("/bulletins/1")
    assert page.status_code == 200
    html = page.text
    assert 'id="s0"' in html and "/bulletins/1/sentences/0/audio" in html
    assert "Tin 1:" in html and "Nguồn:" in html
    assert html.count("<svg") >= 2 and "LUFS" in html
    assert "Nhật ký" in html and "dựng" in html  # the build, in the audit trail
    assert "content-security-policy" in {k.lower() for k in page.headers}


def test_the_list_shows_bulletins_by_state_newest_first(
    client: TestClient, station: Station, tone_mp3: bytes
) -> None:
    second = built(station, tone_mp3, priority="emergency")
    sign_in(client, "lan")
    page = client.get("/bulletins").text
    assert page.index(f"#{second}") < page.index("#1<")
    assert "Khẩn cấp" in page and "hôm nay" in page
    waiting = client.get("/bulletins?state=built").text
    assert f"#{second}" in waiting
    assert f"#{second}" not in client.get("/bulletins?state=approved").text


def test_pages_escape_what_a_source_wrote(
    client: TestClient, station: Station, tone_mp3: bytes
) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    audio = station.workspace.audio_dir / "hostile.mp3"
    audio.write_bytes(tone_mp3)
    with station.store() as store:
        with store.tx() as db:  # a feed whose title and link carry markup
            db.execute(
                "UPDATE announcements SET title = ?, link = 'javascript:alert(1)' WHERE id = 1",
                (hostile,),
            )
        number = store.create_draft(
            programme="ban-tin-sang",
            priority="normal",
            voice="giong-mien-bac",
            items=[ItemRecord(announcement_id=1, title=hostile, summary=hostile)],
            sentences=[("item", 0, hostile, hostile)],
            actor="test",
        )
        store.finish_build(
            number,
            StoredAudio(
                station.relative(audio),
                len(tone_mp3),
                hashlib.sha256(tone_mp3).hexdigest(),
                2.0,
                -16.0,
                -1.5,
            ),
            ["0" * 64],
            actor="test",
        )
    sign_in(client, "lan")
    for path in (f"/bulletins/{number}", "/bulletins"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
    page = client.get(f"/bulletins/{number}").text
    assert "&lt;script&gt;alert" in page
    assert "javascript:" not in page  # a link that is not http(s) is not made a link


def test_approving_through_the_desk_approves_the_bulletin(
    client: TestClient, station: Station
) -> None:
    csrf = sign_in(client, "hung")
    answer = client.post("/bulletins/1/approve", data={"csrf": csrf, "note": "Nghe ổn"})
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert "Đã duyệt bản tin 1" in page
    with station.store(readonly=True) as store:
        bulletin = store.bulletin(1)
        assert bulletin.state == "approved"
        assert bulletin.approved_sha256 == bulletin.audio_sha256
        assert store.audit_log(1)[-1].actor == "hung"


def test_an_emergency_needs_two_different_approvers(
    client: TestClient, station: Station, tone_mp3: bytes
) -> None:
    number = built(station, tone_mp3, priority="emergency")
    csrf = sign_in(client, "hung")
    first = client.post(f"/bulletins/{number}/approve", data={"csrf": csrf})
    assert first.status_code == 303
    page = client.get(first.headers["location"]).text
    assert "Cần thêm 1 người duyệt khác" in page and "Đã duyệt: Anh Hùng" in page
    assert "Bạn đã duyệt bản này" in page  # the button is disabled, and says why
    again = client.post(f"/bulletins/{number}/approve", data={"csrf": csrf})
    assert again.status_code == 409  # the same person twice does not count
    with station.store(readonly=True) as store:
        assert store.bulletin(number).state == "built"
    with TestClient(create_app(station), follow_redirects=False) as second:
        other = sign_in(second, "mai")
        done = second.post(f"/bulletins/{number}/approve", data={"csrf": other})
        assert done.status_code == 303
    with station.store(readonly=True) as store:
        assert store.bulletin(number).state in {"approved", "delivering", "delivered"}


def test_rejecting_needs_a_reason(client: TestClient, station: Station) -> None:
    csrf = sign_in(client, "hung")
    empty = client.post("/bulletins/1/reject", data={"csrf": csrf, "reason": "  "})
    assert empty.status_code == 409
    done = client.post("/bulletins/1/reject", data={"csrf": csrf, "reason": "Sai số liệu"})
    assert done.status_code == 303
    with station.store(readonly=True) as store:
        assert store.bulletin(1).state == "rejected"


def test_editing_a_sentence_speaks_only_it_again_and_needs_approval_again(
    client: TestClient, station: Station
) -> None:
    from bulletin.services.review import approve

    approve(station, 1, user="hung")
    with station.store(readonly=True) as store:
        before = store.sentences(1)
        old_sha = store.bulletin(1).audio_sha256
    assert len(before) >= 20
    cache = station.workspace.cache_dir / "sentences"
    cached_before = set(cache.rglob("*.wav"))
    csrf = sign_in(client, "lan")
    target = before[6]
    answer = client.post(
        f"/bulletins/1/sentences/{target.index}",
        data={"csrf": csrf, "text": target.text, "spoken": target.spoken + " Xin cảm ơn."},
    )
    assert answer.status_code == 303, answer.text[:300]
    page = client.get(answer.headers["location"]).text
    assert "đọc lại 1 câu" in page and "cần được duyệt lại" in page
    with station.store(readonly=True) as store:
        after = store.sentences(1)
        bulletin = store.bulletin(1)
    assert bulletin.state == "built" and bulletin.audio_sha256 != old_sha
    assert [s.index for s in after if s.spoken != before[s.index].spoken] == [target.index]
    assert after[target.index].text == target.text  # the written form stays
    assert len(set(cache.rglob("*.wav")) - cached_before) == 1


def test_removing_and_moving_items(client: TestClient, station: Station) -> None:
    with station.store(readonly=True) as store:
        items = store.bulletin_items(1)
    titles = [item.title for item in items]
    assert len(titles) >= 3
    csrf = sign_in(client, "lan")
    first = str(items[0].position)
    down = client.post("/bulletins/1/items", data={"csrf": csrf, "item": first, "action": "down"})
    assert down.status_code == 303
    with station.store(readonly=True) as store:
        moved = [item.title for item in store.bulletin_items(1)]
    assert moved[:2] == [titles[1], titles[0]]
    with station.store(readonly=True) as store:
        third = str(store.bulletin_items(1)[2].position)
    gone = client.post("/bulletins/1/items", data={"csrf": csrf, "item": third, "action": "remove"})
    assert gone.status_code == 303
    with station.store(readonly=True) as store:
        left = [item.title for item in store.bulletin_items(1)]
        assert store.bulletin(1).state == "built"
    assert left == [titles[1], titles[0], *titles[3:]]


def test_the_controllers_page_shows_last_delivery_and_status(
    client: TestClient, station: Station
) -> None:
    from bulletin.services.delivery import push
    from bulletin.services.review import approve

    approve(station, 1, user="hung")
    push(station, 1, None, "hung")
    sign_in(client, "lan")
    page = client.get("/controllers").text
    assert "loa-thu-muc" in page and "#1" in page and "delivered" in page


def test_english_per_user(client: TestClient, station: Station) -> None:
    csrf = sign_in(client, "lan")
    answer = client.post("/language", data={"csrf": csrf, "lang": "en", "next": "/bulletins"})
    assert answer.status_code == 303
    page = client.get("/bulletins").text
    assert 'lang="en"' in page and "Bulletins" in page and "Waiting for approval" in page
    with TestClient(create_app(station), follow_redirects=False) as other:
        sign_in(other, "hung")
        assert 'lang="vi"' in other.get("/bulletins").text  # others keep Vietnamese
    bad = client.post("/language", data={"csrf": csrf_of(page), "lang": "fr"})
    assert bad.status_code == 400


def test_next_after_sign_in_stays_on_this_site(client: TestClient) -> None:
    form = client.get("/sign-in?next=//evil.example/x")
    assert 'value="/bulletins"' in form.text
    answer = client.post(
        "/sign-in",
        data={
            "csrf": csrf_of(form.text),
            "name": "lan",
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert answer.headers["location"] == "/bulletins"


def test_a_misread_word_is_fixed_once_for_the_whole_bulletin_and_remembered(
    client: TestClient, station: Station
) -> None:
    with station.store(readonly=True) as store:
        before = store.sentences(1)
    holding = [s.index for s in before if re.search(r"(?<!\w)KH(?!\w)", s.text)]
    assert holding and all("ca hát" in before[i].spoken for i in holding)
    csrf = sign_in(client, "lan")
    answer = client.post(
        "/bulletins/1/reading",
        data={"csrf": csrf, "written": "KH", "spoken": "kế hoạch", "remember": "1"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("#reading-done")
    page = client.get(answer.headers["location"]).text
    assert f"Đã sửa cách đọc trong {len(holding)} câu, đọc lại {len(holding)} câu" in page
    with station.store(readonly=True) as store:
        after = store.sentences(1)
    changed = [s.index for s in after if s.spoken != before[s.index].spoken]
    assert changed == holding
    assert all("kế hoạch" in after[i].spoken and "ca hát" not in after[i].spoken for i in holding)
    # Remembered in the station's lexicon (its comments kept), so later bulletins read it so.
    lexicon = (station.root / "lexicon.yaml").read_text("utf-8")
    assert lexicon.startswith("#") and lexicon.rstrip().endswith("KH: kế hoạch")
    assert station.workspace.lexicon()["KH"] == "kế hoạch"


def test_fixing_a_word_the_bulletin_does_not_hold_says_so(
    client: TestClient, station: Station
) -> None:
    csrf = sign_in(client, "lan")
    answer = client.post(
        "/bulletins/1/reading", data={"csrf": csrf, "written": "Hà Lội", "spoken": "Hà Nội"}
    )
    assert answer.status_code == 409
    assert "Không câu nào của bản tin 1 có" in answer.text
    assert "Hà Lội" not in (station.root / "lexicon.yaml").read_text("utf-8")


def test_the_sign_in_page_speaks_vietnamese_first(client: TestClient) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="vi"' in page.text and "Đăng nhập" in page.text
    english = client.get("/sign-in?lang=en")
    assert 'lang="en"' in english.text and "Sign in" in english.text


def test_a_broken_workspace_file_is_named_on_the_page_not_a_crash(
    client: TestClient, station: Station
) -> None:
    sign_in(client, "lan")
    with station.store(readonly=True) as store:
        bulletin = store.bulletin(1)
        key = store.sentences(1)[3].audio_key
    assert key
    (station.workspace.cache_dir / "sentences" / key[:2] / key[2:4] / f"{key}.wav").unlink()
    voice = station.root / "voices" / f"{bulletin.voice}.yaml"
    voice.write_text("engine: [espeak\n", "utf-8")
    answer = client.get("/bulletins/1/sentences/3/audio")
    assert answer.status_code == 500
    assert "YAML không hợp lệ" in answer.text and voice.name in answer.text


def test_an_oversized_form_is_refused_before_it_is_read(client: TestClient) -> None:
    big = {"csrf": "x", "name": "lan", "password": "p" * (300 * 1024)}
    assert client.post("/sign-in", data=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 10_000

    answer = client.post(
        "/sign-in",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413


def test_the_bulletin_page_lists_what_the_script_check_finds(
    client: TestClient, station: Station
) -> None:
    from bulletin.services.checking import check

    sign_in(client, "lan")
    findings = check(station, 1).findings
    assert findings  # the sample's long sentences at least
    page = client.get("/bulletins/1").text
    assert f"Điểm cần xem lại ({len(findings)})" in page
    for finding in findings:
        if finding.sentence is not None:
            assert f'<a href="#s{finding.sentence}">câu {finding.sentence}</a>' in page
