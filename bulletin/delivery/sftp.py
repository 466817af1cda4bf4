"""SFTP upload over SSH (asyncssh): the verified bytes go up under a hidden temporary name,
are renamed to the bulletin's fixed file name, and the remote size is checked."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import posixpath
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urlsplit

import asyncssh
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

# What SFTP servers say when the disk is full: version 5+ has its own codes, version 3
# servers (OpenSSH among them) put it in the message of a generic failure, if anywhere.
_NO_SPACE_WORDS = ("no space", "disk full", "quota", "insufficient storage")


class Options(BaseModel):
    """`controllers.NAME.sftp` in controllers.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host_key: str | None = None
    """The server's public host key, as in known_hosts ("ssh-ed25519 AAAA…")."""
    known_hosts: str | None = None
    """An OpenSSH known_hosts file (relative to the workspace); else ~/.ssh/known_hosts."""
    client_key: str | None = None
    """A private key file for key authentication (relative to the workspace)."""
    check_host_key: bool = True
    """False trusts any host key: only for a server on a network you control."""


@dataclass(frozen=True)
class _Remote:
    host: str
    port: int
    folder: str
    user: str | None

    def url(self, path: str) -> str:
        return f"sftp://{self.host}:{self.port}{path}"


class _Step:
    """The protocol step in progress, so a failure can say where it happened."""

    def __init__(self) -> None:
        self.now = "CONNECT"


class SftpTransport:
    """Each call runs its own asyncio loop (or a worker thread when the caller is already
    inside one), so `deliver` can be called from several threads at once."""

    def deliver(self, audio: AudioFile, target: Target, job: Job) -> Receipt:
        data = audio.read_verified()
        remote = _remote_of(target)
        final = posixpath.join(remote.folder, audio.filename)
        temp = posixpath.join(remote.folder, partial_path(Path(audio.filename)).name)

        async def upload(sftp: asyncssh.SFTPClient, step: _Step) -> tuple[int, str]:
            step.now = "MKDIR"
            await sftp.makedirs(remote.folder, exist_ok=True)
            await _quietly(_sweep(sftp, remote.folder, audio.filename))
            try:
                step.now = "WRITE"
                async with sftp.open(temp, "wb") as handle:
                    await handle.write(data)
                step.now = "RENAME"
                await _rename_over(sftp, temp, final)
            except (asyncssh.Error, OSError):
                # Not on a timeout's cancellation: the server is not answering anyway.
                await _quietly(sftp.remove(temp))
                raise
            step.now = "STAT"
            attrs = await sftp.stat(final)
            return attrs.size or 0, f"SFTP v{sftp.version}"

        found, ack = _session(target, remote, upload)
        if found != len(data):
            raise DeliveryError(
                "upload.size_mismatch",
                retryable=True,
                controller=target.name,
                remote=remote.url(final),
                found=found,
                sent=len(data),
            )
        return Receipt(
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            remote_id=remote.url(final),
            at=now_iso(),
            ack=f"{ack}: {final} {found} bytes",
        )

    def check(self, target: Target) -> Probe:
        """Connect, authenticate and look at the folder, uploading nothing."""
        started = time.monotonic()
        remote = _remote_of(target)

        async def look(sftp: asyncssh.SFTPClient, step: _Step) -> str:
            step.now = "STAT"
            if not await sftp.isdir(remote.folder):
                raise asyncssh.SFTPNoSuchFile(f"{remote.folder} is not a folder")
            return f"SFTP v{sftp.version}"

        version = _session(target, remote, look)
        return Probe(True, f"{remote.url(remote.folder)} ({version})", time.monotonic() - started)

    def confirm(self, audio: AudioFile, target: Target, job: Job) -> Receipt | None:
        """The final file is there with the approved size and SHA-256 (read back: bulletins
        are small), so a killed push completed anyway."""
        remote = _remote_of(target)
        final = posixpath.join(remote.folder, audio.filename)

        async def read_back(sftp: asyncssh.SFTPClient, step: _Step) -> bytes | None:
            step.now = "READ"
            try:
                async with sftp.open(final, "rb") as handle:
                    return cast(bytes, await handle.read())
            except (asyncssh.SFTPNoSuchFile, asyncssh.SFTPPermissionDenied):
                return None

        data = _session(target, remote, read_back)
        if data is None or hashlib.sha256(data).hexdigest() != audio.sha256:
            return None
        return Receipt(
            bytes=len(data),
            sha256=audio.sha256,
            remote_id=remote.url(final),
            at=now_iso(),
            ack=f"read back {len(data)} bytes",
        )

    def close(self) -> None:
        return None


def _session(
    target: Target,
    remote: _Remote,
    work: Callable[[asyncssh.SFTPClient, _Step], Awaitable[T]],
) -> T:
    """Connect, log in, open SFTP and run `work`, all within the target's timeout."""
    options = target.config.options(Options)
    connect_args = _connect_args(target, remote, options)
    step = _Step()

    connections: list[asyncssh.SSHClientConnection] = []

    async def run() -> T:
        async with asyncssh.connect(**connect_args) as conn:
            connections.append(conn)
            step.now = "SFTP"
            async with conn.start_sftp_client() as sftp:
                return await work(sftp, step)

    async def bounded() -> T:
        asyncio.get_running_loop().set_exception_handler(_quiet_after_abort)
        task = asyncio.ensure_future(run())
        done, _ = await asyncio.wait({task}, timeout=target.timeout)
        if task in done:
            return task.result()
        # A clean close would wait on the server that is too slow already: drop the line.
        for conn in connections:
            conn.abort()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise TimeoutError("timed out")

    try:
        return _run_private(bounded)
    except (asyncssh.Error, OSError) as exc:
        raise _sftp_error(target, step.now, exc) from None


