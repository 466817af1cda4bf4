"""Any OpenAI-compatible speech server (`POST /v1/audio/speech`): OpenAI itself, or the
station's own GPU voice server (vLLM, Kokoro-FastAPI, openedai-speech and the like).

Request: JSON `{"model", "input", "voice", "response_format", "speed"}`, with
`Authorization: Bearer KEY` when the profile names `credentials_env` (a server on the
station's own network often needs none). Answer: the audio bytes; an error is a JSON
`{"error": {"message", "type", "code"}}` (429 with code `insufficient_quota` when the
account's credit is spent).
"""

from __future__ import annotations

from pydantic import Field

from bulletin.speech.tts.cloud.core import CloudOptions, CloudSpeechError, CloudVoice


class OpenAISpeechEngine(CloudVoice):
    name = "openai-speech"

    class Options(CloudOptions):
        """The keys of an openai-speech voice profile."""

        endpoint: str = "https://api.openai.com/v1/audio/speech"
        voice: str = "alloy"
        model: str = "tts-1"
        speed: float = Field(1.0, ge=0.25, le=4.0)
        """1.0 is the voice's own pace."""

    options: Options

    def _identity(self) -> dict[str, object]:
        o = self.options
        return {"model": o.model, "voice": o.voice, "speed": f"{o.speed:g}", "format": o.format}

    def _speak(self, text: str) -> bytes:
        o = self.options
        secret = self.secret(required=False)
        headers = self.auth_headers(secret) if secret else {}
        body = {
            "model": o.model,
            "input": text,
            "voice": o.voice,
            "response_format": o.format,
            "speed": o.speed,
        }
        response = self.request("POST", o.endpoint, json=body, headers=headers, secret=secret)
        if response.status_code in (401, 403):  # a server that wants a key the profile lacks
            raise CloudSpeechError(
                "cloud.credentials_missing", host=self.host, variable="(credentials_env)"
            )
        if response.status_code != 200:
            raise self.rejected(response, secret)
        return response.content
