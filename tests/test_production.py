"""Tests for bulletin.production against the real ffmpeg from imageio-ffmpeg (no mocks)."""

from __future__ import annotations

import contextlib
import hashlib
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pyloudnorm
import pytest
from scipy.io import wavfile

from bulletin.production import (
    AudioFormat,
    Part,
    ProducedAudio,
    ProductionError,
    ProductionSettings,
    builtin_jingle,
    measure,
    produce,
)

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
RATE = 22050  # eSpeak's native rate
JINGLE_S = 2.6 + 0.5  # built-in chime plus the gap next to it


@dataclass(frozen=True)
class Chunk:
    """Stand-in with the shape of bulletin.speech.tts.base.AudioChunk."""

    samples: np.ndarray
    sample_rate: int
    text: str = ""


def speech_like(seconds: float, seed: int, lufs: float | None = None) -> Chunk:
    """Voiced-speech caricature: phase-aligned glottal harmonics gated into syllables and
    modulated by noise, peak-normalized near full scale — a crest factor well above eSpeak's."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f0 = 110 + 25 * np.sin(2 * np.pi * 0.6 * t + seed)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    pulses = sum(np.sin(k * phase) / np.sqrt(k) for k in range(1, 30))
    syllables = np.clip(np.sin(2 * np.pi * 4.2 * t), 0, None) ** 2
    x = pulses * syllables * (1 + 0.3 * rng.standard_normal(n))
    x *= 0.97 / np.max(np.abs(x))
    if lufs is not None:
        x *= 10 ** ((lufs - pyloudnorm.Meter(RATE).integrated_loudness(x)) / 20)
    return Chunk(np.round(x * 32767).astype(np.int16), RATE)


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak from ffmpeg's own ebur128 meter (independent)."""
    proc = subprocess.run(
        [FFMPEG, "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def probe(path: Path) -> tuple[str, int, str, int]:
    """(codec, sample rate, channel layout, kb/s) as ffmpeg reports the file's stream."""
    proc = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    )
    m = re.search(r"Audio: (\w+).*?, (\d+) Hz, (\w+), \w+, (\d+) kb/s", proc.stderr)
    assert m, proc.stderr
    return m.group(1), int(m.group(2)), m.group(3), int(m.group(4))


def decode(path: Path, rate: int) -> np.ndarray:
    proc = subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate),
         "-f", "f32le", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    return np.frombuffer(proc.stdout, dtype="<f4")


def programme() -> list[tuple[str, Chunk]]:
    return [
        ("opening", speech_like(2.0, 1)),
        ("opening", speech_like(1.5, 2)),
        ("item_sentence", speech_like(3.0, 3)),
        ("item_sentence", speech_like(2.5, 4, lufs=-40.0)),  # a very quiet sentence
        ("item_end", speech_like(2.0, 5)),
        ("item_sentence", speech_like(2.2, 6)),
        ("item_end", speech_like(1.8, 7)),
        ("closing", speech_like(1.6, 8)),
    ]


def expected_duration(parts: list[tuple[str, Chunk]], s: ProductionSettings) -> float:
    speech = sum(c.samples.size / c.sample_rate for _, c in parts)
    # From programme(): sentence pauses opening|opening, within item 1 (×2) and item 2;
    # item pauses opening→item, after each item_end (the last one leads to closing).
    pauses = 4 * s.pause_sentence_ms + 3 * s.pause_item_ms
    return speech + pauses / 1000 + 2 * JINGLE_S


@pytest.fixture(scope="module", params=[-16.0, -23.0], ids=["-16LUFS", "-23LUFS"])
def produced(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ProducedAudio, ProductionSettings, list[tuple[str, Chunk]]]:
    out = tmp_path_factory.mktemp("prod") / "bulletin.mp3"
    settings = ProductionSettings(target_lufs=request.param)
    parts = programme()
    return produce(parts, out, settings), settings, parts  # type: ignore[arg-type]


def test_output_is_an_mp3_ffmpeg_decodes(produced: tuple) -> None:
    result, _, _ = produced
    head = result.path.read_bytes()[:3]
    # No ID3 tag is written, so the file starts on an MPEG audio frame sync.
    assert head[0] == 0xFF and head[1] & 0xE0 == 0xE0, head
    codec, rate, layout, kbps = probe(result.path)
    assert (codec, rate, layout, kbps) == ("mp3", 44100, "mono", 128)
    assert decode(result.path, 44100).size > 0


