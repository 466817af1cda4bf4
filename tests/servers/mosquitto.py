"""Debian's mosquitto on a free 127.0.0.1 port, with a password file made by
mosquitto_passwd, so tests meet a real broker's authentication."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers import free_port, terminate

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"


@dataclass
class MosquittoServer:
    """One mosquitto process; anonymous clients are refused. As root, mosquitto drops to its
    own account, so its directory is handed to that account."""

    folder: Path
    """Outside pytest's 0700 temp tree, which mosquitto's own account cannot enter."""
    users: dict[str, str]
    port: int = field(default_factory=free_port)
    tls_pem: Path | None = None
    """A certificate and its key in one PEM file: with it, `tls_port` speaks TLS."""
    tls_port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = None

    def address(self, prefix: str, scheme: str = "mqtt") -> str:
        port = self.tls_port if scheme == "mqtts" else self.port
        return f"{scheme}://127.0.0.1:{port}/{prefix}"

    def start(self) -> MosquittoServer:
        passwords = self.folder / "passwd"
        for n, (user, password) in enumerate(self.users.items()):
            create = ["-c"] if n == 0 else []
            subprocess.run(
                [MOSQUITTO_PASSWD, "-b", *create, str(passwords), user, password], check=True
            )
        if self.tls_pem is not None and self.tls_pem.parent != self.folder:
            # The server reads it after dropping root; a test key may be readable by all.
            self.tls_pem = Path(shutil.copy(self.tls_pem, self.folder / "tls.pem"))
            self.tls_pem.chmod(0o644)
        config = self.folder / "mosquitto.conf"
        config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous false\n"
            f"password_file {passwords}\n"
            "persistence false\n"
            f"log_dest file {self.folder / 'mosquitto.log'}\n"
            + (
                f"listener {self.tls_port} 127.0.0.1\ncertfile {self.tls_pem}\n"
                f"keyfile {self.tls_pem}\n"
                if self.tls_pem is not None
                else ""
            ),
            encoding="utf-8",
        )
        if os.geteuid() == 0:
            account = pwd.getpwnam("mosquitto")
            for path in (self.folder, passwords, config):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._process = subprocess.Popen(
            [MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mosquitto did not start: {self.log()}")

    def log(self) -> str:
        path = self.folder / "mosquitto.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self._process is not None:
            terminate(self._process)
            self._process = None
