"""FPT.AI text-to-speech, version 5 (api.fpt.ai/hmi/tts/v5), which answers with a link to
poll.

Request: `POST https://api.fpt.ai/hmi/tts/v5` with headers `api-key: KEY`, `voice` (banmai,
lannhi, leminh, myan, thuminh, giahuy, linhsan), `speed` (-3 slowest … 0 normal … +3 fastest)
and `format` (mp3 | wav); the body is the text itself (3 to 5000 characters). Answer:
`{"async": URL, "error": 0, "message", "request_id"}`; `error` other than 0 is a failure.
The file at `async` appears after a few seconds to two minutes: until then it answers 404
(or 403, as storage buckets do for a missing object). It is fetched without the key.

Not confirmed from public documentation: the header's spelling (the English reference page
writes `api_key`, FPT's own samples `api-key`; `key_header` changes it), and the meaning of
each non-zero `error` code (the message is shown as it comes; one that speaks of a quota is
reported as a spent quota).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from bulletin.speech.tts.cloud.core import AsyncOptions, CloudSpeechError, CloudVoice

if TYPE_CHECKING:
    import httpx

_NOT_YET = (403, 404)


class FptEngine(CloudVoice):
    name = "fpt"

    class Options(AsyncOptions):
        """The keys of an fpt voice profile."""

        endpoint: str = "https://api.fpt.ai/hmi/tts/v5"
        voice: str = "banmai"
        speed: int = Field(0, ge=-3, le=3)
        key_header: str = Field("api-key", pattern=r"^[A-Za-z0-9_-]+$")

    options: Options

    def _identity(self) -> dict[str, object]:
        o = self.options
        return {"voice": o.voice, "speed": o.speed, "format": o.format}

    def auth_headers(self, secret: str) -> dict[str, str]:
        return {self.options.key_header: secret}

    def _speak(self, text: str) -> bytes:
        o = self.options
        secret = self.secret()
        assert secret is not None
        headers = {
            **self.auth_headers(secret),
            "voice": o.voice,
            "speed": str(o.speed),
            "format": o.format,
            "Content-Type": "text/plain; charset=utf-8",
        }
        response = self.request(
            "POST", o.endpoint, content=text.encode("utf-8"), headers=headers, secret=secret
        )
        link, job = self._async_link(response, secret)
        return bytes(self.poll(link, job, _audio_when_ready))

    def _async_link(self, response: httpx.Response, secret: str) -> tuple[str, str]:
        try:
            document: Any = response.json()
        except ValueError:
            document = None
        if response.status_code != 200 or not isinstance(document, dict):
            raise self.rejected(response, secret)
        if document.get("error") not in (0, "0"):
            raise self.rejected(response, secret)
        link = document.get("async")
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            raise CloudSpeechError("cloud.bad_answer", host=self.host, detail="async?")
        return link, str(document.get("request_id") or link.rsplit("/", 1)[-1])


def _audio_when_ready(response: httpx.Response) -> bytes | None:
    """The file once it exists; None while the storage still says it does not."""
    if response.status_code in _NOT_YET:
        return None
    if response.status_code == 200:
        return response.content or None
    from urllib.parse import urlsplit

    raise CloudSpeechError(
        "cloud.rejected",
        host=urlsplit(str(response.request.url)).netloc,
        status=response.status_code,
        detail="",
    )
