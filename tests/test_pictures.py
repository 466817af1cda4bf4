"""The review desk's pictures of a bulletin's audio, measured from real MP3s made by ffmpeg and
checked against ffmpeg's own EBU R128 meter and pyloudnorm."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from bulletin.errors import InputError, NotFoundError
from bulletin.production.ffmpeg import decode, ffmpeg_exe
from bulletin.web.pictures import SILENCE_LUFS, PictureLabels, Pictures, audio_pictures

SVG = "{http://www.w3.org/2000/svg}"
RATE = 44100
QUIET_S, LOUD_S, SILENCE_S = 20.0, 20.0, 5.0
# Well inside the loud part whatever the encoder's delay; short-term windows ending from
# LOUD_FROM + 3 s onwards see nothing else.
LOUD_FROM, LOUD_TO = 22.0, 39.5


def _tones(seconds: float, amplitude: float) -> np.ndarray:
    # Low, mid and high tones, so both K-weighting stages matter.
    t = np.arange(round(seconds * RATE)) / RATE
    frequencies = np.array([150.0, 1000.0, 5000.0])[:, None]
    return amplitude * np.sin(2 * np.pi * frequencies * t).sum(axis=0)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s quiet, 20 s loud, 5 s of silence, as a 128 kbps MP3."""
    samples = np.concatenate(
        [_tones(QUIET_S, 0.01), _tones(LOUD_S, 0.2), np.zeros(round(SILENCE_S * RATE))]
    ).astype("<f4")
    path = tmp_path_factory.mktemp("pictures") / "ban-tin.mp3"
    encode = [
        ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y",
        "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", "128k", str(path),
    ]  # fmt: skip
    subprocess.run(encode, input=samples.tobytes(), check=True)
    return path


@pytest.fixture(scope="module")
def pictures(programme: Path) -> Pictures:
    return audio_pictures(programme, target_lufs=-16.0, true_peak_dbtp=-1.0)


def _short_term_between(pictures: Pictures, start_s: float, end_s: float) -> list[float]:
    """Short-term values whose 3 s window ends within [start_s, end_s]."""
    step = pictures.short_term_step_s
    return [v for i, v in enumerate(pictures.short_term) if start_s <= (i + 1) * step <= end_s]


def _ffmpeg_loudness(path: Path, start_s: float, end_s: float) -> float:
    """Integrated loudness of a stretch of ``path`` by ffmpeg's ebur128 filter."""
    measure = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
        "-af", f"atrim=start={start_s}:end={end_s},ebur128", "-f", "null", "-",
    ]  # fmt: skip
    report = subprocess.run(measure, capture_output=True, text=True, check=True).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1])


def test_short_term_loudness_agrees_with_ffmpeg_and_pyloudnorm(
    programme: Path, pictures: Pictures
) -> None:
    by_ffmpeg = _ffmpeg_loudness(programme, LOUD_FROM, LOUD_TO)
    samples, rate = decode(programme)
    part = samples[round(LOUD_FROM * rate) : round(LOUD_TO * rate), 0].astype(np.float64)
    by_pyloudnorm = pyloudnorm.Meter(rate).integrated_loudness(part)

    loud = _short_term_between(pictures, LOUD_FROM + 3.0, LOUD_TO)
    assert len(loud) >= 20
    for value in loud:
        assert value == pytest.approx(by_ffmpeg, abs=1.0)
        assert value == pytest.approx(by_pyloudnorm, abs=1.0)


def test_loudness_rises_where_the_audio_gets_louder(pictures: Pictures) -> None:
    quiet = _short_term_between(pictures, 3.0, QUIET_S)
    loud = _short_term_between(pictures, QUIET_S + 3.0, QUIET_S + LOUD_S)
    assert max(quiet) + 20.0 < min(loud)
    # The waveform shows it too: the loud half's columns reach far higher.
    columns = len(pictures.wave_high)
    assert columns == 600
    per_second = columns / pictures.duration_s
    quiet_peak = max(pictures.wave_high[: int(QUIET_S * per_second) - 1])
    loud_peak = max(pictures.wave_high[int((QUIET_S + 1) * per_second) :])
    assert loud_peak > 10 * quiet_peak
    assert pictures.duration_s == pytest.approx(QUIET_S + LOUD_S + SILENCE_S, abs=0.2)


def test_silence_sits_at_the_floor_of_the_numbers_and_the_picture(pictures: Pictures) -> None:
    silent = _short_term_between(pictures, QUIET_S + LOUD_S + 3.3, pictures.duration_s)
    assert silent
    assert all(v == SILENCE_LUFS for v in silent)
    assert all(np.isfinite(pictures.short_term))

    root = ET.fromstring(pictures.loudness_svg)
    frame = root.find(f"{SVG}rect[@class='axis']")
    curve = root.find(f"{SVG}polyline[@class='loudness']")
    assert frame is not None and curve is not None
    floor_y = float(frame.get("y", "")) + float(frame.get("height", ""))
    last_y = float(curve.get("points", "").split()[-1].split(",")[1])
    assert last_y == pytest.approx(floor_y)


