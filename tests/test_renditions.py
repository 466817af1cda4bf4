"""Renditions made by the real ffmpeg from imageio-ffmpeg, read back with mutagen and measured."""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from pathlib import Path

import mutagen.id3
import mutagen.mp3
import mutagen.oggopus
import mutagen.wave
import numpy as np
import pytest

from bulletin.errors import DeliveryError
from bulletin.production import ProductionSettings, measure, produce
from bulletin.production.renditions import RenditionInfo, Tags, format_key, render, suffix_of
from bulletin.workspace import AudioFormatConfig

TARGET = -16.0
CEILING = -1.0
RATE = 22050
TAGS = Tags(
    title="Bản tin sáng: lịch tiêm phòng",
    station="Đài Truyền thanh xã Hoà Bình",
    date=dt.date(2026, 11, 30),
    bulletin_id=42,
    comment="ban-tin-sang",
)


@dataclass(frozen=True)
class Chunk:
    """Stand-in with the shape of bulletin.speech.tts.base.AudioChunk."""

    samples: np.ndarray
    sample_rate: int


def speech_like(seconds: float, seed: int) -> Chunk:
    """Harmonics of a wandering pitch, gated into syllables and roughened by noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    phase = 2 * np.pi * np.cumsum(120 + 30 * np.sin(2 * np.pi * 0.7 * t + seed)) / RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 25))
    x = voiced * np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 2
    x = x * (1 + 0.3 * rng.standard_normal(t.size))
    return Chunk(np.round(x * 0.9 / np.max(np.abs(x)) * 32767).astype(np.int16), RATE)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 7 s bulletin made by production itself: normalized to -16 LUFS, MP3 128k 44.1k mono."""
    out = tmp_path_factory.mktemp("src") / "bulletin.mp3"
    parts = [("opening", speech_like(2.5, 1)), ("item_end", speech_like(3.0, 2)),
             ("closing", speech_like(1.5, 3))]  # fmt: skip
    settings = ProductionSettings(
        target_lufs=TARGET, true_peak_dbtp=CEILING, jingle_open=None, jingle_close=None
    )
    produce(parts, out, settings)  # type: ignore[arg-type]
    return out


def fmt(codec: str, kbps: int, rate: int, channels: int) -> AudioFormatConfig:
    return AudioFormatConfig.model_validate(
        {"codec": codec, "bitrate_kbps": kbps, "sample_rate": rate, "channels": channels}
    )


def riff_info(path: Path) -> dict[str, str]:
    """The LIST/INFO entries of a WAV file (mutagen reads only its ID3 chunk)."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    found: dict[str, str] = {}
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if cid == b"LIST" and data[pos + 8 : pos + 12] == b"INFO":
            sub, end = pos + 12, pos + 8 + size
            while sub + 8 <= end:
                sid, ssize = data[sub : sub + 4], struct.unpack("<I", data[sub + 4 : sub + 8])[0]
                found[sid.decode()] = data[sub + 8 : sub + 8 + ssize].rstrip(b"\0").decode()
                sub += 8 + ssize + (ssize & 1)
        pos += 8 + size + (size & 1)
    return found


def opus_input_rate(path: Path) -> int:
    """The input sample rate an Ogg Opus file's OpusHead records (RFC 7845 §5.1)."""
    head = path.read_bytes()[:200]
    at = head.index(b"OpusHead")
    return int(struct.unpack("<I", head[at + 12 : at + 16])[0])


def assert_compliant(info: RenditionInfo, out: Path) -> None:
    assert abs(info.loudness_lufs - TARGET) <= 0.5, info
    assert info.true_peak_dbtp <= CEILING, info
    # The project's own BS.1770 meter agrees with ffmpeg's on the written file.
    lufs, peak = measure(out)
    assert abs(lufs - info.loudness_lufs) < 0.2
    assert abs(peak - info.true_peak_dbtp) < 0.2


def assert_written(info: RenditionInfo, out: Path) -> None:
    import hashlib

    data = out.read_bytes()
    assert info.bytes == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no partial file left


@pytest.mark.parametrize(
    ("kbps", "rate", "channels"), [(64, 22050, 1), (128, 44100, 2)], ids=["64k-mono", "128k-stereo"]
)
def test_mp3_rendition_has_format_id3v23_tags_and_loudness(
    source: Path, tmp_path: Path, kbps: int, rate: int, channels: int
) -> None:
    wanted = fmt("mp3", kbps, rate, channels)
    out = tmp_path / f"b{suffix_of(wanted)}"
    info = render(source, out, wanted, TAGS, TARGET, CEILING)

    assert (info.suffix, info.content_type) == (".mp3", "audio/mpeg")
    audio = mutagen.mp3.MP3(out)
    assert audio.info is not None
    assert (audio.info.sample_rate, audio.info.channels) == (rate, channels)
    assert audio.info.bitrate == kbps * 1000
    assert audio.info.bitrate_mode != mutagen.mp3.BitrateMode.VBR
    raw = mutagen.id3.ID3(out, translate=False)  # frames as stored, not upgraded to v2.4
    assert raw.version == (2, 3, 0)
    assert str(raw["TIT2"]) == TAGS.title
    assert str(raw["TPE1"]) == TAGS.station
    assert (str(raw["TYER"]), str(raw["TDAT"])) == ("2026", "3011")
    assert str(raw["TXXX:BULLETIN_ID"]) == "42"
    assert "ban-tin-sang" in str(raw["TXXX:comment"])
    assert_compliant(info, out)
    assert_written(info, out)


