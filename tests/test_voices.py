"""Voice profiles: the shipped examples load, espeak profiles play, others say what is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bulletin.workspace import VoiceProfile
from tests.conftest import ROOT, run_bulletin


def test_every_shipped_voice_profile_is_valid() -> None:
    for folder in (
        ROOT / "voices",
        ROOT / "samples" / "voices",
        ROOT / "bulletin" / "templates" / "starter" / "voices",
    ):
        for path in folder.glob("*.yaml"):
            VoiceProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_voices_list_shows_what_can_speak_here(sample_ws: Path) -> None:
    for name in ("piper-vais1000.yaml", "coqui-vixtts.yaml"):
        shutil.copy(ROOT / "voices" / name, sample_ws / "voices" / name)
    result = run_bulletin("-w", str(sample_ws), "voices", "list", "--json")
    assert result.code == 0, result.err
    voices = {v["name"]: v for v in result.json()}
    assert voices["giong-mien-bac"]["playable"] and voices["giong-mien-nam"]["playable"]
    assert not voices["piper-vais1000"]["playable"]
    assert "vi_VN-vais1000-medium.onnx" in voices["piper-vais1000"]["problem"]


@pytest.mark.long(20)
def test_voices_test_speaks_each_espeak_region(sample_ws: Path, tmp_path: Path) -> None:
    spoken: dict[str, str] = {}
    for name in ("giong-mien-bac", "giong-mien-trung", "giong-mien-nam"):
        out = tmp_path / f"{name}.mp3"
        result = run_bulletin(
            "-w", str(sample_ws), "voices", "test", name, "-o", str(out), "--json"
        )
        assert result.code == 0, result.err
        assert result.json()["duration_s"] > 5 and out.stat().st_size > 10_000
        spoken[name] = " ".join(result.json()["spoken"])
    assert "ngàn" in spoken["giong-mien-nam"]  # the southern reading of "nghìn"
    missing = run_bulletin("-w", str(sample_ws), "voices", "test", "khong-co")
    assert missing.code == 2
