"""Piper neural voices (ONNX VITS models) through piper-tts's own `PiperVoice` API.

The voice loads lazily, once, on the first synthesis; nothing is ever downloaded here.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from bulletin.speech.tts.base import AudioChunk, PathResolver, TTSError

VIETNAMESE_VOICES = ("vi_VN-vais1000-medium", "vi_VN-25hours_single-low", "vi_VN-vivos-x_low")
RATE_RANGE = (0.25, 4.0)
VOLUME_RANGE = (0.0, 4.0)


def missing_model_message(model: Path) -> str:
    """How to get a voice onto a machine that has none (shared with `bulletin voices`)."""
    return (
        f"Piper voice model not found: {model}. On a machine with internet access run "
        f"`bulletin voices install {VIETNAMESE_VOICES[0]}` (Vietnamese voices: "
        f"{', '.join(VIETNAMESE_VOICES)}), or download the voice's .onnx and .onnx.json "
        "files from the piper voices repository (huggingface.co/rhasspy/piper-voices), copy "
        "both into one folder and set `model:` in the voice profile to the .onnx path"
    )


def _package_version() -> str:
    try:
        return metadata.version("piper-tts")
    except metadata.PackageNotFoundError:
        return "unknown"


def _file_identity(path: Path) -> str:
    # Size and mtime, not a hash: hashing a 60 MB model for every cache lookup costs more
    # than the lookups save, and replacing a voice file changes its mtime anyway.
    try:
        st = path.stat()
    except FileNotFoundError:
        raise TTSError(missing_model_message(path)) from None
    except OSError as exc:
        raise TTSError(f"Cannot read piper voice file {path}: {exc}") from exc
    return f"{st.st_size}:{st.st_mtime_ns}"


class PiperEngine:
    """A piper voice: `model` is the .onnx file, `config` its .onnx.json (default: model
    path + ".json"), `speaker` a number or a name from the config's speaker_id_map.

    `rate` is a speed factor: 1.0 is the voice's own pace, 1.25 speaks 25% faster; it
    divides the voice's length_scale. `noise_scale` and `noise_w` (None: the voice's own)
    are VITS's voice variation and phoneme-duration variation. `volume` multiplies the
    audio after piper scales each sentence to full range (above 1.0 clips).
    """

    name = "piper"

    class Options(BaseModel):
        """The keys of a piper voice profile; paths are relative to the workspace."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        model: str = ""
        """The .onnx file (left empty, the engine says how to install a voice)."""
        config: str | None = None
        speaker: int | str | None = None
        rate: float = Field(1.0, ge=RATE_RANGE[0], le=RATE_RANGE[1])
        volume: float = Field(100, ge=0, le=200)
        """Percent, as in every voice profile: 100 is piper's own full-range level."""
        noise_scale: float | None = Field(None, ge=0, le=2)
        noise_w: float | None = Field(None, ge=0, le=2)
        use_cuda: bool = False

    @classmethod
    def from_options(cls, options: Options, resolve: PathResolver) -> Self:
        return cls(
            model=resolve(options.model) if options.model else "",
            config=resolve(options.config) if options.config else None,
            speaker=options.speaker,
            rate=options.rate,
            noise_scale=options.noise_scale,
            noise_w=options.noise_w,
            volume=options.volume / 100,
            use_cuda=options.use_cuda,
        )

    def __init__(
        self,
        model: str,
        config: str | None = None,
        speaker: int | str | None = None,
        rate: float = 1.0,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        volume: float = 1.0,
        use_cuda: bool = False,
    ) -> None:
        if not str(model).strip():
            raise TTSError(missing_model_message(Path("<empty model path>")))
        if not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
            raise TTSError(
                f"Piper rate must be between {RATE_RANGE[0]} and {RATE_RANGE[1]}, got {rate}"
            )
        if not VOLUME_RANGE[0] <= volume <= VOLUME_RANGE[1]:
            raise TTSError(
                f"Piper volume must be between {VOLUME_RANGE[0]} and {VOLUME_RANGE[1]}, "
                f"got {volume}"
            )
        for label, value in (("noise_scale", noise_scale), ("noise_w", noise_w)):
            if value is not None and not 0.0 <= value <= 2.0:
                raise TTSError(f"Piper {label} must be between 0 and 2, got {value}")
        self.model = Path(model).expanduser()
        self.config = Path(config).expanduser() if config else Path(f"{self.model}.json")
        self.speaker = speaker
        self.rate = rate
        self.noise_scale = noise_scale
        self.noise_w = noise_w
        self.volume = volume
        self.use_cuda = use_cuda
        self._lock = threading.Lock()
        self._voice: Any = None
        self._syn_config: Any = None
        self._sample_rate = 0
        self._config_digest: tuple[str, str] | None = None  # (file identity, sha256)

    def cache_key(self) -> str:
        # Resolved from the files, not from the loaded voice, so fully cached runs never
        # load onnxruntime; a replaced model or edited config gives new keys.
        model_id = _file_identity(self.model)
        config_id = self._config_identity()
        return (
            f"piper/{_package_version()}|model={self.model.resolve()}@{model_id}"
            f"|config={config_id}|speaker={self.speaker}|rate={self.rate:g}"
            f"|noise_scale={self.noise_scale}|noise_w={self.noise_w}|volume={self.volume:g}"
        )

    def _config_identity(self) -> str:
        identity = _config_file_identity(self.config, self.model)
        if self._config_digest is None or self._config_digest[0] != identity:
            digest = hashlib.sha256(self.config.read_bytes()).hexdigest()[:16]
            self._config_digest = (identity, digest)
        return self._config_digest[1]

    def _load(self) -> Any:
        """The loaded `PiperVoice`; caller must hold `_lock`."""
        if self._voice is not None:
            return self._voice
        _file_identity(self.model)  # a missing model gets the how-to-install message
        _config_file_identity(self.config, self.model)
        try:
            # Checked here so a broken config is named as such, not as an ONNX problem.
            json.loads(self.config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TTSError(f"Piper voice config {self.config} is not valid JSON: {exc}") from exc
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError as exc:
            raise TTSError(
                "Piper voices need the 'piper-tts' package: pip install 'bulletin[piper]'"
            ) from exc
        try:
            voice = PiperVoice.load(self.model, config_path=self.config, use_cuda=self.use_cuda)
        except (KeyError, TypeError, ValueError) as exc:
            raise TTSError(
                f"Piper voice config {self.config} is missing or has a bad field: {exc}"
            ) from exc
        except Exception as exc:
            # onnxruntime raises its own exception classes for a corrupt or foreign file.
            raise TTSError(f"Cannot load piper voice model {self.model}: {exc}") from exc
        speaker_id = self._speaker_id(voice.config)
        length_scale = voice.config.length_scale / self.rate
        self._syn_config = SynthesisConfig(
            speaker_id=speaker_id,
            length_scale=length_scale,
            noise_scale=self.noise_scale,
            noise_w_scale=self.noise_w,
            volume=self.volume,
        )
        self._sample_rate = int(voice.config.sample_rate)
        self._voice = voice
        return voice

    def _speaker_id(self, voice_config: Any) -> int | None:
        speakers: dict[str, int] = dict(voice_config.speaker_id_map or {})
        count = int(voice_config.num_speakers)
        if self.speaker is None:
            return None
        if isinstance(self.speaker, str) and not self.speaker.strip().isdigit():
            if self.speaker not in speakers:
                known = ", ".join(sorted(speakers)) or "none (single-speaker voice)"
                raise TTSError(
                    f"Piper voice {self.model.name} has no speaker {self.speaker!r}; "
                    f"speakers: {known}"
                )
            return speakers[self.speaker]
        number = int(self.speaker)
        if not 0 <= number < max(count, 1):
            raise TTSError(
                f"Piper voice {self.model.name} has {count} speaker(s); speaker {number} "
                f"is out of range 0..{max(count, 1) - 1}"
            )
        return number

    def synthesize(self, text: str) -> AudioChunk:
        with self._lock:
            voice = self._load()
            syn_config = self._syn_config
            sample_rate = self._sample_rate
        # Synthesis runs outside the lock: onnxruntime sessions are thread-safe and piper
        # guards its own phonemizer.
        try:
            parts = [chunk.audio_int16_array for chunk in voice.synthesize(text, syn_config)]
        except Exception as exc:
            raise TTSError(f"Piper failed to synthesize {text[:60]!r}: {exc}") from exc
        # piper splits text into sentences itself; one input sentence is one chunk for us.
        if len(parts) == 1:
            samples = parts[0]
        elif parts:
            samples = np.concatenate(parts)
        else:
            samples = np.zeros(0, dtype=np.int16)  # nothing speakable, e.g. only punctuation
        return AudioChunk(samples, sample_rate, text)

    def stream(self, sentences: Iterable[str]) -> Iterator[AudioChunk]:
        for sentence in sentences:
            yield self.synthesize(sentence)

    def __repr__(self) -> str:
        return (
            f"PiperEngine(model={str(self.model)!r}, speaker={self.speaker!r}, rate={self.rate}, "
            f"noise_scale={self.noise_scale}, noise_w={self.noise_w}, volume={self.volume})"
        )


def _config_file_identity(config: Path, model: Path) -> str:
    if not config.exists():
        raise TTSError(
            f"Piper voice config not found: {config}. A piper voice is two files, "
            f"{model.name} and {model.name}.json, in one folder; copy the .onnx.json next "
            "to the model or set `config:` in the voice profile"
        )
    return _file_identity(config)
