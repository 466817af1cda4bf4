"""The CLI contract: exit codes, messages, JSON documents, start-up cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import run_bulletin


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys; from bulletin.cli import main; sys.argv=['bulletin','--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'numpy','pydub','feedparser','pyloudnorm','scipy','rich','pydantic','yaml'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "Usage" in done.stdout


def test_no_workspace_is_bad_usage_in_vietnamese(tmp_path: Path) -> None:
    result = run_bulletin("-w", str(tmp_path / "none"), "items")
    assert result.code == 2
    assert "Không tìm thấy" in result.err and "bulletin.yaml" in result.err
    assert "Traceback" not in result.err


def test_messages_switch_to_english(tmp_path: Path) -> None:
    result = run_bulletin("-w", str(tmp_path / "none"), "items", env={"BULLETIN_LANG": "en"})
    assert result.code == 2
    assert "not found" in result.err


def test_broken_yaml_names_file_and_line(sample_ws: Path) -> None:
    (sample_ws / "sources.yaml").write_text("sources:\n  a: [unclosed\n", encoding="utf-8")
    result = run_bulletin("-w", str(sample_ws), "fetch")
    assert result.code == 2
    assert "sources.yaml" in result.err and "dòng" in result.err


def test_invalid_field_names_the_field(sample_ws: Path) -> None:
    (sample_ws / "sources.yaml").write_text(
        "sources:\n  a:\n    kind: telegram\n    url: x\n", encoding="utf-8"
    )
    result = run_bulletin("-w", str(sample_ws), "fetch")
    assert result.code == 2
    assert "sources.a.kind" in result.err


def test_init_writes_a_loadable_commented_workspace(tmp_path: Path) -> None:
    target = tmp_path / "dai-xa"
    result = run_bulletin("init", str(target))
    assert result.code == 0, result.err
    for name in ("bulletin.yaml", "sources.yaml", "controllers.yaml"):
        text = (target / name).read_text(encoding="utf-8")
        assert "#" in text
        assert isinstance(yaml.safe_load(text), dict)
    assert list((target / "voices").glob("*.yaml")) and list((target / "schedules").glob("*.yaml"))
    assert (target / "data").is_dir()
    again = run_bulletin("init", str(target))
    assert again.code == 2
    items = run_bulletin("-w", str(target), "items", "--json")
    assert items.code == 0 and items.json() == []


def test_settings_can_be_overridden_from_the_environment(sample_ws: Path) -> None:
    import os

    from bulletin.workspace import load

    os.environ["BULLETIN_PUBLIC_URL"] = "http://10.0.0.1:9000"
    os.environ["BULLETIN_AUDIO__TARGET_LUFS"] = "-23"
    try:
        ws = load(sample_ws)
    finally:
        del os.environ["BULLETIN_PUBLIC_URL"], os.environ["BULLETIN_AUDIO__TARGET_LUFS"]
    assert ws.config.public_url == "http://10.0.0.1:9000"
    assert ws.config.audio.target_lufs == -23


def test_normalize_reads_numbers_and_dates() -> None:
    result = run_bulletin("normalize", "Họp lúc 7h30 ngày 31/12/2026, 15 hộ dân.", "--json")
    assert result.code == 0, result.err
    spoken = result.json()["spoken"]
    assert "ba mươi mốt tháng mười hai" in spoken
    assert "mười lăm hộ dân" in spoken
    assert not any(ch.isdigit() for ch in spoken)


def test_normalize_batch_reads_and_writes_json_lines(tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        '{"id": 1, "text": "Ngày 4/7"}\n{"id": 2, "text": "21 người"}\n', encoding="utf-8"
    )
    result = run_bulletin("normalize", "--jsonl", str(batch))
    assert result.code == 0, result.err
    lines = [__import__("json").loads(x) for x in result.out.splitlines()]
    assert [x["id"] for x in lines] == [1, 2]
    assert "tháng bảy" in lines[0]["spoken"] and "hai mươi mốt" in lines[1]["spoken"]
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": 1, "text": "a"}\nnot json\n', encoding="utf-8")
    failed = run_bulletin("normalize", "--jsonl", str(broken))
    assert failed.code == 2 and "2" in failed.err and "broken.jsonl" in failed.err


def test_station_lexicon_adds_and_overrides_readings(sample_ws: Path) -> None:
    (sample_ws / "lexicon.yaml").write_text("HTX: hợp tác xã\nUBND: U bê en đê\n", encoding="utf-8")
    result = run_bulletin("-w", str(sample_ws), "normalize", "HTX Minh Hòa và UBND xã.", "--json")
    assert result.code == 0, result.err
    assert result.json()["spoken"] == "Hợp tác xã Minh Hòa và U bê en đê xã."
    (sample_ws / "lexicon.yaml").write_text("- not a mapping\n", encoding="utf-8")
    broken = run_bulletin("-w", str(sample_ws), "normalize", "HTX")
    assert broken.code == 2 and "lexicon.yaml" in broken.err
