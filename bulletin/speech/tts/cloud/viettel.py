"""Viettel AI text-to-speech (viettelgroup.ai): one synchronous request per sentence.

Request: `POST https://viettelgroup.ai/voice/api/tts/v1/rest/syn` with the header
`token: KEY` and a JSON body `{"text", "voice", "id", "without_filter", "speed",
"tts_return_option"}`; `tts_return_option` 2 asks for WAV, 3 for MP3; `speed` runs from 0.7
to 1.3. Answer: the audio bytes, or a JSON document describing the error.

Not confirmed from public documentation: the exact fields of the JSON error document and the
vendor's quota error code (the message text is shown as it comes; a 429, or a message that
speaks of a quota, is reported as a spent quota), and what `id` is used for beyond
identifying the request (a fresh random id is sent each time).
"""

from __future__ import annotations

import uuid

from pydantic import Field

from bulletin.speech.tts.cloud.core import CloudOptions, CloudVoice

_RETURN_OPTION = {"wav": 2, "mp3": 3}


class ViettelEngine(CloudVoice):
    name = "viettel"

    class Options(CloudOptions):
        """The keys of a viettel voice profile."""

        endpoint: str = "https://viettelgroup.ai/voice/api/tts/v1/rest/syn"
        voice: str = "hn-quynhanh"
        speed: float = Field(1.0, ge=0.7, le=1.3)
        without_filter: bool = False

    options: Options

    def _identity(self) -> dict[str, object]:
        o = self.options
        return {
            "voice": o.voice,
            "speed": f"{o.speed:g}",
            "format": o.format,
            "without_filter": int(o.without_filter),
        }

    def auth_headers(self, secret: str) -> dict[str, str]:
        return {"token": secret}

    def _speak(self, text: str) -> bytes:
        o = self.options
        secret = self.secret()
        assert secret is not None
        body = {
            "text": text,
            "voice": o.voice,
            "id": uuid.uuid4().hex,
            "without_filter": o.without_filter,
            "speed": o.speed,
            "tts_return_option": _RETURN_OPTION[o.format],
        }
        response = self.request(
            "POST", o.endpoint, json=body, headers=self.auth_headers(secret), secret=secret
        )
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.status_code != 200 or kind in ("application/json", "text/json"):
            raise self.rejected(response, secret)
        return response.content
