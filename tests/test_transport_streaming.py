"""The icecast and mqtt transports against Debian's icecast2 and mosquitto on 127.0.0.1: what
the receiving side got is compared with the approved bytes."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bulletin.delivery.base import AudioFile, Credentials, DeviceStatus, Job, Receipt, Target
from bulletin.delivery.icecast import QUEUE_BLOCK, IcecastTransport
from bulletin.delivery.mqtt import MqttTransport
from bulletin.errors import DeliveryError
from bulletin.workspace import ControllerConfig
from tests.httpserver import self_signed
from tests.servers.icecast import IcecastServer, free_port
from tests.servers.mosquitto import MosquittoServer
from tests.servers.mqtt_device import MqttDevice
from tests.servers.static_media import StaticMedia

MOUNT = "/xa-an-binh.mp3"
BUSY_MOUNT = "/busy.mp3"
BULLETIN_PASSWORD = "pw-bulletin-7"
DEVICE_PASSWORD = "pw-device-7"


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three seconds of sine at 32 kb/s: short to stream, long enough to measure the pace."""
    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("audio") / "b7.mp3"
    subprocess.run(
        [
            *(imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error"),
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-ac", "1"),
            *("-ar", "22050", "-b:a", "32k", str(path)),
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def audio(mp3: Path) -> AudioFile:
    return AudioFile(mp3, hashlib.sha256(mp3.read_bytes()).hexdigest(), "b7")


def target_for(
    address: str,
    transport: str,
    credentials: Credentials | None,
    timeout: float,
    ca_bundle: Path | None = None,
) -> Target:
    settings = {"transport": transport, "address": address}
    if ca_bundle is not None:
        settings["ca_bundle"] = str(ca_bundle)
    config = ControllerConfig.model_validate(settings)
    return Target("loa-xa", config, credentials, Path("/nonexistent"), timeout=timeout)


def eventually(condition: Callable[[], bool], seconds: float = 3) -> bool:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


# icecast


@pytest.fixture(scope="module")
def pem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for 127.0.0.1, also the CA bundle that trusts it."""
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def icecast(pem: Path) -> Iterator[IcecastServer]:
    # Not under pytest's 0700 temp tree: icecast runs as its own account and must reach it.
    with tempfile.TemporaryDirectory(prefix="bulletin-icecast-") as folder:
        server = IcecastServer(Path(folder), [MOUNT, BUSY_MOUNT], tls_pem=pem).start()
        yield server
        server.stop()


def icecast_target(server: IcecastServer, mount: str = MOUNT, password: str = "") -> Target:
    creds = Credentials("source", password or server.source_password)
    return target_for(server.address(mount), "icecast", creds, timeout=5)


def test_icecast_stream_reaches_the_mount_byte_for_byte_at_the_audio_pace(
    icecast: IcecastServer, audio: AudioFile
) -> None:
    transport = IcecastTransport()
    target = icecast_target(icecast)
    assert transport.check(target).ok
    receipts: list[Receipt] = []
    job = Job(7, "Bản tin sáng", "Xã An Bình", "b7:loa-xa")
    worker = threading.Thread(target=lambda: receipts.append(transport.deliver(audio, target, job)))
    started = time.monotonic()
    worker.start()
    seen: list[DeviceStatus] = []
    while worker.is_alive() and not seen:
        found = transport.status(target)
        seen = [s for s in found if s.status == "playing"]
        time.sleep(0.1)
    worker.join(30)
    elapsed = time.monotonic() - started

    assert seen and seen[0].detail == "listeners=0"
    # 3 s of audio, of which 0.5 s may go as the opening burst.
    assert elapsed >= 2.4
    (receipt,) = receipts
    data = audio.path.read_bytes()
    assert (receipt.bytes, receipt.sha256) == (len(data), audio.sha256)
    assert receipt.remote_id == f"http://127.0.0.1:{icecast.port}{MOUNT}"
    assert receipt.ack is not None and receipt.ack.startswith("HTTP/1.0 200 OK")
    # What icecast itself received and passed on: the audio, then zeros to its block size.
    dump = icecast.dump_path(MOUNT)
    assert eventually(lambda: dump.stat().st_size >= len(data))
    dumped = dump.read_bytes()
    assert hashlib.sha256(dumped[: len(data)]).hexdigest() == audio.sha256
    assert len(dumped) % QUEUE_BLOCK == 0 and not dumped[len(data) :].strip(b"\0")
    # Icecast updates its stats a moment after the source has gone.
    assert eventually(lambda: transport.status(target)[0].status == "idle")


def test_icecast_wrong_password_is_refused_and_not_retried(
    icecast: IcecastServer, audio: AudioFile
) -> None:
    target = icecast_target(icecast, password="wrong-password-1")
    for call in (
        lambda: IcecastTransport().deliver(audio, target, Job(7, "t", "s", "k")),
        lambda: IcecastTransport().check(target),
    ):
        with pytest.raises(DeliveryError) as caught:
            call()
        assert caught.value.key == "delivery.auth" and not caught.value.retryable
        assert "401" in str(caught.value) and "wrong-password-1" not in str(caught.value)


def test_icecast_busy_mount_is_retryable(icecast: IcecastServer, audio: AudioFile) -> None:
    token = base64.b64encode(f"source:{icecast.source_password}".encode()).decode()
    with socket.create_connection(("127.0.0.1", icecast.port), timeout=5) as other:
        other.sendall(
            f"PUT {BUSY_MOUNT} HTTP/1.1\r\nAuthorization: Basic {token}\r\n"
            "Content-Type: audio/mpeg\r\n\r\n".encode()
        )
        assert b"200 OK" in other.recv(1024)
        target = icecast_target(icecast, BUSY_MOUNT)
        with pytest.raises(DeliveryError) as caught:
            IcecastTransport().deliver(audio, target, Job(7, "t", "s", "k"))
        assert caught.value.key == "icecast.mount_in_use" and caught.value.retryable
        probe = IcecastTransport().check(target)
        assert not probe.ok and BUSY_MOUNT in probe.detail


def test_icecast_server_gone_mid_stream_is_retryable(audio: AudioFile) -> None:
    with tempfile.TemporaryDirectory(prefix="bulletin-icecast-") as folder:
        server = IcecastServer(Path(folder), [MOUNT]).start()
        errors: list[DeliveryError] = []

        def deliver() -> None:
            try:
                IcecastTransport().deliver(audio, icecast_target(server), Job(7, "t", "s", "k"))
            except DeliveryError as exc:
                errors.append(exc)

        worker = threading.Thread(target=deliver)
        worker.start()
        time.sleep(0.8)
        server.stop()
        worker.join(10)
    (error,) = errors
    assert error.key == "delivery.network" and error.retryable


def test_icecasts_checks_over_verified_tls(icecast: IcecastServer, pem: Path) -> None:
    address = icecast.address(MOUNT, "icecasts")
    creds = Credentials("source", icecast.source_password)
    trusted = target_for(address, "icecast", creds, timeout=5, ca_bundle=pem)
    # icecast 2.4's TLS listener now and then drops a handshake on a loaded machine
    # ("unexpected message"): that is a retryable network error, so try it as a push would.
    for attempt in range(3):
        try:
            assert IcecastTransport().check(trusted).ok
            break
        except DeliveryError as exc:
            if not exc.retryable or attempt == 2:
                raise
            time.sleep(0.5)
    with pytest.raises(DeliveryError) as caught:
        IcecastTransport().check(target_for(address, "icecast", creds, timeout=5))
    assert caught.value.key == "icecast.tls" and not caught.value.retryable


def test_icecast_server_down_is_retryable(audio: AudioFile) -> None:
    address = f"icecast://127.0.0.1:{free_port()}{MOUNT}"
    target = target_for(address, "icecast", Credentials("source", "x"), timeout=2)
    with pytest.raises(DeliveryError) as caught:
        IcecastTransport().deliver(audio, target, Job(7, "t", "s", "k"))
    assert caught.value.key == "delivery.network" and caught.value.retryable


def test_icecast_address_without_mount_is_refused(audio: AudioFile) -> None:
    target = target_for("icecast://127.0.0.1:8000", "icecast", None, timeout=2)
    with pytest.raises(DeliveryError) as caught:
        IcecastTransport().deliver(audio, target, Job(7, "t", "s", "k"))
    assert caught.value.key == "icecast.address" and not caught.value.retryable


# mqtt


@pytest.fixture(scope="module")
def broker(pem: Path) -> Iterator[MosquittoServer]:
    users = {"bulletin": BULLETIN_PASSWORD, "device": DEVICE_PASSWORD}
    with tempfile.TemporaryDirectory(prefix="bulletin-mqtt-") as folder:
        server = MosquittoServer(Path(folder), users, tls_pem=pem).start()
        yield server
        server.stop()


@pytest.fixture(scope="module")
def media(mp3: Path) -> Iterator[StaticMedia]:
    served = StaticMedia(mp3.read_bytes()).start()
    yield served
    served.stop()


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    """A topic prefix per test, so no retained message crosses from one test to the next."""
    return f"xa-an-binh/{request.node.name[:40]}"


@pytest.fixture
def device(broker: MosquittoServer, prefix: str) -> Iterator[MqttDevice]:
    started = MqttDevice(broker.port, prefix, "device", DEVICE_PASSWORD).start()
    yield started
    started.stop()


def mqtt_target(
    broker: MosquittoServer, prefix: str, password: str = BULLETIN_PASSWORD, timeout: float = 5
) -> Target:
    return target_for(broker.address(prefix), "mqtt", Credentials("bulletin", password), timeout)


def test_mqtt_device_downloads_the_exact_audio_and_acknowledges(
    broker: MosquittoServer, device: MqttDevice, media: StaticMedia, audio: AudioFile, prefix: str
) -> None:
    transport = MqttTransport()
    target = mqtt_target(broker, prefix)
    assert transport.check(target).ok
    # Icecast updates its stats a moment after the source has gone.
    assert eventually(lambda: transport.status(target)[0].status == "idle")
    sent: list[str] = []
    job = Job(7, "Bản tin sáng", "Xã An Bình", "b7:loa-xa", media_url=media.url, sent=sent.append)

    receipt = transport.deliver(audio, target, job)

    assert device.received == [audio.path.read_bytes()]
    (command,) = device.commands
    assert command["url"] == media.url and command["sha256"] == audio.sha256
    assert command["key"] == "b7:loa-xa" and command["air_at"] is None
    assert (receipt.sha256, receipt.bytes, receipt.remote_id) == (
        audio.sha256,
        audio.path.stat().st_size,
        f"{prefix}/play",
    )
    assert receipt.ack is not None and json.loads(receipt.ack)["ok"] is True
    assert len(sent) == 1 and sent[0].startswith("play:")
    # The device publishes its retained status just after its acknowledgement.
    assert eventually(lambda: transport.status(target)[0].status == "playing", seconds=10)


def test_mqtts_delivers_over_verified_tls(
    broker: MosquittoServer, device: MqttDevice, media: StaticMedia, audio: AudioFile, prefix: str
) -> None:
    address = broker.address(prefix, "mqtts")
    creds = Credentials("bulletin", BULLETIN_PASSWORD)
    trusted = target_for(address, "mqtt", creds, timeout=5, ca_bundle=pem_of(broker))
    job = Job(7, "t", "s", "b7:loa-xa", media_url=media.url)
    assert MqttTransport().deliver(audio, trusted, job).sha256 == audio.sha256
    with pytest.raises(DeliveryError) as caught:
        MqttTransport().check(target_for(address, "mqtt", creds, timeout=5))
    assert caught.value.key == "mqtt.tls" and not caught.value.retryable


def pem_of(broker: MosquittoServer) -> Path:
    assert broker.tls_pem is not None
    return broker.tls_pem


def test_mqtt_confirm_finds_the_earlier_ack_without_sending_again(
    broker: MosquittoServer, device: MqttDevice, media: StaticMedia, audio: AudioFile, prefix: str
) -> None:
    transport = MqttTransport()
    target = mqtt_target(broker, prefix)
    transport.deliver(audio, target, Job(7, "t", "s", "b7:loa-xa", media_url=media.url))

    again = Job(7, "t", "s", "b7:loa-xa", media_url=media.url, was_sent="play:1")
    receipt = transport.confirm(audio, target, again)

    assert receipt is not None and receipt.sha256 == audio.sha256
    assert len(device.commands) == 1
    never_sent = Job(7, "t", "s", "b7:loa-xa", media_url=media.url)
    assert transport.confirm(audio, target, never_sent) is None
    other_key = Job(8, "t", "s", "b8:loa-xa", media_url=media.url, was_sent="play:1")
    short = mqtt_target(broker, prefix, timeout=0.5)
    assert transport.confirm(audio, short, other_key) is None


def test_mqtt_silent_device_is_a_retryable_timeout(
    broker: MosquittoServer, device: MqttDevice, media: StaticMedia, audio: AudioFile, prefix: str
) -> None:
    device.acknowledge = False
    target = mqtt_target(broker, prefix, timeout=1)
    sent: list[str] = []
    with pytest.raises(DeliveryError) as caught:
        MqttTransport().deliver(
            audio, target, Job(7, "t", "s", "k7", media_url=media.url, sent=sent.append)
        )
    assert caught.value.key == "mqtt.no_ack" and caught.value.retryable
    # The command did go out and was recorded, so a later push confirms instead of resending.
    assert sent and len(device.commands) == 1


def test_mqtt_failed_download_is_retryable_and_its_stale_ack_is_ignored_on_retry(
    broker: MosquittoServer, device: MqttDevice, media: StaticMedia, audio: AudioFile, prefix: str
) -> None:
    transport = MqttTransport()
    target = mqtt_target(broker, prefix)
    dead_url = f"http://127.0.0.1:{free_port()}/media/token/audio.mp3"
    with pytest.raises(DeliveryError) as caught:
        transport.deliver(audio, target, Job(7, "t", "s", "k7", media_url=dead_url))
    assert caught.value.key == "mqtt.device_failed" and caught.value.retryable
    assert "download failed" in str(caught.value)

    # The failed ack stays retained under the same key; the retry waits for a fresh one.
    receipt = transport.deliver(audio, target, Job(7, "t", "s", "k7", media_url=media.url))
    assert receipt.sha256 == audio.sha256


def test_mqtt_wrong_password_is_refused_and_not_retried(
    broker: MosquittoServer, audio: AudioFile, media: StaticMedia
) -> None:
    target = mqtt_target(broker, "xa-an-binh/auth", password="wrong-password-2")
    for call in (
        lambda: MqttTransport().check(target),
        lambda: MqttTransport().deliver(audio, target, Job(7, "t", "s", "k", media_url=media.url)),
    ):
        with pytest.raises(DeliveryError) as caught:
            call()
        assert caught.value.key == "delivery.auth" and not caught.value.retryable
        assert "wrong-password-2" not in str(caught.value)


def test_mqtt_broker_down_is_retryable(audio: AudioFile, media: StaticMedia) -> None:
    address = f"mqtt://127.0.0.1:{free_port()}/xa-an-binh"
    target = target_for(address, "mqtt", Credentials("bulletin", "x"), timeout=2)
    with pytest.raises(DeliveryError) as caught:
        MqttTransport().deliver(audio, target, Job(7, "t", "s", "k", media_url=media.url))
    assert caught.value.key == "delivery.network" and caught.value.retryable


def test_mqtt_without_a_media_url_asks_for_bulletin_serve(
    broker: MosquittoServer, audio: AudioFile
) -> None:
    target = mqtt_target(broker, "xa-an-binh/no-url")
    with pytest.raises(DeliveryError) as caught:
        MqttTransport().deliver(audio, target, Job(7, "t", "s", "k"))
    assert caught.value.key == "mqtt.no_media_url" and not caught.value.retryable
    assert "bulletin serve" in str(caught.value)
