"""The mqtt transport: a play command to a device's topic; the device downloads the audio from
`bulletin serve` by URL and acknowledges what it got.

Topics under the address's prefix (`mqtt://HOST:PORT/PREFIX`), the contract a device keeps:
- `PREFIX/play`: our command, QoS 1, JSON {"bulletin", "key", "url", "sha256", "bytes",
  "air_at", "title"};
- `PREFIX/ack/<key>`: the device's answer, published retained so that an interrupted push can
  find it later, JSON {"key", "ok", "sha256", "bytes", "reason", "retryable"};
- `PREFIX/status`: the device's state, retained, JSON {"status", "seen_at", "detail"}.
"""

from __future__ import annotations

import hashlib
import json
import queue
import re
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from bulletin.delivery.base import (
    AudioFile,
    DeviceStatus,
    Job,
    Probe,
    Receipt,
    Target,
    auth_error,
    network_error,
    secrets_of,
)
from bulletin.errors import DeliveryError
from bulletin.store import now_iso
from bulletin.text.redact import redact

SCHEMES = {"mqtt": False, "mqtts": True}
"""Scheme -> whether the connection is TLS."""

AUTH_REFUSED = {4, 5, 134, 135}
"""CONNACK codes for wrong credentials: 3.1.1's 4 and 5, and their MQTT 5 forms."""

RETAINED_GRACE_S = 1.0
"""How long after SUBACK a retained message may still arrive (brokers send it at once)."""

_TOPIC_SAFE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def ack_topic(prefix: str, key: str) -> str:
    """Where a device acknowledges the command with this key; a key that could not be one
    topic level (it holds `/`, `+` or `#`) is replaced by its SHA-256."""
    level = key if _TOPIC_SAFE.match(key) else hashlib.sha256(key.encode()).hexdigest()
    return f"{prefix}/ack/{level}"


@dataclass(frozen=True)
class Broker:
    """Where a controller's address points."""

    host: str
    port: int
    prefix: str
    tls: bool


def broker_of(target: Target) -> Broker:
    """`mqtt://HOST:PORT/PREFIX` or `mqtts://…`; anything else is a bad address."""
    address = target.config.address
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        parts, port = None, None
    prefix = unquote(parts.path).strip("/") if parts is not None else ""
    if (
        parts is None
        or parts.scheme not in SCHEMES
        or not parts.hostname
        or not prefix
        or any(c in prefix for c in "+#")
    ):
        raise DeliveryError(
            "mqtt.address", retryable=False, controller=target.name, address=address
        )
    tls = SCHEMES[parts.scheme]
    return Broker(parts.hostname, port or (8883 if tls else 1883), prefix, tls)


