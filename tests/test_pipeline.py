"""End to end: build, review, push; interruption; the demo."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulletin.services.speech import MAX_SAY_CHARS
from tests.conftest import add_approvers, run_bulletin


def measure(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak, read by ffmpeg's own EBU R128 meter."""
    import imageio_ffmpeg

    done = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = done.stderr[done.stderr.rfind("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    return lufs, peak


def mp3_seconds(path: Path) -> float:
    import imageio_ffmpeg

    done = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    h, m, s = re.findall(r"time=(\d+):(\d+):([\d.]+)", done.stderr)[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


@pytest.mark.long(24)
def test_demo_delivers_a_loudness_normalized_vietnamese_bulletin(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = run_bulletin("demo", "--workspace", str(target), "--json")
    assert result.code == 0, result.err
    document = result.json()
    [delivered] = document["delivered"]
    mp3 = Path(delivered)
    assert mp3.parent == target / "xuat" / "loa"
    assert mp3.read_bytes()[:3] == b"ID3" or mp3.read_bytes()[0] == 0xFF
    assert mp3_seconds(mp3) >= 30
    lufs, peak = measure(mp3)
    assert abs(lufs - (-16.0)) <= 1.0
    assert peak <= -1.0 + 0.3  # ebur128 oversamples 4x; allow its own rounding
    bulletin = document["bulletin"]
    assert bulletin["state"] == "delivered"
    approvals = [a for a in bulletin["audit"] if a["action"] == "approve"]
    assert approvals and approvals[0]["actor"] == "demo"
    spoken = " ".join(s["spoken"] for s in bulletin["sentences"])
    assert not re.search(r"\d", spoken)
    assert "Minh Hòa" in spoken


def test_push_refuses_unapproved_bulletin(built_ws: Path) -> None:
    result = run_bulletin("-w", str(built_ws), "push", "latest")
    assert result.code == 3
    assert "chưa được duyệt" in result.err
    assert run_bulletin("-w", str(built_ws), "deliveries", "--json").json() == []
    assert not (built_ws / "xuat" / "loa").exists() or not any((built_ws / "xuat/loa").iterdir())


def test_show_reports_the_documented_document(built_ws: Path) -> None:
    document = run_bulletin("-w", str(built_ws), "show", "latest", "--json").json()
    for key in (
        "id",
        "state",
        "programme",
        "priority",
        "audio",
        "duration_s",
        "loudness_lufs",
        "true_peak_dbtp",
        "items",
        "sentences",
        "audit",
    ):
        assert key in document
    assert document["state"] == "built"
    assert {"index", "text", "spoken", "audio"} <= set(document["sentences"][0])
    assert Path(document["audio"]).exists()


def test_review_then_push_delivers_exactly_once(built_copy: Path) -> None:
    ws = str(built_copy)
    built = run_bulletin("-w", ws, "show", "latest", "--json").json()
    number = str(built["id"])
    add_approvers(built_copy, "chu-tich")
    assert run_bulletin("-w", ws, "approve", number).code == 2  # --as is required
    approved = run_bulletin("-w", ws, "approve", number, "--as", "chu-tich", "--json")
    assert approved.code == 0 and approved.json()["state"] == "approved"
    first = run_bulletin("-w", ws, "push", number, "--json")
    assert first.code == 0, first.err
    [delivery] = first.json()["deliveries"]
    assert delivery["state"] == "delivered" and len(delivery["sha256"]) == 64
    second = run_bulletin("-w", ws, "push", number, "--json").json()
    assert second["deliveries"][0]["state"] == "skipped"
    files = list((built_copy / "xuat" / "loa").glob("*.mp3"))
    assert len(files) == 1
    import hashlib

    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == delivery["sha256"]
    rows = run_bulletin("-w", ws, "deliveries", "--json").json()
    assert (
        len(rows) == 1 and rows[0]["attempts"] == 1 and rows[0]["bytes"] == files[0].stat().st_size
    )
    rejected = run_bulletin("-w", ws, "reject", number, "--as", "chu-tich", "--reason", "muộn")
    assert rejected.code == 3


def test_policy_refusals_exit_3_and_change_nothing(built_copy: Path) -> None:
    """The refusals of the review contract, through the real command (the rules themselves are
    tested in-process in test_spine.py)."""
    ws = str(built_copy)
    add_approvers(built_copy, "an")
    assert run_bulletin("-w", ws, "users", "add", "bien-tap", "--role", "editor").code == 0
    before = run_bulletin("-w", ws, "show", "1", "--json").json()
    unknown = run_bulletin("-w", ws, "approve", "1", "--as", "ai-do")
    editor = run_bulletin("-w", ws, "approve", "1", "--as", "bien-tap")
    assert (unknown.code, editor.code) == (3, 3)
    assert "ai-do" in unknown.err and "approver" in editor.err
    assert run_bulletin("-w", ws, "show", "1", "--json").json()["audit"] == before["audit"]
    assert run_bulletin("-w", ws, "approve", "1", "--as", "AN").code == 0
    audio = Path(before["audio"])
    audio.write_bytes(audio.read_bytes()[:-64] + bytes(64))  # replaced after approval
    tampered = run_bulletin("-w", ws, "push", "1")
    assert tampered.code == 3 and "SHA-256" not in tampered.out
    assert not (built_copy / "xuat").exists()
    assert run_bulletin("-w", ws, "reject", "1", "--as", "an", "--reason", "sai số").code == 0
    edited = run_bulletin("-w", ws, "edit", "1", "--sentence", "1", "--text", "Câu mới.")
    again = run_bulletin("-w", ws, "approve", "1", "--as", "an")
    assert (edited.code, again.code) == (3, 3)
    after = run_bulletin("-w", ws, "show", "1", "--json").json()
    assert after["state"] == "rejected" and after["audit"][-1]["reason"] == "sai số"
    assert run_bulletin("-w", ws, "audit", "verify").code == 0


@pytest.mark.long(23)
def test_build_interrupted_by_sigint_leaves_a_usable_store(sample_ws: Path) -> None:
    ws = str(sample_ws)
    assert run_bulletin("-w", ws, "fetch").code == 0
    db = sample_ws / "data" / "bulletin.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-m", "bulletin.cli", "-w", ws, "build"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BULLETIN_LANG": "vi"},
    )
    # Wait until the build has written its draft, then interrupt it mid-synthesis.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT COUNT(*) FROM bulletins").fetchone()[0]:
                break
        time.sleep(0.005)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert "Traceback" not in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = [r[0] for r in conn.execute("SELECT state FROM bulletins")]
    assert states in (["draft"], ["built"])  # interrupted, or finished just before the signal
    again = run_bulletin("-w", ws, "build", "--json")
    assert again.code == 0, again.err
    assert again.json()["state"] == "built"
    if states == ["draft"]:
        # The half-made draft is closed, with the reason in its audit log.
        first = run_bulletin("-w", ws, "show", "1", "--json").json()
        assert first["state"] == "rejected"
        assert (
            first["audit"][-1]["reason"]
            == "Lần dựng bản tin này bị dừng giữa chừng; bản nháp được đóng lại"
        )
    assert not list((sample_ws / "data" / "audio").glob("*.tmp*"))
    assert not list((sample_ws / "data" / "audio").glob(".*"))


def test_say_writes_speech_in_mp3_and_wav(tmp_path: Path) -> None:
    text = "Kính thưa bà con! Ngày 05/12/2026 cắt điện từ 7h30 đến 16h00 tại thôn Đông Hải."
    mp3 = tmp_path / "thong-bao.mp3"
    result = run_bulletin("say", text, "-o", str(mp3), "--json")
    assert result.code == 0, result.err
    document = result.json()
    assert document["duration_s"] > 4 and mp3.stat().st_size > 10_000
    assert abs(measure(mp3)[0] - (-16.0)) <= 1.0
    assert "năm tháng mười hai" in " ".join(document["spoken"])
    wav = tmp_path / "thong-bao.wav"
    assert run_bulletin("say", text, "-o", str(wav)).code == 0
    assert wav.read_bytes()[:4] == b"RIFF"
    empty = run_bulletin("say", "   ", "-o", str(tmp_path / "x.mp3"))
    assert empty.code == 2 and not (tmp_path / "x.mp3").exists()


def test_say_refuses_unreadable_or_oversized_text_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "x.mp3"
    emoji = run_bulletin("say", "🎉🎉🎉 !!!", "-o", str(out))
    assert emoji.code == 2 and not out.exists()
    assert emoji.err.strip().splitlines() == [emoji.err.strip()]
    assert "Không có gì để đọc" in emoji.err
    megabyte = tmp_path / "long.txt"
    megabyte.write_text("Bà con chú ý. " * 75_000, encoding="utf-8")
    long = run_bulletin("say", "-f", str(megabyte), "-o", str(out))
    assert long.code == 2 and not out.exists()
    assert len(long.err.strip().splitlines()) == 1
    assert "1050000" in long.err and str(MAX_SAY_CHARS) in long.err


def test_second_build_at_once_is_refused_clearly(built_ws: Path) -> None:
    import fcntl

    lock = built_ws / "data" / "build.lock"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run_bulletin("-w", str(built_ws), "build")
    assert result.code == 1
    assert "tiến trình khác" in result.err


def test_preview_shows_written_and_spoken_script(built_ws: Path) -> None:
    result = run_bulletin("-w", str(built_ws), "preview", "latest", env={"COLUMNS": "200"})
    assert result.code == 0, result.err
    assert "Câu đọc" in result.out and "Ủy ban nhân dân" in result.out


@pytest.mark.long(11)
def test_full_disk_fails_cleanly_and_keeps_the_store(tmp_path: Path) -> None:
    import shutil

    import pytest

    mountpoint = tmp_path / "small-disk"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3M", "tmpfs", str(mountpoint)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("this machine does not let the tests mount a small tmpfs")
    try:
        ws = mountpoint / "ws"
        shutil.copytree(Path(__file__).resolve().parent.parent / "samples", ws)
        assert run_bulletin("-w", str(ws), "fetch").code == 0
        result = run_bulletin("-w", str(ws), "build")
        assert result.code == 1
        assert "Hết chỗ trên đĩa" in result.err and "Traceback" not in result.err
        assert not list((ws / "data" / "audio").iterdir())
        items = run_bulletin("-w", str(ws), "items", "--json")
        assert items.code == 0 and len(items.json()) >= 10
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)
