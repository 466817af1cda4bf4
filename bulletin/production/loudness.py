"""The DSP on float samples: BS.1770 K-weighting, gated integrated loudness, 4×
oversampled true peak, phase rotation, and the look-ahead limiter that normalizes."""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.typing import NDArray
from pyloudnorm.iirfilter import IIRfilter
from scipy import ndimage, signal

from bulletin.production.common import BLOCK, FloatArray, ProductionError

LIMITER_LOOKAHEAD_S = 0.005  # also the attack ramp length
LIMITER_RELEASE_S = 0.05  # time constant of the (exponential, in dB) release
MAX_GAIN_DB = 60.0  # more than this turns noise into a "programme"; quieter input is silence
MAX_LIMITING_DB = 12.0  # gain past the plain loudness difference the limiter may take back
SILENCE_LUFS = -70.0  # BS.1770's absolute gate: nothing quieter counts as programme
GAIN_HOP_S = 0.001  # the limiter decides its gain once per millisecond

# The true-peak interpolator: a polyphase FIR giving the points 1/8, 3/8, 5/8 and 7/8 of
# the way from each sample to the next (with the samples themselves, eight points per
# sample period; BS.1770-4 Annex 2 asks for four), _TAPS coefficients per point.
_TAPS = 12
_SUB_BLOCK = 1 << 15  # true-peak search granularity: skip what cannot hold the peak
NEAR_CEILING_DB = 0.5  # far more than gain interpolation can move a peak


# In the exact-zero pauses between sentences the filter state would decay into subnormal
# floats, which makes the filter several times slower; this DC offset keeps it normal, and
# the K-weighting's 38 Hz high-pass takes it out again.
DENORMAL_GUARD = 1e-10


def k_weighting(rate: int) -> NDArray[np.float64]:
    """BS.1770 K-weighting (shelf + high-pass) as SOS, designed by pyloudnorm for any rate."""
    stages = (
        IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    )
    return np.array([np.hstack([f.passband_gain * f.b, f.a]) for f in stages])


def kweighted_energy(samples: np.ndarray, rate: int, bounds: NDArray[np.int64]) -> np.ndarray:
    """K-weighted energy between consecutive ``bounds`` (sample indices), summed over channels.

    Streamed in blocks, filtered in float32 (the energies, summed in float64, agree with a
    float64 filter to well under 0.01 LU) and summed per interval, not as a running total.
    """
    sos = k_weighting(rate).astype(np.float32)
    energy = np.zeros(bounds.size - 1)
    end = int(bounds[-1])
    for ch in range(samples.shape[1]):
        zi = np.zeros((sos.shape[0], 2), dtype=np.float32)
        for start in range(0, end, BLOCK):
            stop = min(start + BLOCK, end)
            block = samples[start:stop, ch].astype(np.float32)
            block += np.float32(DENORMAL_GUARD)
            y, zi = signal.sosfilt(sos, block, zi=zi)
            np.multiply(y, y, out=y)
            # The interval holding `start`, then one more at each bound inside the block.
            first = int(np.searchsorted(bounds, start, side="right")) - 1
            inside = bounds[first + 1 : int(np.searchsorted(bounds, stop, side="left"))]
            sums = np.add.reduceat(y, np.concatenate([[0], inside - start]), dtype=np.float64)
            energy[first : first + sums.size] += sums
    return energy


