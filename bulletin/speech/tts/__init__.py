"""Text-to-speech engines behind one small protocol; bulletin.plugins finds them by name."""

from bulletin.speech.tts.base import (
    AudioChunk,
    PathResolver,
    TTSEngine,
    TTSEngineFactory,
    TTSError,
)

__all__ = [
    "AudioChunk",
    "PathResolver",
    "TTSEngine",
    "TTSEngineFactory",
    "TTSError",
]
