"""Tests for the Coqui engine: a tiny random VITS built in the coqui env, spoken via a worker."""

from __future__ import annotations

import gc
import os
import stat
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bulletin.speech.tts import AudioChunk, TTSEngine, TTSError
from bulletin.speech.tts.coqui import DEFAULT_PYTHON, PYTHON_ENV_VAR, CoquiEngine

ROOT = Path(__file__).resolve().parent.parent
COQUI_PYTHON = Path(os.environ.get(PYTHON_ENV_VAR) or DEFAULT_PYTHON)

if not COQUI_PYTHON.is_file():
    pytest.skip(
        f"coqui env not found at {COQUI_PYTHON}; create it with `make coqui-env`",
        allow_module_level=True,
    )

SENTENCES = [
    "Kính thưa bà con nhân dân trong xã.",
    "Sáng mai sẽ cắt điện từ bảy giờ đến mười một giờ.",
    "Đề nghị bà con chủ động sắp xếp công việc.",
]
RMS_FLOOR = 200.0  # int16 units; the random model's output sits near 1900


def rms(chunk: AudioChunk) -> float:
    return float(np.sqrt(np.mean(chunk.samples.astype(np.float64) ** 2)))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("tiny_coqui")
    subprocess.run(
        [str(COQUI_PYTHON), str(ROOT / "tests" / "tiny_coqui.py"), str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out / "model.pth", out / "config.json"


@pytest.fixture(scope="module")
def engine(tiny_model: tuple[Path, Path]) -> Iterator[CoquiEngine]:
    with CoquiEngine(str(tiny_model[0]), python=str(COQUI_PYTHON)) as coqui:
        yield coqui


def fake_python(tmp_path: Path, script: str) -> str:
    """An executable standing in for the coqui interpreter, to stage worker failures."""
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_vietnamese_sentence_is_audible_int16(engine: CoquiEngine) -> None:
    assert isinstance(engine, TTSEngine)
    chunk = engine.synthesize(SENTENCES[0])
    assert chunk.samples.dtype == np.int16 and chunk.samples.ndim == 1
    assert chunk.sample_rate == 22050  # the model's own output rate
    assert chunk.text == SENTENCES[0]
    assert chunk.duration_s > 0.1
    assert rms(chunk) > RMS_FLOOR


def test_stream_yields_one_chunk_per_sentence(engine: CoquiEngine) -> None:
    chunks = list(engine.stream(SENTENCES))
    assert [c.text for c in chunks] == SENTENCES
    assert all(rms(c) > RMS_FLOOR for c in chunks)


def test_empty_sentence_gives_empty_audio(engine: CoquiEngine) -> None:
    chunk = engine.synthesize("  ")
    assert len(chunk.samples) == 0 and chunk.sample_rate == 22050


def write_wav(path: Path, tone_hz: float) -> Path:
    t = np.arange(16000) / 16000
    samples = (np.sin(2 * np.pi * tone_hz * t) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())
    return path


def test_cache_key_follows_model_and_voice_parameters(
    tiny_model: tuple[Path, Path], tmp_path: Path
) -> None:
    model, config = str(tiny_model[0]), str(tiny_model[1])

    def key(**params: str) -> str:
        return CoquiEngine(model, python=str(COQUI_PYTHON), **params).cache_key()

    base = key()
    assert base == key(config=config)  # the guessed config is the same file
    assert base.startswith("coqui/0.28.0|")
    assert key(speaker="an") != base
    assert key(language="en") != base
    wav_a = write_wav(tmp_path / "a.wav", 220)
    wav_b = write_wav(tmp_path / "b.wav", 330)
    with_a = key(speaker_wav=str(wav_a))
    assert with_a not in (base, key(speaker_wav=str(wav_b)))
    edited = tmp_path / "config.json"
    edited.write_text(Path(config).read_text().replace('"length_scale": 1', '"length_scale": 2'))
    assert key(config=str(edited)) != base


def test_replacing_the_model_file_changes_the_cache_key(
    tiny_model: tuple[Path, Path], tmp_path: Path
) -> None:
    model = tmp_path / "model.pth"
    model.write_bytes(tiny_model[0].read_bytes())
    coqui = CoquiEngine(str(model), config=str(tiny_model[1]), python=str(COQUI_PYTHON))
    before = coqui.cache_key()
    os.utime(model, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert coqui.cache_key() != before


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    coqui = CoquiEngine(str(tmp_path / "vixtts"), python=str(COQUI_PYTHON))
    with pytest.raises(TTSError, match="Coqui model not found") as info:
        coqui.synthesize(SENTENCES[0])
    assert "vixtts" in str(info.value)


def test_missing_coqui_env_names_make_target(
    tiny_model: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coqui = CoquiEngine(str(tiny_model[0]), python=str(tmp_path / "nowhere" / "python"))
    with pytest.raises(TTSError, match="make coqui-env"):
        coqui.synthesize(SENTENCES[0])
    monkeypatch.setenv(PYTHON_ENV_VAR, str(tmp_path / "nowhere" / "python"))
    with pytest.raises(TTSError, match=PYTHON_ENV_VAR):
        CoquiEngine(str(tiny_model[0])).cache_key()


def test_model_refusal_is_reported_every_time(tiny_model: tuple[Path, Path]) -> None:
    with CoquiEngine(str(tiny_model[0]), speaker="an", python=str(COQUI_PYTHON)) as coqui:
        for _ in range(2):
            with pytest.raises(TTSError, match="single speaker"):
                coqui.synthesize(SENTENCES[0])


def test_worker_death_reports_its_stderr(tiny_model: tuple[Path, Path], tmp_path: Path) -> None:
    python = fake_python(tmp_path, "echo 'ImportError: no module named TTS' >&2; exit 3")
    coqui = CoquiEngine(str(tiny_model[0]), python=python)
    with pytest.raises(TTSError, match="died") as info:
        coqui.synthesize(SENTENCES[0])
    assert "exit code 3" in str(info.value)
    assert "no module named TTS" in str(info.value)


def test_stuck_worker_times_out(tiny_model: tuple[Path, Path], tmp_path: Path) -> None:
    python = fake_python(tmp_path, "echo 'loading forever' >&2; exec sleep 60")
    coqui = CoquiEngine(str(tiny_model[0]), python=python, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(TTSError, match="within 1 s") as info:
        coqui.synthesize(SENTENCES[0])
    assert time.monotonic() - started < 10
    assert "loading forever" in str(info.value)


def test_close_stops_the_worker_and_next_use_restarts_it(tiny_model: tuple[Path, Path]) -> None:
    coqui = CoquiEngine(str(tiny_model[0]), python=str(COQUI_PYTHON))
    first = coqui.synthesize(SENTENCES[0])
    worker = coqui._worker
    assert worker is not None
    coqui.close()
    assert worker.process.poll() is not None
    again = coqui.synthesize(SENTENCES[0])
    assert again.sample_rate == first.sample_rate
    coqui.close()


def test_worker_imports_nothing_of_the_main_env() -> None:
    code = (
        "import sys, bulletin.speech.tts.coqui_worker;"
        "bad = [m for m in ('click', 'pydantic', 'rich', 'yaml', 'httpx') if m in sys.modules];"
        "sys.exit(repr(bad) if bad else 0)"
    )
    done = subprocess.run(
        [str(COQUI_PYTHON), "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_dropped_engine_stops_its_worker(tiny_model: tuple[Path, Path]) -> None:
    coqui = CoquiEngine(str(tiny_model[0]), python=str(COQUI_PYTHON))
    coqui.synthesize(SENTENCES[0])
    assert coqui._worker is not None
    process = coqui._worker.process
    del coqui
    gc.collect()
    assert process.wait(timeout=10) is not None


def test_a_coqui_voice_profile_speaks_through_bulletin_say(
    sample_ws: Path, tiny_model: tuple[Path, Path], tmp_path: Path
) -> None:
    from tests.conftest import run_bulletin

    model, config = tiny_model
    (sample_ws / "voices" / "coqui-thu.yaml").write_text(
        f"engine: coqui\nmodel: {model}\nconfig: {config}\nlanguage: vi\n", encoding="utf-8"
    )
    out = tmp_path / "coqui.mp3"
    result = run_bulletin(
        "-w",
        str(sample_ws),
        "say",
        "Xin chào bà con. Hôm nay trời đẹp.",
        "--voice",
        "coqui-thu",
        "-o",
        str(out),
        "--json",
        env={"BULLETIN_COQUI_PYTHON": str(COQUI_PYTHON)},
    )
    assert result.code == 0, result.err
    assert result.json()["duration_s"] > 0.5 and out.stat().st_size > 1000
