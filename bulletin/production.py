"""Assemble speech segments into a broadcast-ready MP3: jingles, pauses, loudness
normalization (ITU-R BS.1770) with a true-peak look-ahead limiter, atomic CBR encoding."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import imageio_ffmpeg
import numpy as np
from numpy.typing import NDArray
from pyloudnorm.iirfilter import IIRfilter
from scipy import ndimage, signal

from bulletin.errors import BulletinError

# pydub looks for a system ffmpeg at import time and warns when there is none (we
# point it at the wheel's binary right below), and warns that audioop is deprecated
# (the audioop-lts dependency covers Python ≥ 3.13).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
AudioSegment.converter = FFMPEG

log = logging.getLogger(__name__)


class ProductionError(BulletinError):
    """The programme cannot be produced: silent input, an undecodable jingle, a full disk."""


PartKind = Literal["opening", "item_sentence", "item_end", "closing"]
JingleSpec = Path | Literal["builtin"] | None
FloatArray = NDArray[np.float32]

# Sample rates an MP3 (MPEG-1/2/2.5 layer III) stream can carry.
MP3_SAMPLE_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000})

JINGLE_GAP_MS = 500  # silence between a jingle and the speech next to it
JINGLE_REL_LU = -3.0  # jingles sit a little under the speech so they never startle
LIMITER_LOOKAHEAD_S = 0.005  # also the attack ramp length
LIMITER_RELEASE_S = 0.05  # time constant of the (exponential, in dB) release
# MP3 coding reconstructs peaks imperfectly; limit below the ceiling so the decoded
# file still complies. Raised automatically if the encoded file still overshoots.
ENCODE_MARGIN_DB = 0.5
LOUDNESS_TOLERANCE_LU = 0.5  # promised on the encoded file
_ACCEPT_LU = 0.2  # re-encode with a correction beyond this, to stay well inside the promise
_MAX_ENCODE_ATTEMPTS = 3
MAX_GAIN_DB = 60.0  # more than this turns noise into a "programme"; quieter input is silence
SILENCE_LUFS = -70.0
_BLOCK = 1 << 18  # samples per block for oversampling, bounds temporary memory


class SpeechChunk(Protocol):
    """Shape of ``bulletin.speech.tts.base.AudioChunk`` (int16 mono samples)."""

    @property
    def samples(self) -> np.ndarray: ...

    @property
    def sample_rate(self) -> int: ...


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


@dataclass(frozen=True)
class ProductionSettings:
    """Loudness target, pauses and jingles for one bulletin.

    A jingle is ``"builtin"`` (chime synthesized in code), a path to any audio file
    ffmpeg can decode, or ``None`` for no jingle.
    """

    target_lufs: float = -16.0
    true_peak_dbtp: float = -1.0
    pause_sentence_ms: int = 350
    pause_item_ms: int = 900
    jingle_open: JingleSpec = "builtin"
    jingle_close: JingleSpec = "builtin"
    format: AudioFormat = field(default_factory=AudioFormat)


@dataclass(frozen=True)
class Part:
    """One spoken segment of the script, in broadcast order.

    ``kind`` places the segment and decides the pause after it: ``pause_item_ms``
    after an ``item_end`` and wherever the section changes (opening → items →
    closing), ``pause_sentence_ms`` otherwise. ``item_end`` may carry the item's last
    sentence or an empty chunk used only as a marker; empty chunks add no audio and
    the gap around them is the longest pause requested there.
    """

    kind: PartKind
    chunk: SpeechChunk


@dataclass(frozen=True)
class ProducedAudio:
    """The written MP3 with figures measured on the encoded file itself."""

    path: Path
    duration_s: float
    loudness_lufs: float
    true_peak_dbtp: float
    bytes: int
    sha256: str


_SECTION: dict[str, str] = {
    "opening": "opening",
    "item_sentence": "item",
    "item_end": "item",
    "closing": "closing",
}


def produce(
    parts: Iterable[Part | tuple[PartKind, SpeechChunk]],
    out_path: Path,
    settings: ProductionSettings | None = None,
) -> ProducedAudio:
    """Build the bulletin MP3 at ``out_path`` from ``parts`` (``Part`` or ``(kind, chunk)``).

    Order on air: open jingle, opening, items, closing, close jingle. Raises
    ``ValueError`` when there is no audible speech.
    """
    settings = settings or ProductionSettings()
    fmt = settings.format
    out_path = Path(out_path)
    rate = fmt.sample_rate

    speech = _assemble_speech(list(_as_parts(parts)), settings, rate)
    programme = _add_jingles(speech, settings, rate)
    del speech
    samples = _phase_rotate(_segment_to_float(programme), rate)
    del programme

    # A dual-mono file measures 10·log10(2) dB louder than its mono source
    # (BS.1770 sums channel powers), so aim the mono signal lower.
    target_mono = settings.target_lufs - 10.0 * math.log10(fmt.channels)
    margin = ENCODE_MARGIN_DB
    trim_db = 0.0
    base = _integrated_loudness(samples[:, None], rate)
    if not math.isfinite(base) or base < SILENCE_LUFS:
        raise ProductionError("produce.silent")
    gain_db, slope = target_mono - base, 1.0
    # Gain scales the envelope, so the 4×-oversampled envelope is computed once.
    envelope_db = _peak_envelope_db(samples)
    # Every attempt goes to one temp file beside the target; only the accepted one
    # is moved into place, so an interrupt never leaves a partial or
    # non-compliant MP3 under the final name.
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        for attempt in range(1, _MAX_ENCODE_ATTEMPTS + 1):
            ceiling = settings.true_peak_dbtp - margin
            master, gain_db, slope = _normalize(
                samples, envelope_db, rate, target_mono + trim_db, ceiling, gain_db, slope
            )
            _encode(master, tmp, fmt)
            del master
            decoded, _ = _decode(tmp)
            loudness = _integrated_loudness(decoded, rate)
            peak = _true_peak_db(decoded)
            frames = decoded.shape[0]
            del decoded
            loud_err = loudness - settings.target_lufs
            over = peak - settings.true_peak_dbtp
            if over <= 0.0 and abs(loud_err) <= _ACCEPT_LU:
                break
            if attempt == _MAX_ENCODE_ATTEMPTS:
                if over > 0.0 or abs(loud_err) > LOUDNESS_TOLERANCE_LU:
                    log.warning(
                        "%s: after %d attempts loudness %.2f LUFS (target %.1f), "
                        "true peak %.2f dBTP (ceiling %.1f)",
                        out_path,
                        attempt,
                        loudness,
                        settings.target_lufs,
                        peak,
                        settings.true_peak_dbtp,
                    )
                break
            # Codec overshoot was larger than the margin, or the codec shifted loudness
            # (LAME's quantizer loses ~0.3 dB of energy at 128 kbps, more on noisy
            # signals): correct by what the decoded file showed and encode again.
            margin += max(0.0, over) + 0.2
            trim_db -= loud_err
            gain_db -= loud_err / slope
        digest = hashlib.sha256()
        with tmp.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
            os.fsync(f.fileno())  # data on disk before the rename makes it visible
        size = tmp.stat().st_size
        # mkstemp files are private (0600); a bulletin must stay readable by whatever
        # serves it to the loudspeakers, so keep the old file's mode or use 0644.
        mode = out_path.stat().st_mode & 0o777 if out_path.exists() else 0o644
        tmp.chmod(mode)
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

    return ProducedAudio(
        path=out_path,
        duration_s=frames / rate,
        loudness_lufs=loudness,
        true_peak_dbtp=peak,
        bytes=size,
        sha256=digest.hexdigest(),
    )


def measure(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS, BS.1770) and true peak (dBTP, 4× oversampled) of a file."""
    samples, rate = _decode(Path(path))
    return _integrated_loudness(samples, rate), _true_peak_db(samples)


