"""pyftpdlib FTP and FTPS servers on 127.0.0.1 for testing the upload transports, with
switches for the faults a controller's server shows (disk full, slow replies, a reset in the
middle of an upload), and a throwaway certificate authority for FTPS."""

from __future__ import annotations

import datetime
import ipaddress
import logging
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import DTPHandler, FTPHandler, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import FTPServer

# pyftpdlib logs every command (and a line per loop turn) at INFO, through a handler of its
# own unless the logger already has one.
_log = logging.getLogger("pyftpdlib")
_log.addHandler(logging.NullHandler())
_log.setLevel(logging.WARNING)
_log.propagate = False


@dataclass
class ScratchCA:
    """A certificate authority made for one test session, and server certificates from it."""

    folder: Path
    name: str = "bulletin test CA"

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.name)])
        now = datetime.datetime.now(datetime.UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self.bundle = self.folder / "ca.pem"
        self.bundle.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def server_pem(self, host: str = "127.0.0.1") -> Path:
        """A PEM file with a certificate for `host` and its private key, as servers load it."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                critical=False,
            )
            .sign(self._key, hashes.SHA256())
        )
        path = self.folder / f"server-{cert.serial_number:x}.pem"
        path.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return path


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset rather than a clean FIN, as a crashed peer does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@dataclass
class FtpServer:
    """One FTP (or FTPS, given `certfile`) server over `root` for one user.

    Switches, read on every command: `disk_full` answers STOR with 552, `delay` sleeps that
    many seconds before answering STOR, `reset_after` resets both connections once that
    many bytes of an upload have arrived."""

    root: Path
    user: str = "loa"
    password: str = "mat-khau-ftp"
    certfile: Path | None = None
    disk_full: bool = False
    delay: float = 0.0
    reset_after: int | None = None
    stored: list[str] = field(default_factory=list)
    _server: Any = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.address[1])

    def url(self, scheme: str = "ftp", folder: str = "/inbox") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{folder}"

    def start(self) -> FtpServer:
        self.root.mkdir(parents=True, exist_ok=True)
        harness = self
        authorizer = DummyAuthorizer()
        authorizer.add_user(self.user, self.password, str(self.root), perm="elradfmwMT")
        base_handler: type[FTPHandler] = TLS_FTPHandler if self.certfile else FTPHandler
        base_dtp: type[DTPHandler] = TLS_DTPHandler if self.certfile else DTPHandler

        class Dtp(base_dtp):
            def handle_read(self) -> None:
                super().handle_read()
                limit = harness.reset_after
                if limit is not None and self.tot_bytes_received >= limit:
                    control = self.cmd_channel
                    reset(self.socket)
                    reset(control.socket)

        if not self.certfile:
            # DTPHandler aliases handle_read_event to its own handle_read; TLS_DTPHandler
            # wraps it for the handshake, so `reset_after` works on plain FTP only.
            Dtp.handle_read_event = Dtp.handle_read

        class Handler(base_handler):
            def ftp_STOR(self, file: str, mode: str = "w") -> str | None:
                if harness.delay:
                    time.sleep(harness.delay)
                if harness.disk_full:
                    self.respond("552 Requested file action aborted: exceeded storage allocation.")
                    return None
                harness.stored.append(file)
                return super().ftp_STOR(file, mode)

        Handler.authorizer = authorizer
        Handler.auth_failed_timeout = 0.05
        Handler.dtp_handler = Dtp
        Handler.passive_ports = None
        if self.certfile:
            Handler.certfile = str(self.certfile)
            Handler.ssl_context = None
            Handler.tls_control_required = True
            Handler.tls_data_required = True
        self._server = FTPServer(("127.0.0.1", 0), Handler, ioloop=IOLoop())
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        self._server.close_all()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def file(self, name: str, folder: str = "inbox") -> Path:
        return self.root / folder / name
