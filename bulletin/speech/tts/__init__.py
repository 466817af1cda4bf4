"""Text-to-speech engines behind one small protocol; engines load lazily via `load_engine`."""

from bulletin.speech.tts.base import (
    AudioChunk,
    TTSEngine,
    TTSError,
    available_engines,
    load_engine,
    register_engine,
)

__all__ = [
    "AudioChunk",
    "TTSEngine",
    "TTSError",
    "available_engines",
    "load_engine",
    "register_engine",
]
