"""Vbee text-to-speech (vbee.vn), which answers asynchronously.

Request: `POST https://vbee.vn/api/v1/tts` with `Authorization: Bearer TOKEN` and a JSON body
`{"app_id", "response_type": "indirect", "callback_url", "input_text", "voice_code",
"audio_type", "bitrate", "speed_rate"}`. Answer: `{"status": 1, "result": {"request_id",
"status": "IN_PROGRESS", …}}`, or `{"status": 0, "error_code", "error_message"}`. The audio
comes later: Vbee POSTs the result to `callback_url`, and `GET /api/v1/tts/{request_id}`
(same token) returns `{"status": 1, "result": {"status": "IN_PROGRESS" | "SUCCESS" |
"FAILURE", "audio_link", …}}`. This engine polls, so the station needs no address the
internet can reach; `audio_link` is then downloaded without the token.

Not confirmed from public documentation: Vbee's error codes (a quota spent is recognised by
a 429 or by a message that speaks of a quota), and whether `callback_url`, documented as
required, may point nowhere: by default it names a reserved address (`.invalid`) that no
one can receive on, since the result is polled for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from bulletin.speech.tts.cloud.core import AsyncOptions, CloudSpeechError, CloudVoice

if TYPE_CHECKING:
    import httpx


class VbeeEngine(CloudVoice):
    name = "vbee"

    class Options(AsyncOptions):
        """The keys of a vbee voice profile."""

        endpoint: str = "https://vbee.vn/api/v1/tts"
        voice: str = "hn_female_ngochuyen_full_48k-fhg"
        app_id: str = ""
        """The application id Vbee gives with the token (required to speak)."""
        speed: float = Field(1.0, ge=0.1, le=1.9)
        bitrate: Literal[8, 16, 32, 64, 128, 160] = 128
        callback_url: str = "https://bulletin.invalid/vbee-callback"

    options: Options

    def _identity(self) -> dict[str, object]:
        o = self.options
        return {
            "voice": o.voice,
            "speed": f"{o.speed:.1f}",
            "format": o.format,
            "bitrate": o.bitrate,
        }

    def _speak(self, text: str) -> bytes:
        o = self.options
        if not o.app_id.strip():
            raise CloudSpeechError("cloud.setting_missing", host=self.host, field="app_id")
        secret = self.secret()
        assert secret is not None
        body = {
            "app_id": o.app_id,
            "response_type": "indirect",
            "callback_url": o.callback_url,
            "input_text": text,
            "voice_code": o.voice,
            "audio_type": o.format,
            "bitrate": o.bitrate,
            "speed_rate": f"{o.speed:.1f}",
        }
        response = self.request(
            "POST", o.endpoint, json=body, headers=self.auth_headers(secret), secret=secret
        )
        result = self._result(response, secret)
        job = str(result.get("request_id") or "")
        if not job:
            raise CloudSpeechError("cloud.bad_answer", host=self.host, detail="no request_id")
        link = self._link(result, job, secret)
        if link is None:
            link = self.poll(
                f"{o.endpoint.rstrip('/')}/{job}",
                job,
                lambda answer: self._link(self._result(answer, secret), job, secret),
                secret=secret,
            )
        return self.download(link)

    def _result(self, response: httpx.Response, secret: str) -> dict[str, Any]:
        try:
            document = response.json()
        except ValueError:
            document = None
        if response.status_code != 200 or not isinstance(document, dict):
            raise self.rejected(response, secret)
        if document.get("status") not in (1, "1") or not isinstance(document.get("result"), dict):
            raise self.rejected(response, secret)
        result: dict[str, Any] = document["result"]
        return result

    def _link(self, result: dict[str, Any], job: str, secret: str) -> str | None:
        """The audio link once the job succeeded, None while it runs."""
        state = str(result.get("status") or "").upper()
        if state == "SUCCESS":
            link = result.get("audio_link")
            if not isinstance(link, str) or not link.startswith(("http://", "https://")):
                raise CloudSpeechError("cloud.bad_answer", host=self.host, detail="audio_link?")
            return link
        if state in ("FAILURE", "FAILED", "ERROR"):
            message = str(result.get("error_message") or result.get("message") or "")
            raise CloudSpeechError(
                "cloud.job_failed",
                host=self.host,
                job=job,
                detail=f": {message[:200]}" if message else "",
            )
        return None