def test_loudness_and_true_peak_meet_target(produced: tuple) -> None:
    result, settings, parts = produced
    # The input is peakier than target-to-ceiling allows, so a plain gain could not
    # meet both: the limiter path is what is being tested here.
    loud = next(c for _, c in parts)
    x = loud.samples / 32768
    plr = 20 * np.log10(np.max(np.abs(x))) - pyloudnorm.Meter(RATE).integrated_loudness(x)
    assert plr > settings.true_peak_dbtp - settings.target_lufs
    integrated, peak = ebur128(result.path)
    assert abs(integrated - settings.target_lufs) <= 1.0
    assert peak <= settings.true_peak_dbtp
    # The figures reported are the encoded file's, and tight.
    assert abs(result.loudness_lufs - settings.target_lufs) <= 0.5
    assert result.true_peak_dbtp <= settings.true_peak_dbtp
    assert abs(result.loudness_lufs - integrated) <= 0.2
    assert abs(result.true_peak_dbtp - peak) <= 0.2


# The file starts with the codec's delay (576 + 529 samples) and ends padded to a whole frame
# (1152): 25 to 63 ms at 44.1 kHz over the programme's own length; and each cut between the
# segments it is encoded in keeps its pause within half a frame (13 ms).
CODEC_EXTRA_S = (0.025, 0.063)
HALF_FRAME_S = 576 / 44100


def within_codec_extra(produced_s: float, planned_s: float, cuts: int) -> bool:
    low, high = CODEC_EXTRA_S
    slack = cuts * HALF_FRAME_S
    return planned_s + low - slack <= produced_s <= planned_s + high + slack


def test_duration_is_parts_plus_pauses_plus_jingles(produced: tuple) -> None:
    result, settings, parts = produced
    expected = expected_duration(parts, settings)
    decoded_s = decode(result.path, 44100).size / 44100
    assert decoded_s == pytest.approx(result.duration_s, abs=1 / 44100)
    # Cut at both jingles' gaps and the three item pauses.
    assert within_codec_extra(result.duration_s, expected, cuts=5)


def test_reported_bytes_hash_and_no_temp_left(produced: tuple) -> None:
    result, _, _ = produced
    data = result.path.read_bytes()
    assert result.bytes == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert [p.name for p in result.path.parent.iterdir()] == ["bulletin.mp3"]


@pytest.mark.parametrize(
    "fmt",
    [AudioFormat(bitrate_kbps=64, sample_rate=22050), AudioFormat(96, 48000, channels=2)],
    ids=["22k-64k-mono", "48k-96k-stereo"],
)
def test_format_is_honoured(fmt: AudioFormat, tmp_path: Path) -> None:
    out = tmp_path / "out.mp3"
    parts = programme()[:3]
    result = produce(parts, out, ProductionSettings(format=fmt))  # type: ignore[arg-type]
    codec, rate, layout, kbps = probe(out)
    assert (codec, rate, kbps) == ("mp3", fmt.sample_rate, fmt.bitrate_kbps)
    assert layout == ("mono" if fmt.channels == 1 else "stereo")
    # CBR: size follows bitrate × duration.
    assert result.bytes == pytest.approx(fmt.bitrate_kbps * 1000 / 8 * result.duration_s, rel=0.03)
    # Dual-mono stereo is still aimed at the target as a whole (BS.1770 sums channels).
    integrated, peak = ebur128(out)
    assert abs(integrated + 16.0) <= 1.0
    assert peak <= -1.0


def test_pause_layout(tmp_path: Path) -> None:
    """Gaps: sentence pause within a section, item pause after item_end and between
    sections; an empty item_end marker adds no audio and does not stack pauses."""
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)
    chunk = Chunk(np.round(tone * 32767).astype(np.int16), RATE)
    empty = Chunk(np.zeros(0, dtype=np.int16), RATE)
    parts = [
        Part("opening", chunk),
        Part("item_sentence", chunk),
        Part("item_sentence", chunk),
        Part("item_end", empty),
        Part("item_sentence", chunk),
        Part("item_end", chunk),
        Part("closing", chunk),
    ]
    settings = ProductionSettings(
        pause_sentence_ms=300, pause_item_ms=1000, jingle_open=None, jingle_close=None
    )
    out = tmp_path / "gaps.mp3"
    produce(parts, out, settings)
    x = decode(out, 8000)
    loud = np.convolve(np.abs(x) > 0.01, np.ones(40), mode="same") > 0  # 5 ms bridging
    edges = np.flatnonzero(np.diff(np.concatenate([[0], loud.astype(np.int8), [0]])))
    gaps = [(b - a) / 8000 for a, b in zip(edges[1::2], edges[2::2], strict=False)]
    assert gaps == pytest.approx([1.0, 0.3, 1.0, 0.3, 1.0], abs=0.03)


