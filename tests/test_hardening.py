"""Hostile input and kills: names that are paths, folder addresses, partial files, orphaned
ffmpeg, exit codes for user errors, file modes, read-only opens."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulletin import workspace
from bulletin.delivery.base import Target
from bulletin.delivery.folder import folder_of
from bulletin.errors import ConfigError, DeliveryError, InputError, NotFoundError
from bulletin.services import Station
from bulletin.services.bulletins import find_id
from bulletin.staging import partial_path, sweep
from bulletin.store import Store
from bulletin.workspace import ControllerConfig
from tests.conftest import SAMPLES, run_bulletin


def _target(address: str, base: Path) -> Target:
    return Target("loa", ControllerConfig(transport="folder", address=address), None, base)


def test_folder_addresses_are_read_as_urls_or_paths_never_guessed(tmp_path: Path) -> None:
    assert folder_of(_target("file://localhost/srv/loa", tmp_path)) == Path("/srv/loa")
    assert folder_of(_target("file:///srv/loa%20xa", tmp_path)) == Path("/srv/loa xa")
    assert folder_of(_target("xuat/loa", tmp_path)) == tmp_path / "xuat" / "loa"
    for bad in ("", "   ", "file://may-khac/srv/loa", "file://"):
        with pytest.raises(DeliveryError) as refused:
            folder_of(_target(bad, tmp_path))
        assert not refused.value.retryable


@pytest.mark.parametrize("name", ["../../x", "/abs/dir/prog", ".an", "a/b", "a..b"])
def test_programme_and_voice_names_that_are_paths_are_refused(tmp_path: Path, name: str) -> None:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLES, root)
    loaded = workspace.load(root)
    with pytest.raises(InputError) as refused:
        loaded.programme(name)
    assert refused.value.key == "name.invalid"
    with pytest.raises(InputError):
        loaded.voice(name)


def test_user_errors_in_settings_and_ids_exit_2_naming_what(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLES, root)
    monkeypatch.setenv("BULLETIN_TIMEZONE", "Sao/Hoa")
    with pytest.raises(ConfigError) as zone:
        workspace.load(root)
    assert "timezone" in str(zone.value) and "Sao/Hoa" in str(zone.value)
    monkeypatch.setenv("BULLETIN_TIMEZONE", "Asia/Ho_Chi_Minh")
    monkeypatch.setenv("BULLETIN_AUDIO__TARGET_LUFS", "[1,")
    with pytest.raises(ConfigError) as env:
        workspace.load(root)
    assert "BULLETIN_AUDIO__TARGET_LUFS" in str(env.value)
    monkeypatch.delenv("BULLETIN_AUDIO__TARGET_LUFS")
    station = Station(workspace.load(root))
    for huge in ("99999999999999999999999", "-1", "0"):
        with pytest.raises(NotFoundError):
            find_id(station, huge)
    shown = run_bulletin("-w", str(root), "show", "99999999999999999999999")
    assert shown.code == 2 and "Traceback" not in shown.err


def test_partial_files_of_dead_writers_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    final = tmp_path / "ban-tin-sang-1.mp3"
    mine = partial_path(final)
    mine.write_bytes(b"half")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f".{final.name}.{dead.pid}-0123abcd.part"
    orphan.write_bytes(b"half of a bulletin")
    assert not orphan.name.endswith(".mp3") and orphan.name.startswith(".")
    assert sweep(tmp_path) == [orphan]
    assert mine.exists() and not orphan.exists()


def test_a_killed_rendition_leaves_no_ffmpeg_behind(tmp_path: Path) -> None:
    import imageio_ffmpeg

    long = tmp_path / "long.mp3"
    subprocess.run(
        [
            *(imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error"),
            *("-f", "lavfi", "-i", "sine=frequency=300:duration=1800:sample_rate=8000"),
            *("-ac", "1", "-b:a", "8k", str(long)),
        ],
        check=True,
    )
    script = (
        "import sys, datetime; from pathlib import Path\n"
        "from bulletin.production.renditions import Tags, render\n"
        "from bulletin.workspace import AudioFormatConfig\n"
        "fmt = AudioFormatConfig(bitrate_kbps=320, sample_rate=48000, channels=2)\n"
        "tags = Tags('t', 's', datetime.date(2026, 12, 1), 1)\n"
        "render(Path(sys.argv[1]), Path(sys.argv[2]), fmt, tags, -16.0, -1.0)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(long), str(tmp_path / "o.mp3")])
    ffmpeg = _wait_for_child(child.pid)
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 5
    while _alive(ffmpeg) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(ffmpeg)


def _wait_for_child(parent: int) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                return int(entry.name)
        time.sleep(0.02)
    raise AssertionError("ffmpeg never started")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_read_only_commands_open_the_store_read_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bulletin.sqlite3"
    Store(path).close()
    store = Store(path, readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.db.execute("INSERT INTO sources (name, kind, location) VALUES ('a', 'rss', 'x')")
    assert store.announcements() == []
    store.close()


def test_delivered_files_are_readable_by_whoever_serves_the_folder(tmp_path: Path) -> None:
    from bulletin.delivery.base import AudioFile, Job
    from bulletin.delivery.folder import FolderTransport

    audio = tmp_path / "a.mp3"
    audio.write_bytes(b"\xff\xfb" + os.urandom(2000))
    import hashlib

    sha = hashlib.sha256(audio.read_bytes()).hexdigest()
    receipt = FolderTransport().deliver(
        AudioFile(audio, sha, "ban-tin-1"),
        _target(str(tmp_path / "loa"), tmp_path),
        Job(bulletin_id=1, title="t", station="s", key="k"),
    )
    delivered = Path(receipt.remote_id)
    assert delivered.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in (tmp_path / "loa").iterdir()] == ["ban-tin-1.mp3"]


def test_adding_an_entry_never_leaves_a_file_the_workspace_cannot_load(tmp_path: Path) -> None:
    from bulletin.services.config import add_entry

    root = tmp_path / "ws"
    shutil.copytree(SAMPLES, root)
    station = Station(workspace.load(root))
    with pytest.raises(InputError) as named:
        add_entry(station, "controllers", "../loa", {"transport": "folder", "address": "x"})
    assert named.value.key == "name.invalid"
    sources = root / "sources.yaml"
    broken = sources.read_text(encoding="utf-8") + "  hong:\n    kind: rss\n    priority: sai\n"
    sources.write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError):
        add_entry(station, "sources", "moi", {"kind": "rss", "url": "http://127.0.0.1/rss"})
    assert sources.read_text(encoding="utf-8") == broken