def gated_loudness(step_energy: np.ndarray, step_len: np.ndarray) -> float:
    """BS.1770-4 gating over 100 ms steps (energy and length of each): 400 ms blocks, the
    absolute gate at -70 LUFS and the relative gate 10 LU under the absolute-gated mean."""
    if step_energy.size < 4:
        raise ProductionError("produce.too_short")
    window = np.ones(4)
    z = np.convolve(step_energy, window, mode="valid") / np.convolve(step_len, window, "valid")
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10.0 * np.log10(z)
    gated = z[block_lufs >= SILENCE_LUFS]
    if gated.size == 0:
        return -math.inf
    relative = -0.691 + 10.0 * math.log10(float(gated.mean())) - 10.0
    gated = z[(block_lufs >= SILENCE_LUFS) & (block_lufs > relative)]
    return -0.691 + 10.0 * math.log10(float(gated.mean()))


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770-4 gated integrated loudness (LUFS) of (frames, channels) samples.

    Same filters and gating as ``pyloudnorm.Meter.integrated_loudness`` but streamed
    in blocks: ~5× faster and without float64 copies of the whole programme.
    """
    hop = 0.1 * rate  # 400 ms gating blocks overlap by 75 %
    n_steps = int(samples.shape[0] // hop)
    if n_steps < 4:
        raise ProductionError("produce.too_short")
    bounds = np.round(np.arange(n_steps + 1) * hop).astype(np.int64)
    return gated_loudness(kweighted_energy(samples, rate, bounds), np.diff(bounds))


@functools.cache
def _interpolator() -> tuple[FloatArray, float]:
    """The (taps, 4) coefficient matrix and the largest gain the interpolation can have.

    The gain bound (sum of |coefficients| of the worst point) lets the true-peak search
    skip every stretch whose sample peak times the bound is under the peak found so far.
    """
    # An even-length linear-phase low-pass delays by (4·_TAPS - 1)/2 oversampled points,
    # which puts its four phases at the odd eighths between input samples.
    h = signal.firwin(4 * _TAPS, 0.25, window=("kaiser", 6.0)) * 4
    coefficients = h.reshape(_TAPS, 4)[::-1].astype(np.float32)
    bound = max(1.0, float(np.abs(coefficients).sum(axis=0).max()))
    return np.ascontiguousarray(coefficients), bound


def _segment(x: FloatArray, lo: int, hi: int) -> FloatArray:
    """``x[lo:hi]`` with zeros where the range runs past either end."""
    if lo >= 0 and hi <= x.size:
        return x[lo:hi]
    out = np.zeros(hi - lo, dtype=np.float32)
    a, b = max(lo, 0), min(hi, x.size)
    if b > a:
        out[a - lo : b - lo] = x[a:b]
    return out


def _between_peaks(x: FloatArray, start: int, stop: int) -> FloatArray:
    """For each n in [start, stop): the largest |x| from sample n up to sample n+1.

    The filter is symmetric, so the points at 1/8 and 7/8 (and 3/8 and 5/8) share
    their products: with A the part even and D the part odd about the centre, the
    pair is A ± D and its larger magnitude is |A| + |D|. Plain multiply-adds over
    the taps on whole blocks: numpy has no fast path for a (samples, 12) × (12, 4)
    product, and resample_poly is several times slower.
    """
    coefficients, _ = _interpolator()
    n = stop - start
    seg = _segment(x, start - _TAPS // 2 + 1, stop + _TAPS // 2)
    even = np.zeros((2, n), dtype=np.float32)
    odd = np.zeros((2, n), dtype=np.float32)
    pair_sum = np.empty(n, dtype=np.float32)
    pair_diff = np.empty(n, dtype=np.float32)
    tmp = np.empty(n, dtype=np.float32)
    for i in range(_TAPS // 2):
        j = _TAPS - 1 - i
        np.add(seg[i : i + n], seg[j : j + n], out=pair_sum)
        np.subtract(seg[i : i + n], seg[j : j + n], out=pair_diff)
        for p in range(2):
            ci, cj = coefficients[i, p], coefficients[j, p]
            np.multiply(pair_sum, (ci + cj) / 2, out=tmp)
            np.add(even[p], tmp, out=even[p])
            np.multiply(pair_diff, (ci - cj) / 2, out=tmp)
            np.add(odd[p], tmp, out=odd[p])
    np.abs(even, out=even)
    np.abs(odd, out=odd)
    np.add(even, odd, out=even)
    peak = np.maximum(even[0], even[1])
    np.maximum(peak, np.abs(x[start:stop]), out=peak)
    return peak


def _sample_peaks(x: FloatArray, size: int) -> FloatArray:
    """max |x| over consecutive stretches of ``size`` samples (the last may be shorter)."""
    out = np.empty(-(-x.size // size), dtype=np.float32)
    step = max(size, BLOCK // size * size)
    for start in range(0, x.size, step):
        chunk = np.abs(x[start : start + step])
        whole = chunk.size // size * size
        k = start // size
        out[k : k + whole // size] = chunk[:whole].reshape(-1, size).max(axis=1)
        if whole < chunk.size:
            out[k + whole // size] = chunk[whole:].max()
    return out


def _neighbourhood_max(a: FloatArray) -> FloatArray:
    """Each value raised to the largest of itself and its two neighbours."""
    return ndimage.maximum_filter1d(a, 3, mode="nearest")


def _true_peak_linear(x: FloatArray) -> float:
    """Largest oversampled |x| of one channel, searched from the likeliest stretch down.

    Interpolated points lie within the interpolator's gain bound of the samples around
    them, so once a stretch's sample peak times that bound is under the best peak so far,
    neither it nor any quieter stretch can hold the true peak.
    """
    if x.size == 0:
        return 0.0
    _, gain_bound = _interpolator()
    peaks = _sample_peaks(x, _SUB_BLOCK)
    reach = _neighbourhood_max(peaks) * np.float32(gain_bound)
    best = float(peaks.max())
    for k in np.argsort(reach)[::-1]:
        if reach[k] <= best:
            break
        start = int(k) * _SUB_BLOCK
        best = max(best, float(_between_peaks(x, start, min(start + _SUB_BLOCK, x.size)).max()))
    return best


def true_peak_db(samples: np.ndarray) -> float:
    """Max true peak in dBTP over channels (BS.1770-4 Annex 2: 4× oversampling)."""
    peak = max(
        (_true_peak_linear(np.ascontiguousarray(samples[:, ch], dtype=np.float32))
         for ch in range(samples.shape[1])),
        default=0.0,
    )  # fmt: skip
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def hop_peaks_db(x: FloatArray, hop: int, floor_db: float) -> FloatArray:
    """True peak in dB of every ``hop`` samples of ``x`` (with the gap to the next sample).

    Stretches that cannot reach ``floor_db`` get the interpolator's upper bound instead of
    the exact figure: still under the floor, and never under the truth, so a limiter
    acting only above the floor is as safe with it and skips most of the oversampling.
    """
    _, gain_bound = _interpolator()
    hop_peak = _sample_peaks(x, hop)
    env = _neighbourhood_max(hop_peak) * np.float32(gain_bound)
    floor = np.float32(10.0 ** (floor_db / 20.0))
    per_block = max(1, _SUB_BLOCK // hop)
    for k in range(0, env.size, per_block):
        if env[k : k + per_block].max() <= floor:
            continue
        start = k * hop
        stop = min((k + per_block) * hop, x.size)
        exact = _sample_peaks(_between_peaks(x, start, stop), hop)
        env[k : k + exact.size] = exact
    with np.errstate(divide="ignore"):
        return (20.0 * np.log10(env)).astype(np.float32)


def limiter_gain_db(
    envelope_db: FloatArray, gain_db: float, ceiling_db: float, hop_rate: float
) -> FloatArray:
    """Smooth gain reduction (dB ≤ 0, one value per hop) keeping gain·envelope under the ceiling.

    Look-ahead min-hold followed by a same-length moving average: every value the
    average sees at a peak is already at or below that peak's requirement, so the
    ceiling holds exactly at the peak while gain ramps down ahead of it. Release is
    an exponential recovery in dB applied before the average so the guarantee survives.
    Each hop's requirement first takes its neighbours' into account, so gains
    interpolated between hop centres also stay under it.
    """
    need = np.minimum(np.float32(ceiling_db - gain_db) - envelope_db, np.float32(0.0))
    need = ndimage.minimum_filter1d(need, 3, mode="nearest")
    look = max(1, round(LIMITER_LOOKAHEAD_S * hop_rate))
    held = ndimage.minimum_filter1d(need, look, origin=-(look // 2), mode="nearest")
    # With u = -gain_dB ≥ 0, the release u[n] = max(v[n], a·u[n-1]) has the closed
    # form max_k v[k]·a^(n-k); in logs that is a running max.
    lam = 1.0 / (LIMITER_RELEASE_S * hop_rate)
    k = np.arange(held.size, dtype=np.float64)
    with np.errstate(divide="ignore"):
        log_u = np.log(-held.astype(np.float64)) + k * lam
    np.maximum.accumulate(log_u, out=log_u)
    log_u -= k * lam
    released = -np.exp(log_u)
    return ndimage.uniform_filter1d(released, look, origin=(look - 1) // 2, mode="nearest").astype(
        np.float32
    )


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


def true_peak_of_hops(x: FloatArray, hop: int, selected: NDArray[np.bool_]) -> float:
    """True peak in dB of ``x`` over the selected hops (with their neighbours)."""
    selected = ndimage.maximum_filter1d(selected, 3, mode="constant")
    per_block = max(1, _SUB_BLOCK // hop)
    peak = 0.0
    for k in np.flatnonzero(np.add.reduceat(selected, np.arange(0, selected.size, per_block))):
        start = int(k) * per_block * hop
        stop = min(start + per_block * hop, x.size)
        peak = max(peak, float(_between_peaks(x, start, stop).max()))
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def apply_gain(x: FloatArray, gain_db: FloatArray, hop: int) -> None:
    """Multiply ``x`` in place by the per-hop gain, linearly interpolated between hop centres.

    Each sample lies between its own hop's centre and the nearer neighbour's, so the
    interpolation is a fixed weight per position in the hop: a few array operations
    per block instead of a general-purpose interpolation of every sample.
    """
    linear = np.power(np.float32(10.0), gain_db / np.float32(20.0))
    padded = np.concatenate([linear[:1], linear, linear[-1:]])
    offset = (np.arange(hop, dtype=np.float32) - np.float32((hop - 1) / 2.0)) / np.float32(hop)
    towards_previous = (offset < 0)[None, :]
    weight = np.abs(offset)[None, :]
    hops_per_block = max(1, BLOCK // hop)
    for h0 in range(0, linear.size, hops_per_block):
        h1 = min(h0 + hops_per_block, linear.size)
        own = linear[h0:h1, None]
        neighbour = np.where(towards_previous, padded[h0:h1, None], padded[h0 + 2 : h1 + 2, None])
        gain = (own + (neighbour - own) * weight).reshape(-1)
        start = h0 * hop
        stop = min(h1 * hop, x.size)
        x[start:stop] *= gain[: stop - start]