def test_empty_input_raises(tmp_path: Path) -> None:
    out = tmp_path / "empty.mp3"
    with pytest.raises(ProductionError) as caught:
        produce([], out, ProductionSettings())
    assert caught.value.key == "produce.silent"
    silent_parts = [("opening", Chunk(np.zeros(0, dtype=np.int16), RATE))]
    with pytest.raises(ProductionError):
        produce(silent_parts, out, ProductionSettings())  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


INTERRUPTED_RUN = """
import sys
from pathlib import Path
import numpy as np
from bulletin.production import produce
from tests.test_production import speech_like
parts = [("item_sentence", speech_like(6.0, i)) for i in range(30)]
produce(parts, Path(sys.argv[1]))
"""


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.realtime  # must catch production mid-encode: a busy worker can miss it
def test_ctrl_c_while_encoding_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bulletin.mp3"
    proc = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_RUN, str(out)],
        cwd=Path(__file__).resolve().parents[1],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    # Interrupt once the segments' encoders are running.
    encoders: list[int] = []
    while proc.poll() is None and time.monotonic() < deadline:
        encoders = _children(proc.pid)
        if encoders:
            proc.send_signal(signal.SIGINT)
            break
        time.sleep(0.005)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("production finished before it could be interrupted")
    assert b"KeyboardInterrupt" in err, err.decode()
    assert list(tmp_path.iterdir()) == []
    # No encoder is left running either (a zombie, already dead, has an empty cmdline).
    time.sleep(0.5)
    for pid in encoders:
        cmdline = Path(f"/proc/{pid}/cmdline")
        assert not cmdline.exists() or b"ffmpeg" not in cmdline.read_bytes(), pid


def test_failure_keeps_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "bulletin.mp3"
    out.write_bytes(b"previous bulletin")
    settings = ProductionSettings(jingle_open=tmp_path / "missing-jingle.wav")
    with pytest.raises(FileNotFoundError):
        produce(programme()[:2], out, settings)  # type: ignore[arg-type]
    assert out.read_bytes() == b"previous bulletin"
    assert [p.name for p in tmp_path.iterdir()] == ["bulletin.mp3"]


def test_file_jingle_is_used(tmp_path: Path) -> None:
    jingle = tmp_path / "chime.wav"
    wavfile.write(jingle, 16000, (0.3 * np.sin(2 * np.pi * 660 * np.arange(16000) / 16000)))
    parts = programme()[:2]
    settings = ProductionSettings(jingle_open=jingle, jingle_close=None)
    result = produce(parts, tmp_path / "out.mp3", settings)  # type: ignore[arg-type]
    speech = sum(c.samples.size / RATE for _, c in parts)
    assert within_codec_extra(result.duration_s, 1.0 + 0.5 + speech + 0.35, cuts=1)


def test_measure_matches_pyloudnorm_and_ffmpeg(tmp_path: Path) -> None:
    x = speech_like(6.0, 11).samples.astype(np.float64) / 32768 * 0.5
    wav = tmp_path / "x.wav"
    wavfile.write(wav, RATE, x.astype(np.float32))
    integrated, peak = measure(wav)
    assert integrated == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(x), abs=0.01)
    # True peak is at least the sample peak and within a dB of it for this signal.
    sample_peak = 20 * np.log10(np.max(np.abs(x)))
    assert sample_peak - 0.01 <= peak <= sample_peak + 1.0
    ff_integrated, ff_peak = ebur128(wav)
    assert integrated == pytest.approx(ff_integrated, abs=0.2)
    assert peak == pytest.approx(ff_peak, abs=0.3)


@pytest.mark.parametrize("kind", ["open", "close"])
def test_builtin_jingle(kind: str) -> None:
    seg = builtin_jingle(kind, 44100)  # type: ignore[arg-type]
    assert seg.frame_rate == 44100 and seg.channels == 1
    assert 2.0 <= seg.duration_seconds <= 3.0
    assert -12 < seg.max_dBFS < 0
    other = builtin_jingle("close" if kind == "open" else "open", 44100)
    assert seg.raw_data != other.raw_data


def test_bad_format_rejected() -> None:
    with pytest.raises(ValueError, match="MP3 cannot carry"):
        AudioFormat(sample_rate=44000)