def test_wav_rendition_is_16bit_pcm_with_riff_info(source: Path, tmp_path: Path) -> None:
    wanted = fmt("wav", 128, 16000, 1)
    out = tmp_path / "b.wav"
    info = render(source, out, wanted, TAGS, TARGET, CEILING)

    assert (info.suffix, info.content_type) == (".wav", "audio/wav")
    audio = mutagen.wave.WAVE(out)
    assert audio.info is not None
    assert audio.info.audio_format == 1  # PCM
    assert (audio.info.sample_rate, audio.info.channels) == (16000, 1)
    assert audio.info.bits_per_sample == 16
    tags = riff_info(out)
    assert tags["INAM"] == TAGS.title
    assert tags["IART"] == TAGS.station
    assert tags["ICRD"] == "2026-11-30"
    assert tags["ICMT"] == "bulletin_id=42; ban-tin-sang"
    assert_compliant(info, out)
    assert_written(info, out)


def test_opus_rendition_is_ogg_with_vorbis_comments(source: Path, tmp_path: Path) -> None:
    wanted = fmt("opus", 48, 48000, 1)
    out = tmp_path / "b.opus"
    info = render(source, out, wanted, TAGS, TARGET, CEILING)

    assert (info.suffix, info.content_type) == (".opus", "audio/ogg")
    audio = mutagen.oggopus.OggOpus(out)
    assert audio.info is not None and audio.tags is not None
    assert audio.info.channels == 1
    assert opus_input_rate(out) == 48000
    assert 8.3 < audio.info.length < 9.3  # 7 s of speech and two 0.9 s item pauses
    assert audio.tags["TITLE"] == [TAGS.title]
    assert audio.tags["ARTIST"] == [TAGS.station]
    assert audio.tags["DATE"] == ["2026-11-30"]
    assert audio.tags["BULLETIN_ID"] == ["42"]
    assert audio.tags["DESCRIPTION"] == ["ban-tin-sang"]  # ffmpeg: the standard name
    assert {key for key, _ in audio.tags} >= {"TITLE", "ARTIST", "DATE", "BULLETIN_ID"}
    assert_compliant(info, out)
    assert_written(info, out)


def test_same_bulletin_renders_to_same_bytes(source: Path, tmp_path: Path) -> None:
    wanted = fmt("opus", 48, 48000, 1)
    first = render(source, tmp_path / "a" / "b.opus", wanted, TAGS, TARGET, CEILING)
    again = render(source, tmp_path / "b" / "b.opus", wanted, TAGS, TARGET, CEILING)
    assert first.sha256 == again.sha256


def test_rendition_off_target_is_corrected_by_a_second_encode(source: Path, tmp_path: Path) -> None:
    # The station now asks for -20 LUFS: the -16 source is 4 LU too loud once encoded.
    out = tmp_path / "quieter.mp3"
    info = render(source, out, fmt("mp3", 64, 22050, 1), TAGS, -20.0, CEILING)
    assert abs(info.loudness_lufs - -20.0) <= 0.5
    assert info.true_peak_dbtp <= CEILING
    assert_written(info, out)


def test_rendition_never_exceeds_a_lower_ceiling(source: Path, tmp_path: Path) -> None:
    _, source_peak = measure(source)
    ceiling = round(source_peak - 2.0, 1)
    out = tmp_path / "b.wav"
    info = render(source, out, fmt("wav", 128, 16000, 1), TAGS, TARGET, ceiling)
    assert info.true_peak_dbtp <= ceiling
    # Peaks win over loudness: the gain came down by about as much as the ceiling did.
    assert TARGET - 3.0 < info.loudness_lufs < TARGET - 1.0


def test_too_quiet_rendition_near_the_ceiling_is_not_made_quieter(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, source_peak = measure(source)
    ceiling = round(source_peak + 0.1, 1)
    # 1 LU too quiet for this target, but no headroom to raise it: keep it, and say so.
    info = render(source, tmp_path / "b.wav", fmt("wav", 128, 16000, 1), TAGS, -15.0, ceiling)
    assert info.true_peak_dbtp <= ceiling
    assert abs(info.loudness_lufs - TARGET) <= 0.3
    assert "loudness" in caplog.text


def test_undecodable_source_is_a_permanent_delivery_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio at all" * 100)
    out = tmp_path / "out" / "b.opus"
    with pytest.raises(DeliveryError) as caught:
        render(bad, out, fmt("opus", 48, 48000, 1), TAGS, TARGET, CEILING)
    assert caught.value.retryable is False
    assert caught.value.key == "rendition.encode"
    assert caught.value.params["format"] == "opus-48k-48000hz-1ch"
    assert caught.value.params["detail"]
    assert "opus-48k-48000hz-1ch" in caught.value.message("vi")
    assert list(out.parent.iterdir()) == []


def test_format_key_and_suffix_name_the_codec() -> None:
    assert format_key(fmt("mp3", 128, 44100, 1)) == "mp3-128k-44100hz-1ch"
    assert format_key(fmt("opus", 24, 16000, 2)) == "opus-24k-16000hz-2ch"
    # WAV has no bitrate: settings that differ only there share a rendition.
    assert format_key(fmt("wav", 64, 16000, 1)) == format_key(fmt("wav", 128, 16000, 1))
    assert [suffix_of(fmt(c, 64, 48000, 1)) for c in ("mp3", "wav", "opus")] == [
        ".mp3",
        ".wav",
        ".opus",
    ]
