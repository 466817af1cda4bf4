"""The delivery engine and the media endpoint: fan-out, receipts, exactly once, tokens.

Rules are tested in-process through the services, against a real `bulletin serve` app on
127.0.0.1 (uvicorn in a thread) and real folders; the network transports have their own files.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import importlib
import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from bulletin import workspace
from bulletin.clock import parse_air_time
from bulletin.delivery.base import Credentials, resolve_credentials
from bulletin.errors import DeliveryError, InputError, PolicyError
from bulletin.services.delivery import _media_url, push, resolve_targets
from bulletin.services.review import approve
from bulletin.services.station import Station
from bulletin.services.users import add_user
from bulletin.store.deliveries import MediaToken
from tests.conftest import SAMPLES, built, run_bulletin
from tests.servers.media import free_port, serving


def write_controllers(root: Path, controllers: dict[str, dict[str, object]]) -> None:
    (root / "controllers.yaml").write_text(
        yaml.safe_dump({"controllers": controllers}, allow_unicode=True), encoding="utf-8"
    )


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def station(tmp_path: Path, port: int, monkeypatch: pytest.MonkeyPatch) -> Station:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLES, root)
    monkeypatch.setenv("BULLETIN_PUBLIC_URL", f"http://127.0.0.1:{port}")
    made = Station(workspace.load(root))
    add_user(made, "an", ["approver"])
    return made


@pytest.fixture
def served(station: Station, port: int) -> Iterator[str]:
    """`bulletin serve`'s app on 127.0.0.1, in a thread, for one test."""
    with serving(station, port) as url:
        yield url


def token_row(station: Station, token: str, requests: int) -> MediaToken:
    """The token's record once the endpoint has recorded `requests` responses (it records
    after the last byte is sent, so a client can be a moment ahead of it)."""
    for _ in range(100):
        with station.store() as store:
            found = store.media_token(token)
        assert found is not None
        if found.requests >= requests:
            return found
        time.sleep(0.02)
    raise AssertionError(f"{found.requests} responses recorded, expected {requests}")


def approved(station: Station, audio: bytes) -> int:
    number = built(station, audio)
    approve(station, number, user="an")
    return number


def token_url(station: Station, number: int, controller: str = "loa") -> tuple[str, str]:
    from bulletin.delivery.base import AudioFile

    with station.store() as store:
        bulletin = store.bulletin(number)
        audio = AudioFile(
            station.audio_file(bulletin.audio_path), bulletin.approved_sha256 or "", "ban-tin-1"
        )
        return _media_url(station, store, bulletin, controller, audio, None)


# The media endpoint ----------------------------------------------------------------------


