"""An asyncssh SFTP server on 127.0.0.1 for testing the sftp transport: password and key
logins, a host key made per run, files kept under one folder, and switches for a full disk
and a slow server."""

from __future__ import annotations

import asyncio
import errno
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh


@dataclass
class SftpServer:
    """Switches: `disk_full` fails every write with ENOSPC (the server reports it as SFTP
    says: no space on the filesystem), `delay` holds every write that many seconds."""

    root: Path
    user: str = "loa"
    password: str = "mat-khau-sftp"
    client_key: asyncssh.SSHKey | None = None
    """A client key allowed to log in as `user`, besides the password."""
    disk_full: bool = False
    delay: float = 0.0
    host_key: asyncssh.SSHKey = field(
        default_factory=lambda: asyncssh.generate_private_key("ssh-ed25519")
    )
    _loop: asyncio.AbstractEventLoop | None = None
    _server: Any = None
    _thread: threading.Thread | None = None

    port: int = 0

    @property
    def host_public_key(self) -> str:
        """The line a client trusts: `ssh-ed25519 AAAA…`."""
        return self.host_key.export_public_key().decode().strip()

    def url(self, folder: str = "/inbox") -> str:
        return f"sftp://127.0.0.1:{self.port}{folder}"

    def file(self, name: str, folder: str = "inbox") -> Path:
        return self.root / folder / name

    def start(self) -> SftpServer:
        self.root.mkdir(parents=True, exist_ok=True)
        harness = self

        class Login(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
                return username == harness.user and password == harness.password

            def public_key_auth_supported(self) -> bool:
                return harness.client_key is not None

            def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
                allowed = harness.client_key
                return (
                    username == harness.user
                    and allowed is not None
                    and key.export_public_key() == allowed.export_public_key()
                )

        class Files(asyncssh.SFTPServer):
            def __init__(self, chan: asyncssh.SSHServerChannel) -> None:
                super().__init__(chan, chroot=str(harness.root).encode())

            async def write(self, file_obj: object, offset: int, data: bytes) -> int:
                if harness.delay:
                    await asyncio.sleep(harness.delay)
                if harness.disk_full:
                    raise OSError(errno.ENOSPC, "No space left on device")
                return int(super().write(file_obj, offset, data))  # type: ignore[arg-type]

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

        async def listen() -> Any:
            return await asyncssh.create_server(
                Login,
                "127.0.0.1",
                0,
                server_host_keys=[self.host_key],
                sftp_factory=Files,
                allow_scp=False,
            )

        self._server = asyncio.run_coroutine_threadsafe(listen(), self._loop).result(timeout=10)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shut() -> None:
            self._server.close()
            await self._server.wait_closed()
            # Sessions a test dropped mid-write still have handlers waiting.
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
