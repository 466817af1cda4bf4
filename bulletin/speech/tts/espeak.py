"""eSpeak NG engine via ctypes on the library and data bundled in the `espeakng-loader` wheel.

The library is loaded and initialized lazily, once per process, on the first synthesis.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from bulletin.speech.tts.base import AudioChunk, PathResolver, TTSError

# Constants from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2  # no background thread: audio arrives in our callback
_INITIALIZE_DONT_EXIT = 0x8000  # otherwise a data error makes the library call exit()
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_EE_OK = 0
_EE_NOT_FOUND = 2
# A large buffer means few Python callbacks per sentence (~5 for a 3 s sentence instead
# of ~55 at the 60 ms default); latency inside one sentence does not matter to us.
_BUFFER_MS = 1000

RATE_RANGE = (80, 450)  # words per minute, espeak-ng's own limits
PITCH_RANGE = (0, 100)
VOLUME_RANGE = (0, 200)

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)


class _VoiceStruct(ctypes.Structure):
    _fields_ = (
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),  # priority byte + language, repeated, double-NUL end
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


@dataclass(frozen=True)
class VoiceInfo:
    name: str  # e.g. "Vietnamese (Central)"
    language: str  # what to pass as `voice`, e.g. "vi-vn-x-central"
    identifier: str  # data file, e.g. "aav/vi-VN-x-central"


class _Library:
    """The process-wide eSpeak NG instance. All use must hold `_LOCK`: the C library keeps
    global state (voice, parameters, callback) and is not thread-safe."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:
            raise TTSError(
                "eSpeak NG is not available: the 'espeakng-loader' package is not installed "
                "(pip install espeakng-loader)"
            ) from exc
        lib_path = espeakng_loader.get_library_path()
        try:
            data_path = espeakng_loader.get_data_path()
        except RuntimeError as exc:
            raise TTSError(
                f"eSpeak NG data is missing ({exc}); reinstall with "
                "'pip install --force-reinstall espeakng-loader'"
            ) from exc
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError as exc:
            raise TTSError(
                f"Cannot load the eSpeak NG library {lib_path} ({exc}); reinstall with "
                "'pip install --force-reinstall espeakng-loader'"
            ) from exc

        lib.espeak_Initialize.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = (_SynthCallback,)
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = (
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        )
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = (ctypes.c_void_p,)
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceStruct))
        lib.espeak_Info.argtypes = (ctypes.c_void_p,)
        lib.espeak_Info.restype = ctypes.c_char_p

        sample_rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data_path.encode(), _INITIALIZE_DONT_EXIT
        )
        if sample_rate <= 0:
            raise TTSError(
                f"eSpeak NG failed to initialize with data {data_path}; reinstall with "
                "'pip install --force-reinstall espeakng-loader'"
            )
        self.lib = lib
        self.sample_rate: int = sample_rate
        self.version: str = (lib.espeak_Info(None) or b"?").decode()
        self._sink: list[bytes] = []
        # Kept on self: the C side holds only a raw pointer, so this object must stay alive.
        self.callback = _SynthCallback(self._collect)

    def _collect(self, wav: int | None, numsamples: int, _events: int | None) -> int:
        # Bytes only, joined once at the end: no per-sample Python work.
        if numsamples > 0 and wav:
            self._sink.append(ctypes.string_at(wav, numsamples * 2))
        return 0  # 0 = continue synthesis

    def set_voice(self, voice: str) -> None:
        result = self.lib.espeak_SetVoiceByName(voice.encode())
        if result == _EE_NOT_FOUND:
            known = ", ".join(v.language for v in self.voices() if v.language.startswith("vi"))
            raise TTSError(
                f"eSpeak NG has no voice {voice!r}; Vietnamese voices available: {known} "
                "(run `python -m bulletin.speech.tts.espeak` to list all)"
            )
        if result != _EE_OK:
            raise TTSError(f"eSpeak NG could not select voice {voice!r} (error {result})")

    def synth(self, text: str, flags: int) -> bytes:
        data = text.replace("\0", " ").encode("utf-8")
        self.lib.espeak_SetSynthCallback(self.callback)
        self._sink = []
        result = self.lib.espeak_Synth(
            data, len(data) + 1, 0, _POS_CHARACTER, 0, flags | _CHARS_UTF8, None, None
        )
        audio = b"".join(self._sink)
        self._sink = []
        if result != _EE_OK:
            raise TTSError(f"eSpeak NG failed to synthesize {text[:60]!r} (error {result})")
        return audio

    def voices(self) -> list[VoiceInfo]:
        found = []
        array = self.lib.espeak_ListVoices(None)
        i = 0
        while array[i]:
            v = array[i].contents
            # Skip the priority byte; the first language is the selectable name.
            language = (v.languages or b"?")[1:].split(b"\0")[0]
            found.append(
                VoiceInfo(
                    (v.name or b"").decode(), language.decode(), (v.identifier or b"").decode()
                )
            )
            i += 1
        return found


_LOCK = threading.Lock()
_library: _Library | None = None