def test_very_quiet_speech_is_raised_and_near_silence_refused(tmp_path: Path) -> None:
    settings = ProductionSettings(jingle_open=None, jingle_close=None)
    quiet = [("item_sentence", speech_like(6.0, seed=3, lufs=-60.0))]
    result = produce(quiet, tmp_path / "quiet.mp3", settings)  # type: ignore[arg-type]
    # Raised by some 43 dB; alone, this caricature is peakier than the limiter may flatten
    # (MAX_LIMITING_DB), so it may stay a little under the target, never over it.
    assert -1.5 <= result.loudness_lufs - settings.target_lufs <= 0.5
    assert result.true_peak_dbtp <= settings.true_peak_dbtp
    silent = [("item_sentence", speech_like(6.0, seed=3, lufs=-85.0))]
    with pytest.raises(ProductionError) as caught:
        produce(silent, tmp_path / "silent.mp3", settings)  # type: ignore[arg-type]
    assert caught.value.key == "produce.silent"
    assert not (tmp_path / "silent.mp3").exists()


def test_output_path_may_contain_tee_syntax(tmp_path: Path) -> None:
    """The encoder names its file inside an ffmpeg tee list, where "|", "[", "]" and "\\"
    are syntax: such names must still land exactly where asked."""
    folder = tmp_path / "a|b [c]\\d"
    folder.mkdir()
    out = folder / "bản tin|[1].mp3"
    result = produce(programme()[:2], out, ProductionSettings())  # type: ignore[arg-type]
    assert [p.name for p in folder.iterdir()] == ["bản tin|[1].mp3"]
    assert list(tmp_path.iterdir()) == [folder]
    integrated, peak = ebur128(out)
    assert abs(integrated - result.loudness_lufs) <= 0.2
    assert peak <= -1.0


def test_a_changed_sentence_encodes_only_its_segment_again(tmp_path: Path) -> None:
    """With a segment cache, a programme differing in one sentence re-encodes only the
    segment holding it (the others are taken as they were, frames and figures), and the
    result still meets the loudness and peak promises measured on the file."""
    cache = tmp_path / "segments"
    parts = [
        ("opening", speech_like(2.0, 1)),
        ("item_end", speech_like(3.0, 2)),
        ("item_end", speech_like(3.0, 3)),
        ("item_end", speech_like(3.0, 4)),
        ("closing", speech_like(2.0, 5)),
    ]
    settings = ProductionSettings()
    first = produce(parts, tmp_path / "a.mp3", settings, cache_dir=cache)  # type: ignore[arg-type]
    encoded = set(cache.glob("*/*.mp3"))
    # Open jingle, opening, three items, closing, close jingle.
    assert len(encoded) == 7
    # An edited sentence reads about as loud, and as peaky, as the one it replaces: here
    # the same sound played backwards.
    old = parts[2][1]
    parts[2] = ("item_end", Chunk(np.ascontiguousarray(old.samples[::-1]), RATE))
    second = produce(parts, tmp_path / "b.mp3", settings, cache_dir=cache)  # type: ignore[arg-type]
    assert len(set(cache.glob("*/*.mp3")) - encoded) == 1
    integrated, peak = ebur128(second.path)
    assert abs(integrated - settings.target_lufs) <= 0.5
    assert peak <= settings.true_peak_dbtp
    assert abs(second.loudness_lufs - integrated) <= 0.2
    # Unchanged segments are the same frames: the files share their first and last bytes.
    a, b = first.path.read_bytes(), second.path.read_bytes()
    assert a[:20_000] == b[:20_000] and a[-20_000:] == b[-20_000:]
    # Made afresh, the programme may take the nearest gain step rather than the reused one:
    # within the reuse window of it.
    fresh = produce(parts, tmp_path / "c.mp3", settings)  # type: ignore[arg-type]
    assert abs(fresh.loudness_lufs - second.loudness_lufs) <= 0.25


def test_segments_play_without_a_seam(tmp_path: Path) -> None:
    """A tone running across a cut stays a tone: no click where the segments join (the
    cut is in a pause, and each segment's codec delay and padding are silence)."""
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(2 * RATE) / RATE)
    chunk = Chunk(np.round(tone * 32767).astype(np.int16), RATE)
    parts = [Part("item_end", chunk), Part("item_end", chunk)]
    settings = ProductionSettings(jingle_open=None, jingle_close=None)
    out = tmp_path / "seam.mp3"
    produce(parts, out, settings)
    x = decode(out, 44100)
    # In the pause between the two tones nothing is louder than coding noise.
    loud = np.flatnonzero(np.abs(x) > 0.05)
    gaps = np.diff(loud)
    pause = gaps.max()
    assert pause / 44100 == pytest.approx(0.9, abs=0.03)
    start = loud[np.argmax(gaps)] + 1
    assert np.abs(x[start + 200 : start + pause - 200]).max() < 0.01
