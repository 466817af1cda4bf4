"""Tests for the TTS protocol, the eSpeak NG engine (real library) and the sentence cache."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bulletin import plugins
from bulletin.errors import ConfigError, InputError
from bulletin.speech.cache import SentenceCache, synthesize_cached
from bulletin.speech.profiles import engine_for
from bulletin.speech.tts import AudioChunk, TTSEngine, TTSError
from bulletin.speech.tts.espeak import EspeakEngine, espeak_direct, list_voices
from bulletin.workspace import VoiceProfile

SENTENCE = "Ủy ban nhân dân xã thông báo lịch tiêm chủng cho trẻ em vào sáng thứ bảy."
SENTENCES = [
    "Kính thưa bà con nhân dân trong xã.",
    "Sáng mai sẽ cắt điện từ bảy giờ đến mười một giờ.",
    "Đề nghị bà con chủ động sắp xếp công việc.",
]
RMS_FLOOR = 500.0  # int16 units; eSpeak speech at volume 100 sits in the thousands


def rms(chunk: AudioChunk) -> float:
    return float(np.sqrt(np.mean(chunk.samples.astype(np.float64) ** 2)))


def syllables(text: str) -> int:
    # Vietnamese writes one syllable per space-separated word.
    return len(text.split())


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def test_import_is_lazy() -> None:
    code = (
        "import sys, bulletin.speech.tts, bulletin.speech.cache;"
        "bad = [m for m in ('numpy', 'bulletin.speech.tts.espeak') if m in sys.modules];"
        "sys.exit(repr(bad) if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_vietnamese_sentence_is_audible_and_plausibly_long(engine: EspeakEngine) -> None:
    chunk = engine.synthesize(SENTENCE)
    assert chunk.samples.dtype == np.int16 and chunk.samples.ndim == 1
    assert chunk.sample_rate == 22050
    assert chunk.text == SENTENCE
    assert rms(chunk) > RMS_FLOOR
    per_syllable = chunk.duration_s / syllables(SENTENCE)
    assert 0.12 <= per_syllable <= 0.6, per_syllable


def test_engine_satisfies_protocol_and_is_built_from_a_voice_profile(
    engine: EspeakEngine,
) -> None:
    assert isinstance(engine, TTSEngine)
    loaded = engine_for(VoiceProfile(engine="espeak", voice="vi", rate=170))
    assert isinstance(loaded, EspeakEngine) and loaded.rate == 170
    assert loaded.cache_key() != engine.cache_key()
    assert EspeakEngine().cache_key() == engine.cache_key()


def test_unknown_engine_lists_known_ones() -> None:
    with pytest.raises(InputError, match=r"nonexistent.*espeak, piper, coqui"):
        plugins.load("tts", "nonexistent")


def test_bad_engine_parameter_names_the_profile_field() -> None:
    with pytest.raises(ConfigError, match="speed"):
        engine_for(VoiceProfile(engine="espeak", speed=2))


def test_rate_changes_duration() -> None:
    slow = EspeakEngine(rate=100).synthesize(SENTENCE)
    fast = EspeakEngine(rate=250).synthesize(SENTENCE)
    assert slow.duration_s > fast.duration_s * 1.5


def test_out_of_range_rate_is_rejected() -> None:
    with pytest.raises(TTSError, match="rate must be between"):
        EspeakEngine(rate=5)


@pytest.mark.parametrize("voice", ["vi", "vi-vn-x-central", "vi-vn-x-south"])
def test_each_vietnamese_voice_works(voice: str) -> None:
    chunk = EspeakEngine(voice=voice).synthesize(SENTENCE)
    assert rms(chunk) > RMS_FLOOR
    assert 0.12 <= chunk.duration_s / syllables(SENTENCE) <= 0.6


def test_voice_variants_sound_different() -> None:
    north = EspeakEngine(voice="vi").synthesize(SENTENCE).samples
    south = EspeakEngine(voice="vi-vn-x-south").synthesize(SENTENCE).samples
    assert len(north) != len(south) or not np.array_equal(north, south)


def test_bundled_data_has_the_vietnamese_voices() -> None:
    languages = {v.language for v in list_voices()}
    assert {"vi", "vi-vn-x-central", "vi-vn-x-south"} <= languages


def test_unknown_voice_raises() -> None:
    with pytest.raises(TTSError, match=r"no voice 'xx-nope'.*vi-vn-x-south"):
        EspeakEngine(voice="xx-nope").synthesize(SENTENCE)


def close_lengths(a: np.ndarray, b: np.ndarray) -> bool:
    # eSpeak is not bit-exact across calls: internal synthesis state (likely the pitch
    # flutter phase) carries over, so repeats differ by a few ms; compare length instead.
    return abs(len(a) - len(b)) <= 0.01 * max(len(a), len(b))


def test_voice_and_params_do_not_leak_between_engines() -> None:
    # The C library holds one global voice; each call must re-apply its own settings.
    a, b = EspeakEngine(voice="vi", rate=120), EspeakEngine(voice="vi-vn-x-south", rate=300)
    first = a.synthesize(SENTENCE).samples
    other = b.synthesize(SENTENCE).samples
    assert not close_lengths(first, other)
    assert close_lengths(a.synthesize(SENTENCE).samples, first)


def test_stream_yields_one_chunk_per_sentence(engine: EspeakEngine) -> None:
    chunks = list(engine.stream(SENTENCES))
    assert [c.text for c in chunks] == SENTENCES
    assert all(rms(c) > RMS_FLOOR for c in chunks)


def test_threads_share_the_library_safely(engine: EspeakEngine) -> None:
    expected = engine.synthesize(SENTENCES[0]).samples
    results: list[np.ndarray] = []

    def work() -> None:
        for _ in range(5):
            results.append(engine.synthesize(SENTENCES[0]).samples)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20
    assert all(close_lengths(r, expected) for r in results)


def test_direct_baseline_matches_engine_defaults() -> None:
    pcm, rate = espeak_direct(SENTENCE)
    assert rate == 22050 and len(pcm) > 0 and len(pcm) % 2 == 0


def test_cache_second_pass_is_all_hits(engine: EspeakEngine, tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    first = list(synthesize_cached(engine, cache, SENTENCES))
    assert [hit for _, hit in first] == [False] * 3
    second = list(synthesize_cached(engine, cache, SENTENCES))
    assert [hit for _, hit in second] == [True] * 3
    assert (cache.hits, cache.misses) == (3, 3)
    for (a, _), (b, _) in zip(first, second, strict=True):
        assert np.array_equal(a.samples, b.samples)
        assert a.sample_rate == b.sample_rate and a.text == b.text
    # Files are spread over two levels of hashed folders.
    files = list(tmp_path.glob("*/*/*.wav"))
    assert len(files) == 3 and not list(tmp_path.rglob(".tmp-*"))


def test_cache_changing_one_sentence_misses_once(engine: EspeakEngine, tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    list(synthesize_cached(engine, cache, SENTENCES))
    changed = [*SENTENCES[:2], "Đề nghị bà con chủ động sắp xếp thời gian."]
    hits = [hit for _, hit in synthesize_cached(engine, cache, changed)]
    assert hits == [True, True, False]


def test_cache_key_includes_engine_settings(tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    list(synthesize_cached(EspeakEngine(rate=150), cache, SENTENCES[:1]))
    hits = [hit for _, hit in synthesize_cached(EspeakEngine(rate=200), cache, SENTENCES[:1])]
    assert hits == [False]


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a wav file at all"),
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        lambda p: p.write_bytes(b""),
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_corrupt_cache_file_is_a_miss_and_replaced(
    engine: EspeakEngine, tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    cache = SentenceCache(tmp_path)
    [(original, _)] = synthesize_cached(engine, cache, SENTENCES[:1])
    path = cache.path_for((engine.cache_key(), SENTENCES[0]))
    damage(path)
    [(chunk, hit)] = synthesize_cached(engine, cache, SENTENCES[:1])
    assert not hit
    assert close_lengths(chunk.samples, original.samples)
    [(again, hit)] = synthesize_cached(engine, cache, SENTENCES[:1])
    assert hit and np.array_equal(again.samples, chunk.samples)


def test_audio_chunk_rejects_stereo_or_float() -> None:
    with pytest.raises(ValueError):
        AudioChunk(np.zeros(10, dtype=np.float32), 22050, "x")
    with pytest.raises(ValueError):
        AudioChunk(np.zeros((10, 2), dtype=np.int16), 22050, "x")
    assert AudioChunk(np.zeros(22050, dtype=np.int16), 22050, "x").duration_s == 1.0
