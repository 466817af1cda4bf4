"""The vendor-json transport against a stand-in device server that really downloads the audio
from a media server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bulletin.delivery.base import AudioFile, AudioMismatchError, Credentials, Fetch, Job, Target
from bulletin.delivery.vendorjson import VendorJsonTransport, encode
from bulletin.errors import DeliveryError
from bulletin.workspace import ControllerConfig
from tests.servers.static_media import StaticMedia
from tests.servers.vendor_device import VendorDeviceServer, decode_request

DEVICE = "loa-thon-3"


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("audio") / "b7.mp3"
    subprocess.run(
        [
            *(imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error"),
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-b:a", "64k", str(path)),
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def device_server() -> Iterator[VendorDeviceServer]:
    server = VendorDeviceServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(device_server: VendorDeviceServer) -> Iterator[VendorDeviceServer]:
    """The module's server with this test's devices fresh and every fault switched off."""
    device_server.faults_off()
    device_server.settle()
    device_server.devices.clear()
    device_server.add_device(DEVICE, "loa-thon-4")
    yield device_server
    device_server.faults_off()


@pytest.fixture(scope="module")
def media_server(mp3: Path) -> Iterator[StaticMedia]:
    served = StaticMedia(mp3.read_bytes()).start()
    yield served
    served.stop()


@pytest.fixture
def media(media_server: StaticMedia) -> StaticMedia:
    """The module's media server with no downloads recorded yet."""
    media_server.fetches.clear()
    return media_server


@pytest.fixture
def transport() -> Iterator[VendorJsonTransport]:
    built = VendorJsonTransport()
    yield built
    built.close()


def audio_of(path: Path) -> AudioFile:
    return AudioFile(path, hashlib.sha256(path.read_bytes()).hexdigest(), "b7")


def target_for(
    address: str,
    tmp_path: Path,
    *,
    timeout: float = 5.0,
    credentials: Credentials | None = None,
    **options: Any,
) -> Target:
    config = ControllerConfig.model_validate(
        {
            "transport": "vendor-json",
            "address": address,
            **({"vendor-json": options} if options else {}),
        }
    )
    return Target("loa3", config, credentials, tmp_path, "http://127.0.0.1", timeout)


