"""Shared fixtures: a fresh copy of the sample workspace and a real `bulletin` process."""

from __future__ import annotations

import fcntl
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


# Modules one pytest-xdist worker runs whole, because their fixtures are dear to make more
# than once. (xdist's own `xdist_group` marks do nothing under pytest 9.2: xdist renames the
# node id through an attribute pytest no longer reads.)
WHOLE_MODULES = {
    "tests/test_piper.py": "two tiny piper voices trained at setup",
    "tests/test_voices.py": "a tiny piper voice built at setup, served for installs",
    "tests/test_seq2seq.py": "tiny T5 models built and converted at setup",
    "tests/test_coqui.py": "a tiny coqui model and its worker process",
    "tests/test_transport_streaming.py": "icecast2 and mosquitto",
    "tests/test_transport_upload.py": "FTP, FTPS, SFTP and HTTP upload servers",
    "tests/test_delivery_e2e.py": "one server of every transport",
    "tests/test_desk_browser.py": "bulletin serve and a headless Chromium",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long(seconds)` first, the longest first: under pytest-xdist each starts
    on a worker while the short tests fill the others, instead of ending the run alone."""

    def order(item: pytest.Item) -> float:
        mark = item.get_closest_marker("long")
        return -float(mark.args[0]) if mark else 0.0

    items.sort(key=order)


# Under pytest-xdist, as root: tests that race a running process (`realtime`: a daemon's
# deadlines, a write to interrupt) run at normal priority and every other test at this nice
# level, so busy workers cannot starve a daemon that must build or air on time (in service it
# does not share the CPU with a test suite).
BACKGROUND_NICE = 10


def pytest_runtest_setup(item: pytest.Item) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER") is None or os.geteuid() != 0:
        return
    nice = 0 if item.get_closest_marker("realtime") else BACKGROUND_NICE
    os.setpriority(os.PRIO_PROCESS, 0, nice)  # children started by the test inherit it


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, absent under -p no:xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under `--dist loadgroup`: the modules in WHOLE_MODULES as one unit each, every other
    test on its own, handed out in collection order (so the `long` tests go first)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class WholeModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in WHOLE_MODULES else nodeid

    config.option.loadscopereorder = False  # keep collection order, not biggest unit first
    return WholeModuleScheduling(config, log)


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


HANG_S = 10.0
"""How long work that must stay linear in its input (hostile text, a refused request) may
take in a test. What these tests guard against (catastrophic regex backtracking, work done
before a refusal) takes minutes; a tight bound would only measure how busy the machine is.
Speed itself is measured in bench/."""


NOTICES_TYPED_AT = 1_795_831_200  # 2026-11-28 09:00 +07:00, among the feed's own dates
"""A typed-in notice is dated by its file's time, which a fresh clone sets to the moment of
cloning: the shared build fixes it, so the items' order is the same whenever tests run."""


def _fetch_and_build(target: Path) -> None:
    shutil.copytree(SAMPLES, target)
    for minute, notice in enumerate(sorted((target / "notices").iterdir())):
        os.utime(notice, (NOTICES_TYPED_AT + 60 * minute,) * 2)
    assert run_bulletin("-w", str(target), "fetch").code == 0
    result = run_bulletin("-w", str(target), "build", "--json")
    assert result.code == 0, result.err


@pytest.fixture(scope="session")
def built_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample workspace fetched and built once for the read-only tests of a session.

    Under pytest-xdist the first worker to ask builds it once for the whole run, under a
    lock, and every worker gets its own copy: the build costs CPU the other workers need."""
    target = tmp_path_factory.mktemp("built") / "ws"
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        _fetch_and_build(target)
        return target
    run_dir = tmp_path_factory.getbasetemp().parent  # shared by this run's workers only
    shared = run_dir / "built-ws"
    with (run_dir / "built-ws.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (run_dir / "built-ws.done").exists():
            shutil.rmtree(shared, ignore_errors=True)
            _fetch_and_build(shared)
            (run_dir / "built-ws.done").touch()
    shutil.copytree(shared, target)
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
