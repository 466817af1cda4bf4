"""The upload transports (ftp, ftps, sftp, http-upload) against real servers on 127.0.0.1:
the receiving side checks what it stored by SHA-256, and each fault a controller's server
shows becomes the typed error that says whether a retry can help."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncssh
import imageio_ffmpeg
import pydantic
import pytest

from bulletin.delivery.base import AudioFile, Credentials, Job, Receipt, Target
from bulletin.delivery.ftp import FtpsTransport, FtpTransport
from bulletin.delivery.http_upload import HttpUploadTransport
from bulletin.delivery.sftp import SftpTransport
from bulletin.errors import DeliveryError
from bulletin.workspace import ControllerConfig
from tests.servers.ftp import FtpServer, ScratchCA
from tests.servers.http_upload import HttpUploadServer
from tests.servers.sftp import SftpServer

FTP_PASSWORD = "mat-khau-ftp-9Xq"
SFTP_PASSWORD = "mat-khau-sftp-7Lm"
HTTP_TOKEN = "token-bi-mat-4Kz8"
HTTP_PASSWORD = "mat-khau-http-2Wd"
WRONG = "sai-mat-khau-0Zp"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("upload")


@pytest.fixture(scope="module")
def audio(work: Path) -> AudioFile:
    """A real 2 s MP3, made once for the module."""
    path = work / "approved.mp3"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-nostdin", "-loglevel", "error", "-f", "lavfi"),
            *("-i", "sine=frequency=660:duration=2", "-b:a", "64k", str(path)),
        ],
        check=True,
        timeout=30,
    )
    return AudioFile(path, hashlib.sha256(path.read_bytes()).hexdigest(), stem="ban-tin-42")


@pytest.fixture
def job() -> Job:
    return Job(
        42,
        "Lịch tiêm chủng",
        "Đài xã",
        key="42:loa-1",
        air_at=datetime(2026, 12, 1, 6, 30, tzinfo=UTC),
    )


@pytest.fixture(scope="module")
def ca(work: Path) -> ScratchCA:
    return ScratchCA(work / "ca")


@pytest.fixture(scope="module")
def ftp_server(work: Path) -> Iterator[FtpServer]:
    server = FtpServer(work / "ftp-root", password=FTP_PASSWORD).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ftps_server(work: Path, ca: ScratchCA) -> Iterator[FtpServer]:
    server = FtpServer(work / "ftps-root", password=FTP_PASSWORD, certfile=ca.server_pem()).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sftp_server(work: Path) -> Iterator[SftpServer]:
    server = SftpServer(
        work / "sftp-root",
        password=SFTP_PASSWORD,
        client_key=asyncssh.generate_private_key("ssh-ed25519"),
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def http_server() -> Iterator[HttpUploadServer]:
    server = HttpUploadServer(token=HTTP_TOKEN, user="loa", password=HTTP_PASSWORD).start()
    yield server
    server.stop()


def target(
    transport: str,
    address: str,
    credentials: Credentials | None,
    base_dir: Path,
    *,
    timeout: float = 5.0,
    section: dict[str, Any] | None = None,
    **settings: str,
) -> Target:
    """A controller as controllers.yaml gives it; `section` is its transport's own settings."""
    found: dict[str, Any] = {"transport": transport, "address": address, **settings}
    if section is not None:
        found[transport] = section
    config = ControllerConfig.model_validate(found)
    return Target("loa-1", config, credentials, base_dir, timeout=timeout)


def ftp_target(server: FtpServer, work: Path, password: str = FTP_PASSWORD, **kw: Any) -> Target:
    return target("ftp", server.url(), Credentials("loa", password), work, **kw)


def sftp_target(server: SftpServer, work: Path, password: str = SFTP_PASSWORD, **kw: Any) -> Target:
    return target(
        "sftp",
        server.url(),
        Credentials("loa", password),
        work,
        section={"host_key": server.host_public_key},
        **kw,
    )


def http_target(server: HttpUploadServer, work: Path, token: str = HTTP_TOKEN, **kw: Any) -> Target:
    return target("http-upload", server.url(), Credentials(token=token), work, **kw)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_receipt(receipt: Receipt, audio: AudioFile) -> None:
    assert receipt.sha256 == audio.sha256
    assert receipt.bytes == audio.path.stat().st_size


