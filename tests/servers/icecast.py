"""Debian's icecast2 on a free 127.0.0.1 port, each mount dumping what it received to a file,
so a test can compare the receiving side's bytes with the sent ones."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

from tests.servers import free_port, terminate

__all__ = ["IcecastServer", "available", "free_port"]

ICECAST = "/usr/bin/icecast2"


@dataclass
class IcecastServer:
    """One icecast2 process. Icecast refuses to run as root, so as root it is told to drop to
    its own Debian account (`<changeowner>`) and the directory it writes is given to it."""

    folder: Path
    mounts: list[str]
    source_password: str = "src-secret-1"
    admin_password: str = "admin-secret-1"
    port: int = field(default_factory=free_port)
    tls_pem: Path | None = None
    """A certificate and its key in one PEM file: with it, `tls_port` speaks TLS."""
    tls_port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = None

    def dump_path(self, mount: str) -> Path:
        return self.folder / f"dump-{mount.strip('/').replace('/', '_')}"

    def address(self, mount: str, scheme: str = "icecast") -> str:
        port = self.tls_port if scheme == "icecasts" else self.port
        return f"{scheme}://127.0.0.1:{port}{mount}"

    def start(self) -> IcecastServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        owner = ""
        if os.geteuid() == 0:
            account = pwd.getpwnam("icecast2" if _has_user("icecast2") else "nobody")
            group = grp.getgrgid(account.pw_gid).gr_name
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            owner = (
                f"<changeowner><user>{account.pw_name}</user><group>{group}</group></changeowner>"
            )
        mounts = "".join(
            f"<mount type='normal'><mount-name>{escape(m)}</mount-name>"
            f"<dump-file>{escape(str(self.dump_path(m)))}</dump-file></mount>"
            for m in self.mounts
        )
        if self.tls_pem is not None and self.tls_pem.parent != self.folder:
            # The server reads it after dropping root; a test key may be readable by all.
            self.tls_pem = Path(shutil.copy(self.tls_pem, self.folder / "tls.pem"))
            self.tls_pem.chmod(0o644)
        share = "/usr/share/icecast2"
        tls_socket = tls_path = ""
        if self.tls_pem is not None:
            tls_socket = (
                f"<listen-socket><port>{self.tls_port}</port>"
                "<bind-address>127.0.0.1</bind-address><ssl>1</ssl></listen-socket>"
            )
            tls_path = f"<ssl-certificate>{escape(str(self.tls_pem))}</ssl-certificate>"
        config = f"""<icecast>
  <location>test</location><admin>test@localhost</admin><hostname>127.0.0.1</hostname>
  <limits><sources>8</sources><source-timeout>5</source-timeout></limits>
  <authentication>
    <source-password>{escape(self.source_password)}</source-password>
    <admin-user>admin</admin-user><admin-password>{escape(self.admin_password)}</admin-password>
  </authentication>
  <listen-socket><port>{self.port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  {tls_socket}{mounts}
  <paths><basedir>{self.folder}</basedir><logdir>{self.folder}</logdir>
    <webroot>{share}/web</webroot><adminroot>{share}/admin</adminroot>{tls_path}</paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog>
    <loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>{owner}</security>
</icecast>
"""
        path = self.folder / "icecast.xml"
        path.write_text(config, encoding="utf-8")
        self._process = subprocess.Popen(
            [ICECAST, "-c", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                # Right after start icecast serves half-built stats; wait for whole ones.
                url = f"http://127.0.0.1:{self.port}/status-json.xsl"
                if "server_id" in json.loads(httpx.get(url, timeout=1).text).get("icestats", {}):
                    return self
                time.sleep(0.05)
            except (httpx.HTTPError, ValueError):
                time.sleep(0.05)
            if self._process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"icecast2 did not start: {self.log()}")

    def log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self._process is not None:
            terminate(self._process)
            self._process = None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def available() -> bool:
    return shutil.which(ICECAST) is not None or Path(ICECAST).exists()
