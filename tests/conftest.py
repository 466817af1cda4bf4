"""Shared fixtures: a fresh copy of the sample workspace and a real `bulletin` process."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bulletin.services.station import Station
from bulletin.store.bulletins import StoredAudio

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_bulletin(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> Run:
    """Run the real CLI in a child process, as a user would."""
    full_env = {**os.environ, "BULLETIN_LANG": "vi", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "bulletin.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def add_approvers(workspace: Path, *names: str) -> None:
    """Users with the approver role, added the way staff add them."""
    for name in names:
        done = run_bulletin("-w", str(workspace), "users", "add", name, "--role", "approver")
        assert done.code == 0, done.err


@pytest.fixture
def sample_ws(tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(SAMPLES, target)
    return target


@pytest.fixture(scope="session")
def built_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample workspace fetched and built once for the read-only tests of a session."""
    target = tmp_path_factory.mktemp("built") / "ws"
    shutil.copytree(SAMPLES, target)
    assert run_bulletin("-w", str(target), "fetch").code == 0
    result = run_bulletin("-w", str(target), "build", "--json")
    assert result.code == 0, result.err
    return target


@pytest.fixture
def built_copy(built_ws: Path, tmp_path: Path) -> Path:
    """A private copy of the built sample workspace (store, audio and sentence cache), for
    tests that change it; cheaper than fetching and building again."""
    target = tmp_path / "ws"
    shutil.copytree(built_ws, target)
    return target


@pytest.fixture(scope="session")
def tone_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Two seconds of a real MP3 in the produced format, made by ffmpeg."""
    import imageio_ffmpeg

    out = tmp_path_factory.mktemp("tone") / "tone.mp3"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2:sample_rate=44100",
            "-ac",
            "1",
            "-codec:a",
            "libmp3lame",
            "-b:a",
            "128k",
            str(out),
        ],
        check=True,
    )
    return out.read_bytes()


def built(station: Station, audio: bytes, *, priority: str = "normal") -> int:
    """A built bulletin whose audio is `audio`, made through the store as a build makes it."""
    path = station.workspace.audio_dir / f"b-{hashlib.sha256(audio).hexdigest()[:8]}.mp3"
    path.write_bytes(audio)
    with station.store() as store:
        number = store.create_draft(
            programme="ban-tin-sang",
            priority=priority,
            voice="giong-mien-bac",
            items=[],
            sentences=[("opening", None, "Xin chào bà con.", "Xin chào bà con.")],
            actor="test",
        )
        store.finish_build(
            number,
            StoredAudio(
                station.relative(path),
                len(audio),
                hashlib.sha256(audio).hexdigest(),
                2.0,
                -16.0,
                -1.5,
            ),
            ["k"],
            actor="test",
        )
    return number