def _get_library() -> _Library:
    """Return the initialized library; caller must hold `_LOCK`."""
    global _library
    if _library is None:
        _library = _Library()
    return _library


def _check_range(label: str, value: int, bounds: tuple[int, int]) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise TTSError(f"eSpeak {label} must be between {bounds[0]} and {bounds[1]}, got {value}")


def _package_version() -> str:
    try:
        return metadata.version("espeakng-loader")
    except metadata.PackageNotFoundError:
        return "unknown"


class EspeakEngine:
    """eSpeak NG voice; parameters are re-applied on every call since the library is shared."""

    name = "espeak"

    class Options(BaseModel):
        """The keys of an espeak voice profile."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        voice: str = Field("vi", min_length=1)
        """vi | vi-vn-x-central | vi-vn-x-south, or any eSpeak NG voice."""
        rate: float = Field(150, ge=RATE_RANGE[0], le=RATE_RANGE[1])
        """Words per minute."""
        pitch: int = Field(50, ge=0, le=99)
        volume: int = Field(100, ge=VOLUME_RANGE[0], le=VOLUME_RANGE[1])
        end_pause: bool = False

    @classmethod
    def from_options(cls, options: Options, resolve: PathResolver) -> Self:
        return cls(
            voice=options.voice,
            rate=round(options.rate),
            pitch=options.pitch,
            volume=options.volume,
            end_pause=options.end_pause,
        )

    def __init__(
        self,
        voice: str = "vi",
        rate: int = 150,
        pitch: int = 50,
        volume: int = 100,
        end_pause: bool = False,
    ) -> None:
        """`end_pause` keeps eSpeak's ~0.3 s sentence-final silence; off by default so the
        bulletin assembler alone decides the gaps between sentences."""
        _check_range("rate", rate, RATE_RANGE)
        _check_range("pitch", pitch, PITCH_RANGE)
        _check_range("volume", volume, VOLUME_RANGE)
        if not voice.strip():
            raise TTSError("eSpeak voice name is empty; use e.g. 'vi'")
        self.voice = voice
        self.rate = rate
        self.pitch = pitch
        self.volume = volume
        self.end_pause = end_pause
        self._flags = _ENDPAUSE if end_pause else 0

    def cache_key(self) -> str:
        # The wheel version pins both the library build and its voice data; reading it does
        # not load the library, so fully cached runs never touch eSpeak at all.
        return (
            f"espeak-ng/{_package_version()}|voice={self.voice.lower()}|rate={self.rate}"
            f"|pitch={self.pitch}|volume={self.volume}|end_pause={int(self.end_pause)}"
        )

    def synthesize(self, text: str) -> AudioChunk:
        with _LOCK:
            lib = _get_library()
            lib.set_voice(self.voice)
            # Parameters are global too and survive voice changes, so another engine's
            # values would otherwise leak into this one.
            lib.lib.espeak_SetParameter(_PARAM_RATE, self.rate, 0)
            lib.lib.espeak_SetParameter(_PARAM_PITCH, self.pitch, 0)
            lib.lib.espeak_SetParameter(_PARAM_VOLUME, self.volume, 0)
            audio = lib.synth(text, self._flags)
            sample_rate = lib.sample_rate
        return AudioChunk(np.frombuffer(audio, dtype=np.int16), sample_rate, text)

    def stream(self, sentences: Iterable[str]) -> Iterator[AudioChunk]:
        # The lock is taken per sentence so other threads are not starved during a long text.
        for sentence in sentences:
            yield self.synthesize(sentence)

    def __repr__(self) -> str:
        return (
            f"EspeakEngine(voice={self.voice!r}, rate={self.rate}, pitch={self.pitch}, "
            f"volume={self.volume}, end_pause={self.end_pause})"
        )


def espeak_direct(text: str, voice: str = "vi", rate: int = 175) -> tuple[bytes, int]:
    """Baseline for benchmarks: the bare C calls (voice, rate, synth, collect) with no
    engine layer. Returns raw int16 PCM bytes and the sample rate."""
    chunks: list[bytes] = []

    def collect(wav: int | None, numsamples: int, _events: int | None) -> int:
        if numsamples > 0 and wav:
            chunks.append(ctypes.string_at(wav, numsamples * 2))
        return 0

    callback = _SynthCallback(collect)
    data = text.encode("utf-8")
    with _LOCK:
        lib = _get_library()  # one-time initialization is shared, not part of the baseline
        lib.lib.espeak_SetSynthCallback(callback)
        if lib.lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
            raise TTSError(f"eSpeak NG has no voice {voice!r}")
        # Rate must be set even here: it is global and outlives voice changes.
        lib.lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
        lib.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        return b"".join(chunks), lib.sample_rate


def list_voices() -> list[VoiceInfo]:
    """All voices in the bundled data (loads the library)."""
    with _LOCK:
        return _get_library().voices()


def library_version() -> str:
    with _LOCK:
        return _get_library().version


if __name__ == "__main__":
    print(f"eSpeak NG {library_version()} (espeakng-loader {_package_version()})")
    for info in list_voices():
        print(f"{info.language:<24} {info.name:<32} {info.identifier}")