def job_for(media: StaticMedia, sent: list[str], **fields: Any) -> Job:
    given: dict[str, Any] = {"media_url": media.url, "fetched": media.fetched, "sent": sent.append}
    return Job(
        bulletin_id=7, title="Bản tin sáng", station="xa", key="7:loa3", **{**given, **fields}
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_requests_travel_as_base64url_path_segments() -> None:
    payload = {"DataType": 4, "Data": "ảnh?/+" * 20}
    token = encode(payload)
    assert "/" not in token and "+" not in token
    assert decode_request("/" + token) == payload
    assert "/" not in encode(payload, "base64")
    assert decode_request("/" + encode(payload, "base64")) == payload


def test_device_downloads_verified_audio_then_plays_it(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    audio = audio_of(mp3)
    sent: list[str] = []
    receipt = transport.deliver(
        audio, target_for(server.address(DEVICE), tmp_path), job_for(media, sent)
    )

    device = server.device(DEVICE)
    [download] = server.wait_downloads(DEVICE)
    assert download.ok and download.sha256 == audio.sha256 and download.url == media.url
    assert device.download_commands == [[media.url]]
    assert device.plays == [audio.filename]
    assert receipt.sha256 == audio.sha256
    assert receipt.bytes == mp3.stat().st_size
    assert receipt.remote_id == DEVICE
    assert receipt.ack and "ACCEPTED" in receipt.ack
    assert [s.split(":", 1)[0] for s in sent] == ["download?", "download", "play?", "play"]


def test_future_air_time_becomes_a_playlist_in_the_devices_zone(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    air_at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    target = target_for(server.address(DEVICE), tmp_path, timezone="Asia/Ho_Chi_Minh")
    transport.deliver(mp3_audio := audio_of(mp3), target, job_for(media, [], air_at=air_at))

    device = server.device(DEVICE)
    assert device.plays == []
    [schedule] = device.schedules
    assert schedule["PacketType"] == 2
    [entry] = schedule["PlayList"]
    wall = air_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    assert entry == {"SongName": mp3_audio.filename, "StartTime": wall.isoformat(), "Repeat": 1}


def test_past_air_time_plays_now(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    air_at = datetime.now(UTC) - timedelta(minutes=1)
    transport.deliver(
        audio_of(mp3),
        target_for(server.address(DEVICE), tmp_path),
        job_for(media, [], air_at=air_at),
    )
    assert server.device(DEVICE).plays == ["b7.mp3"]
    assert server.device(DEVICE).schedules == []


def test_check_and_status_report_the_listed_device(
    server: VendorDeviceServer, transport: VendorJsonTransport, tmp_path: Path
) -> None:
    target = target_for(server.address(DEVICE), tmp_path)
    probe = transport.check(target)
    assert probe.ok and DEVICE in probe.detail and "online" in probe.detail
    [status] = transport.status(target)
    assert (status.device, status.status) == (DEVICE, "online")

    server.device(DEVICE).online = False
    assert transport.status(target)[0].status == "offline"


def test_check_names_a_device_the_server_does_not_know(
    server: VendorDeviceServer, transport: VendorJsonTransport, tmp_path: Path
) -> None:
    with pytest.raises(DeliveryError) as caught:
        transport.check(target_for(server.address("loa-khong-co"), tmp_path))
    assert caught.value.key == "vendorjson.unknown_device" and not caught.value.retryable
    assert "loa-khong-co" in str(caught.value)


class Killed(Exception):
    """The push process dying while it waits on the device."""


def test_confirm_after_a_killed_push_plays_without_downloading_again(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    audio = audio_of(mp3)
    target = target_for(server.address(DEVICE), tmp_path)
    sent: list[str] = []

    def killed(timeout: float) -> Fetch | None:
        if timeout > 0:  # killed while waiting for the device, after the command went out
            raise Killed
        return None

    with pytest.raises(Killed):
        transport.deliver(audio, target, job_for(media, sent, fetched=killed))
    assert [s.split(":", 1)[0] for s in sent] == ["download?", "download"]

    receipt = transport.confirm(audio, target, job_for(media, sent, was_sent=sent[-1]))
    assert (
        receipt is not None and receipt.sha256 == audio.sha256 and receipt.bytes == len(media.data)
    )
    device = server.device(DEVICE)
    assert len(device.download_commands) == 1 and len(server.wait_downloads(DEVICE)) == 1
    assert device.plays == [audio.filename]

    # Killed after the play went out: confirmed from the record, nothing sent at all.
    commands = device.commands
    again = transport.confirm(audio, target, job_for(media, [], was_sent=sent[-1]))
    assert again is not None and sent[-1].startswith("play:")
    assert device.commands == commands


def test_confirm_without_a_download_leaves_it_to_redelivery(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    target = target_for(server.address(DEVICE), tmp_path, download_timeout_s=0.2)
    assert transport.confirm(audio_of(mp3), target, job_for(media, [], was_sent=None)) is None
    assert (
        transport.confirm(audio_of(mp3), target, job_for(media, [], was_sent="download:OK")) is None
    )
    assert server.device(DEVICE).commands == 0


def test_server_down_is_retryable(
    media: StaticMedia, mp3: Path, transport: VendorJsonTransport, tmp_path: Path
) -> None:
    target = target_for(f"vendorjson://127.0.0.1:{closed_port()}/{DEVICE}", tmp_path)
    with pytest.raises(DeliveryError) as caught:
        transport.deliver(audio_of(mp3), target, job_for(media, []))
    assert caught.value.key == "delivery.network" and caught.value.retryable


@pytest.mark.parametrize("fault", ["http_500", "reset"])
def test_server_errors_are_retryable(
    fault: str,
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    if fault == "http_500":
        server.fail_status = 500
    else:
        server.reset = True
    sent: list[str] = []
    with pytest.raises(DeliveryError) as caught:
        transport.deliver(
            audio_of(mp3), target_for(server.address(DEVICE), tmp_path), job_for(media, sent)
        )
    assert caught.value.retryable
    # Only the intent to send was recorded: the command never got an answer.
    assert sent in ([], ["download?"]) and media.fetches == []


def test_slow_server_beyond_the_timeout_is_retryable(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    server.delay_s = 1.0
    target = target_for(server.address(DEVICE), tmp_path, timeout=0.3)
    with pytest.raises(DeliveryError) as caught:
        transport.deliver(audio_of(mp3), target, job_for(media, []))
    assert caught.value.key == "delivery.network" and caught.value.retryable


def test_wrong_credentials_are_not_retried_and_never_shown(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    server.auth = ("xa-an-binh", "dung-mat-khau-9")
    wrong = Credentials(username="xa-an-binh", password="sai-mat-khau-42")
    target = target_for(server.address(DEVICE), tmp_path, credentials=wrong)
    with pytest.raises(DeliveryError) as caught:
        transport.deliver(audio_of(mp3), target, job_for(media, []))
    assert caught.value.key == "delivery.auth" and not caught.value.retryable
    assert "sai-mat-khau-42" not in str(caught.value) and "sai-mat-khau-42" not in repr(
        caught.value.params
    )

    right = Credentials(username="xa-an-binh", password="dung-mat-khau-9")
    assert transport.check(target_for(server.address(DEVICE), tmp_path, credentials=right)).ok
    server.auth = "token-loa-123456"
    assert transport.check(
        target_for(
            server.address(DEVICE), tmp_path, credentials=Credentials(token="token-loa-123456")
        )
    ).ok


def test_device_that_never_downloads_is_a_retryable_timeout(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    server.download = False
    target = target_for(server.address(DEVICE), tmp_path, download_timeout_s=0.3)
    with pytest.raises(DeliveryError) as caught:
        transport.deliver(audio_of(mp3), target, job_for(media, []))
    assert caught.value.key == "vendorjson.not_downloaded" and caught.value.retryable
    assert "0.3" in str(caught.value)
    assert server.device(DEVICE).plays == []


def test_offline_device_is_retryable_and_unknown_device_is_not(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    server.device(DEVICE).online = False
    with pytest.raises(DeliveryError) as offline:
        transport.deliver(
            audio_of(mp3), target_for(server.address(DEVICE), tmp_path), job_for(media, [])
        )
    assert offline.value.key == "vendorjson.refused" and offline.value.retryable
    with pytest.raises(DeliveryError) as unknown:
        transport.deliver(
            audio_of(mp3), target_for(server.address("loa-moi"), tmp_path), job_for(media, [])
        )
    assert unknown.value.key == "vendorjson.unknown_device" and not unknown.value.retryable


def test_refuses_before_commanding_anything(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    target = target_for(server.address(DEVICE), tmp_path)
    with pytest.raises(DeliveryError) as no_url:
        transport.deliver(audio_of(mp3), target, job_for(media, [], media_url=""))
    assert no_url.value.key == "vendorjson.no_media_url" and not no_url.value.retryable

    changed = tmp_path / "b7.mp3"
    changed.write_bytes(mp3.read_bytes())
    audio = audio_of(changed)
    changed.write_bytes(mp3.read_bytes() + b"\0")
    with pytest.raises(AudioMismatchError):
        transport.deliver(audio, target, job_for(media, []))
    assert server.device(DEVICE).commands == 0

    with pytest.raises(DeliveryError) as bad:
        transport.deliver(
            audio_of(mp3), target_for("vendorjson://127.0.0.1:9/", tmp_path), job_for(media, [])
        )
    assert bad.value.key == "vendorjson.address" and not bad.value.retryable


def test_stand_in_device_refuses_a_download_without_a_matching_digest(
    server: VendorDeviceServer, mp3: Path, tmp_path: Path
) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "b7.mp3").write_bytes(mp3.read_bytes())
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    plain = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(
        target=plain.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    try:
        url = f"http://127.0.0.1:{plain.server_address[1]}/b7.mp3"
        server.answer(
            {
                "DataType": 4,
                "Data": json.dumps(
                    {
                        "CommandItem_Ts": [
                            {
                                "DeviceID": DEVICE,
                                "CommandSend": json.dumps({"PacketType": 1, "URLlist": [url]}),
                            }
                        ]
                    }
                ),
            }
        )
        [download] = server.wait_downloads(DEVICE)
    finally:
        plain.shutdown()
        plain.server_close()
    assert not download.ok and download.error == "no Repr-Digest sha-256"
    assert download.sha256 == hashlib.sha256(mp3.read_bytes()).hexdigest()


def test_client_errors_are_not_retried(
    server: VendorDeviceServer,
    media: StaticMedia,
    mp3: Path,
    transport: VendorJsonTransport,
    tmp_path: Path,
) -> None:
    server.fail_status = 404
    with pytest.raises(DeliveryError) as caught:
        transport.deliver(
            audio_of(mp3), target_for(server.address(DEVICE), tmp_path), job_for(media, [])
        )
    assert caught.value.key == "vendorjson.http" and not caught.value.retryable
    assert "404" in str(caught.value)