def test_media_url_serves_the_approved_bytes_with_digest_ranges_and_a_fetch_record(
    station: Station, served: str, tone_mp3: bytes
) -> None:
    number = approved(station, tone_mp3)
    token, url = token_url(station, number)
    assert url.startswith(served + "/media/") and url.endswith("/ban-tin-1.mp3")

    head = httpx.head(url)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(tone_mp3))
    assert token_row(station, token, 0).completed_at is None

    part = httpx.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == tone_mp3[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(tone_mp3)}"
    assert token_row(station, token, 1).completed_at is None
    # The device resumes where it stopped: the last range completes the download.
    tail = httpx.get(url, headers={"Range": "bytes=-10"})
    assert tail.content == tone_mp3[-10:]
    # The last bytes alone are not a download: only what joins up from the start counts.
    assert token_row(station, token, 2).completed_at is None
    rest = httpx.get(url, headers={"Range": "bytes=100-"})
    assert rest.status_code == 206 and part.content + rest.content == tone_mp3
    assert token_row(station, token, 3).completed_at is not None
    beyond = httpx.get(url, headers={"Range": f"bytes={len(tone_mp3)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(tone_mp3)}"

    whole = httpx.get(url)
    assert whole.status_code == 200 and whole.content == tone_mp3
    assert whole.headers["content-type"] == "audio/mpeg"
    assert whole.headers["accept-ranges"] == "bytes"
    digest = base64.b64encode(hashlib.sha256(tone_mp3).digest()).decode()
    assert whole.headers["repr-digest"] == f"sha-256=:{digest}:"
    found = token_row(station, token, 4)
    assert found.completed_bytes == len(tone_mp3) and found.requests == 4


def _raw_get(base: str, path: str) -> int:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_media_endpoint_refuses_every_other_path_and_every_bad_token(
    station: Station, served: str, tone_mp3: bytes
) -> None:
    number = approved(station, tone_mp3)
    token, url = token_url(station, number)
    assert httpx.get(url).status_code == 200
    for path in (
        "/media/wrong-token/ban-tin-1.mp3",
        f"/media/{token}/other.mp3",
        f"/media/{token}/../../data/bulletin.sqlite3",
        f"/media/{token}/..%2F..%2Fdata%2Fbulletin.sqlite3",
        "/media/../data/bulletin.sqlite3",
        "/data/bulletin.sqlite3",
        "/data/audio/",
        "/bulletin.yaml",
        f"/media/{token}",
        "/media/",
    ):
        assert _raw_get(served, path) == 404, path
    # The root is the review desk's, which sends a person without a session to sign in.
    assert _raw_get(served, "/") == 303
    assert httpx.post(url).status_code == 405
    # Expired, or the bulletin no longer approved (edited back to built): gone.
    with station.store() as store:
        store.expire_tokens(number)
    time.sleep(1.1)  # expiry has one-second resolution
    assert httpx.get(url).status_code == 410
    _, fresh_url = token_url(station, number, "loa-2")
    assert httpx.get(fresh_url).status_code == 200
    with station.store() as store:
        store.change(number, "edit", actor="an")
    assert httpx.get(fresh_url).status_code == 410


def test_media_endpoint_refuses_audio_changed_on_disk(
    station: Station, served: str, tone_mp3: bytes
) -> None:
    number = approved(station, tone_mp3)
    _, url = token_url(station, number)
    with station.store() as store:
        path = station.audio_file(store.bulletin(number).audio_path)
    data = bytearray(path.read_bytes())
    data[500] ^= 0xFF
    path.write_bytes(bytes(data))
    assert httpx.get(url).status_code == 410


# The engine ------------------------------------------------------------------------------


def test_fan_out_delivers_every_folder_and_a_dead_one_fails_alone(
    station: Station, tone_mp3: bytes, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    controllers: dict[str, dict[str, object]] = {
        f"loa-{i}": {"transport": "folder", "address": str(tmp_path / f"loa-{i}"), "group": "xa"}
        for i in range(6)
    }
    controllers["hong"] = {"transport": "folder", "address": str(blocker / "sub"), "group": "xa"}
    controllers["tat"] = {
        "transport": "folder",
        "address": str(tmp_path / "tat"),
        "group": "xa",
        "enabled": False,
    }
    write_controllers(station.root, controllers)
    station = Station(workspace.load(station.root))
    number = approved(station, tone_mp3)
    seen: list[str] = []
    result = push(station, number, "xa", "an", progress=lambda p: seen.append(p.event))
    states = {o.controller: o.state for o in result.deliveries}
    assert states == {**{f"loa-{i}": "delivered" for i in range(6)}, "hong": "failed"}
    assert not (tmp_path / "tat").exists()
    for i in range(6):
        assert (tmp_path / f"loa-{i}" / "ban-tin-sang-1.mp3").read_bytes() == tone_mp3
    (failed,) = result.failed
    assert failed.retryable is False and failed.attempts == 1
    with station.store() as store:
        assert store.bulletin(number).state == "failed"
        rows = {d.controller: d for d in store.deliveries(number)}
    receipt = rows["loa-0"]
    assert receipt.sha256 == hashlib.sha256(tone_mp3).hexdigest()
    assert receipt.bytes == len(tone_mp3) and receipt.key and receipt.seconds is not None
    assert receipt.started_at and receipt.finished_at
    assert seen.count("delivered") == 6 and seen.count("failed") == 1

    # The dead one fixed: pushing again reaches only it; the others keep their one receipt.
    blocker.unlink()
    again = push(station, number, None, "an")
    assert {o.controller: o.state for o in again.deliveries} == {
        **{f"loa-{i}": "skipped" for i in range(6)},
        "hong": "delivered",
    }
    with station.store() as store:
        assert store.bulletin(number).state == "delivered"
        assert {d.controller: d.attempts for d in store.deliveries(number)}["hong"] == 2
        assert all(d.attempts == 1 for d in store.deliveries(number) if d.controller != "hong")


def test_targets_name_a_controller_a_group_or_a_commune_and_skip_disabled(
    station: Station, tmp_path: Path
) -> None:
    write_controllers(
        station.root,
        {
            "a": {"transport": "folder", "address": "a", "commune": "Xã Tân Lập"},
            "b": {"transport": "folder", "address": "b", "groups": ["cum-1", "cum-2"]},
            "c": {"transport": "folder", "address": "c", "group": "cum-2", "enabled": False},
        },
    )
    station = Station(workspace.load(station.root))
    assert list(resolve_targets(station, "Xã Tân Lập")) == ["a"]
    assert list(resolve_targets(station, "cum-2")) == ["b"]
    assert list(resolve_targets(station, None)) == ["a", "b"]
    with pytest.raises(InputError, match="'c'"):
        resolve_targets(station, "c")


def test_push_of_an_unapproved_bulletin_sends_nothing(
    station: Station, tone_mp3: bytes, tmp_path: Path
) -> None:
    write_controllers(station.root, {"a": {"transport": "folder", "address": str(tmp_path / "a")}})
    station = Station(workspace.load(station.root))
    number = built(station, tone_mp3)
    with pytest.raises(PolicyError):
        push(station, number, None, "an")
    assert not (tmp_path / "a").exists()
    with station.store() as store:
        assert store.deliveries(number) == []


def test_air_times_people_type(tmp_path: Path) -> None:
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 17:00 in Ha Noi
    zone = "Asia/Ho_Chi_Minh"
    assert parse_air_time("17:30", zone, now=now).isoformat() == "2026-12-01T17:30:00+07:00"
    assert parse_air_time("6h", zone, now=now).isoformat() == "2026-12-02T06:00:00+07:00"
    assert parse_air_time("16h30", zone, now=now).isoformat() == "2026-12-02T16:30:00+07:00"
    at = parse_air_time("2026-12-03T06:00", zone, now=now)
    assert at.utcoffset() == timedelta(hours=7)
    for bad in ("25:00", "soon", "2026-11-30T06:00"):
        with pytest.raises(InputError):
            parse_air_time(bad, zone, now=now)


def test_credentials_come_from_a_private_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin.workspace import ControllerConfig

    secret = tmp_path / "loa.secret"
    secret.write_text("xa:mat-khau-rat-dai\n")
    secret.chmod(0o644)
    config = ControllerConfig.model_validate(
        {"transport": "folder", "address": "x", "credentials_file": str(secret)}
    )
    with pytest.raises(DeliveryError) as loose:
        resolve_credentials(config, "loa")
    assert "0644" in str(loose.value) and "mat-khau" not in str(loose.value)
    assert loose.value.retryable is False
    secret.chmod(0o600)
    assert resolve_credentials(config, "loa") == Credentials("xa", "mat-khau-rat-dai")
    monkeypatch.setenv("LOA_TOKEN", "abc123token")
    config = ControllerConfig.model_validate(
        {"transport": "folder", "address": "x", "credentials_env": "LOA_TOKEN"}
    )
    assert resolve_credentials(config, "loa") == Credentials(token="abc123token")
    with pytest.raises(ValueError, match="password in the address"):
        ControllerConfig.model_validate(
            {"transport": "ftp", "address": "ftp://xa:secret@127.0.0.1/loa"}
        )


def test_controllers_check_status_and_add_from_the_cli(sample_ws: Path, tmp_path: Path) -> None:
    ws = str(sample_ws)
    added = run_bulletin(
        "-w", ws, "controllers", "add", "loa-thon-3", "--transport", "folder",
        "--address", str(tmp_path / "thon-3"), "--group", "cum-bac", "--commune", "Tân Lập",
        "--label", "Loa thôn 3", "--format", "wav:16000-1",
    )  # fmt: skip
    assert added.code == 0, added.err
    listed = run_bulletin("-w", ws, "controllers", "list", "--json").json()
    mine = next(c for c in listed if c["id"] == "loa-thon-3")
    assert mine["groups"] == ["cum-bac", "Tân Lập"] and mine["format_key"] == "wav-16000hz-1ch"
    assert mine["name"] == "Loa thôn 3" and mine["enabled"] is True
    checked = run_bulletin("-w", ws, "controllers", "check", "--json")
    assert checked.code == 0, checked.err
    assert all(c["ok"] for c in checked.json())
    status = run_bulletin("-w", ws, "controllers", "status", "loa-thon-3", "--json")
    assert status.code == 0, status.err
    (row,) = status.json()
    assert set(row) >= {"controller", "status", "seen_at", "detail"}
    # A folder that cannot be made fails the check, with exit 1, naming the folder.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run_bulletin(
        "-w", ws, "controllers", "add", "hong", "--transport", "folder",
        "--address", str(blocker / "sub"),
    )  # fmt: skip
    bad = run_bulletin("-w", ws, "controllers", "check", "hong", "--json")
    assert bad.code == 1 and str(blocker) in bad.json()[0]["detail"]


def test_sent_record_survives_for_confirmation(station: Station, tone_mp3: bytes) -> None:
    number = approved(station, tone_mp3)
    with station.store() as store:
        store.mark_sent(number, "loa", "download:ok")
        assert store.sent(number, "loa") == "download:ok"
        store.clear_sent(number, "loa")
        assert store.sent(number, "loa") is None
    assert os.environ["BULLETIN_PUBLIC_URL"].startswith("http://127.0.0.1:")


def test_every_example_controller_in_the_starter_file_is_valid_when_uncommented() -> None:
    """Staff enable an example by removing its `#`: each must then load and name a transport
    whose own settings (the section named after it) are accepted."""
    import re

    from bulletin.plugins import load
    from bulletin.workspace import ControllerConfig

    text = (
        Path(workspace.__file__).parent / "templates" / "starter" / "controllers.yaml"
    ).read_text(encoding="utf-8")
    lines = [
        (m.group(1) or "") + (m.group(2) or "")
        for m in re.finditer(r"^  # ([a-z0-9-]+:)$|^  #( {3}\S.*)$", text, re.MULTILINE)
    ]
    examples = yaml.safe_load("\n".join(lines))
    assert set(examples) >= {"cum-loa-thon", "phat-truc-tuyen", "loa-mqtt", "ftp-huyen"}
    transports = set()
    for entry in examples.values():
        config = ControllerConfig.model_validate(entry)
        transport = load("transports", config.transport)
        options = getattr(importlib.import_module(transport.__module__), "Options", None)
        if options is not None:
            config.options(options)
        transports.add(config.transport)
    assert transports == {"vendor-json", "icecast", "mqtt", "ftps", "sftp", "http-upload"}
