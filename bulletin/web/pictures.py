"""Pictures of a bulletin's audio for the review desk: its waveform and its short-term loudness
over time as inline SVG, measured from one decode of the file and cached by its SHA-256."""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from bulletin.errors import InputError, NotFoundError
from bulletin.production.ffmpeg import ffmpeg_exe, run_for_output
from bulletin.production.loudness import DENORMAL_GUARD, k_weighting

log = logging.getLogger("bulletin.web.pictures")

# Every voice here speaks at 24 kHz or less (eSpeak and Piper 22.05, XTTS 24), so this loses
# nothing of the speech at half the work of 48 kHz: on a real bulletin short-term loudness is
# within 0.1 LU of ffmpeg's ebur128. A jingle with energy over 12 kHz measures a little low.
ANALYSIS_RATE = 24000
WAVE_COLUMNS = 600
SHORT_TERM_WINDOW_S = 3.0  # EBU R128 short-term loudness
SHORT_TERM_STEP_S = 0.5
SILENCE_LUFS = -70.0  # BS.1770's absolute gate: quieter is drawn, and stored, as this floor
_GATE_STEP_S = 0.1  # BS.1770 gating blocks are four of these, overlapping by 75 %
_FILTER_BLOCK_STEPS = 160  # K-weighting runs over this many steps at a time: bounded memory
# Bump when the same audio would measure differently; old cache entries are then left unread.
_MEASURE_VERSION = 1

# Characters XML 1.0 forbids even escaped; a label holding one would break the page's markup.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class PictureLabels:
    """The words in the pictures, in the reader's language (Vietnamese by default)."""

    waveform: str = "Dạng sóng"
    """Title and accessible name of the waveform."""
    loudness: str = "Độ lớn theo thời gian (LUFS)"
    """Title and accessible name of the loudness picture."""
    target: str = "Mục tiêu"
    """Label of the horizontal line at the loudness target, followed by its value."""


@dataclass(frozen=True)
class Pictures:
    """The two pictures of one audio file and the measures they are drawn from."""

    waveform_svg: str
    """Min/max envelope as one filled ``<path>``, x proportional to time, with true-peak lines."""
    loudness_svg: str
    """Short-term loudness as a ``<polyline>`` over time, with the target line and axis ticks."""
    duration_s: float
    """Length of the decoded audio in seconds."""
    integrated_lufs: float
    """BS.1770 gated integrated loudness; ``SILENCE_LUFS`` when nothing passes the gate."""
    short_term: tuple[float, ...]
    """Short-term loudness (3 s, LUFS) every ``short_term_step_s``, floored at ``SILENCE_LUFS``."""
    short_term_step_s: float
    """Seconds between short-term values; value i ends at (i + 1) × step."""
    wave_low: tuple[float, ...]
    """Lowest sample of each waveform column, full scale = -1.0."""
    wave_high: tuple[float, ...]
    """Highest sample of each waveform column, full scale = 1.0."""
    target_lufs: float
    """The loudness target drawn as a line."""
    true_peak_dbtp: float
    """The true-peak ceiling drawn on the waveform."""
    from_cache: bool
    """True when the measures came from ``cache_dir`` and the audio was not decoded again."""