class _Session:
    """One connected paho client, its messages handed over through a queue."""

    def __init__(self, target: Target, broker: Broker) -> None:
        import paho.mqtt.client as mqtt

        self.target = target
        self.messages: queue.Queue[Any] = queue.Queue()
        self._connected = threading.Event()
        self._subscribed: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        self._refusal: Any = None
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"bulletin-{uuid.uuid4().hex[:12]}",
            protocol=mqtt.MQTTv311,
            clean_session=True,
        )
        client.connect_timeout = target.timeout
        creds = target.credentials
        if creds is not None:
            client.username_pw_set(creds.username or "", creds.password or creds.token)
        if broker.tls:
            client.tls_set_context(target.ssl_context())
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = lambda _c, _u, message: self.messages.put(message)
        self.client = client
        try:
            client.connect(broker.host, broker.port, keepalive=max(10, int(target.timeout)))
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                "mqtt.tls", retryable=False, controller=target.name, detail=str(exc)[:300]
            ) from None
        except OSError as exc:
            raise network_error(target.name, exc, what=f"{broker.host}:{broker.port} ") from None
        client.loop_start()
        if not self._connected.wait(target.timeout):
            self.close()
            raise network_error(
                target.name, TimeoutError("no CONNACK"), what=f"{broker.host}:{broker.port} "
            )
        if self._refusal is not None:
            self.close()
            code = self._refusal
            if getattr(code, "value", code) in AUTH_REFUSED:
                raise auth_error(target.name, str(code))
            raise DeliveryError(
                "mqtt.refused", retryable=True, controller=target.name, detail=str(code)
            )

    def _on_connect(self, _c: Any, _u: Any, _flags: Any, code: Any, _p: Any) -> None:
        if code.is_failure:
            self._refusal = code
        self._connected.set()

    def _on_subscribe(self, _c: Any, _u: Any, mid: int, _codes: Any, _p: Any) -> None:
        with self._lock:
            self._subscribed.setdefault(mid, threading.Event()).set()

    def subscribe(self, topic: str) -> None:
        """Subscribe at QoS 1 and wait for the SUBACK, so nothing published after is missed."""
        result, mid = self.client.subscribe(topic, qos=1)
        if result != 0 or mid is None:
            raise network_error(self.target.name, ConnectionError(f"subscribe: {result}"))
        with self._lock:
            done = self._subscribed.setdefault(mid, threading.Event())
        if not done.wait(self.target.timeout):
            raise network_error(self.target.name, TimeoutError("no SUBACK"), what=f"{topic} ")

    def next_message(self, deadline: float) -> Any | None:
        try:
            return self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class MqttTransport:
    """Publishes a play command at QoS 1 and waits for the device's acknowledgement."""

    uses_media_url = True  # the engine gives each delivery its own URL on `bulletin serve`

    def deliver(self, audio: AudioFile, target: Target, job: Job) -> Receipt:
        if not job.media_url:
            raise DeliveryError("mqtt.no_media_url", retryable=False, controller=target.name)
        size = audio.verify()  # the device fetches the bytes; they are checked, not kept
        broker = broker_of(target)
        sha256 = audio.sha256
        command = {
            "bulletin": job.bulletin_id,
            "key": job.key,
            "url": job.media_url,
            "sha256": sha256,
            "bytes": size,
            "air_at": job.air_at.isoformat() if job.air_at else None,
            "title": job.title,
        }
        play = f"{broker.prefix}/play"
        session = _Session(target, broker)
        try:
            # Subscribed before publishing: the ack cannot come before we listen.
            session.subscribe(ack_topic(broker.prefix, job.key))
            info = session.client.publish(play, json.dumps(command, ensure_ascii=False), qos=1)
            try:
                info.wait_for_publish(target.timeout)
            except (RuntimeError, ValueError) as exc:
                raise network_error(target.name, exc, what=f"{play} ") from None
            if not info.is_published():
                raise network_error(target.name, TimeoutError("no PUBACK"), what=f"{play} ")
            if job.sent is not None:
                job.sent(f"play:{info.mid}")
            deadline = time.monotonic() + target.timeout
            while (message := session.next_message(deadline)) is not None:
                if message.retain:
                    # Kept by the broker from an earlier attempt, not an answer to this one.
                    continue
                ack = _ack_of(message.payload, job.key)
                if ack is not None:
                    return _receipt_or_raise(ack, sha256, size, play, target)
        finally:
            session.close()
        raise DeliveryError(
            "mqtt.no_ack", retryable=True, controller=target.name, seconds=round(target.timeout)
        )

    def confirm(self, audio: AudioFile, target: Target, job: Job) -> Receipt | None:
        """After an interrupted push that did send its command: the device's retained ack for
        this key (or one that arrives while we wait), never a second command."""
        if not job.was_sent:
            return None
        broker = broker_of(target)
        session = _Session(target, broker)
        try:
            session.subscribe(ack_topic(broker.prefix, job.key))
            deadline = time.monotonic() + target.timeout
            while (message := session.next_message(deadline)) is not None:
                ack = _ack_of(message.payload, job.key)
                if ack is None:
                    continue
                if ack.get("ok") is True and ack.get("sha256") == audio.sha256:
                    play = f"{broker.prefix}/play"
                    return _receipt_or_raise(ack, audio.sha256, _size(audio), play, target)
                return None
        finally:
            session.close()
        return None

    def check(self, target: Target) -> Probe:
        """The broker answers and accepts our credentials (CONNACK); no device is asked."""
        started = time.monotonic()
        broker = broker_of(target)
        _Session(target, broker).close()
        return Probe(True, f"{broker.host}:{broker.port}", time.monotonic() - started)

    def status(self, target: Target) -> list[DeviceStatus]:
        """The device's retained `PREFIX/status`; unknown when it never published one."""
        broker = broker_of(target)
        session = _Session(target, broker)
        try:
            session.subscribe(f"{broker.prefix}/status")
            message = session.next_message(time.monotonic() + RETAINED_GRACE_S)
        finally:
            session.close()
        if message is None:
            return [DeviceStatus(broker.prefix, "unknown", None, "")]
        try:
            found = json.loads(message.payload)
        except ValueError:
            found = None
        if not isinstance(found, dict):
            return [DeviceStatus(broker.prefix, "unknown", None, _short(message.payload))]
        detail = found.get("detail", "")
        return [
            DeviceStatus(
                str(found.get("device") or broker.prefix),
                str(found.get("status") or "unknown"),
                str(found["seen_at"]) if found.get("seen_at") else None,
                detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False),
            )
        ]

    def close(self) -> None:
        return None


def _ack_of(payload: bytes, key: str) -> dict[str, Any] | None:
    try:
        ack = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(ack, dict) or ack.get("key") != key:
        return None
    return ack


def _receipt_or_raise(
    ack: dict[str, Any], sha256: str, size: int, topic: str, target: Target
) -> Receipt:
    """The device's answer as a receipt, or the failure it reports."""
    text = redact(_short(json.dumps(ack, ensure_ascii=False)), secrets_of(target.credentials))
    if ack.get("ok") is not True:
        reason = redact(str(ack.get("reason") or "?"), secrets_of(target.credentials))
        raise DeliveryError(
            "mqtt.device_failed",
            retryable=bool(ack.get("retryable")),
            controller=target.name,
            reason=reason[:300],
        )
    if ack.get("sha256") != sha256:
        raise DeliveryError(
            "mqtt.device_checksum",
            retryable=True,
            controller=target.name,
            got=str(ack.get("sha256"))[:64],
            want=sha256,
        )
    got = ack.get("bytes")
    return Receipt(
        bytes=got if isinstance(got, int) else size,
        sha256=sha256,
        remote_id=topic,
        at=now_iso(),
        ack=text,
    )


def _size(audio: AudioFile) -> int:
    try:
        return audio.path.stat().st_size
    except OSError:
        return 0


def _short(payload: bytes | str, limit: int = 500) -> str:
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    return text[:limit]