def _quiet_after_abort(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncssh's parallel writes end with "connection lost" when a timeout drops the line;
    that is the error already raised, not one to log again."""
    if isinstance(context.get("exception"), asyncssh.Error | asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


def _run_private(coro: Callable[[], Awaitable[T]]) -> T:
    """Run on a loop of its own: here when this thread has none running, else in a worker."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_as_coroutine(coro))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(_as_coroutine(coro))).result()


async def _as_coroutine(coro: Callable[[], Awaitable[T]]) -> T:
    return await coro()


def _connect_args(target: Target, remote: _Remote, options: Options) -> dict[str, Any]:
    creds = target.credentials
    user = (creds.username if creds else None) or remote.user
    if not user:
        raise DeliveryError("upload.no_user", retryable=False, controller=target.name)
    password = (creds.password or creds.token) if creds else None
    args: dict[str, Any] = {
        "host": remote.host,
        "port": remote.port,
        "username": user,
        "password": password,
        "connect_timeout": target.timeout,
        "login_timeout": target.timeout,
        # Only what this controller's settings name: never the agent or ~/.ssh keys of
        # whoever runs bulletin.
        "agent_path": None,
        "client_keys": None,
        "preferred_auth": "publickey,keyboard-interactive,password",
    }
    if options.client_key:
        path = _workspace_path(target, options.client_key)
        try:
            args["client_keys"] = [asyncssh.read_private_key(str(path))]
        except (OSError, asyncssh.KeyImportError) as exc:
            raise _file_error(target, path, exc) from None
    if password is None and not options.client_key:
        raise auth_error(target.name, "no password and no client_key")
    if not options.check_host_key:
        args["known_hosts"] = None
    elif options.host_key:
        try:
            key = asyncssh.import_public_key(options.host_key)
        except asyncssh.KeyImportError as exc:
            raise _file_error(target, Path("host_key"), exc) from None
        args["known_hosts"] = ([key], [], [])
    elif options.known_hosts:
        path = _workspace_path(target, options.known_hosts)
        try:
            args["known_hosts"] = asyncssh.read_known_hosts(str(path))
        except (OSError, ValueError) as exc:
            raise _file_error(target, path, exc) from None
    return args


def _workspace_path(target: Target, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else target.base_dir / path


async def _rename_over(sftp: asyncssh.SFTPClient, temp: str, final: str) -> None:
    """Replace `final` in one step where the server can (OpenSSH's posix-rename), else
    remove the old copy first (SFTP v3's rename refuses to overwrite)."""
    try:
        await sftp.posix_rename(temp, final)
        return
    except asyncssh.SFTPOpUnsupported:
        pass
    with suppress(asyncssh.SFTPNoSuchFile):
        await sftp.remove(final)
    await sftp.rename(temp, final)


async def _sweep(sftp: asyncssh.SFTPClient, folder: str, final: str) -> None:
    names = [str(name) for name in await sftp.listdir(folder)]
    for name in stale(names, final):
        await sftp.remove(posixpath.join(folder, name))


async def _quietly(step: Awaitable[object]) -> None:
    with suppress(asyncssh.Error, OSError):
        await step


def _remote_of(target: Target) -> _Remote:
    address = target.config.address
    try:
        parts = urlsplit(address)
        port = parts.port or 22
    except ValueError:
        parts, port = None, 0
    if parts is None or parts.scheme != "sftp" or not parts.hostname:
        raise DeliveryError(
            "upload.address",
            retryable=False,
            controller=target.name,
            address=address,
            transport="sftp",
            expected="sftp://HOST:PORT/DIR",
        )
    return _Remote(
        host=parts.hostname,
        port=port,
        folder=unquote(parts.path) or ".",
        user=unquote(parts.username) if parts.username else None,
    )


def _sftp_error(target: Target, what: str, exc: BaseException) -> DeliveryError:
    name = target.name
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    detail = redact(reason, secrets_of(target.credentials))[:300]
    if isinstance(exc, asyncssh.PermissionDenied):
        return auth_error(name, detail)
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return DeliveryError("upload.host_key", retryable=False, controller=name, detail=detail)
    if isinstance(exc, asyncssh.SFTPNoSpaceOnFilesystem | asyncssh.SFTPQuotaExceeded) or (
        isinstance(exc, asyncssh.SFTPError)
        and any(word in detail.lower() for word in _NO_SPACE_WORDS)
    ):
        return DeliveryError("upload.disk_full", retryable=False, controller=name, detail=detail)
    if isinstance(exc, asyncssh.SFTPConnectionLost):
        return network_error(name, exc, what=f"{what} ")
    if isinstance(exc, asyncssh.SFTPError):
        return DeliveryError(
            "upload.refused", retryable=False, controller=name, what=what, detail=detail
        )
    if isinstance(exc, TimeoutError):
        return network_error(name, exc, what=f"{what} ")
    # Refused, reset, lost or broken mid-session: the next attempt may get through.
    return DeliveryError(
        "delivery.network", retryable=True, controller=name, what=f"{what} ", detail=detail
    )


def _file_error(target: Target, path: Path, exc: BaseException) -> DeliveryError:
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return DeliveryError(
        "upload.ssh_file", retryable=False, controller=target.name, path=str(path), detail=detail
    )
