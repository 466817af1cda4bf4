"""On-disk cache of synthesized sentences, keyed by engine settings + spoken text.

Recurring bulletin phrases (greetings, sign-offs) are then synthesized only once.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import struct
import tempfile
import wave
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from bulletin.speech.tts.base import AudioChunk, TTSEngine

log = logging.getLogger(__name__)

# Bump when the stored format or key derivation changes, so old entries simply miss.
_FORMAT_VERSION = "1"


class SentenceCache:
    """WAV files under `directory/ab/cd/<sha256>.wav`, written atomically.

    `key_parts` is typically `(engine.cache_key(), text)`; the last part is taken as the
    spoken text of the returned chunk.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def digest(key_parts: Sequence[str]) -> str:
        h = hashlib.sha256(_FORMAT_VERSION.encode())
        for part in key_parts:
            # Length-prefixed so ("ab", "c") and ("a", "bc") cannot collide.
            encoded = part.encode("utf-8")
            h.update(b"%d:" % len(encoded))
            h.update(encoded)
        return h.hexdigest()

    def path_for(self, key_parts: Sequence[str]) -> Path:
        digest = self.digest(key_parts)
        # Two levels keep directories small even with hundreds of thousands of sentences.
        return self.directory / digest[:2] / digest[2:4] / f"{digest}.wav"

    def get(self, key_parts: Sequence[str]) -> AudioChunk | None:
        path = self.path_for(key_parts)
        try:
            chunk = _read_wav(path, key_parts[-1] if key_parts else "")
        except FileNotFoundError:
            chunk = None
        except (OSError, EOFError, wave.Error, struct.error, ValueError) as exc:
            log.warning("Ignoring corrupt cache entry %s: %s", path, exc)
            with contextlib.suppress(OSError):
                path.unlink()
            chunk = None
        if chunk is None:
            self.misses += 1
        else:
            self.hits += 1
        return chunk

    def put(self, key_parts: Sequence[str], chunk: AudioChunk) -> Path:
        path = self.path_for(key_parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Temp file in the same directory so os.replace is an atomic rename: concurrent
        # readers see either no file or a complete one. No fsync: a file lost in a crash
        # is just a cache miss, and a truncated one is detected on read.
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
        try:
            with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(chunk.sample_rate)
                wav.writeframes(chunk.samples.astype("<i2", copy=False).tobytes())
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        return path


def _read_wav(path: Path, text: str) -> AudioChunk:
    import numpy as np  # lazily: the CLI imports this module and `--help` must stay fast

    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise ValueError(
                f"expected 16-bit mono, got {wav.getnchannels()} ch x {wav.getsampwidth()} B"
            )
        frames = wav.getnframes()
        data = wav.readframes(frames)
        rate = wav.getframerate()
    # `wave` silently returns fewer frames for a truncated file; treat that as corrupt.
    if len(data) != frames * 2:
        raise ValueError(f"truncated: header says {frames} frames, file has {len(data) // 2}")
    samples = np.frombuffer(data, dtype="<i2").astype(np.int16, copy=False)
    return AudioChunk(samples, rate, text)


def synthesize_cached(
    engine: TTSEngine, cache: SentenceCache, sentences: Iterable[str]
) -> Iterator[tuple[AudioChunk, bool]]:
    """Yield `(chunk, was_cache_hit)` per sentence, synthesizing and storing misses."""
    engine_key = engine.cache_key()
    warned = False
    for sentence in sentences:
        key = (engine_key, sentence)
        chunk = cache.get(key)
        if chunk is not None:
            yield chunk, True
            continue
        chunk = engine.synthesize(sentence)
        try:
            cache.put(key, chunk)
        except OSError as exc:
            # A full or read-only cache disk must not stop a broadcast; it only costs speed.
            if not warned:
                log.warning("Could not write sentence cache in %s: %s", cache.directory, exc)
                warned = True
        yield chunk, False
