"""Voice profiles to engines: each engine builds itself from its keys of the profile, with
paths found in the workspace; and how fast the voice really speaks (to fit a programme)."""

from __future__ import annotations

import os
from pathlib import Path

from bulletin.speech.tts.base import TTSEngine, TTSEngineFactory
from bulletin.workspace import VoiceProfile, Workspace

ESPEAK_DEFAULT_RATE = 150
# Syllables a minute the voice speaks at its default speed. eSpeak NG's Vietnamese voice says
# about 1.5 syllables per "word per minute" of its rate (rate 150 gave 226 on the demo);
# neural voices read at about a radio announcer's pace.
NEURAL_SYLLABLES_PER_MINUTE = 220
CLOUD_ENGINES = ("openai-speech", "viettel", "vbee", "fpt")


def _path(workspace: Workspace | None, value: str | None) -> str | None:
    if value is None:
        return None
    return str(workspace.resolve(value) if workspace else Path(value).expanduser())


def engine_for(profile: VoiceProfile, workspace: Workspace | None = None) -> TTSEngine:
    """The engine a voice profile names, built from the profile's keys that its Options model
    accepts (a bad one names the profile file and key), with its files found in the workspace."""
    from bulletin import plugins

    factory: TTSEngineFactory = plugins.load("tts", profile.engine)

    def resolve(location: str) -> str:
        return str(workspace.resolve(location) if workspace else Path(location).expanduser())

    return factory.from_options(profile.options(factory.Options), resolve)


def syllables_per_minute(profile: VoiceProfile) -> int:
    """How fast the voice really speaks, in syllables (written words) a minute."""
    if profile.engine == "espeak":
        return round((profile.rate or ESPEAK_DEFAULT_RATE) * 1.5)
    return round(NEURAL_SYLLABLES_PER_MINUTE * (profile.rate or 1.0))


def profile_problem(profile: VoiceProfile, workspace: Workspace) -> str | None:
    """Why the profile cannot speak on this machine, or None when it looks playable."""
    if profile.engine == "espeak":
        from bulletin.speech.tts.espeak import list_voices

        wanted = profile.voice.lower()
        known = any(
            wanted in (v.name.lower(), v.language.lower(), v.identifier.lower())
            for v in list_voices()
        )
        return None if known else f"eSpeak NG: '{profile.voice}'?"
    if profile.engine in ("piper", "coqui"):
        model = _path(workspace, profile.model)
        if not model or not Path(model).exists():
            return f"{profile.engine}: model {model or '-'}?"
        return None
    variable = (profile.model_extra or {}).get("credentials_env")
    if profile.engine in CLOUD_ENGINES and variable and not os.environ.get(str(variable)):
        return f"{profile.engine}: ${variable}?"  # a cloud voice whose key is not set here
    return None