def failure(call: Callable[[], object]) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        call()
    return caught.value


def leftover_partial(folder: Path, audio: AudioFile) -> Path:
    """A partial upload a killed push (a process that no longer runs) left behind."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{audio.filename}.{dead.pid}-0badf00d.part"
    path.write_bytes(b"half")
    return path


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- deliveries, verified by the receiving side


def test_ftp_delivers_the_approved_mp3_under_its_fixed_name(
    ftp_server: FtpServer, audio: AudioFile, job: Job, work: Path
) -> None:
    transport = FtpTransport()
    leftover = leftover_partial(ftp_server.file(""), audio)
    first = transport.deliver(audio, ftp_target(ftp_server, work), job)
    again = transport.deliver(audio, ftp_target(ftp_server, work), job)

    assert sha256_of(ftp_server.file(audio.filename)) == audio.sha256
    assert_receipt(first, audio)
    assert again.remote_id == first.remote_id
    assert first.remote_id.endswith("/inbox/ban-tin-42.mp3")
    # A retry overwrote the file; the temporary upload was renamed away and a killed push's
    # partial file swept.
    assert not leftover.exists()
    assert [p.name for p in ftp_server.file("").iterdir()] == [audio.filename]
    assert first.ack and first.ack.startswith("226")
    assert transport.check(ftp_target(ftp_server, work)).ok
    confirmed = transport.confirm(audio, ftp_target(ftp_server, work), job)
    assert confirmed is not None and confirmed.sha256 == audio.sha256


def test_ftps_delivers_over_tls_verified_against_the_controllers_ca(
    ftps_server: FtpServer, ca: ScratchCA, audio: AudioFile, job: Job, work: Path
) -> None:
    tls = target(
        "ftps",
        ftps_server.url("ftps"),
        Credentials("loa", FTP_PASSWORD),
        work,
        ca_bundle=str(ca.bundle),
    )
    receipt = FtpsTransport().deliver(audio, tls, job)

    assert sha256_of(ftps_server.file(audio.filename)) == audio.sha256
    assert_receipt(receipt, audio)
    assert receipt.remote_id.startswith("ftps://")


def test_ftps_refuses_a_certificate_not_in_the_bundle_without_retrying(
    ftps_server: FtpServer, audio: AudioFile, job: Job, work: Path
) -> None:
    stranger = ScratchCA(work / "other-ca", name="someone else")
    tls = target(
        "ftps",
        ftps_server.url("ftps"),
        Credentials("loa", FTP_PASSWORD),
        work,
        ca_bundle=str(stranger.bundle),
    )
    error = failure(lambda: FtpsTransport().deliver(audio, tls, job))

    assert error.key == "upload.tls" and not error.retryable
    assert "certificate" in error.message("en")
    assert FTP_PASSWORD not in error.message("en")


def test_sftp_delivers_and_confirms_by_reading_the_file_back(
    sftp_server: SftpServer, audio: AudioFile, job: Job, work: Path
) -> None:
    transport = SftpTransport()
    leftover = leftover_partial(sftp_server.file(""), audio)
    receipt = transport.deliver(audio, sftp_target(sftp_server, work), job)

    assert sha256_of(sftp_server.file(audio.filename)) == audio.sha256
    assert_receipt(receipt, audio)
    assert [p.name for p in sftp_server.file("").iterdir()] == [audio.filename]
    assert not leftover.exists()
    assert transport.check(sftp_target(sftp_server, work)).ok
    confirmed = transport.confirm(audio, sftp_target(sftp_server, work), job)
    assert confirmed is not None and confirmed.sha256 == audio.sha256


def test_sftp_logs_in_with_a_key_and_the_user_from_the_address(
    sftp_server: SftpServer, audio: AudioFile, job: Job, work: Path
) -> None:
    assert sftp_server.client_key is not None
    key_file = work / "loa-1.key"
    key_file.write_bytes(sftp_server.client_key.export_private_key())
    keyed = target(
        "sftp",
        f"sftp://loa@127.0.0.1:{sftp_server.port}/keyed",
        None,
        work,
        section={"host_key": sftp_server.host_public_key, "client_key": key_file.name},
    )
    SftpTransport().deliver(audio, keyed, job)

    assert sha256_of(sftp_server.file(audio.filename, "keyed")) == audio.sha256


def test_sftp_delivers_from_several_threads_at_once(
    sftp_server: SftpServer, audio: AudioFile, job: Job, work: Path
) -> None:
    transport = SftpTransport()
    receipts: list[Receipt] = []
    threads = [
        threading.Thread(
            target=lambda n=n: receipts.append(
                transport.deliver(
                    audio,
                    target(
                        "sftp",
                        sftp_server.url(f"/loa-{n}"),
                        Credentials("loa", SFTP_PASSWORD),
                        work,
                        section={"host_key": sftp_server.host_public_key},
                    ),
                    job,
                )
            )
        )
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert len(receipts) == 4
    for n in range(4):
        assert sha256_of(sftp_server.file(audio.filename, f"loa-{n}")) == audio.sha256


def test_http_put_sends_the_file_to_address_plus_name_with_its_headers(
    http_server: HttpUploadServer, audio: AudioFile, job: Job, work: Path
) -> None:
    transport = HttpUploadTransport()
    receipt = transport.deliver(audio, http_target(http_server, work), job)

    assert http_server.sha256(audio.filename) == audio.sha256
    upload = http_server.uploads[-1]
    assert (upload.method, upload.path) == ("PUT", "/upload/ban-tin-42.mp3")
    assert upload.headers["Idempotency-Key"] == "42:loa-1"
    assert upload.headers["X-Bulletin-Id"] == "42"
    assert upload.headers["X-Air-At"] == "2026-12-01T06:30:00+00:00"
    assert upload.headers["Content-Type"] == "audio/mpeg"
    assert_receipt(receipt, audio)
    assert receipt.remote_id.startswith("rec-") and receipt.ack == "HTTP 201 Created"
    assert transport.check(http_target(http_server, work)).ok
    confirmed = transport.confirm(audio, http_target(http_server, work), job)
    assert confirmed is not None and confirmed.bytes == receipt.bytes


def test_http_post_sends_a_multipart_form_with_basic_login(
    http_server: HttpUploadServer, audio: AudioFile, job: Job, work: Path
) -> None:
    form = target(
        "http-upload",
        http_server.url("/api/audio"),
        Credentials("loa", HTTP_PASSWORD),
        work,
        section={"method": "post", "field": "audio", "auth": "basic"},
    )
    receipt = HttpUploadTransport().deliver(audio, form, job)

    upload = http_server.uploads[-1]
    assert (upload.method, upload.path, upload.filename) == ("POST", "/api/audio", audio.filename)
    assert hashlib.sha256(upload.data).hexdigest() == audio.sha256
    assert upload.headers["Authorization"].startswith("Basic ")
    assert_receipt(receipt, audio)


def test_a_password_in_the_address_is_refused_by_the_configuration() -> None:
    with pytest.raises(pydantic.ValidationError):
        ControllerConfig.model_validate(
            {"transport": "ftp", "address": "ftp://loa:secret@127.0.0.1/inbox"}
        )


# --- faults


def test_a_server_that_is_down_is_retryable(audio: AudioFile, job: Job, work: Path) -> None:
    port = closed_port()
    cases = [
        (FtpTransport(), target("ftp", f"ftp://127.0.0.1:{port}/x", None, work)),
        (
            SftpTransport(),
            target("sftp", f"sftp://127.0.0.1:{port}/x", Credentials("loa", "pw"), work),
        ),
        (
            HttpUploadTransport(),
            target("http-upload", f"http://127.0.0.1:{port}/x/", None, work),
        ),
    ]
    for transport, down in cases:
        error = failure(lambda t=transport, d=down: t.deliver(audio, d, job))  # type: ignore[misc]
        assert error.key == "delivery.network" and error.retryable, error.message("en")


def test_wrong_credentials_are_not_retried_and_never_shown(
    ftp_server: FtpServer,
    sftp_server: SftpServer,
    http_server: HttpUploadServer,
    audio: AudioFile,
    job: Job,
    work: Path,
) -> None:
    errors = [
        failure(lambda: FtpTransport().deliver(audio, ftp_target(ftp_server, work, WRONG), job)),
        failure(lambda: SftpTransport().deliver(audio, sftp_target(sftp_server, work, WRONG), job)),
        failure(
            lambda: HttpUploadTransport().deliver(audio, http_target(http_server, work, WRONG), job)
        ),
    ]
    for error in errors:
        assert error.key == "delivery.auth" and not error.retryable
        for lang in ("vi", "en"):
            assert WRONG not in error.message(lang)
        assert WRONG not in repr(error.params)


def test_a_full_remote_disk_is_reported_plainly_and_not_retried(
    ftp_server: FtpServer,
    sftp_server: SftpServer,
    http_server: HttpUploadServer,
    audio: AudioFile,
    job: Job,
    work: Path,
) -> None:
    errors = []
    ftp_server.disk_full = sftp_server.disk_full = True
    http_server.status = 507
    try:
        errors.append(
            failure(lambda: FtpTransport().deliver(audio, ftp_target(ftp_server, work), job))
        )
        errors.append(
            failure(lambda: SftpTransport().deliver(audio, sftp_target(sftp_server, work), job))
        )
        errors.append(
            failure(
                lambda: HttpUploadTransport().deliver(audio, http_target(http_server, work), job)
            )
        )
    finally:
        ftp_server.disk_full = sftp_server.disk_full = False
        http_server.status = None
    for error in errors:
        assert error.key == "upload.disk_full" and not error.retryable
        assert "remote disk full" in error.message("en")
    # The failed SFTP write left no temporary file behind.
    assert not [p for p in sftp_server.file("").iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_http_server_errors_and_rate_limits_are_retryable(
    status: int, http_server: HttpUploadServer, audio: AudioFile, job: Job, work: Path
) -> None:
    http_server.status = status
    try:
        error = failure(
            lambda: HttpUploadTransport().deliver(audio, http_target(http_server, work), job)
        )
    finally:
        http_server.status = None
    assert error.retryable and str(status) in error.message("en")


def test_a_reset_in_the_middle_of_an_upload_is_retryable(
    ftp_server: FtpServer, http_server: HttpUploadServer, audio: AudioFile, job: Job, work: Path
) -> None:
    ftp_server.reset_after = 4096
    http_server.reset = True
    try:
        errors = [
            failure(lambda: FtpTransport().deliver(audio, ftp_target(ftp_server, work), job)),
            failure(
                lambda: HttpUploadTransport().deliver(audio, http_target(http_server, work), job)
            ),
        ]
    finally:
        ftp_server.reset_after = None
        http_server.reset = False
    for error in errors:
        assert error.key == "delivery.network" and error.retryable, error.message("en")


def test_a_server_slower_than_the_timeout_is_retryable(
    ftp_server: FtpServer,
    sftp_server: SftpServer,
    http_server: HttpUploadServer,
    audio: AudioFile,
    job: Job,
    work: Path,
) -> None:
    ftp_server.delay = sftp_server.delay = http_server.delay = 2.0
    cases = [
        lambda: FtpTransport().deliver(audio, ftp_target(ftp_server, work, timeout=0.3), job),
        lambda: SftpTransport().deliver(audio, sftp_target(sftp_server, work, timeout=0.3), job),
        lambda: HttpUploadTransport().deliver(
            audio, http_target(http_server, work, timeout=0.3), job
        ),
    ]
    try:
        for case in cases:
            started = time.monotonic()
            error = failure(case)
            assert time.monotonic() - started < 1.5  # timed out, did not wait 2 s
            assert error.key == "delivery.network" and error.retryable, error.message("en")
    finally:
        ftp_server.delay = sftp_server.delay = http_server.delay = 0.0


def test_a_checksum_the_server_reports_wrong_is_retryable(
    http_server: HttpUploadServer, audio: AudioFile, job: Job, work: Path
) -> None:
    http_server.wrong_sha256 = True
    try:
        error = failure(
            lambda: HttpUploadTransport().deliver(audio, http_target(http_server, work), job)
        )
    finally:
        http_server.wrong_sha256 = False
    assert error.key == "upload.checksum_mismatch" and error.retryable


def test_an_untrusted_ssh_host_key_is_refused_without_retrying(
    sftp_server: SftpServer, audio: AudioFile, job: Job, work: Path
) -> None:
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    untrusted = target(
        "sftp",
        sftp_server.url(),
        Credentials("loa", SFTP_PASSWORD),
        work,
        section={"host_key": impostor},
    )
    error = failure(lambda: SftpTransport().deliver(audio, untrusted, job))

    assert error.key == "upload.host_key" and not error.retryable
