"""FTP and FTPS (explicit TLS) upload: the verified bytes go up under a hidden temporary
name and are renamed to the bulletin's fixed file name, then the server's SIZE is checked."""

from __future__ import annotations

import ftplib
import hashlib
import io
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict

from bulletin.delivery.base import (
    AudioFile,
    Job,
    Probe,
    Receipt,
    Target,
    auth_error,
    network_error,
    secrets_of,
)
from bulletin.errors import DeliveryError
from bulletin.staging import partial_path, stale
from bulletin.store import now_iso
from bulletin.text.redact import redact

T = TypeVar("T")

# Reply codes a server gives when it has no room: 452 (insufficient storage, RFC 959) and
# 552 (exceeded storage allocation).
_DISK_FULL = ("452", "552")


@dataclass(frozen=True)
class _Remote:
    """Where an ftp:// or ftps:// address points."""

    host: str
    port: int
    folder: str
    user: str | None

    def url(self, scheme: str, name: str = "") -> str:
        path = self.folder.rstrip("/") + "/" + name if name else self.folder
        return f"{scheme}://{self.host}:{self.port}{path}"


class Options(BaseModel):
    """`controllers.NAME.ftp` (or `.ftps`) in controllers.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    passive: bool = True
    """Passive mode (the client opens the data connection); False for old servers behind
    no firewall that only speak active mode."""


class FtpTransport:
    """Plain FTP: the login and the audio cross the network in the clear, so use it only on
    a network you trust; `ftps` is the same with TLS."""

    scheme = "ftp"

    def deliver(self, audio: AudioFile, target: Target, job: Job) -> Receipt:
        data = audio.read_verified()
        remote = _remote_of(target, self.scheme)
        final = audio.filename
        temp = partial_path(Path(final)).name
        with self._session(target, remote) as (ftp, run):
            run("CWD", lambda: _enter(ftp, remote.folder, create=True))
            _quietly(lambda: _sweep(ftp, final))
            try:
                ack = run("STOR", lambda: ftp.storbinary(f"STOR {temp}", io.BytesIO(data)))
                run("RNFR/RNTO", lambda: _rename_over(ftp, temp, final))
            except DeliveryError:
                _quietly(lambda: ftp.delete(temp))
                raise
            found = run("SIZE", lambda: _size(ftp, final))
        if found is not None and found != len(data):
            raise DeliveryError(
                "upload.size_mismatch",
                retryable=True,
                controller=target.name,
                remote=remote.url(self.scheme, final),
                found=found,
                sent=len(data),
            )
        return Receipt(
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            remote_id=remote.url(self.scheme, final),
            at=now_iso(),
            ack=_short(ack, target),
        )

    def check(self, target: Target) -> Probe:
        """Connect, log in and open the folder, uploading nothing."""
        started = time.monotonic()
        remote = _remote_of(target, self.scheme)
        with self._session(target, remote) as (ftp, run):
            run("CWD", lambda: _enter(ftp, remote.folder, create=False))
            welcome = ftp.welcome or ""
        detail = f"{remote.url(self.scheme)} {_short(welcome, target)}".strip()
        return Probe(True, detail, time.monotonic() - started)

    def confirm(self, audio: AudioFile, target: Target, job: Job) -> Receipt | None:
        """The file is on the server under its final name with the approved size: a killed
        push got that far (the rename happens only after a complete upload)."""
        size = len(audio.read_verified())
        remote = _remote_of(target, self.scheme)
        with self._session(target, remote) as (ftp, run):
            try:
                run("CWD", lambda: _enter(ftp, remote.folder, create=False))
                found = run("SIZE", lambda: _size(ftp, audio.filename))
            except DeliveryError as exc:
                if exc.retryable:
                    raise
                return None
        if found != size:
            return None
        return Receipt(
            bytes=size,
            sha256=audio.sha256,
            remote_id=remote.url(self.scheme, audio.filename),
            at=now_iso(),
            ack=f"SIZE {found}",
        )

    def close(self) -> None:
        return None

    def _connect(self, target: Target) -> ftplib.FTP:
        return ftplib.FTP(timeout=target.timeout)

    def _before_login(self, ftp: ftplib.FTP) -> None:
        """FTPS turns on TLS here, so the password never crosses in the clear."""

    def _secure(self, ftp: ftplib.FTP) -> None:
        """Called after login; FTPS protects the data channel here."""

    @contextmanager
    def _session(
        self, target: Target, remote: _Remote
    ) -> Iterator[tuple[ftplib.FTP, Callable[[str, Callable[[], T]], T]]]:
        """A logged-in connection, and a runner that turns each step's failure into a typed
        error naming the step."""
        hidden = secrets_of(target.credentials)

        def run(what: str, step: Callable[[], T]) -> T:
            try:
                return step()
            except ftplib.all_errors as exc:
                raise _ftp_error(target.name, what, exc, hidden) from None

        try:
            ftp = self._connect(target)
        except OSError as exc:  # a ca_bundle that cannot be read
            unreadable = ssl.SSLCertVerificationError(str(exc))
            raise _ftp_error(target.name, "AUTH TLS", unreadable, []) from None
        ftp.set_pasv(target.config.options(Options).passive)
        try:
            run("CONNECT", lambda: ftp.connect(remote.host, remote.port))
            run("AUTH TLS", lambda: self._before_login(ftp))
            user, password = _login_of(target, remote)
            run("USER/PASS", lambda: ftp.login(user, password))
            run("PROT P", lambda: self._secure(ftp))
            yield ftp, run
            _quietly(ftp.quit)
        finally:
            ftp.close()


class FtpsTransport(FtpTransport):
    """FTP with explicit TLS (AUTH TLS, then PROT P for the data channel), verified against
    the system's or the controller's own CA bundle."""

    scheme = "ftps"

    def _connect(self, target: Target) -> ftplib.FTP:
        return _SessionReusingFTP(context=target.ssl_context(), timeout=target.timeout)

    def _before_login(self, ftp: ftplib.FTP) -> None:
        assert isinstance(ftp, ftplib.FTP_TLS)
        ftp.auth()

    def _secure(self, ftp: ftplib.FTP) -> None:
        assert isinstance(ftp, ftplib.FTP_TLS)
        ftp.prot_p()


class _SessionReusingFTP(ftplib.FTP_TLS):
    """Data connections resume the control connection's TLS session: vsftpd and others
    refuse a data connection that does not (require_ssl_reuse), which ftplib does not do."""

    def ntransfercmd(
        self, cmd: str, rest: int | str | None = None
    ) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:  # type: ignore[attr-defined]
            session = self.sock.session if isinstance(self.sock, ssl.SSLSocket) else None
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
        return conn, size


def _remote_of(target: Target, scheme: str) -> _Remote:
    address = target.config.address
    expected = f"{scheme}://HOST:PORT/DIR"
    try:
        parts = urlsplit(address)
        port = parts.port or 21
    except ValueError:
        parts, port = None, 0
    if parts is None or parts.scheme != scheme or not parts.hostname:
        raise DeliveryError(
            "upload.address",
            retryable=False,
            controller=target.name,
            address=address,
            transport=scheme,
            expected=expected,
        )
    return _Remote(
        host=parts.hostname,
        port=port,
        folder=unquote(parts.path) or "/",
        user=unquote(parts.username) if parts.username else None,
    )


def _login_of(target: Target, remote: _Remote) -> tuple[str, str]:
    """`user:password` from the credentials; a user in the address with a token as its
    password; anonymous when neither names a user."""
    creds = target.credentials
    user = (creds.username if creds else None) or remote.user
    password = (creds.password or creds.token or "") if creds else ""
    if user is None:
        if password:
            raise DeliveryError("upload.no_user", retryable=False, controller=target.name)
        return "anonymous", "anonymous@"
    return user, password


def _enter(ftp: ftplib.FTP, folder: str, *, create: bool) -> None:
    """Change to `folder`, making the missing parts of it when `create`."""
    try:
        ftp.cwd(folder)
        return
    except ftplib.error_perm:
        if not create:
            raise
    if folder.startswith("/"):
        ftp.cwd("/")
    for part in (p for p in folder.split("/") if p):
        try:
            ftp.cwd(part)
        except ftplib.error_perm:
            ftp.mkd(part)
            ftp.cwd(part)


def _sweep(ftp: ftplib.FTP, final: str) -> None:
    try:
        names = [name for name, _ in ftp.mlsd()]
    except ftplib.error_perm:
        names = ftp.nlst("-a")
    for name in stale(names, final):
        ftp.delete(name)


def _rename_over(ftp: ftplib.FTP, temp: str, final: str) -> None:
    """Rename, replacing an earlier copy; servers that refuse to rename onto an existing
    file (IIS) get the old one deleted first."""
    try:
        ftp.rename(temp, final)
    except ftplib.error_perm as refused:
        try:
            ftp.delete(final)
        except ftplib.error_perm:
            raise refused from None
        ftp.rename(temp, final)


def _size(ftp: ftplib.FTP, name: str) -> int | None:
    """The file's size as the server reports it; None when the server has no SIZE."""
    ftp.voidcmd("TYPE I")
    try:
        return ftp.size(name)
    except ftplib.error_perm as exc:
        if str(exc)[:3] in ("500", "502", "504"):
            return None
        raise


