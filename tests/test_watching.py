"""Watching the station: alerts to a real command and a real webhook, and `bulletin status`."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bulletin.services.alerts import alert
from bulletin.services.delivery import push
from bulletin.services.review import approve
from bulletin.services.scheduling import daemon_lock_path
from bulletin.services.station import Station
from bulletin.services.users import add_user
from tests.conftest import built, run_bulletin

SECRET = "s3cret-Passw0rd-xyz"


class Webhook:
    """A real HTTP server on 127.0.0.1 that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 204
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?token={SECRET}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    with Webhook() as hook:
        yield hook


def dead_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def configure(ws: Path, **alerts: object) -> Station:
    """The sample workspace with an `alerts:` section and a controller whose password is in
    the environment (so a message that quotes it shows it masked)."""
    lines = ["", "alerts:"] + [f"  {k}: {json.dumps(v)}" for k, v in alerts.items()]
    with (ws / "bulletin.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    with (ws / "controllers.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "  loa-ftp:\n    transport: folder\n    address: xuat/ftp\n"
            "    enabled: false\n    credentials_env: WATCHING_TEST_CREDENTIALS\n"
        )
    return Station.open(ws)


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHING_TEST_CREDENTIALS", f"loa:{SECRET}")


def test_alert_reaches_command_and_webhook_once(
    sample_ws: Path, tmp_path: Path, webhook: Webhook
) -> None:
    # A folder with a space, and a message with shell syntax: no shell may run it.
    folder = tmp_path / "cảnh báo"
    folder.mkdir()
    record = folder / "got.txt"
    recorder = script(
        folder,
        "record.sh",
        'printf "%s|%s|%s\\n" "$BULLETIN_ALERT_KIND" "$BULLETIN_ALERT_PROGRAMME" "$1" >> "$2"\n'
        'cat >> "$2"\nprintf "\\n" >> "$2"\n',
    )
    station = configure(
        sample_ws,
        command=f"'{recorder}' first-arg '{record}'",
        webhook=webhook.url,
        timeout_s=5,
    )
    before = len(webhook.bodies)
    message = f"Chương trình 'ban-tin-sang' lỡ giờ phát 06:00 $(touch pwned) mật khẩu {SECRET}"
    assert alert(
        station, "missed_air", "missed:ban-tin-sang:06:00", message, programme="ban-tin-sang"
    )

    got = record.read_text(encoding="utf-8")
    assert got.startswith("missed_air|ban-tin-sang|first-arg\n")
    assert "lỡ giờ phát 06:00 $(touch pwned)" in got
    assert SECRET not in got and "***" in got
    assert not (sample_ws / "pwned").exists()
    body = webhook.bodies[before]
    assert set(body) == {"kind", "message", "programme", "controller", "bulletin", "at"}
    assert body["kind"] == "missed_air" and body["programme"] == "ban-tin-sang"
    assert body["controller"] is None and body["bulletin"] is None
    assert "lỡ giờ phát" in body["message"] and SECRET not in body["message"]
    assert datetime.fromisoformat(body["at"]).tzinfo is not None

    # The same problem alerts once.
    assert not alert(station, "missed_air", "missed:ban-tin-sang:06:00", message)
    assert record.read_text(encoding="utf-8") == got
    assert len(webhook.bodies) == before + 1
    with station.store() as store:
        row = store.alert("missed:ban-tin-sang:06:00")
        rows = store.alerts()
    assert row is not None and row.sent == ("command", "webhook") and row.error is None
    assert SECRET not in row.message
    assert len(rows) == 1

    # A different key is a new alert.
    assert alert(station, "controller_failed", "failed:loa-thu-muc:1", "Loa hỏng", controller="x")
    assert len(webhook.bodies) == before + 2


def test_broken_channels_are_recorded_not_raised(sample_ws: Path, tmp_path: Path) -> None:
    failing = script(tmp_path, "fail.sh", f'echo "không gửi được {SECRET}" >&2\nexit 3\n')
    dead = f"http://127.0.0.1:{dead_port()}/hook?token={SECRET}"
    station = configure(sample_ws, command=str(failing), webhook=dead, timeout_s=2)
    assert alert(station, "build_failed", "build:1", "Soạn bản tin 'ban-tin-sang' thất bại")
    with station.store() as store:
        row = store.alert("build:1")
    assert row is not None and row.sent == ()
    assert row.error is not None
    assert "command: exit 3 (không gửi được ***)" in row.error
    assert "webhook: ConnectError" in row.error
    assert SECRET not in row.error and "127.0.0.1" not in row.error


