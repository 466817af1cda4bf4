"""The machine ear: transcribe speech with viet-asr (the `ear` extra) and score a transcript
against what was meant to be said, as a syllable error rate."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
import wave
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin.errors import BulletinError

if TYPE_CHECKING:
    import numpy

EAR_SAMPLE_RATE = 16000
"""viet-asr's Conformer-CTC model listens at 16 kHz."""
_PUNCT = re.compile(r"[^\w\s]|_")
# Combining tone marks (grave, acute, tilde, hook, dot below): "hoà" and "hòa" are one syllable
# written two ways, and a recogniser may pick either spelling.
_TONES = {"\u0300": "1", "\u0301": "2", "\u0303": "3", "\u0309": "4", "\u0323": "5"}


class EarMissing(BulletinError):
    """viet-asr is not installed: the message names the extra to install."""

    def __init__(self) -> None:
        super().__init__("ear.missing")


class EarError(BulletinError):
    """viet-asr failed on the audio it was given."""


def syllables(text: str) -> list[str]:
    """The syllables of `text` for scoring: NFC, lower case, punctuation dropped, and the tone
    mark's position folded so old and new spellings compare equal."""
    text = unicodedata.normalize("NFC", text).lower()
    return [fold_tone(word) for word in _PUNCT.sub(" ", text).split()]


def fold_tone(word: str) -> str:
    """`word` with its tone mark moved to the end as a digit: "hoà" and "hòa" compare equal."""
    tone = ""
    kept = []
    for char in unicodedata.normalize("NFD", word):
        if char in _TONES:
            tone = _TONES[char]
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


# Words a number is read with: a run of them in the spoken form is one figure a listener must
# catch ("hai mươi lăm", "mười bảy phẩy năm").
_NUMBER_WORDS = frozenset(
    [
        "không",
        "một",
        "mốt",
        "hai",
        "ba",
        "bốn",
        "tư",
        "năm",
        "lăm",
        "sáu",
        "bảy",
        "tám",
        "chín",
        "mười",
        "mươi",
        "trăm",
        "nghìn",
        "ngàn",
        "triệu",
        "tỷ",
        "tỉ",
        "linh",
        "lẻ",
        "rưỡi",
        "phẩy",
    ]
)


def key_phrases(written: str, spoken: str) -> list[str]:
    """What a listener must hear of one sentence: each figure (a run of number words in the
    spoken form) and each name (a run of two or more capitalised words after the first word
    of the written form, as the spoken form reads them)."""
    phrases: list[str] = []
    run: list[str] = []
    for word in [*_PUNCT.sub(" ", unicodedata.normalize("NFC", spoken).lower()).split(), ""]:
        if word in _NUMBER_WORDS:
            run.append(word)
            continue
        if run:
            phrases.append(" ".join(run))
            run = []
    spoken_text = " " + " ".join(syllables(spoken)) + " "
    words = _PUNCT.sub(" ", unicodedata.normalize("NFC", written)).split()
    name: list[str] = []
    for position, word in enumerate([*words, ""]):
        if position > 0 and word[:1].isupper() and word.isalpha():
            name.append(word)
            continue
        if name:
            phrase = " ".join(name).lower()
            # Two words at least (Vietnamese place and person names are: "Minh Hòa"; a lone
            # capital is more often a common word, "Tết", "Bản tin"), and only as the voice
            # reads it: an abbreviation the normalizer expanded is not heard as written.
            if len(name) > 1 and f" {' '.join(syllables(phrase))} " in spoken_text:
                phrases.append(phrase)
            name = []
    return phrases


def missed(written: str, spoken: str, transcript: str) -> list[str]:
    """The key phrases of a sentence (figures, names) the ear did not hear, in order."""
    heard = " " + " ".join(syllables(transcript)) + " "
    return [
        phrase
        for phrase in key_phrases(written, spoken)
        if f" {' '.join(syllables(phrase))} " not in heard
    ]


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Substitutions + deletions + insertions turning `reference` into `hypothesis`."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class SyllableScore:
    """How far a transcript is from its reference, counted in syllables."""

    errors: int
    syllables: int
    """Syllables in the reference."""

    @property
    def rate(self) -> float:
        """Errors per reference syllable (can exceed 1 when the transcript adds words)."""
        if self.syllables == 0:
            return 0.0 if self.errors == 0 else 1.0
        return self.errors / self.syllables


def score(reference: str, hypothesis: str) -> SyllableScore:
    """Syllable errors of `hypothesis` against `reference`."""
    ref = syllables(reference)
    return SyllableScore(edit_distance(ref, syllables(hypothesis)), len(ref))


def syllable_error_rate(reference: str, hypothesis: str) -> float:
    return score(reference, hypothesis).rate


def scoring_sentences() -> list[str]:
    """The fixed commune sentences `voices test --score` speaks (numbers, dates, places,
    times), one a line in ear_sentences.txt; lines starting with # are notes."""
    source = resources.files("bulletin.speech").joinpath("ear_sentences.txt")
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EarError("ear.sentences_missing", path=str(source), detail=str(exc)) from exc
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class Ear:
    """viet-asr's embedded Vietnamese recogniser, loaded once (about 2 s and 70 MB)."""

    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline

    @classmethod
    def load(cls) -> Ear:
        """The recogniser, or EarMissing when the `ear` extra is not installed."""
        try:
            import vietasr
        except ImportError:
            raise EarMissing() from None
        try:
            with _quiet_native_stderr():
                return cls(vietasr.Pipeline.preset("transcribe"))
        except RuntimeError as exc:
            raise EarError("ear.failed", detail=str(exc)) from exc

    def transcribe(self, samples: numpy.ndarray, sample_rate: int) -> str:
        """What the recogniser hears in mono int16 `samples` at `sample_rate`."""
        import numpy as np

        audio = resample(np.asarray(samples), sample_rate, EAR_SAMPLE_RATE)
        if audio.size == 0:
            return ""
        try:
            result = self._pipeline.transcribe(audio, sample_rate=float(EAR_SAMPLE_RATE))
        except RuntimeError as exc:
            raise EarError("ear.failed", detail=str(exc)) from exc
        return " ".join(str(result.text).split())

    def transcribe_wav(self, path: Path) -> str:
        """What the recogniser hears in a 16-bit PCM WAV file (stereo is mixed down)."""
        import numpy as np

        try:
            with wave.open(str(path), "rb") as source:
                if source.getsampwidth() != 2:
                    raise EarError(
                        "ear.failed", detail=f"{path}: {8 * source.getsampwidth()}-bit, need 16"
                    )
                channels = source.getnchannels()
                rate = source.getframerate()
                frames = source.readframes(source.getnframes())
        except (OSError, wave.Error, EOFError) as exc:
            raise EarError("ear.failed", detail=f"{path}: {exc}") from exc
        samples = np.frombuffer(frames, dtype="<i2")
        if channels > 1:
            samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
        return self.transcribe(samples, rate)


@contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """viet-asr's C++ core logs INFO lines to file descriptor 2 while it loads; a person
    running a command should see bulletin's lines, not those. Its errors still come back
    through PipelineError."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def resample(samples: numpy.ndarray, rate: int, target: int) -> numpy.ndarray:
    """int16 mono audio at `rate` as int16 at `target`, low-pass filtered (polyphase)."""
    import numpy as np

    if rate == target or samples.size == 0:
        return samples.astype(np.int16, copy=False)
    from math import gcd

    from scipy.signal import resample_poly

    common = gcd(rate, target)
    out = resample_poly(samples.astype(np.float32), target // common, rate // common)
    return np.clip(np.rint(out), -32768, 32767).astype(np.int16)