def _ftp_error(name: str, what: str, exc: BaseException, hidden: list[str]) -> DeliveryError:
    detail = redact(str(exc) or type(exc).__name__, hidden)[:300]
    code = detail[:3]
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError("upload.tls", retryable=False, controller=name, detail=detail)
    if isinstance(exc, ftplib.error_perm | ftplib.error_temp) and code in _DISK_FULL:
        return DeliveryError("upload.disk_full", retryable=False, controller=name, detail=detail)
    if isinstance(exc, ftplib.error_perm):
        if code in ("530", "532"):
            return auth_error(name, detail)
        return DeliveryError(
            "upload.refused", retryable=False, controller=name, what=what, detail=detail
        )
    if isinstance(exc, OSError | EOFError):
        # Refused, reset, timed out or closed mid-reply: the next attempt may get through.
        return network_error(name, exc, what=f"{what} ")
    # 4xx replies and replies ftplib could not make sense of.
    return DeliveryError(
        "upload.server_busy", retryable=True, controller=name, what=what, detail=detail
    )


def _short(reply: str, target: Target) -> str:
    return redact(" ".join(reply.split()), secrets_of(target.credentials))[:200]


def _quietly(step: Callable[[], object]) -> None:
    with suppress(OSError, EOFError, ftplib.Error):
        step()