def test_missing_and_slow_commands_are_recorded(sample_ws: Path, tmp_path: Path) -> None:
    station = configure(sample_ws, command=str(tmp_path / "khong-co.sh"), timeout_s=0.5)
    assert alert(station, "awaiting_approval", "wait:1", "Bản tin 1 chờ duyệt")
    with station.store() as store:
        row = store.alert("wait:1")
    assert row is not None and row.sent == () and row.error
    assert row.error.startswith("command: ") and "khong-co.sh" in row.error

    slow = script(tmp_path, "slow.sh", "sleep 5\n")
    (sample_ws / "bulletin.yaml").write_text(
        (sample_ws / "bulletin.yaml")
        .read_text(encoding="utf-8")
        .replace(str(tmp_path / "khong-co.sh"), str(slow)),
        encoding="utf-8",
    )
    station = Station.open(sample_ws)
    started = datetime.now(UTC)
    assert alert(station, "skipped_unapproved", "skip:1", "Bỏ qua: chưa duyệt")
    assert datetime.now(UTC) - started < timedelta(seconds=3)
    with station.store() as store:
        row = store.alert("skip:1")
    assert row is not None and row.error == "command: timed out after 0.5 s"


def test_alert_without_channels_is_still_recorded(sample_ws: Path) -> None:
    station = Station.open(sample_ws)
    assert alert(station, "missed_air", "k", "Lỡ giờ phát")
    assert not alert(station, "missed_air", "k", "Lỡ giờ phát")
    with station.store() as store:
        row = store.alert("k")
    assert row is not None and row.sent == () and row.error is None


def test_status_json_and_table(sample_ws: Path, tone_mp3: bytes) -> None:
    station = Station.open(sample_ws)
    ws = str(sample_ws)

    first = run_bulletin("-w", ws, "status", "--json")
    assert first.code == 0, first.err
    document = first.json()
    assert list(document) == [
        "daemon",
        "next",
        "last_deliveries",
        "failures",
        "controllers_silent",
        "alerts",
    ]
    assert document["daemon"]["running"] is False and document["daemon"]["pid"] is None
    assert len(document["next"]) == 5
    for firing in document["next"]:
        assert set(firing) == {"programme", "what", "at"}
        assert firing["programme"] == "ban-tin-sang" and firing["what"] in ("build", "air")
        assert datetime.fromisoformat(firing["at"]) > datetime.now(UTC)
    times = [datetime.fromisoformat(f["at"]) for f in document["next"]]
    assert times == sorted(times)
    assert {f["what"] for f in document["next"]} == {"build", "air"}
    assert document["last_deliveries"] == [] and document["failures"] == []
    assert document["controllers_silent"] == [
        {"controller": "loa-thu-muc", "last_seen": None, "minutes": None}
    ]

    # A bulletin approved and pushed to the folder controller.
    number = built(station, tone_mp3)
    add_user(station, "duyet", ["approver"])
    approve(station, number, user="duyet")
    result = push(station, number, None, "test")
    assert not result.failed
    # A missed air time, a stopped daemon and an alert.
    with station.store() as store:
        store.start_run("ban-tin-sang", "air", "2026-01-01T06:00:00+07:00")
        store.finish_run(
            "ban-tin-sang", "air", "2026-01-01T06:00:00+07:00", "missed", detail="quá giờ"
        )
        store.daemon_started(4242, "may-chu")
        store.daemon_stopped()
    assert alert(station, "missed_air", "missed:x", "Lỡ giờ phát", programme="ban-tin-sang")

    document = run_bulletin("-w", ws, "status", "--json").json()
    daemon = document["daemon"]
    assert daemon["running"] is False and daemon["pid"] == 4242 and daemon["host"] == "may-chu"
    assert daemon["stopped_at"] is not None
    [delivery] = document["last_deliveries"]
    assert delivery["bulletin"] == number and delivery["controller"] == "loa-thu-muc"
    assert delivery["state"] == "delivered" and delivery["bytes"] == len(tone_mp3)
    [failure] = document["failures"]
    assert failure["kind"] == "run" and failure["state"] == "missed"
    assert failure["programme"] == "ban-tin-sang" and failure["what"] == "air"
    assert document["controllers_silent"] == []
    [raised] = document["alerts"]
    assert raised["kind"] == "missed_air" and raised["message"] == "Lỡ giờ phát"

    # A daemon that holds the lock with an old heartbeat is stale.
    with station.store() as store:
        store.daemon_started(os.getpid(), "may-chu")
        old = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
        with store.tx() as db:
            db.execute("UPDATE daemon SET heartbeat_at = ?", (old,))
    lock = daemon_lock_path(station)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        held = run_bulletin("-w", ws, "status", "--json").json()["daemon"]
        shown = run_bulletin("-w", ws, "status")
    assert held["running"] is True and held["stale"] is True
    assert held["heartbeat_age_s"] >= 299
    assert shown.code == 0, shown.err
    for text in ("nhịp tim đã cũ", "Lần gửi gần đây", "loa-thu-muc", "Lỗi gần đây", "Cảnh báo"):
        assert text in shown.out
