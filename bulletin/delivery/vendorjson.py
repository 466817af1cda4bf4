"""The vendor-json transport: commands to a loudspeaker device server, which tells a device to
download the bulletin from `bulletin serve` by URL and then to play it, now or at air time.

Protocol, as sent and as the stand-in in tests/servers/vendor_device.py answers it:

- Address `vendorjson://HOST:PORT/DEVICE_ID` (port 80 when left out).
- Each request is `GET http://HOST:PORT/<token>`, the token being the request JSON in
  base64url (RFC 4648 section 5: `-` and `_`, with `=` padding), since standard base64's
  `/` would split the path. `encoding: base64` sends the standard alphabet instead, with
  `/`, `+` and `=` percent-escaped, for servers that only decode that.
- Commands: `{"DataType":4,"Data":"{\\"CommandItem_Ts\\":[{\\"DeviceID\\":\\"D\\",
  \\"CommandSend\\":\\"{…}\\"}]}"}` (`Data` and `CommandSend` are JSON strings), where the
  command is one of
    `{"PacketType":1,"URLlist":[URL]}`                        download,
    `{"PacketType":2,"PlayList":[{"SongName":F,"StartTime":"2026-12-01T06:30:00",
      "Repeat":1}]}`                                           play F at a local wall time,
    `{"PacketType":5,"SongName":F}`                            play F now,
  F being the delivered file's name. StartTime is the air time's wall clock without an
  offset (devices keep local time): in the air time's own zone, or the controller's
  `timezone` when set.
- Answer to a command: HTTP 200 with `{"Result":"OK"|"ERROR","Message":…,"Data":[{"DeviceID":
  D,"Result":"OK"|"ERROR","Message":…}]}`; a device the server does not know or that is
  offline is a per-device ERROR (`DEVICE_NOT_FOUND`, `DEVICE_OFFLINE`). A body that is not
  JSON is taken as a plain acknowledgement.
- Status: `{"DataType":20,"Data":"GET_ALL_DEVICE_STATUS"}` answers `{"Result":"OK","Data":
  [{"DeviceID":D,"Status":"online"|"offline"|…,"LastSeen":ISO|null,…}]}` (`Data` may also
  come as a JSON string).
- Credentials: `user:password` as HTTP basic auth, a token as `Authorization: Bearer`.

Per-controller settings, `controllers.NAME.vendor-json`: `download_timeout_s` (how long the
device may take to download, else the controller's timeout), `timezone`, `encoding`, `https`.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import SplitResult, quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bulletin.delivery.base import (
    AudioFile,
    DeviceStatus,
    Fetch,
    Job,
    Probe,
    Receipt,
    Target,
    auth_error,
    network_error,
    secrets_of,
)
from bulletin.errors import DeliveryError
from bulletin.store.base import now_iso
from bulletin.text.redact import redact

DEFAULT_PORT = 80
# What a receipt, a log line or a `sent` record keeps of a server's answer.
ANSWER_CHARS = 160
# Refusals a later attempt can get past: the device comes back online or finishes a job.
PASSING_REFUSALS = ("OFFLINE", "BUSY", "TIMEOUT")
OK_RESULTS = {"OK", "SUCCESS", "0", "TRUE"}


class Options(BaseModel):
    """`controllers.NAME.vendor-json`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    download_timeout_s: float | None = Field(None, gt=0, le=3600)
    """How long the device may take to download the audio; else the controller's timeout."""
    timezone: str | None = None
    """The devices' clock zone (e.g. Asia/Ho_Chi_Minh) for a scheduled StartTime."""
    encoding: Literal["base64url", "base64"] = "base64url"
    """How the request JSON is put in the path."""
    https: bool = False
    """Talk to the device server over TLS (verified, per the controller's CA bundle)."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value


class VendorJsonTransport:
    """Download by URL, then play: one device server command each, answered at once; the
    download itself is seen on the media endpoint (`job.fetched`)."""

    uses_media_url = True  # the engine gives each delivery its own URL on `bulletin serve`

    def __init__(self) -> None:
        self._plain = httpx.Client(follow_redirects=False)
        self._tls: dict[tuple[str | None, bool], httpx.Client] = {}
        self._lock = threading.Lock()

    # -- the contract -------------------------------------------------------------------

    def deliver(self, audio: AudioFile, target: Target, job: Job) -> Receipt:
        size_on_disk = audio.verify()
        device = device_of(target)
        options = target.config.options(Options)
        if not job.media_url:
            raise DeliveryError("vendorjson.no_media_url", retryable=False, controller=target.name)
        window = options.download_timeout_s or target.timeout
        deadline = time.monotonic() + window
        # A command whose answer was lost (a timeout) may still have run on the server: when
        # the media endpoint has served this delivery's URL in full, the device has the file
        # and the retry goes straight to the play command.
        fetch = job.fetched(0) if job.fetched is not None else None
        if fetch is None:
            command = {"PacketType": 1, "URLlist": [job.media_url]}
            if job.sent is not None:
                # Written before the command goes: a push killed between sending it and
                # hearing the answer must not send it again (the device may be downloading).
                job.sent("download?")
            download = self._command(target, device, command)
            if job.sent is not None:
                job.sent(f"download:{download}")
            fetch = self._wait_fetched(target, device, job, deadline, window)
        else:
            download = "already fetched"
        size = fetch.bytes if fetch is not None else size_on_disk
        play = self._play(audio, target, device, job, options)
        return Receipt(
            bytes=size,
            sha256=audio.sha256,
            remote_id=device,
            at=now_iso(),
            ack=_short(f"download: {download} | play: {play}", 2 * ANSWER_CHARS),
        )

    def confirm(self, audio: AudioFile, target: Target, job: Job) -> Receipt | None:
        """After a killed push: a play command sent (or about to be: "play?") is done, never
        sent again, so a bulletin plays at most once; a download sent (or about to be) is
        waited for and followed by the play alone. The download is never sent twice."""
        sent = job.was_sent or ""
        device = device_of(target)
        if sent.startswith("play"):
            fetch = job.fetched(0) if job.fetched is not None else None
            return self._receipt(audio, device, fetch, sent)
        if not sent.startswith("download") or job.fetched is None:
            return None
        options = target.config.options(Options)
        fetch = job.fetched(options.download_timeout_s or target.timeout)
        if fetch is None:
            return None
        play = self._play(audio, target, device, job, options)
        return self._receipt(audio, device, fetch, f"{sent} | play: {play}")

    def check(self, target: Target) -> Probe:
        """The server answers a status query and lists the device."""
        started = time.monotonic()
        device = device_of(target)
        found = [s for s in self._statuses(target) if s.device == device]
        if not found:
            raise DeliveryError(
                "vendorjson.unknown_device", retryable=False, controller=target.name, device=device
            )
        detail = f"{device}: {found[0].status}" + (
            f" ({found[0].detail})" if found[0].detail else ""
        )
        return Probe(True, detail, time.monotonic() - started)

    def status(self, target: Target) -> list[DeviceStatus]:
        """The controller's device as the server reports it; `unknown` when not listed."""
        device = device_of(target)
        found = [s for s in self._statuses(target) if s.device == device]
        return found or [DeviceStatus(device, "unknown", None, "not listed by the device server")]

    def close(self) -> None:
        self._plain.close()
        with self._lock:
            for client in self._tls.values():
                client.close()
            self._tls.clear()

    # -- steps --------------------------------------------------------------------------

    def _wait_fetched(
        self, target: Target, device: str, job: Job, deadline: float, window: float
    ) -> Fetch | None:
        # Without a media endpoint watching (no `fetched`), the device's own queue orders
        # download before play; nothing to wait on here.
        if job.fetched is None:
            return None
        fetch = job.fetched(max(0.0, deadline - time.monotonic()))
        if fetch is None:
            raise DeliveryError(
                "vendorjson.not_downloaded",
                retryable=True,
                controller=target.name,
                device=device,
                seconds=f"{window:g}",
            )
        return fetch

    def _play(
        self, audio: AudioFile, target: Target, device: str, job: Job, options: Options
    ) -> str:
        command = play_command(audio.filename, job.air_at, options.timezone)
        if job.sent is not None:
            job.sent("play?")
        answer = self._command(target, device, command)
        if job.sent is not None:
            job.sent(f"play:{answer}")
        return answer

    def _receipt(self, audio: AudioFile, device: str, fetch: Fetch | None, ack: str) -> Receipt:
        size = fetch.bytes if fetch is not None else audio.path.stat().st_size
        return Receipt(
            bytes=size,
            sha256=audio.sha256,
            remote_id=device,
            at=now_iso(),
            ack=_short(ack, 2 * ANSWER_CHARS),
        )

    def _command(self, target: Target, device: str, command: dict[str, Any]) -> str:
        """Send one command to one device; its short answer, or a typed error."""
        items = [{"DeviceID": device, "CommandSend": json.dumps(command, separators=(",", ":"))}]
        payload = {
            "DataType": 4,
            "Data": json.dumps({"CommandItem_Ts": items}, separators=(",", ":")),
        }
        text, answer = self._request(target, payload)
        if not isinstance(answer, dict):
            return _short(text)
        for item in _listed(answer.get("Data")):
            if str(item.get("DeviceID")) == device and not _is_ok(item.get("Result")):
                self._refused(target, device, item.get("Message") or item.get("Result"))
        if not _is_ok(answer.get("Result")):
            self._refused(target, device, answer.get("Message") or answer.get("Result"))
        return _short(text)

    def _refused(self, target: Target, device: str, message: object) -> None:
        detail = redact(_short(str(message)), secrets_of(target.credentials))
        if "NOT_FOUND" in detail.upper():
            raise DeliveryError(
                "vendorjson.unknown_device", retryable=False, controller=target.name, device=device
            )
        raise DeliveryError(
            "vendorjson.refused",
            retryable=any(word in detail.upper() for word in PASSING_REFUSALS),
            controller=target.name,
            device=device,
            detail=detail,
        )

    def _statuses(self, target: Target) -> list[DeviceStatus]:
        _, answer = self._request(target, {"DataType": 20, "Data": "GET_ALL_DEVICE_STATUS"})
        if not isinstance(answer, dict) or not _is_ok(answer.get("Result")):
            detail = json.dumps(answer)[:ANSWER_CHARS] if answer is not None else "not JSON"
            raise DeliveryError(
                "vendorjson.answer",
                retryable=False,
                controller=target.name,
                detail=redact(detail, secrets_of(target.credentials)),
            )
        found = []
        for item in _listed(answer.get("Data")):
            extra = {k: v for k, v in item.items() if k not in ("DeviceID", "Status", "LastSeen")}
            found.append(
                DeviceStatus(
                    device=str(item.get("DeviceID", "")),
                    status=str(item.get("Status") or "unknown"),
                    seen_at=str(item["LastSeen"]) if item.get("LastSeen") else None,
                    detail=_short(json.dumps(extra, ensure_ascii=False)) if extra else "",
                )
            )
        return found

    # -- HTTP ---------------------------------------------------------------------------

    def _request(self, target: Target, payload: dict[str, Any]) -> tuple[str, Any]:
        """GET the encoded payload; the answer's text and its JSON (None when not JSON)."""
        options = target.config.options(Options)
        url = f"{server_of(target, https=options.https)}/{encode(payload, options.encoding)}"
        headers: dict[str, str] = {}
        auth: httpx.BasicAuth | None = None
        creds = target.credentials
        if creds is not None and creds.token:
            headers["Authorization"] = f"Bearer {creds.token}"
        elif creds is not None and creds.username is not None:
            auth = httpx.BasicAuth(creds.username, creds.password or "")
        client = self._client(target) if options.https else self._plain
        try:
            response = client.get(
                url, headers=headers, auth=auth, timeout=httpx.Timeout(target.timeout)
            )
        except httpx.TransportError as exc:
            raise network_error(target.name, exc, what=_where(target)) from None
        except httpx.InvalidURL:
            raise DeliveryError(
                "vendorjson.address",
                retryable=False,
                controller=target.name,
                address=target.config.address,
            ) from None
        secrets = secrets_of(creds)
        text = redact(response.text.strip(), secrets)
        if response.status_code in (401, 403):
            raise auth_error(target.name, f"HTTP {response.status_code}")
        # A redirect is not followed: a device server that moved needs its address changed.
        if response.status_code >= 300:
            raise DeliveryError(
                "vendorjson.http",
                retryable=response.status_code >= 500 or response.status_code in (408, 429),
                controller=target.name,
                status=response.status_code,
                detail=_short(text),
            )
        try:
            answer = json.loads(response.text)
        except ValueError:
            answer = None
        return text, answer

    def _client(self, target: Target) -> httpx.Client:
        key = (
            target.config.ca_bundle and str(target.base_dir / target.config.ca_bundle),
            target.config.tls_verify,
        )
        with self._lock:
            client = self._tls.get(key)
            if client is None:
                context: ssl.SSLContext = target.ssl_context()
                client = httpx.Client(verify=context, follow_redirects=False)
                self._tls[key] = client
            return client


