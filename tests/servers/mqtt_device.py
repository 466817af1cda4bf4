"""A stand-in loudspeaker device on MQTT: it takes play commands, really downloads the
audio by URL, checks its SHA-256 and acknowledges the way bulletin.delivery.mqtt expects."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import paho.mqtt.client as mqtt

from bulletin.delivery.mqtt import ack_topic


@dataclass
class MqttDevice:
    """Subscribed to PREFIX/play; `acknowledge=False` makes it take commands and stay silent."""

    port: int
    prefix: str
    username: str
    password: str
    acknowledge: bool = True
    received: list[bytes] = field(default_factory=list)
    """The audio bytes of every download, as the device got them."""
    commands: list[dict[str, Any]] = field(default_factory=list)
    _client: mqtt.Client | None = None

    def start(self) -> MqttDevice:
        ready = threading.Event()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"device-{self.prefix}")
        client.username_pw_set(self.username, self.password)

        def on_connect(c: mqtt.Client, _u: Any, _f: Any, code: Any, _p: Any) -> None:
            c.subscribe(f"{self.prefix}/play", qos=1)

        def on_subscribe(*_args: Any) -> None:
            ready.set()

        def on_message(_c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
            command = json.loads(message.payload)
            self.commands.append(command)
            # Downloading in the network thread would stall the client's keepalive.
            threading.Thread(target=self._play, args=(command,), daemon=True).start()

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        client.connect("127.0.0.1", self.port)
        client.loop_start()
        self._client = client
        if not ready.wait(5):
            raise RuntimeError("device did not subscribe")
        self._publish_status("idle")
        return self

    def _play(self, command: dict[str, Any]) -> None:
        ack: dict[str, Any] = {"key": command["key"]}
        try:
            response = httpx.get(command["url"], timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            ack |= {"ok": False, "reason": f"download failed: {exc}", "retryable": True}
        else:
            data = response.content
            self.received.append(data)
            digest = hashlib.sha256(data)
            header = response.headers.get("Repr-Digest", "")
            expected = f"sha-256=:{base64.b64encode(digest.digest()).decode()}:"
            if digest.hexdigest() != command["sha256"] or (header and header != expected):
                ack |= {"ok": False, "reason": "checksum mismatch", "retryable": True}
            else:
                ack |= {"ok": True, "sha256": digest.hexdigest(), "bytes": len(data)}
        if not self.acknowledge:
            return
        assert self._client is not None
        self._client.publish(
            ack_topic(self.prefix, command["key"]), json.dumps(ack), qos=1, retain=True
        )
        self._publish_status("playing" if ack["ok"] else "idle")

    def _publish_status(self, status: str) -> None:
        assert self._client is not None
        seen = datetime.now(UTC).isoformat(timespec="seconds")
        payload = json.dumps({"status": status, "seen_at": seen, "detail": "stand-in"})
        self._client.publish(f"{self.prefix}/status", payload, qos=1, retain=True).wait_for_publish(
            5
        )

    def stop(self) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None