def builtin_jingle(kind: Literal["open", "close"], sample_rate: int) -> AudioSegment:
    """A soft ~2.5 s four-note chime (rising to open, falling to close), made in code."""
    if kind not in ("open", "close"):
        raise ValueError(f"jingle kind must be 'open' or 'close', not {kind!r}")
    notes = [523.25, 659.26, 783.99, 1046.50]  # C5 E5 G5 C6
    if kind == "close":
        notes.reverse()
    duration = 2.6
    n = int(duration * sample_rate)
    t = np.arange(n, dtype=np.float64) / sample_rate
    out = np.zeros(n)
    # Vibraphone-like partials: mostly harmonic with one slightly inharmonic
    # overtone for a bell colour; higher partials die away faster.
    partials = ((1.0, 1.0), (2.0, 0.30), (2.76, 0.10), (3.0, 0.12), (4.0, 0.05))
    for i, f0 in enumerate(notes):
        onset = 0.2 * i
        tau = 0.45 if i < len(notes) - 1 else 0.8  # the last note rings out
        tt = t - onset
        live = tt >= 0
        attack = np.clip(tt[live] / 0.004, 0.0, 1.0)
        for ratio, amp in partials:
            f = f0 * ratio
            if f >= 0.45 * sample_rate:  # would alias at low sample rates
                continue
            env = amp * attack * np.exp(-tt[live] * ratio / tau)
            out[live] += env * np.sin(2 * np.pi * f * tt[live])
    fade = int(0.08 * sample_rate)
    out[-fade:] *= np.linspace(1.0, 0.0, fade)
    out *= 10 ** (-3.0 / 20) / np.max(np.abs(out))
    return _float_to_segment(out.astype(np.float32), sample_rate)


