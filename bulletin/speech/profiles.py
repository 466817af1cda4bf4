"""Voice profiles to engines: which parameters each engine takes, paths resolved in the
workspace, and how fast the voice really speaks (to fit a programme's minutes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bulletin.speech.tts.base import TTSEngine, load_engine
from bulletin.workspace import VoiceProfile, Workspace

ESPEAK_DEFAULT_RATE = 150
# Syllables a minute the voice speaks at its default speed. eSpeak NG's Vietnamese voice says
# about 1.5 syllables per "word per minute" of its rate (rate 150 gave 226 on the demo);
# neural voices read at about a radio announcer's pace.
NEURAL_SYLLABLES_PER_MINUTE = 220


def _path(workspace: Workspace | None, value: str | None) -> str | None:
    if value is None:
        return None
    return str(workspace.resolve(value) if workspace else Path(value).expanduser())


def engine_for(profile: VoiceProfile, workspace: Workspace | None = None) -> TTSEngine:
    """The engine a voice profile describes, with its model paths found in the workspace."""
    params: dict[str, Any]
    if profile.engine == "espeak":
        params = {
            "voice": profile.voice,
            "rate": round(profile.rate or ESPEAK_DEFAULT_RATE),
            "pitch": profile.pitch,
            "volume": profile.volume,
        }
    elif profile.engine == "piper":
        params = {
            "model": _path(workspace, profile.model) or "",
            "config": _path(workspace, profile.config),
            "speaker": profile.speaker,
            "rate": profile.rate or 1.0,
            "volume": profile.volume / 100,
        }
    elif profile.engine == "coqui":
        params = {
            "model": _path(workspace, profile.model) or "",
            "config": _path(workspace, profile.config),
            "speaker": profile.speaker,
            "language": profile.language,
            "speaker_wav": _path(workspace, profile.reference_audio),
        }
    else:
        fields = {
            "model": _path(workspace, profile.model),
            "config": _path(workspace, profile.config),
            "speaker": profile.speaker,
            "rate": profile.rate,
        }
        params = {key: value for key, value in fields.items() if value is not None}
    return load_engine(profile.engine, **params)


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
    return None
