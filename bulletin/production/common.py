"""Names every production module shares: the error type, the MP3 output format,
the sample array type and the processing block size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bulletin.errors import BulletinError

FloatArray = NDArray[np.float32]

# Sample rates an MP3 (MPEG-1/2/2.5 layer III) stream can carry.
MP3_SAMPLE_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000})

BLOCK = 1 << 18  # samples per block for oversampling, bounds temporary memory


class ProductionError(BulletinError):
    """The programme cannot be produced: silent input, an undecodable jingle, a full disk."""


@dataclass(frozen=True)
class AudioFormat:
    """What the loudspeaker controller accepts: CBR MP3 at this rate and layout."""

    bitrate_kbps: int = 128
    sample_rate: int = 44100
    channels: int = 1

    def __post_init__(self) -> None:
        if self.sample_rate not in MP3_SAMPLE_RATES:
            raise ValueError(
                f"MP3 cannot carry {self.sample_rate} Hz; use one of {sorted(MP3_SAMPLE_RATES)}"
            )
        if self.channels not in (1, 2):
            raise ValueError(f"channels must be 1 or 2, not {self.channels}")
        if not 8 <= self.bitrate_kbps <= 320:
            raise ValueError(f"MP3 bitrate must be 8–320 kbps, not {self.bitrate_kbps}")