@dataclass(frozen=True)
class _Measures:
    """What one decode yields; everything the pictures need apart from the caller's choices."""

    duration_s: float
    integrated_lufs: float
    short_term: tuple[float, ...]
    wave_low: tuple[float, ...]
    wave_high: tuple[float, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": _MEASURE_VERSION,
                "duration_s": self.duration_s,
                "integrated_lufs": self.integrated_lufs,
                "short_term": self.short_term,
                "wave_low": self.wave_low,
                "wave_high": self.wave_high,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> _Measures:
        """Raises ``ValueError`` for anything this version did not write."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != _MEASURE_VERSION:
            raise ValueError("not a measures entry of this version")
        measures = cls(
            duration_s=_number(data["duration_s"]),
            integrated_lufs=_number(data["integrated_lufs"]),
            short_term=tuple(_number(v) for v in _list(data["short_term"])),
            wave_low=tuple(_number(v) for v in _list(data["wave_low"])),
            wave_high=tuple(_number(v) for v in _list(data["wave_high"])),
        )
        if len(measures.wave_low) != len(measures.wave_high):
            raise ValueError("waveform columns do not pair up")
        return measures


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return float(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"not a list: {type(value).__name__}")
    return value


def audio_pictures(
    audio: Path,
    *,
    target_lufs: float,
    true_peak_dbtp: float,
    cache_dir: Path | None = None,
    labels: PictureLabels | None = None,
) -> Pictures:
    """The waveform and loudness pictures of ``audio`` (any format ffmpeg reads).

    With ``cache_dir``, the measures are kept there as JSON named by the file's SHA-256, so
    the same audio is decoded once whatever the target, ceiling or language asked later;
    drawing the SVG from them takes milliseconds. Raises ``NotFoundError`` for a missing
    file and ``InputError`` for one that is unreadable or holds no decodable audio.
    """
    audio = Path(audio)
    labels = labels or PictureLabels()
    entry = cache_dir / f"{_sha256(audio)}-m{_MEASURE_VERSION}.json" if cache_dir else None
    measures = _cached(entry) if entry else None
    from_cache = measures is not None
    if measures is None:
        measures = _measure(_decode(audio), ANALYSIS_RATE)
        if entry:
            _store(entry, measures.to_json())
    return Pictures(
        waveform_svg=_waveform_svg(measures, true_peak_dbtp, labels.waveform),
        loudness_svg=_loudness_svg(measures, target_lufs, labels),
        duration_s=measures.duration_s,
        integrated_lufs=measures.integrated_lufs,
        short_term=measures.short_term,
        short_term_step_s=SHORT_TERM_STEP_S,
        wave_low=measures.wave_low,
        wave_high=measures.wave_high,
        target_lufs=target_lufs,
        true_peak_dbtp=true_peak_dbtp,
        from_cache=from_cache,
    )


def _sha256(audio: Path) -> str:
    digest = hashlib.sha256()
    try:
        with audio.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    except FileNotFoundError:
        raise NotFoundError("pictures.missing", path=str(audio)) from None
    except OSError as e:
        raise InputError("pictures.unreadable", path=str(audio), detail=e.strerror or e) from e
    return digest.hexdigest()


def _cached(entry: Path) -> _Measures | None:
    try:
        text = entry.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        return _Measures.from_json(text)
    except (ValueError, KeyError, TypeError) as e:
        log.warning("ignoring damaged picture cache entry %s (%s); measuring again", entry, e)
        return None


def _store(entry: Path, text: str) -> None:
    """Write ``entry`` whole or not at all: a reader never sees half a file."""
    tmp: Path | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=entry.parent, prefix=".", suffix=".tmp", delete=False
        ) as f:
            tmp = Path(f.name)
            f.write(text)
        os.replace(tmp, entry)
    except OSError as e:
        # The pictures are still right; only the next request pays for the decode again.
        log.warning("cannot cache picture measures in %s: %s", entry, e)
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _decode(audio: Path) -> NDArray[np.float32]:
    """The first audio stream of ``audio`` as mono float32 at ``ANALYSIS_RATE``."""
    if not audio.is_file():
        raise NotFoundError("pictures.missing", path=str(audio))
    cmd = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
        # "file:" so a name that looks like a protocol or an option is still read as a path.
        "-i", f"file:{audio}", "-vn", "-map", "0:a:0",
        "-ac", "1", "-ar", str(ANALYSIS_RATE), "-f", "f32le", "pipe:1",
    ]  # fmt: skip
    data, failure = run_for_output(cmd)
    if failure is not None:
        lines = failure.strip().splitlines()
        detail = lines[-1][-200:] if lines else failure
        raise InputError("pictures.undecodable", path=str(audio), detail=detail)
    samples = np.frombuffer(data, dtype="<f4", count=len(data) // 4)
    if samples.size == 0:
        raise InputError("pictures.empty", path=str(audio))
    return samples


def _lufs(mean_energy: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        lufs = -0.691 + 10.0 * np.log10(mean_energy)
    return np.maximum(lufs, SILENCE_LUFS)


def _measure(samples: NDArray[np.float32], rate: int) -> _Measures:
    """Waveform envelope, integrated and short-term loudness of mono ``samples``."""
    n = samples.size
    step = round(_GATE_STEP_S * rate)
    whole_steps = n // step
    # K-weighted energy of every 100 ms step (a last, partial step is left out), block by
    # block so no float64 copy of the whole programme is ever made.
    sos = k_weighting(rate)
    zi = np.zeros((sos.shape[0], 2))
    energy = np.empty(whole_steps)
    block = step * _FILTER_BLOCK_STEPS
    for start in range(0, whole_steps * step, block):
        stop = min(start + block, whole_steps * step)
        block_in = samples[start:stop].astype(np.float64)
        block_in += DENORMAL_GUARD
        y, zi = signal.sosfilt(sos, block_in, zi=zi)
        energy[start // step : stop // step] = np.square(y).reshape(-1, step).sum(axis=1)

    # Integrated: 400 ms blocks, absolute gate at -70 LUFS, relative gate 10 LU below.
    integrated = SILENCE_LUFS
    if whole_steps >= 4:
        z = np.convolve(energy, np.ones(4), mode="valid") / (4 * step)
        gated = z[_lufs(z) > SILENCE_LUFS]
        if gated.size:
            relative = float(_lufs(gated.mean(keepdims=True))[0]) - 10.0
            integrated = float(_lufs(gated[_lufs(gated) > relative].mean(keepdims=True))[0])

    # Short-term: the 3 s ending at each point, or all there is before the first 3 s.
    cumulative = np.concatenate([[0.0], np.cumsum(energy)])
    per_point = round(SHORT_TERM_STEP_S / _GATE_STEP_S)
    ends = np.arange(per_point, whole_steps + 1, per_point)
    starts = np.maximum(ends - round(SHORT_TERM_WINDOW_S / _GATE_STEP_S), 0)
    short_term = _lufs((cumulative[ends] - cumulative[starts]) / ((ends - starts) * step))

    columns = min(WAVE_COLUMNS, n)
    edges = (np.arange(columns) * n) // columns
    return _Measures(
        duration_s=n / rate,
        integrated_lufs=round(integrated, 2),
        short_term=tuple(round(float(v), 2) for v in short_term),
        wave_low=tuple(round(float(v), 4) for v in np.minimum.reduceat(samples, edges)),
        wave_high=tuple(round(float(v), 4) for v in np.maximum.reduceat(samples, edges)),
    )


def _text(value: str) -> str:
    """``value`` safe inside SVG text and attribute values."""
    return html.escape(_NOT_XML.sub("", value), quote=True)


def _svg_open(css_class: str, width: int, height: int, title: str, extra: str = "") -> str:
    label = _text(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{label}"{extra}>'
        f"<title>{label}</title>"
    )


# Colours are presentation attributes, the weakest kind of style: any rule in the page's
# stylesheet for .wave, .ceiling, .loudness, .target, .target-label, .grid, .axis or .tick
# overrides them.
_WAVE_W, _WAVE_H = 600, 120


def _waveform_svg(measures: _Measures, true_peak_dbtp: float, title: str) -> str:
    """The min/max envelope, stretched to any width (x ∝ time, for seeking by click)."""
    mid = _WAVE_H / 2
    half = mid - 2
    high = np.clip(np.asarray(measures.wave_high), -1.0, 1.0)
    low = np.clip(np.asarray(measures.wave_low), -1.0, 1.0)
    top = mid - high * half
    bottom = mid - low * half
    # Silence still shows as a hairline rather than vanishing.
    centre = (top + bottom) / 2
    top = np.minimum(top, centre - 0.5)
    bottom = np.maximum(bottom, centre + 0.5)
    x = (np.arange(top.size) + 0.5) * (_WAVE_W / max(top.size, 1))
    outline = [f"{a:.1f} {b:.1f}" for a, b in zip(x, top, strict=True)]
    outline += [f"{a:.1f} {b:.1f}" for a, b in zip(x[::-1], bottom[::-1], strict=True)]
    path = f'<path class="wave" fill="#2b6cb0" d="M{"L".join(outline)}Z"/>' if outline else ""
    ceiling = min(1.0, 10 ** (true_peak_dbtp / 20))
    lines = "".join(
        f'<line class="ceiling" x1="0" x2="{_WAVE_W}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c53030" '
        'stroke-width="1" stroke-dasharray="4 3" vector-effect="non-scaling-stroke"/>'
        for y in (mid - ceiling * half, mid + ceiling * half)
    )
    extra = f' preserveAspectRatio="none" data-duration-s="{measures.duration_s:.3f}"'
    return _svg_open("waveform", _WAVE_W, _WAVE_H, title, extra) + path + lines + "</svg>"


_LOUD_W, _LOUD_H = 400, 200
_PLOT_LEFT, _PLOT_RIGHT, _PLOT_TOP, _PLOT_BOTTOM = 34, 392, 10, 176
_TIME_STEPS_S = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
_MAX_TIME_TICKS = 6


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _loudness_svg(measures: _Measures, target_lufs: float, labels: PictureLabels) -> str:
    """Short-term loudness against time, the scale widened so the target is always inside."""
    lo = min(-40.0, 5 * math.floor((target_lufs - 20) / 5))
    hi = max(-5.0, 5 * math.ceil((target_lufs + 5) / 5))
    span_x = _PLOT_RIGHT - _PLOT_LEFT
    duration = max(measures.duration_s, 1e-9)

    def y_of(lufs: float) -> float:
        lufs = min(max(lufs, lo), hi)  # silence (and anything under the scale) on the floor
        return _PLOT_BOTTOM - (lufs - lo) / (hi - lo) * (_PLOT_BOTTOM - _PLOT_TOP)

    def x_of(seconds: float) -> float:
        return _PLOT_LEFT + min(seconds / duration, 1.0) * span_x

    tick = 'class="tick" fill="#555" font-size="11" font-family="sans-serif"'
    grid = 'class="grid" stroke="#ddd" stroke-width="1"'
    parts = []
    for level in range(int(lo), int(hi) + 1, 5):
        y = y_of(level)
        parts.append(
            f'<line {grid} x1="{_PLOT_LEFT}" x2="{_PLOT_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text {tick} x="{_PLOT_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{level}</text>'
        )
    every = next(
        (s for s in _TIME_STEPS_S if measures.duration_s / s <= _MAX_TIME_TICKS), _TIME_STEPS_S[-1]
    )
    for k in range(int(measures.duration_s // every) + 1):
        x = x_of(k * every)
        parts.append(
            f'<line {grid} x1="{x:.1f}" x2="{x:.1f}" y1="{_PLOT_TOP}" y2="{_PLOT_BOTTOM}"/>'
        )
        # The first and a last label flush with the frame: centred, they would hang outside.
        anchor = "start" if k == 0 else "end" if x > _PLOT_RIGHT - 12 else "middle"
        parts.append(
            f'<text {tick} x="{x:.1f}" y="{_PLOT_BOTTOM + 16}" text-anchor="{anchor}">'
            f"{_clock(k * every)}</text>"
        )
    parts.append(
        f'<rect class="axis" x="{_PLOT_LEFT}" y="{_PLOT_TOP}" width="{span_x}" '
        f'height="{_PLOT_BOTTOM - _PLOT_TOP}" fill="none" stroke="#888" stroke-width="1"/>'
    )
    y_target = y_of(target_lufs)
    parts.append(
        f'<line class="target" x1="{_PLOT_LEFT}" x2="{_PLOT_RIGHT}" y1="{y_target:.1f}" '
        f'y2="{y_target:.1f}" stroke="#2f855a" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    parts.append(
        # A white halo keeps the label readable where the curve runs through it.
        f'<text class="target-label" fill="#2f855a" font-size="11" font-family="sans-serif" '
        f'stroke="#fff" stroke-width="3" paint-order="stroke" '
        f'x="{_PLOT_RIGHT - 4}" y="{y_target - 4:.1f}" text-anchor="end">'
        f"{_text(labels.target)} {target_lufs:g} LUFS</text>"
    )
    step = SHORT_TERM_STEP_S
    points = " ".join(
        f"{x_of((i + 1) * step):.1f},{y_of(v):.1f}" for i, v in enumerate(measures.short_term)
    )
    if points:
        parts.append(
            f'<polyline class="loudness" fill="none" stroke="#2b6cb0" stroke-width="1.5" '
            f'stroke-linejoin="round" points="{points}"/>'
        )
    return _svg_open("loudness", _LOUD_W, _LOUD_H, labels.loudness) + "".join(parts) + "</svg>"