def device_of(target: Target) -> str:
    """The device id an address names; a bad address is refused, never guessed at."""
    parts = _address(target)
    device = unquote(parts.path.strip("/"))
    if not device or "/" in device:
        raise DeliveryError(
            "vendorjson.address",
            retryable=False,
            controller=target.name,
            address=target.config.address,
        )
    return device


def server_of(target: Target, *, https: bool = False) -> str:
    """`http(s)://HOST:PORT` of the device server."""
    parts = _address(target)
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise DeliveryError(
            "vendorjson.address",
            retryable=False,
            controller=target.name,
            address=target.config.address,
        ) from None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{'https' if https else 'http'}://{host}:{port}"


def encode(payload: dict[str, Any], encoding: str = "base64url") -> str:
    """The request JSON as one path segment."""
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if encoding == "base64":
        return quote(base64.b64encode(raw).decode("ascii"), safe="")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def play_command(song: str, air_at: datetime | None, timezone: str | None = None) -> dict[str, Any]:
    """Play now when there is no air time or it has passed; else a one-entry PlayList."""
    if air_at is None or air_at <= datetime.now(UTC):
        return {"PacketType": 5, "SongName": song}
    local = air_at.astimezone(ZoneInfo(timezone)) if timezone else air_at
    start = local.replace(tzinfo=None).isoformat(timespec="seconds")
    return {"PacketType": 2, "PlayList": [{"SongName": song, "StartTime": start, "Repeat": 1}]}


def _address(target: Target) -> SplitResult:
    address = target.config.address
    parts = urlsplit(address)
    if parts.scheme != "vendorjson" or not parts.hostname:
        raise DeliveryError(
            "vendorjson.address", retryable=False, controller=target.name, address=address
        )
    return parts


def _where(target: Target) -> str:
    try:
        parts = _address(target)
    except DeliveryError:
        return ""
    return f"{parts.hostname}:{parts.port or DEFAULT_PORT} "


def _listed(data: object) -> list[dict[str, Any]]:
    """An answer's `Data` as a list of objects, whether it came as JSON or as a JSON string."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return []
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return []
    return [item for item in data if isinstance(item, dict)]


def _is_ok(result: object) -> bool:
    if result is None or result is True:
        return True
    if result is False:
        return False
    return str(result).strip().upper() in OK_RESULTS


def _short(text: str, limit: int = ANSWER_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