# --- assembly (pydub) -------------------------------------------------------------

# The timeline is built as 32-bit pydub segments: level changes before the final
# normalization then cost no resolution, and nothing clips before the limiter.
_WIDTH = 4
_SCALE = float(2**31 - 1)


def _as_parts(parts: Iterable[Part | tuple[PartKind, SpeechChunk]]) -> Iterator[Part]:
    for p in parts:
        part = p if isinstance(p, Part) else Part(kind=p[0], chunk=p[1])
        if part.kind not in _SECTION:
            raise ValueError(f"unknown part kind {part.kind!r}; expected one of {list(_SECTION)}")
        yield part


def _chunk_to_float(chunk: SpeechChunk, rate: int) -> FloatArray:
    x = np.asarray(chunk.samples)
    if x.ndim == 2:  # tolerate (frames, channels) by down-mixing
        x = x.mean(axis=1) if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64).mean(1)
    if np.issubdtype(x.dtype, np.integer):
        y = x.astype(np.float32) / float(2 ** (8 * x.dtype.itemsize - 1))
    else:
        y = x.astype(np.float32)
    return _resample(y, int(chunk.sample_rate), rate)


def _resample(x: FloatArray, src: int, dst: int) -> FloatArray:
    if src == dst or x.size == 0:
        return x
    # Polyphase FIR, unlike pydub's linear ratecv, does not fold eSpeak's 11 kHz
    # band edge back as aliasing when converting 22050 → 44100 Hz.
    g = math.gcd(src, dst)
    return signal.resample_poly(x, dst // g, src // g).astype(np.float32)


def _float_to_segment(x: FloatArray, rate: int) -> AudioSegment:
    # float64: float32 cannot hold 2**31 - 1, so full scale would overflow the cast.
    pcm = np.round(np.clip(x.astype(np.float64), -1.0, 1.0) * _SCALE).astype("<i4")
    return AudioSegment(data=pcm.tobytes(), sample_width=_WIDTH, frame_rate=rate, channels=1)


def _segment_to_float(seg: AudioSegment) -> FloatArray:
    seg = seg.set_channels(1).set_sample_width(_WIDTH)
    out = np.frombuffer(seg.raw_data, dtype="<i4").astype(np.float32)
    out *= np.float32(1.0 / _SCALE)
    return out


def _join(segments: list[AudioSegment], rate: int) -> AudioSegment:
    # One join instead of repeated `+`: pydub's `+` copies the whole timeline each
    # time, quadratic for a 15-minute programme of hundreds of sentences.
    data = b"".join(s.raw_data for s in segments)
    return AudioSegment(data=data, sample_width=_WIDTH, frame_rate=rate, channels=1)


def _silence(ms: int, rate: int) -> AudioSegment:
    frames = round(ms * rate / 1000)
    return AudioSegment(
        data=bytes(frames * _WIDTH), sample_width=_WIDTH, frame_rate=rate, channels=1
    )


def _assemble_speech(parts: list[Part], settings: ProductionSettings, rate: int) -> AudioSegment:
    segments: list[AudioSegment] = []
    pending_gap = 0
    prev: Part | None = None
    for part in parts:
        if prev is not None:
            boundary = (
                settings.pause_item_ms
                if prev.kind == "item_end" or _SECTION[prev.kind] != _SECTION[part.kind]
                else settings.pause_sentence_ms
            )
            pending_gap = max(pending_gap, boundary)
        prev = part
        audio = _chunk_to_float(part.chunk, rate)
        if audio.size == 0:
            continue
        if segments and pending_gap:
            segments.append(_silence(pending_gap, rate))
        pending_gap = 0
        segments.append(_float_to_segment(audio, rate))
    if not segments:
        raise ProductionError("produce.silent")
    return _join(segments, rate)


def _load_jingle(
    spec: JingleSpec, kind: Literal["open", "close"], rate: int
) -> AudioSegment | None:
    if spec is None:
        return None
    if spec == "builtin":
        return builtin_jingle(kind, rate).set_sample_width(_WIDTH)
    samples, src_rate = _decode(Path(spec))
    return _float_to_segment(
        _resample(samples.mean(axis=1).astype(np.float32), src_rate, rate), rate
    )


def _add_jingles(speech: AudioSegment, settings: ProductionSettings, rate: int) -> AudioSegment:
    opening = _load_jingle(settings.jingle_open, "open", rate)
    closing = _load_jingle(settings.jingle_close, "close", rate)
    if opening is None and closing is None:
        return speech
    speech_lufs = _integrated_loudness(_segment_to_float(speech)[:, None], rate)
    jingle_lufs = [
        _integrated_loudness(_segment_to_float(j)[:, None], rate)
        for j in (opening, closing)
        if j is not None
    ]
    # Level jingles against the speech by attenuating whichever side is too loud:
    # raising a full-scale jingle would clip before the limiter ever sees it.
    jingle_gain: list[float] = []
    speech_gain = 0.0
    if math.isfinite(speech_lufs):
        wanted = [speech_lufs + JINGLE_REL_LU - lj for lj in jingle_lufs]
        speech_gain = -max(0.0, *wanted)
        jingle_gain = [w + speech_gain for w in wanted]
    gains = iter(jingle_gain)
    gap = _silence(JINGLE_GAP_MS, rate)
    segments: list[AudioSegment] = []
    if opening is not None:
        segments += [opening.apply_gain(next(gains, 0.0)), gap]
    segments.append(speech.apply_gain(speech_gain) if speech_gain else speech)
    if closing is not None:
        segments += [gap, closing.apply_gain(next(gains, 0.0))]
    return _join(segments, rate)


# --- loudness, true peak, limiter (numpy) ----------------------------------------


def _k_weighting(rate: int) -> NDArray[np.float64]:
    """BS.1770 K-weighting (shelf + high-pass) as SOS, designed by pyloudnorm for any rate."""
    stages = (
        IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    )
    return np.array([np.hstack([f.passband_gain * f.b, f.a]) for f in stages])


def _integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770-4 gated integrated loudness (LUFS) of (frames, channels) samples.

    Same filters and gating as ``pyloudnorm.Meter.integrated_loudness`` but streamed
    in blocks: ~5× faster and without float64 copies of the whole programme, which
    matters because normalization measures the programme several times.
    """
    frames = samples.shape[0]
    hop = 0.1 * rate  # 400 ms gating blocks overlap by 75 %
    n_hops = int(frames // hop)
    if n_hops < 4:
        raise ProductionError("produce.too_short")
    bounds = np.round(np.arange(n_hops + 1) * hop).astype(np.int64)
    sos = _k_weighting(rate)
    hop_energy = np.zeros(n_hops)
    for ch in range(samples.shape[1]):
        zi = np.zeros((sos.shape[0], 2))
        # Cumulative energy at every hop boundary, carried across processing blocks.
        cum_at = np.empty(bounds.size)
        total = 0.0
        for start in range(0, int(bounds[-1]), _BLOCK):
            stop = min(start + _BLOCK, int(bounds[-1]))
            y, zi = signal.sosfilt(sos, samples[start:stop, ch].astype(np.float64), zi=zi)
            cum = np.cumsum(y * y) + total
            sel = (bounds > start) & (bounds <= stop)
            cum_at[sel] = cum[bounds[sel] - start - 1]
            total = float(cum[-1])
        cum_at[0] = 0.0
        hop_energy += np.diff(cum_at)
    block_len = bounds[4:] - bounds[:-4]
    z = (np.convolve(hop_energy, np.ones(4), mode="valid")) / block_len
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10.0 * np.log10(z)
    gated = z[block_lufs >= -70.0]
    if gated.size == 0:
        return -math.inf
    relative = -0.691 + 10.0 * math.log10(float(gated.mean())) - 10.0
    gated = z[(block_lufs >= -70.0) & (block_lufs > relative)]
    return -0.691 + 10.0 * math.log10(float(gated.mean()))


def _oversampled_blocks(x: FloatArray) -> Iterator[FloatArray]:
    """4× oversampled |x| per block, block edges overlapped so the FIR sees context."""
    pad = 64
    for start in range(0, x.size, _BLOCK):
        lo = max(0, start - pad)
        hi = min(x.size, start + _BLOCK + pad)
        up = signal.resample_poly(x[lo:hi].astype(np.float32), 4, 1)
        body = np.abs(up[(start - lo) * 4 : (min(x.size, start + _BLOCK) - lo) * 4])
        yield body.astype(np.float32, copy=False)


def _true_peak_db(samples: np.ndarray) -> float:
    """Max true peak in dBTP over channels (BS.1770-4 Annex 2: 4× oversampling)."""
    peak = 0.0
    for ch in range(samples.shape[1]):
        for up in _oversampled_blocks(np.ascontiguousarray(samples[:, ch])):
            if up.size:
                peak = max(peak, float(up.max()))
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def _peak_envelope_db(x: FloatArray) -> FloatArray:
    """Per-sample true-peak envelope in dB: the oversampled peak on either side of n."""
    env = np.empty(x.size, dtype=np.float32)
    pos = 0
    for up in _oversampled_blocks(x):
        m = up.reshape(-1, 4).max(axis=1)  # inter-sample peak between n and n+1
        env[pos : pos + m.size] = m
        pos += m.size
    np.maximum(env[1:], env[:-1], out=env[1:])
    with np.errstate(divide="ignore"):
        np.log10(env, out=env)
    env *= np.float32(20.0)
    return env


def _limiter_gain_db(
    envelope_db: FloatArray, gain_db: float, ceiling_db: float, rate: int, out: FloatArray
) -> FloatArray:
    """Smooth gain reduction (dB ≤ 0) keeping gain·envelope under the ceiling, into ``out``.

    Look-ahead min-hold followed by a same-length moving average: every value the
    average sees at a peak is already at or below that peak's requirement, so the
    ceiling holds exactly at the peak while gain ramps down ahead of it. Release is
    an exponential recovery in dB applied before the average so the guarantee survives.
    Works in place in ``out``: a 15-minute programme is 160 MB per float32 array.
    """
    np.subtract(np.float32(ceiling_db - gain_db), envelope_db, out=out)
    np.minimum(out, np.float32(0.0), out=out)
    look = max(1, round(LIMITER_LOOKAHEAD_S * rate))
    _filter_in_place(
        out, lambda a: ndimage.minimum_filter1d(a, look, origin=-(look // 2), mode="nearest"), look
    )
    # With u = -gain_dB ≥ 0, the release u[n] = max(v[n], a·u[n-1]) has the closed
    # form max_k v[k]·a^(n-k); in logs that is a running max, vectorized per block.
    lam = 1.0 / (LIMITER_RELEASE_S * rate)
    carry = 0.0
    for start in range(0, out.size, _BLOCK):
        block = out[start : start + _BLOCK]
        k = np.arange(block.size, dtype=np.float64)
        with np.errstate(divide="ignore"):
            log_u = np.log(-block.astype(np.float64)) + k * lam
            np.maximum.accumulate(log_u, out=log_u)
            log_u -= k * lam
            if carry > 0.0:
                np.maximum(log_u, math.log(carry) - (k + 1) * lam, out=log_u)
        u = np.exp(log_u)
        block[:] = -u
        carry = float(u[-1])
    _filter_in_place(
        out,
        lambda a: ndimage.uniform_filter1d(a, look, origin=(look - 1) // 2, mode="nearest"),
        look,
    )
    return out


def _filter_in_place(a: FloatArray, fn: Callable[[FloatArray], FloatArray], halo: int) -> None:
    """Apply a short 1-D filter (reach ≤ ``halo``) to ``a`` block by block, in place.

    ndimage copies a whole line into float64 buffers, ~640 MB for a 15-minute
    programme; blocks with overlapping halos give the same result in little memory.
    """
    saved: FloatArray | None = None  # original values just left of the current block
    for start in range(0, a.size, _BLOCK):
        stop = min(start + _BLOCK, a.size)
        lo = max(0, start - halo)
        left = saved if saved is not None else a[lo:start]
        seg = np.concatenate([left, a[start : min(stop + halo, a.size)]])
        saved = a[max(start, stop - halo) : stop].copy()
        a[start:stop] = fn(seg)[start - lo : start - lo + stop - start]


def _phase_rotate(x: FloatArray, rate: int) -> FloatArray:
    """Spread the phases of voiced speech with a chain of all-pass filters.

    Glottal pulses line up their harmonics into sharp peaks; dispersing them (as
    broadcast processors' phase rotators do) lowers the crest factor by 1.5–3 dB
    without changing the spectrum, so the limiter has less to take off.
    """
    sections = []
    for f0 in (150.0, 300.0, 600.0, 1200.0):
        w = 2 * math.pi * f0 / rate
        alpha = math.sin(w) / (2 * 0.7)
        c = math.cos(w)
        a0 = 1 + alpha
        sections.append([(1 - alpha) / a0, -2 * c / a0, 1.0, 1.0, -2 * c / a0, (1 - alpha) / a0])
    sos = np.array(sections)
    zi = np.zeros((len(sections), 2))
    for start in range(0, x.size, _BLOCK):  # in place, block by block
        block, zi = signal.sosfilt(sos, x[start : start + _BLOCK], zi=zi)
        x[start : start + block.size] = block
    return x


def _normalize(
    x: FloatArray,
    envelope_db: FloatArray,
    rate: int,
    target_lufs: float,
    ceiling_db: float,
    gain_db: float,
    slope: float = 1.0,
) -> tuple[FloatArray, float, float]:
    """Gain to the loudness target, limiting true peaks to the ceiling on the way.

    ``gain_db``/``slope`` are the first guess and the expected LU per dB of gain;
    returns the signal with the gain and slope found, to warm-start a retry.
    """

    buf = np.empty_like(x)  # every render reuses this one buffer

    def render(gain_db: float) -> tuple[FloatArray, float]:
        _limiter_gain_db(envelope_db, gain_db, ceiling_db, rate, out=buf)
        np.add(buf, np.float32(gain_db), out=buf)  # total gain in dB ...
        np.multiply(buf, np.float32(math.log(10.0) / 20.0), out=buf)
        np.exp(buf, out=buf)  # ... as a linear factor ...
        np.multiply(buf, x, out=buf)  # ... applied to the programme
        return buf, _integrated_loudness(buf[:, None], rate)

    # Limiting takes away loudness, so the gain must overshoot the plain difference.
    # Loudness rises monotonically but ever slower with gain: secant steps, with the
    # slope kept positive and bounded, converge in a few renders.
    g0 = min(MAX_GAIN_DB, max(-MAX_GAIN_DB, gain_db))
    y, l0 = render(g0)
    for _ in range(10):
        if abs(target_lufs - l0) < 0.05:
            break
        # Bounded: a secant step on a nearly flat stretch must not overflow the gain.
        g1 = min(MAX_GAIN_DB, max(-MAX_GAIN_DB, g0 + (target_lufs - l0) / slope))
        if g1 == g0:
            break
        y, l1 = render(g1)
        slope = min(1.0, max(0.1, (l1 - l0) / (g1 - g0))) if g1 != g0 else 1.0
        g0, l0 = g1, l1
    # The gain curve moves slowly, but it is applied at the base rate; one check on
    # the real oversampled output catches any residue with a plain trim.
    peak = _true_peak_db(y[:, None])
    if peak > ceiling_db:
        y *= np.float32(10.0 ** ((ceiling_db - peak) / 20.0))
    return y, g0, slope


# --- ffmpeg I/O ------------------------------------------------------------------


def _encode(mono: FloatArray, dest: Path, fmt: AudioFormat) -> None:
    """Encode mono float samples to a CBR MP3 at ``dest`` in the requested format."""
    cmd = [
        FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "f32le", "-ar", str(fmt.sample_rate), "-ac", "1", "-i", "pipe:0",
        "-ac", str(fmt.channels),
        "-c:a", "libmp3lame", "-b:a", f"{fmt.bitrate_kbps}k",
        # Bare MP3 frames (plus the LAME info frame for gapless length) with no
        # ID3 tag or encoder-version strings, so identical input hashes identically
        # and simple players in loudspeaker controllers see nothing unexpected.
        "-id3v2_version", "0", "-write_id3v1", "0", "-map_metadata", "-1",
        "-fflags", "+bitexact", "-flags:a", "+bitexact",
        "-f", "mp3", str(dest),
    ]  # fmt: skip
    # Streams the float PCM straight into ffmpeg: no extra temp WAV (pydub's
    # export writes two in /tmp and leaves them behind when interrupted).
    # stderr goes to a file, not a pipe: nobody reads it while we write stdin.
    with tempfile.TemporaryFile() as errlog:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=errlog)
        assert proc.stdin is not None
        try:
            for start in range(0, mono.size, _BLOCK):
                proc.stdin.write(mono[start : start + _BLOCK].astype("<f4").tobytes())
            proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg died early; its exit status and message are reported below
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.wait() != 0:
            errlog.seek(0)
            msg = errlog.read().decode(errors="replace")
            key = "disk.full" if "No space left" in msg else "produce.encode"
            raise ProductionError(key, detail=msg.strip().splitlines()[-1] if msg else "")


def _decode(path: Path) -> tuple[FloatArray, int]:
    """Decode any audio file with the wheel's ffmpeg to float32 (frames, channels)."""
    if not path.is_file():
        raise FileNotFoundError(path)
    cmd = [
        FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", str(path), "-vn", "-map", "0:a:0", "-c:a", "pcm_f32le", "-f", "wav", "pipe:1",
    ]  # fmt: skip
    # One read into one buffer: communicate() would hold the PCM twice (chunks + join).
    with tempfile.TemporaryFile() as errlog:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errlog)
        assert proc.stdout is not None
        with proc.stdout:
            data = proc.stdout.read()
        if proc.wait() != 0:
            errlog.seek(0)
            msg = errlog.read().decode(errors="replace")
            raise ProductionError("produce.decode", path=str(path), detail=msg.strip()[-300:])
    # ffmpeg streams WAV to a pipe with placeholder sizes, so walk the chunks and
    # take everything after the data header rather than trusting its length.
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise RuntimeError(f"unexpected decoder output for {path}")
    pos = 12
    channels = rate = 0
    while pos + 8 <= len(data):
        cid = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if cid == b"fmt ":
            channels = int.from_bytes(data[body + 2 : body + 4], "little")
            rate = int.from_bytes(data[body + 4 : body + 8], "little")
        elif cid == b"data":
            if not channels or not rate:
                break
            raw = data[body : body + (len(data) - body) // (4 * channels) * 4 * channels]
            samples = np.frombuffer(raw, dtype="<f4").reshape(-1, channels)
            return samples.astype(np.float32, copy=False), rate
        pos = body + size + (size & 1)
    raise RuntimeError(f"no audio data decoded from {path}")
