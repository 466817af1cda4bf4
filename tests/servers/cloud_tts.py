"""Stand-in cloud speech services on 127.0.0.1, one per vendor, following the requests and
answers their public documentation describes (see each engine's module docstring in
bulletin/speech/tts/cloud/): the OpenAI-compatible `/v1/audio/speech`, Viettel AI's
`/voice/api/tts/v1/rest/syn`, Vbee's asynchronous `/api/v1/tts` (poll `/api/v1/tts/{id}`,
then download `audio_link`) and FPT.AI's `/hmi/tts/v5` (poll the `async` link, 404 until
the file exists).

Each checks the access key, the headers and the body, and answers with real audio. Tests set
what goes wrong: `fail` holds one-shot failures for the next synthesis requests ("500",
"429", "expired", "quota", "slow", "echo"), `mode` a lasting one ("expired", "quota",
"slow", "never" for an asynchronous job that never ends), `pending_polls` how many polls a
job stays unfinished. Every request is recorded.

Run as a process (`python -m tests.servers.cloud_tts VENDOR --port P --token T --audio F
[--die-after N]`), it exits abruptly after answering N synthesis requests: a service that dies
in the middle of a bulletin.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PATHS = {
    "openai-speech": "/v1/audio/speech",
    "viettel": "/voice/api/tts/v1/rest/syn",
    "vbee": "/api/v1/tts",
    "fpt": "/hmi/tts/v5",
}
VBEE_APP_ID = "6f1c2d0e-app"


@dataclass(frozen=True)
class Seen:
    """One request as the stand-in received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class CloudTTSServer:
    """One vendor's stand-in; `audio` maps "mp3"/"wav" to the bytes it answers with."""

    vendor: str
    token: str
    audio: dict[str, bytes]
    fail: list[str] = field(default_factory=list)
    mode: str = ""
    pending_polls: int = 1
    pending_status: int = 404
    """What FPT's async link answers before the file exists (storage may say 403)."""
    slow_s: float = 2.0
    die_after: int | None = None
    requests: list[Seen] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What a client sent that the documentation does not allow (tests assert it is empty)."""
    syntheses: int = 0
    closed: bool = False
    _jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, port: int = 0) -> CloudTTSServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = self.url + PATHS[self.vendor]
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Gone, as a stopped service is: kept-alive connections are dropped too."""
        self.closed = True
        self._httpd.shutdown()
        self._httpd.server_close()

    def of(self, method: str) -> list[Seen]:
        return [r for r in self.requests if r.method == method]

    # --- answering -----------------------------------------------------------------------

    def answer(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        path = urlsplit(seen.path).path
        if seen.method == "POST" and path == PATHS[self.vendor]:
            failure = self._next_failure()
            if failure == "slow":
                time.sleep(self.slow_s)
            elif failure:
                return self._failure(failure)
            reply = getattr(self, f"_{self.vendor.replace('-', '_')}")(seen)
            if reply[0] == 200:
                with self._lock:
                    self.syntheses += 1
            return reply
        if seen.method == "GET" and self.vendor == "vbee" and path.startswith("/api/v1/tts/"):
            return self._vbee_poll(seen, path.rsplit("/", 1)[-1])
        if seen.method == "GET" and path.startswith("/files/"):
            return self._file(seen, path.rsplit("/", 1)[-1])
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def _next_failure(self) -> str:
        with self._lock:
            if self.fail:
                return self.fail.pop(0)
        return self.mode if self.mode != "never" else ""

    def _failure(self, kind: str) -> tuple[int, dict[str, str], bytes]:
        if kind == "500":
            return 500, {"Content-Type": "text/html"}, b"<html>Internal Server Error</html>"
        if kind == "429":
            return 429, {"Retry-After": "0", "Content-Type": "application/json"}, b"{}"
        if kind == "expired":
            return self._refuse_key()
        if kind == "quota":
            return self._quota()
        if kind == "echo":  # a careless vendor message that repeats the key it was sent
            document = {"code": 400, "vi_message": f"token {self.token} không dùng được giọng này"}
            return 400, {"Content-Type": "application/json"}, json.dumps(document).encode()
        raise AssertionError(kind)

    def _refuse_key(self) -> tuple[int, dict[str, str], bytes]:
        documents: dict[str, tuple[int, Any]] = {
            "openai-speech": (401, {"error": {"message": "Incorrect API key", "type": "auth"}}),
            "viettel": (
                401,
                {"code": 401, "vi_message": "Token hết hạn", "en_message": "Token expired"},
            ),
            "vbee": (401, {"status": 0, "error_code": 401, "error_message": "Token expired"}),
            "fpt": (401, {"error": 401, "message": "Invalid API key"}),
        }
        status, document = documents[self.vendor]
        return status, {"Content-Type": "application/json"}, json.dumps(document).encode()

    def _quota(self) -> tuple[int, dict[str, str], bytes]:
        if self.vendor == "openai-speech":
            document: Any = {
                "error": {
                    "message": "You exceeded your current quota",
                    "code": "insufficient_quota",
                }
            }
        else:
            document = {"status": 0, "error": 429, "message": "Too many requests"}
        return 429, {"Content-Type": "application/json"}, json.dumps(document).encode()

    def _check(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)

    def _audio(self, fmt: str) -> tuple[int, dict[str, str], bytes]:
        kind = "audio/mpeg" if fmt == "mp3" else "audio/wav"
        return 200, {"Content-Type": kind}, self.audio[fmt]

    def _bad(self, message: str) -> tuple[int, dict[str, str], bytes]:
        self.problems.append(message)
        body = json.dumps({"error": {"message": message}, "message": message}).encode()
        return 400, {"Content-Type": "application/json"}, body

    def _openai_speech(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return self._refuse_key()
        body = seen.json()
        if not {"model", "input", "voice"} <= set(body):
            return self._bad("model, input and voice are required")
        fmt = body.get("response_format", "mp3")
        if fmt not in ("mp3", "wav") or not 0.25 <= float(body.get("speed", 1)) <= 4:
            return self._bad("bad response_format or speed")
        return self._audio(fmt)

    def _viettel(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("token") != self.token:
            return self._refuse_key()
        body = seen.json()
        wanted = {"text", "voice", "id", "without_filter", "speed", "tts_return_option"}
        if set(body) != wanted or not 0.7 <= float(body["speed"]) <= 1.3:
            return self._bad(f"fields {sorted(body)}")
        option = body["tts_return_option"]
        if option not in (2, 3):
            return self._bad("tts_return_option must be 2 (wav) or 3 (mp3)")
        return self._audio("wav" if option == 2 else "mp3")

    def _vbee(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return self._refuse_key()
        body = seen.json()
        required = {"app_id", "callback_url", "input_text", "voice_code"}
        if not required <= set(body) or body["app_id"] != VBEE_APP_ID:
            return self._bad(f"fields {sorted(body)}")
        if body.get("audio_type", "mp3") not in ("mp3", "wav"):
            return self._bad("audio_type")
        if not 0.1 <= float(body.get("speed_rate", "1.0")) <= 1.9:
            return self._bad("speed_rate")
        job = str(uuid.uuid4())
        with self._lock:
            self._jobs[job] = {"polls": 0, "format": body.get("audio_type", "mp3")}
        result = {
            "app_id": body["app_id"],
            "request_id": job,
            "characters": len(body["input_text"]),
            "voice_code": body["voice_code"],
            "audio_type": body.get("audio_type", "mp3"),
            "speed_rate": body.get("speed_rate", "1.0"),
            "status": "IN_PROGRESS",
        }
        return (
            200,
            {"Content-Type": "application/json"},
            json.dumps({"status": 1, "result": result}).encode(),
        )

    def _vbee_poll(self, seen: Seen, job: str) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return self._refuse_key()
        with self._lock:
            state = self._jobs.get(job)
            if state is None:
                return 404, {"Content-Type": "application/json"}, b'{"status":0}'
            state["polls"] += 1
            done = self.mode != "never" and state["polls"] > self.pending_polls
        result: dict[str, Any] = {"request_id": job, "status": "IN_PROGRESS", "progress": 50}
        if done:
            result = {
                "request_id": job,
                "status": "SUCCESS",
                "audio_link": f"{self.url}/files/{job}.{state['format']}",
                "audio_expired": False,
            }
        return (
            200,
            {"Content-Type": "application/json"},
            json.dumps({"status": 1, "result": result}).encode(),
        )

    def _fpt(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("api-key") != self.token:
            return self._refuse_key()
        text = seen.body.decode("utf-8")
        fmt = seen.headers.get("format", "mp3")
        if len(text) < 3 or fmt not in ("mp3", "wav"):
            return self._bad("body of 3 characters or more, format mp3|wav")
        if seen.headers.get("voice") is None or int(seen.headers.get("speed", "0")) not in range(
            -3, 4
        ):
            return self._bad("voice and speed headers")
        job = uuid.uuid4().hex
        with self._lock:
            self._jobs[f"{job}.{fmt}"] = {"polls": 0, "format": fmt}
        document = {
            "async": f"{self.url}/files/{job}.{fmt}",
            "error": 0,
            "message": "The content will be returned after a few seconds under the async link.",
            "request_id": job,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(document).encode()

    def _file(self, seen: Seen, name: str) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            state = self._jobs.get(name) or self._jobs.get(name.rsplit(".", 1)[0])
            if state is None:
                return 404, {"Content-Type": "application/xml"}, b"<Error>NoSuchKey</Error>"
            if self.vendor == "fpt":
                state["polls"] += 1
                if self.mode == "never" or state["polls"] <= self.pending_polls:
                    missing = b"<Error>NoSuchKey</Error>"
                    return self.pending_status, {"Content-Type": "application/xml"}, missing
        return self._audio(state["format"])


def _handler(server: CloudTTSServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            if server.closed:
                self.close_connection = True
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(method, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with server._lock:
                server.requests.append(seen)
            status, headers, payload = server.answer(seen)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            if server.die_after is not None and server.syntheses >= server.die_after:
                os._exit(0)  # dies like a killed service: no goodbye, sockets just close

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, *args: object) -> None:
            return None

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("vendor", choices=sorted(PATHS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--audio", type=Path, required=True, help="folder with tone.mp3, tone.wav")
    parser.add_argument("--die-after", type=int)
    args = parser.parse_args()
    audio = {fmt: (args.audio / f"tone.{fmt}").read_bytes() for fmt in ("mp3", "wav")}
    server = CloudTTSServer(args.vendor, args.token, audio, die_after=args.die_after)
    server.start(args.port)
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
