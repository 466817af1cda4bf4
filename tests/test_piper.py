"""Tests for the piper engine on a tiny voice exported at test time with piper's own VITS
code (voice installation is tested in test_voices.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bulletin.speech.profiles import engine_for
from bulletin.speech.tts import AudioChunk, TTSEngine, TTSError
from bulletin.speech.tts.piper import PiperEngine
from bulletin.workspace import VoiceProfile
from tests.tiny_piper import SAMPLE_RATE, bench_piper, build_tiny_voice

SENTENCES = [
    "Kính thưa bà con nhân dân trong xã.",
    "Sáng mai sẽ cắt điện từ bảy giờ đến mười một giờ.",
    "Đề nghị bà con chủ động sắp xếp công việc.",
]
# With both noise scales at 0 VITS is deterministic, so audio can be compared exactly.
QUIET: dict[str, Any] = {"noise_scale": 0.0, "noise_w": 0.0}
RMS_FLOOR = 1000.0  # int16 units; piper scales every sentence to full range


def rms(chunk: AudioChunk) -> float:
    return float(np.sqrt(np.mean(chunk.samples.astype(np.float64) ** 2)))


@pytest.fixture(scope="session")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("piper-voices")
    return {
        "single": build_tiny_voice(folder),
        "multi": build_tiny_voice(folder, num_speakers=3, name="vi_VN-tinymulti-x_low"),
    }


@pytest.fixture(scope="session")
def tiny_voice(voices: dict[str, Path]) -> Path:
    return voices["single"]


@pytest.fixture(scope="session")
def engine(tiny_voice: Path) -> PiperEngine:
    return PiperEngine(str(tiny_voice))


def test_piper_speaks_vietnamese_as_int16_at_the_voice_rate(engine: PiperEngine) -> None:
    chunk = engine.synthesize(SENTENCES[1])
    assert isinstance(chunk, AudioChunk)
    assert chunk.samples.dtype == np.int16 and chunk.samples.ndim == 1
    assert chunk.sample_rate == SAMPLE_RATE
    assert chunk.text == SENTENCES[1]
    assert chunk.duration_s > 0.3
    assert rms(chunk) > RMS_FLOOR


def test_stream_yields_one_chunk_per_sentence(engine: PiperEngine) -> None:
    chunks = list(engine.stream(SENTENCES))
    assert [c.text for c in chunks] == SENTENCES
    assert all(rms(c) > RMS_FLOOR and c.sample_rate == SAMPLE_RATE for c in chunks)


def test_text_piper_splits_in_two_still_gives_one_chunk(engine: PiperEngine) -> None:
    text = "Bão số ba. Người dân không ra khơi!"
    chunks = list(engine.stream([text]))
    assert len(chunks) == 1
    assert chunks[0].text == text and rms(chunks[0]) > RMS_FLOOR


def test_engine_audio_equals_piper_api_audio(tiny_voice: Path) -> None:
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(str(tiny_voice))
    syn = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    expected = np.concatenate([c.audio_int16_array for c in voice.synthesize(SENTENCES[0], syn)])
    ours = PiperEngine(str(tiny_voice), **QUIET).synthesize(SENTENCES[0])
    np.testing.assert_array_equal(ours.samples, expected)


def test_rate_sets_pace_and_volume_scales(tiny_voice: Path) -> None:
    # Slower, not faster: the untrained voice gives every phoneme one frame, the floor.
    normal = PiperEngine(str(tiny_voice), **QUIET).synthesize(SENTENCES[1])
    slow = PiperEngine(str(tiny_voice), rate=0.5, **QUIET).synthesize(SENTENCES[1])
    quiet = PiperEngine(str(tiny_voice), volume=0.5, **QUIET).synthesize(SENTENCES[1])
    assert slow.duration_s > 1.5 * normal.duration_s
    assert len(quiet.samples) == len(normal.samples)
    assert np.abs(quiet.samples).max() == pytest.approx(np.abs(normal.samples).max() / 2, abs=2)


def test_piper_voice_profile_gives_a_working_piper_engine(tiny_voice: Path) -> None:
    engine = engine_for(VoiceProfile(engine="piper", model=str(tiny_voice), rate=1.2))
    assert isinstance(engine, PiperEngine) and isinstance(engine, TTSEngine)
    assert engine.name == "piper"
    assert rms(engine.synthesize(SENTENCES[2])) > RMS_FLOOR


def test_cache_key_follows_params_and_model_files(tmp_path: Path, tiny_voice: Path) -> None:
    model = tmp_path / tiny_voice.name
    model.write_bytes(tiny_voice.read_bytes())
    config = tmp_path / (tiny_voice.name + ".json")
    config.write_bytes(Path(f"{tiny_voice}.json").read_bytes())

    base = PiperEngine(str(model))
    assert base.cache_key() == PiperEngine(str(model)).cache_key()
    variants = [
        PiperEngine(str(model), rate=1.1),
        PiperEngine(str(model), noise_scale=0.3),
        PiperEngine(str(model), noise_w=0.3),
        PiperEngine(str(model), volume=0.8),
        PiperEngine(str(model), speaker=0),
    ]
    keys = {base.cache_key(), *(v.cache_key() for v in variants)}
    assert len(keys) == 1 + len(variants)

    before = base.cache_key()
    settings = json.loads(config.read_text(encoding="utf-8"))
    settings["inference"]["length_scale"] = 1.3
    config.write_text(json.dumps(settings), encoding="utf-8")
    after_config = base.cache_key()
    assert after_config != before
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert base.cache_key() != after_config


def test_missing_model_says_how_to_install_a_voice(tmp_path: Path) -> None:
    missing = tmp_path / "voices" / "vi_VN-vais1000-medium.onnx"
    engine = PiperEngine(str(missing))
    for call in (lambda: engine.synthesize("Xin chào."), engine.cache_key):
        with pytest.raises(TTSError) as caught:
            call()
        message = str(caught.value)
        assert str(missing) in message
        assert "bulletin voices install vi_VN-vais1000-medium" in message
        assert ".onnx.json" in message and "`model:`" in message


def test_missing_config_is_named(tmp_path: Path, tiny_voice: Path) -> None:
    model = tmp_path / "alone.onnx"
    model.write_bytes(tiny_voice.read_bytes())
    with pytest.raises(TTSError, match=r"config not found: .*alone\.onnx\.json"):
        PiperEngine(str(model)).synthesize("Xin chào.")


def test_corrupt_model_is_reported_not_crashed(tmp_path: Path, tiny_voice: Path) -> None:
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"<html>not a model</html>")
    Path(f"{model}.json").write_bytes(Path(f"{tiny_voice}.json").read_bytes())
    with pytest.raises(TTSError, match=r"Cannot load piper voice model .*broken\.onnx"):
        PiperEngine(str(model)).synthesize("Xin chào.")


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"rate": 0.0}, "rate must be between"),
        ({"volume": -1.0}, "volume must be between"),
        ({"noise_scale": 5.0}, "noise_scale must be between"),
    ],
)
def test_out_of_range_params_are_refused(
    tiny_voice: Path, params: dict[str, Any], pattern: str
) -> None:
    with pytest.raises(TTSError, match=pattern):
        PiperEngine(str(tiny_voice), **params)


def test_speakers_by_number_or_name_on_a_multi_speaker_voice(voices: dict[str, Path]) -> None:
    model = str(voices["multi"])
    by_name = PiperEngine(model, speaker="speaker_2", **QUIET).synthesize(SENTENCES[0])
    by_number = PiperEngine(model, speaker=2, **QUIET).synthesize(SENTENCES[0])
    other = PiperEngine(model, speaker=0, **QUIET).synthesize(SENTENCES[0])
    np.testing.assert_array_equal(by_name.samples, by_number.samples)
    assert rms(by_name) > RMS_FLOOR
    assert not np.array_equal(by_name.samples, other.samples)

    with pytest.raises(TTSError, match=r"no speaker 'nobody'; speakers: speaker_0, speaker_1"):
        PiperEngine(model, speaker="nobody").synthesize("Xin chào.")
    with pytest.raises(TTSError, match=r"has 3 speaker\(s\); speaker 7 is out of range 0\.\.2"):
        PiperEngine(model, speaker=7).synthesize("Xin chào.")


def test_bench_reports_rtf_of_engine_and_piper(tiny_voice: Path) -> None:
    result = bench_piper(tiny_voice, sentences=SENTENCES, runs=1)
    assert result["audio_s"] > 0
    for key in ("piper_rtf", "engine_rtf", "engine_stream_rtf", "ratio", "stream_ratio"):
        assert result[key] > 0


def test_a_piper_voice_profile_builds_a_bulletin(sample_ws: Path, tiny_voice: Path) -> None:
    from tests.conftest import run_bulletin

    (sample_ws / "voices" / "piper-thu.yaml").write_text(
        f"engine: piper\nmodel: {tiny_voice}\nrate: 1.0\nregion: north\n", encoding="utf-8"
    )
    listed = run_bulletin("-w", str(sample_ws), "voices", "list", "--json").json()
    assert next(v for v in listed if v["name"] == "piper-thu")["playable"]
    ws = str(sample_ws)
    assert run_bulletin("-w", ws, "fetch").code == 0
    first = run_bulletin("-w", ws, "items", "--json").json()[0]
    built = run_bulletin(
        "-w", ws, "build", "--voice", "piper-thu", "--item", str(first["id"]), "--json"
    )
    assert built.code == 0, built.err
    assert built.json()["voice"] == "piper-thu" and built.json()["duration_s"] > 5
