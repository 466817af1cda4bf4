"""One approved bulletin to every transport at once, through the engine, against real servers
on 127.0.0.1; every copy checked by SHA-256 on the receiving side. Then the faults a fan-out
meets (a dead controller, a server that recovers, wrong credentials) and a push killed with
SIGKILL midway, run again."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bulletin import workspace
from bulletin.services.delivery import push
from bulletin.services.review import approve
from bulletin.services.station import Station
from bulletin.services.users import add_user
from tests.conftest import SAMPLES, built
from tests.servers.ftp import FtpServer, ScratchCA
from tests.servers.http_upload import HttpUploadServer
from tests.servers.icecast import IcecastServer
from tests.servers.media import free_port, serving
from tests.servers.mosquitto import MosquittoServer
from tests.servers.mqtt_device import MqttDevice
from tests.servers.sftp import SftpServer
from tests.servers.vendor_device import VendorDeviceServer

PASSWORD = "mat-khau-loa-5Tr"
TOKEN = "token-loa-http-8Qw"


def make_station(root: Path, controllers: dict[str, dict[str, Any]], port: int) -> Station:
    shutil.copytree(SAMPLES, root)
    (root / "controllers.yaml").write_text(
        yaml.safe_dump({"controllers": controllers}, allow_unicode=True), encoding="utf-8"
    )
    config = yaml.safe_load((root / "bulletin.yaml").read_text(encoding="utf-8"))
    config["public_url"] = f"http://127.0.0.1:{port}"
    config["delivery"] = {"retry_base_s": 0.05, "retry_cap_s": 0.2, "timeout_s": 10}
    (root / "bulletin.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    station = Station(workspace.load(root))
    add_user(station, "an", ["approver"])
    return station


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def servers(work: Path) -> Iterator[dict[str, Any]]:
    ca = ScratchCA(work / "ca")
    # Icecast and mosquitto run as their own accounts: their folders are outside pytest's
    # 0700 temporary tree.
    with (
        tempfile.TemporaryDirectory(prefix="bulletin-icecast-") as icecast_dir,
        tempfile.TemporaryDirectory(prefix="bulletin-mqtt-") as mqtt_dir,
    ):
        started: dict[str, Any] = {
            "ca": ca,
            "ftp": FtpServer(work / "ftp", password=PASSWORD).start(),
            "ftps": FtpServer(work / "ftps", password=PASSWORD, certfile=ca.server_pem()).start(),
            "sftp": SftpServer(work / "sftp", password=PASSWORD).start(),
            "http": HttpUploadServer(token=TOKEN).start(),
            "vendor": VendorDeviceServer().start(),
            "icecast": IcecastServer(
                Path(icecast_dir), ["/loa.mp3"], source_password=PASSWORD
            ).start(),
            "mqtt": MosquittoServer(
                Path(mqtt_dir), {"loa": PASSWORD, "device": "thiet-bi-2Pz"}
            ).start(),
        }
        started["device"] = MqttDevice(
            started["mqtt"].port, "xa/loa-1", "device", "thiet-bi-2Pz"
        ).start()
        yield started
        for server in reversed(started.values()):
            if hasattr(server, "stop"):
                server.stop()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_PASSWORD", f"loa:{PASSWORD}")
    monkeypatch.setenv("LOA_SOURCE", f"source:{PASSWORD}")
    monkeypatch.setenv("LOA_TOKEN", TOKEN)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_one_bulletin_reaches_every_transport_and_a_dead_one_fails_alone(
    servers: dict[str, Any], env: None, tmp_path: Path, tone_mp3: bytes
) -> None:
    port = free_port()
    dead = free_port()  # nothing listens there
    vendor: VendorDeviceServer = servers["vendor"]
    vendor.add_device("XA-01")
    creds = {"credentials_env": "LOA_PASSWORD"}
    controllers: dict[str, dict[str, Any]] = {
        "thu-muc": {"transport": "folder", "address": str(tmp_path / "usb")},
        "may-chu-loa": {"transport": "vendor-json", "address": vendor.address("XA-01")},
        "ftp": {"transport": "ftp", "address": servers["ftp"].url(), **creds},
        "ftps": {
            "transport": "ftps",
            "address": servers["ftps"].url("ftps"),
            "ca_bundle": str(servers["ca"].bundle),
            **creds,
        },
        "sftp": {
            "transport": "sftp",
            "address": servers["sftp"].url(),
            "sftp": {"host_key": servers["sftp"].host_public_key},
            **creds,
        },
        "http": {
            "transport": "http-upload",
            "address": servers["http"].url(),
            "credentials_env": "LOA_TOKEN",
        },
        "icecast": {
            "transport": "icecast",
            "address": servers["icecast"].address("/loa.mp3"),
            "credentials_env": "LOA_SOURCE",
        },
        "mqtt": {
            "transport": "mqtt",
            "address": servers["mqtt"].address("xa/loa-1"),
            **creds,
        },
        "chet": {"transport": "ftp", "address": f"ftp://127.0.0.1:{dead}/inbox", **creds},
    }
    station = make_station(tmp_path / "ws", controllers, port)
    number = built(station, tone_mp3)
    approve(station, number, user="an")
    with serving(station, port):
        result = push(station, number, None, "an")
    outcome = {o.controller: o for o in result.deliveries}
    assert {n: o.state for n, o in outcome.items()} == {
        **{n: "delivered" for n in controllers if n != "chet"},
        "chet": "failed",
    }
    assert outcome["chet"].retryable is True and outcome["chet"].attempts >= 2
    # The receiving sides hold the approved bytes.
    name = f"ban-tin-sang-{number}.mp3"
    expected = sha(tone_mp3)
    assert sha((tmp_path / "usb" / name).read_bytes()) == expected
    assert sha(servers["ftp"].file(name).read_bytes()) == expected
    assert sha(servers["ftps"].file(name).read_bytes()) == expected
    assert sha(servers["sftp"].file(name).read_bytes()) == expected
    assert sha(servers["http"].files[name]) == expected
    (download,) = vendor.wait_downloads("XA-01")
    assert download.ok and download.sha256 == expected
    assert vendor.device("XA-01").plays == [name]
    device: MqttDevice = servers["device"]
    assert [sha(d) for d in device.received] == [expected]
    # Icecast passes a stream on in whole blocks: the audio, then the transport's zero padding.
    dumped = servers["icecast"].dump_path("/loa.mp3").read_bytes()
    assert sha(dumped[: len(tone_mp3)]) == expected and not dumped[len(tone_mp3) :].strip(b"\0")
    for o in result.deliveries:
        if o.state == "delivered":
            assert o.sha256 == expected and o.bytes == len(tone_mp3)
    with station.store() as store:
        bulletin = store.bulletin(number)
        rows = {d.controller: d for d in store.deliveries(number)}
    # Approval is untouched: the failed controller can be pushed again.
    assert bulletin.approved_sha256 == expected and bulletin.state == "failed"
    assert rows["may-chu-loa"].ack and "play" in rows["may-chu-loa"].ack
    assert "Connection refused" in (rows["chet"].error or "") or rows["chet"].error
    for row in rows.values():
        assert PASSWORD not in (row.error or "") + (row.ack or "") + (row.remote_id or "")


def test_a_server_that_recovers_is_retried_and_wrong_credentials_are_not(
    servers: dict[str, Any],
    env: None,
    tmp_path: Path,
    tone_mp3: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    http: HttpUploadServer = servers["http"]
    monkeypatch.setenv("SAI_MAT_KHAU", "loa:sai-mat-khau-3Jk")
    controllers: dict[str, dict[str, Any]] = {
        "http": {
            "transport": "http-upload",
            "address": http.url("/second/"),
            "credentials_env": "LOA_TOKEN",
        },
        "ftp-sai": {
            "transport": "ftp",
            "address": servers["ftp"].url(),
            "credentials_env": "SAI_MAT_KHAU",
        },
        "ftp": {
            "transport": "ftp",
            "address": servers["ftp"].url("ftp", "/second"),
            "credentials_env": "LOA_PASSWORD",
        },
    }
    station = make_station(tmp_path / "ws", controllers, free_port())
    number = built(station, tone_mp3)
    approve(station, number, user="an")
    http.fail_times = 2
    try:
        result = push(station, number, None, "an")
    finally:
        http.fail_times = 0
    outcome = {o.controller: o for o in result.deliveries}
    assert outcome["http"].state == "delivered" and outcome["http"].attempts == 3
    assert outcome["ftp"].state == "delivered" and outcome["ftp"].attempts == 1
    wrong = outcome["ftp-sai"]
    assert (wrong.state, wrong.retryable, wrong.attempts) == ("failed", False, 1)
    assert "sai-mat-khau-3Jk" not in (wrong.error or "")
    with station.store() as store:
        actions = [e.action for e in store.audit_log(number) if e.subject == "http"]
    # Every attempt is on the record: two failures, then the delivery.
    assert actions.count("delivery-fail") == 2 and actions.count("delivery-deliver") == 1


def _bulletin(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bulletin.cli", *args],
        env={**os.environ, "BULLETIN_LANG": "vi", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_fan_out_then_the_next_push_completes_the_rest_without_a_second_download(
    tmp_path: Path, tone_mp3: bytes
) -> None:
    devices = [f"D{i:03d}" for i in range(24)]
    vendor = VendorDeviceServer(delay_s=0.25).start()  # each command takes a quarter second
    serve: subprocess.Popen[str] | None = None
    try:
        vendor.add_device(*devices)
        port = free_port()
        controllers = {
            f"loa-{d}": {"transport": "vendor-json", "address": vendor.address(d)} for d in devices
        }
        station = make_station(tmp_path / "ws", controllers, port)
        config = yaml.safe_load((station.root / "bulletin.yaml").read_text(encoding="utf-8"))
        config["delivery"]["concurrency"] = 3
        (station.root / "bulletin.yaml").write_text(yaml.safe_dump(config), "utf-8")
        number = built(station, tone_mp3)
        approve(station, number, user="an")
        ws = str(station.root)
        serve = _bulletin("-w", ws, "serve", "--port", str(port), env={})
        _wait_http(f"http://127.0.0.1:{port}/healthz")

        first = _bulletin("-w", ws, "push", str(number), env={})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with station.store() as store:
                done = [d for d in store.deliveries(number) if d.state == "delivered"]
            if len(done) >= 6:
                break
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        with station.store() as store:
            before = {d.controller: d.state for d in store.deliveries(number)}
        assert 6 <= list(before.values()).count("delivered") < len(devices)
        assert "delivering" in before.values()

        again = _bulletin("-w", ws, "push", str(number), "--json", env={})
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        import json

        states = {d["controller"]: d["state"] for d in json.loads(out)["deliveries"]}
        assert all(s in ("delivered", "skipped") for s in states.values()), states
        assert {c for c, s in states.items() if s == "skipped"} == {
            c for c, s in before.items() if s == "delivered"
        }
        for d in devices:
            downloads = vendor.wait_downloads(d)
            assert len(downloads) == 1 and downloads[0].ok, d
            assert len(vendor.device(d).download_commands) == 1, d
        with station.store() as store:
            assert store.bulletin(number).state == "delivered"
    finally:
        if serve is not None:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=15)
        vendor.stop()


def _wait_http(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_without_bulletin_serve_no_device_is_sent_to_a_dead_url(
    servers: dict[str, Any], tmp_path: Path, tone_mp3: bytes
) -> None:
    vendor: VendorDeviceServer = servers["vendor"]
    vendor.add_device("XA-02")
    controllers = {"loa": {"transport": "vendor-json", "address": vendor.address("XA-02")}}
    station = make_station(tmp_path / "ws", controllers, free_port())  # nothing serves there
    number = built(station, tone_mp3)
    approve(station, number, user="an")
    (outcome,) = push(station, number, None, "an").deliveries
    assert outcome.state == "failed" and outcome.retryable is True
    assert "bulletin serve" in (outcome.error or "")
    assert vendor.device("XA-02").commands == 0
