"""The DSP on float samples: BS.1770 K-weighting, gated integrated loudness, 4×
oversampled true peak, phase rotation, and the look-ahead limiter that normalizes."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray
from pyloudnorm.iirfilter import IIRfilter
from scipy import ndimage, signal

from bulletin.production.common import BLOCK, FloatArray, ProductionError

LIMITER_LOOKAHEAD_S = 0.005  # also the attack ramp length
LIMITER_RELEASE_S = 0.05  # time constant of the (exponential, in dB) release
MAX_GAIN_DB = 60.0  # more than this turns noise into a "programme"; quieter input is silence


def _k_weighting(rate: int) -> NDArray[np.float64]:
    """BS.1770 K-weighting (shelf + high-pass) as SOS, designed by pyloudnorm for any rate."""
    stages = (
        IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    )
    return np.array([np.hstack([f.passband_gain * f.b, f.a]) for f in stages])


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
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
        for start in range(0, int(bounds[-1]), BLOCK):
            stop = min(start + BLOCK, int(bounds[-1]))
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
    for start in range(0, x.size, BLOCK):
        lo = max(0, start - pad)
        hi = min(x.size, start + BLOCK + pad)
        up = signal.resample_poly(x[lo:hi].astype(np.float32), 4, 1)
        body = np.abs(up[(start - lo) * 4 : (min(x.size, start + BLOCK) - lo) * 4])
        yield body.astype(np.float32, copy=False)


def true_peak_db(samples: np.ndarray) -> float:
    """Max true peak in dBTP over channels (BS.1770-4 Annex 2: 4× oversampling)."""
    peak = 0.0
    for ch in range(samples.shape[1]):
        for up in _oversampled_blocks(np.ascontiguousarray(samples[:, ch])):
            if up.size:
                peak = max(peak, float(up.max()))
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def peak_envelope_db(x: FloatArray) -> FloatArray:
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
    for start in range(0, out.size, BLOCK):
        block = out[start : start + BLOCK]
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
    for start in range(0, a.size, BLOCK):
        stop = min(start + BLOCK, a.size)
        lo = max(0, start - halo)
        left = saved if saved is not None else a[lo:start]
        seg = np.concatenate([left, a[start : min(stop + halo, a.size)]])
        saved = a[max(start, stop - halo) : stop].copy()
        a[start:stop] = fn(seg)[start - lo : start - lo + stop - start]


def phase_rotate(x: FloatArray, rate: int) -> FloatArray:
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
    for start in range(0, x.size, BLOCK):  # in place, block by block
        block, zi = signal.sosfilt(sos, x[start : start + BLOCK], zi=zi)
        x[start : start + block.size] = block
    return x


def normalize(
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
        return buf, integrated_loudness(buf[:, None], rate)

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
    peak = true_peak_db(y[:, None])
    if peak > ceiling_db:
        y *= np.float32(10.0 ** ((ceiling_db - peak) / 20.0))
    return y, g0, slope