def test_pictures_are_accessible_svg_with_the_given_labels(pictures: Pictures) -> None:
    for svg, label in (
        (pictures.waveform_svg, "Dạng sóng"),
        (pictures.loudness_svg, "Độ lớn theo thời gian (LUFS)"),
    ):
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        assert root.get("aria-label") == label
        assert root.findtext(f"{SVG}title") == label
        assert root.get("viewBox") and root.get("width") == "100%"
    wave = ET.fromstring(pictures.waveform_svg)
    assert len(wave.findall(f"{SVG}path[@class='wave']")) == 1
    loudness = ET.fromstring(pictures.loudness_svg)
    target = loudness.find(f"{SVG}line[@class='target']")
    assert target is not None
    ticks = [t.text for t in loudness.iter(f"{SVG}text")]
    assert "-40" in ticks and "0:00" in ticks and "0:40" in ticks
    assert "Mục tiêu -16 LUFS" in ticks


def test_labels_are_escaped_in_the_svg(programme: Path) -> None:
    hostile = PictureLabels(
        waveform="<script>alert(1)</script>",
        loudness='Độ lớn" onload="alert(1)\x07',  # a control character XML cannot hold
        target="</text><script>x</script> & co",
    )
    pictures = audio_pictures(programme, target_lufs=-16.0, true_peak_dbtp=-1.0, labels=hostile)
    for svg in (pictures.waveform_svg, pictures.loudness_svg):
        assert "<script" not in svg
        root = ET.fromstring(svg)
        assert root.get("onload") is None
    assert ET.fromstring(pictures.waveform_svg).findtext(f"{SVG}title") == hostile.waveform
    assert ET.fromstring(pictures.loudness_svg).get("aria-label") == 'Độ lớn" onload="alert(1)'
    texts = [t.text for t in ET.fromstring(pictures.loudness_svg).iter(f"{SVG}text")]
    assert "</text><script>x</script> & co -16 LUFS" in texts


def test_the_cache_decodes_the_same_audio_once(programme: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = audio_pictures(programme, target_lufs=-16.0, true_peak_dbtp=-1.0, cache_dir=cache)
    (entry,) = cache.iterdir()
    written = entry.stat().st_mtime_ns
    again = audio_pictures(programme, target_lufs=-16.0, true_peak_dbtp=-1.0, cache_dir=cache)
    other_target = audio_pictures(
        programme, target_lufs=-23.0, true_peak_dbtp=-2.0, cache_dir=cache
    )

    assert not first.from_cache
    assert again.from_cache and other_target.from_cache
    assert again.loudness_svg == first.loudness_svg and again.short_term == first.short_term
    assert other_target.loudness_svg != first.loudness_svg
    assert [p.name for p in cache.iterdir()] == [entry.name]
    assert entry.stat().st_mtime_ns == written


def test_a_damaged_cache_entry_is_measured_again_and_rewritten(
    programme: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = audio_pictures(programme, target_lufs=-16.0, true_peak_dbtp=-1.0, cache_dir=cache)
    (entry,) = cache.iterdir()
    for damage in ('{"version": 1, "duration_s": 4', "[]", '{"version": 1}'):
        entry.write_text(damage)
        redone = audio_pictures(programme, target_lufs=-16.0, true_peak_dbtp=-1.0, cache_dir=cache)
        assert not redone.from_cache
        assert redone.short_term == first.short_term
        assert json.loads(entry.read_text())["short_term"] == list(first.short_term)
    assert [p.name for p in cache.iterdir()] == [entry.name]  # no temporary files left


def test_a_missing_file_is_a_typed_error_in_vietnamese(tmp_path: Path) -> None:
    missing = tmp_path / "khong-co.mp3"
    with pytest.raises(NotFoundError) as caught:
        audio_pictures(missing, target_lufs=-16.0, true_peak_dbtp=-1.0, cache_dir=tmp_path)
    assert caught.value.key == "pictures.missing"
    assert caught.value.message(lang="vi").startswith("Không tìm thấy tệp âm thanh")
    assert str(missing) in caught.value.message(lang="en")


def test_an_undecodable_file_is_a_typed_error(tmp_path: Path) -> None:
    broken = tmp_path / "hong.mp3"
    broken.write_bytes(b"<html>not audio at all</html>" * 50)
    with pytest.raises(InputError) as caught:
        audio_pictures(broken, target_lufs=-16.0, true_peak_dbtp=-1.0)
    assert caught.value.key == "pictures.undecodable"
    assert "hong.mp3" in caught.value.message(lang="vi")
