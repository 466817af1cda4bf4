"""Programmes on schedule: schedule files checked with file, line and field; firings in
DESIGN's shape; and real `schedule run` daemons with programmes seconds ahead: approval
before air time, the unapproved policy and its alert, one daemon per workspace, SIGKILL at
random points with nothing lost and nothing aired twice, and a stopped clock's misfire."""

from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bulletin import workspace as ws
from bulletin.services.station import Station
from tests.conftest import add_approvers, run_bulletin
from tests.servers.daemon import DaemonProcess, cron_at, kill_run, workspace, write_programme
from tests.servers.media import free_port


def test_schedule_check_names_file_line_and_field(sample_ws: Path) -> None:
    assert run_bulletin("-w", str(sample_ws), "schedule", "check").code == 0
    (sample_ws / "schedules" / "hong.yaml").write_text(
        "title: Hỏng\nair_at: '25:00'\n", encoding="utf-8"
    )
    (sample_ws / "schedules" / "sai-loa.yaml").write_text(
        "title: Sai loa\nair_at: '17:00'\ncontrollers:\n  - toan-xa\n  - khong-co\n"
        "approval: auto\ntrusted_sources: [nhap-tay]\n",
        encoding="utf-8",
    )
    done = run_bulletin("-w", str(sample_ws), "schedule", "check", "--json")
    assert done.code == 2
    problems = done.json()["problems"]
    by_file = {Path(p["path"]).name: p for p in problems}
    assert by_file["hong.yaml"]["line"] == 2 and by_file["hong.yaml"]["field"] == "air_at"
    assert by_file["sai-loa.yaml"]["line"] == 5 and "khong-co" in by_file["sai-loa.yaml"]["detail"]
    human = run_bulletin("-w", str(sample_ws), "schedule", "check")
    assert "hong.yaml:2: air_at" in human.err


def test_schedule_next_lists_firings_in_designs_shape(sample_ws: Path) -> None:
    done = run_bulletin("-w", str(sample_ws), "schedule", "next", "4", "--json")
    assert done.code == 0, done.err
    firings = done.json()
    assert [set(f) for f in firings] == [{"programme", "what", "at"}] * 4
    assert [f["what"] for f in firings] == ["build", "air", "build", "air"]
    at = [datetime.fromisoformat(f["at"]) for f in firings]
    assert at == sorted(at) and all(a.utcoffset() == timedelta(hours=7) for a in at)
    assert [a.strftime("%H:%M") for a in at] == ["05:30", "06:00", "05:30", "06:00"]


def _wait(condition, seconds: float, step: float = 0.25) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


@pytest.mark.long(50)
@pytest.mark.realtime
def test_programme_builds_waits_for_approval_and_airs_or_alerts_by_policy(
    tmp_path: Path,
) -> None:
    def programmes(build: datetime, air: datetime) -> dict[str, dict[str, object]]:
        common = {
            "build_cron": cron_at(build),
            "air_cron": cron_at(air),
            "max_minutes": 0.4,
            "controllers": ["loa"],
            "misfire_grace_minutes": 1,
        }
        return {
            "sang": {**common, "title": "Bản tin sáng"},
            "chieu": {**common, "title": "Bản tin chiều", "unapproved": "skip"},
        }

    folder = tmp_path / "loa"
    port = free_port()
    root = workspace(
        tmp_path / "ws",
        programmes=programmes(datetime.now(UTC), datetime.now(UTC)),
        controllers={"loa": {"transport": "folder", "address": str(folder)}},
        port=port,
        notices=4,
    )
    add_approvers(root, "an")
    alerts = tmp_path / "alerts.txt"
    script = tmp_path / "alert.sh"
    script.write_text(f'#!/bin/sh\ncat >> "{alerts}"\necho >> "{alerts}"\n')
    script.chmod(0o755)
    config = (root / "bulletin.yaml").read_text(encoding="utf-8")
    (root / "bulletin.yaml").write_text(config + f"alerts:\n  command: {script}\n", "utf-8")
    # Build and air times count from the daemon's start, not from before the workspace was
    # made (a loaded machine can take seconds to make it).
    now = datetime.now(UTC)
    # 32 s from build to air: two builds and an approval fit even on a loaded machine.
    build, air = now + timedelta(seconds=4), now + timedelta(seconds=36)
    for name, programme in programmes(build, air).items():
        write_programme(root, name, programme)
    station = Station(ws.load(root))
    daemon = DaemonProcess(root, port, tmp_path / "daemon.log").start()
    try:
        # A second daemon on the same workspace refuses, with one line and exit 1.
        time.sleep(2)
        second = run_bulletin("-w", str(root), "schedule", "run")
        assert second.code == 1 and len(second.err.strip().splitlines()) == 1

        def built(name: str) -> int | None:
            with station.store() as store:
                rows = [r for r in store.runs(20) if r.programme == name and r.what == "build"]
            return rows[0].bulletin_id if rows and rows[0].state == "done" else None

        assert _wait(lambda: built("sang") and built("chieu"), 30), daemon.log.read_text()
        sang, chieu = built("sang"), built("chieu")
        assert not folder.exists() or not list(folder.iterdir())  # nothing airs unapproved
        assert run_bulletin("-w", str(root), "approve", str(sang), "--as", "an").code == 0
        seconds_left = (air - datetime.now(UTC)).total_seconds()
        assert seconds_left > 0, "approved too late for this machine's build time"
        assert _wait(lambda: (folder / f"sang-{sang}.mp3").exists(), seconds_left + 20)
        due = air.replace(microsecond=0).astimezone(UTC).isoformat(timespec="seconds")

        def chieu_ran() -> bool:
            with station.store() as store:
                return store.run("chieu", "air", due) is not None

        assert _wait(chieu_ran, 10)
        with station.store() as store:
            assert store.run("chieu", "air", due).state == "skipped"  # type: ignore[union-attr]
        assert not (folder / f"chieu-{chieu}.mp3").exists()
        assert _wait(lambda: alerts.exists() and "chieu" in alerts.read_text(), 10)
        assert "KHÔNG phát" in alerts.read_text()
    finally:
        assert daemon.stop() == 0
    status = run_bulletin("-w", str(root), "status", "--json").json()
    assert status["daemon"]["running"] is False


@pytest.mark.long(70)
@pytest.mark.realtime
def test_sigkill_at_random_points_loses_no_programme_and_airs_none_twice(tmp_path: Path) -> None:
    # Three kills here keep the suite short; bench/daemon_kills.py makes twenty or more.
    run = kill_run(tmp_path, kills=3, low=2.0, high=7.0, seed=int(time.time()), every=12, settle=13)
    verdict = run.verdict
    assert verdict.airs >= 2 and not verdict.problems, (verdict, run.log.read_text()[-3000:])
    assert run.downloaded_twice == 0, "a bulletin downloaded twice"
    assert run.kills == 3


@pytest.mark.long(20)
@pytest.mark.realtime
def test_a_stopped_clock_past_an_air_time_follows_the_misfire_policy(tmp_path: Path) -> None:
    """SIGSTOP holds the daemon across an air time and past its grace (as a clock jump would
    look to it); on SIGCONT the firing is recorded as missed and alerted, never aired late."""

    def programme(now: datetime, air: datetime) -> dict[str, object]:
        return {
            "air_cron": cron_at(air),
            "build_cron": cron_at(now + timedelta(hours=3)),
            "controllers": ["loa"],
            "misfire_grace_minutes": 0.05,
        }

    port = free_port()
    folder = tmp_path / "loa"
    root = workspace(
        tmp_path / "ws",
        programmes={"tre": programme(datetime.now(UTC), datetime.now(UTC))},
        controllers={"loa": {"transport": "folder", "address": str(folder)}},
        port=port,
    )
    # The air time counts from the daemon's start, not from before the workspace was made (a
    # loaded machine can take seconds to make it).
    now = datetime.now(UTC)
    air = now + timedelta(seconds=6)
    write_programme(root, "tre", programme(now, air))
    station = Station(ws.load(root))
    daemon = DaemonProcess(root, port, tmp_path / "daemon.log").start()
    assert daemon.process is not None
    stopped = False
    try:
        time.sleep(3)
        daemon.process.send_signal(signal.SIGSTOP)
        stopped = True
        assert datetime.now(UTC) < air, "held after the air time: the test proves nothing"
        time.sleep((air - datetime.now(UTC)).total_seconds() + 4.5)
        daemon.process.send_signal(signal.SIGCONT)
        stopped = False
        due = air.replace(microsecond=0).astimezone(UTC).isoformat(timespec="seconds")

        def missed() -> bool:
            with station.store() as store:
                run = store.run("tre", "air", due)
            return run is not None and run.state == "missed"

        assert _wait(missed, 10), daemon.log.read_text()
    finally:
        if stopped:  # a held daemon cannot act on SIGTERM
            daemon.process.send_signal(signal.SIGCONT)
        daemon.stop()
    assert not folder.exists()
    with station.store() as store:
        kinds = [r[0] for r in store.db.execute("SELECT kind FROM alerts")]
    assert "missed_air" in kinds
    log = [json.loads(line) for line in daemon.log.read_text().splitlines() if line.startswith("{")]
    assert any("missed" in entry["message"] for entry in log)


@pytest.mark.long(25)
@pytest.mark.realtime
def test_a_running_daemon_airs_an_approved_emergency_within_seconds(tmp_path: Path) -> None:
    port = free_port()
    folder = tmp_path / "loa"
    root = workspace(
        tmp_path / "ws",
        programmes={},
        controllers={"loa": {"transport": "folder", "address": str(folder), "group": "toan-xa"}},
        port=port,
    )
    add_approvers(root, "an", "binh")
    daemon = DaemonProcess(root, port, tmp_path / "daemon.log").start()
    try:
        made = run_bulletin(
            "-w", str(root), "emergency", "Bão số 9 đổ bộ chiều nay; bà con không ra khơi.",
            "--to", "toan-xa", "--json",
        )  # fmt: skip
        assert made.code == 0, made.err
        number = str(made.json()["bulletin"])
        assert run_bulletin("-w", str(root), "approve", number, "--as", "an").code == 0
        time.sleep(1.5)
        assert not folder.exists() or not list(folder.iterdir())  # one approval is not enough
        second = run_bulletin("-w", str(root), "approve", number, "--as", "binh", "--json")
        assert second.code == 0, second.err
        assert "aired" not in second.json()  # the daemon airs it, not approve
        approved_at = time.monotonic()
        assert _wait(lambda: folder.exists() and any(folder.iterdir()), 10, 0.1)
        assert time.monotonic() - approved_at < 4.0
    finally:
        daemon.stop()


def test_repeats_air_again_once_each_and_a_fallback_airs_only_once_approved(
    tmp_path: Path, tone_mp3: bytes
) -> None:
    from zoneinfo import ZoneInfo

    from bulletin.services.review import approve
    from bulletin.services.scheduling import register_fallback, run_air
    from tests.conftest import built

    folder = tmp_path / "loa"
    root = workspace(
        tmp_path / "ws",
        programmes={
            "sang": {
                "air_at": "06:00",
                "repeats": ["06:30"],
                "controllers": ["loa"],
                "unapproved": "fallback",
                "fallback_audio": "du-phong.mp3",
            }
        },
        controllers={"loa": {"transport": "folder", "address": str(folder)}},
        port=free_port(),
    )
    (root / "du-phong.mp3").write_bytes(tone_mp3)
    add_approvers(root, "an")
    station = Station(ws.load(root))
    _, programme = station.workspace.programme("sang")
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    air = datetime(2026, 12, 2, 6, 0, tzinfo=zone)
    air_iso = air.astimezone(UTC).isoformat(timespec="seconds")
    number = built(station, tone_mp3)
    with station.store() as store:
        store.start_run("sang", "build", "b1", for_air=air_iso)
        store.finish_run("sang", "build", "b1", "done", bulletin_id=number)
    approve(station, number, user="an")

    run_air(station, "sang", programme, air)
    repeat = air + timedelta(minutes=30)
    run_air(station, "sang", programme, repeat, "repeat")
    run_air(station, "sang", programme, repeat, "repeat")  # the same firing again: nothing
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 2 and f"ban-tin-sang-{number}.mp3" in files, files
    with station.store() as store:
        rows = store.deliveries(number)
    assert sorted(r.airing for r in rows) == [
        "",
        repeat.astimezone(UTC).isoformat()[:19] + "+00:00",
    ]
    assert all(r.state == "delivered" and r.attempts == 1 for r in rows)

    # The next day nothing was built: the fallback is not approved yet, so nothing airs.
    next_day = air + timedelta(days=1)
    run_air(station, "sang", programme, next_day)
    assert len(list(folder.iterdir())) == 2
    fallback = register_fallback(station, "sang", "an")
    assert register_fallback(station, "sang", "an") == fallback  # one bulletin per recording
    approve(station, fallback, user="an")
    day_after = air + timedelta(days=2)
    run_air(station, "sang", programme, day_after)
    assert len(list(folder.iterdir())) == 3
    with station.store() as store:
        kinds = [r[0] for r in store.db.execute("SELECT message FROM alerts ORDER BY id")]
        run = store.run("sang", "air", day_after.astimezone(UTC).isoformat(timespec="seconds"))
    assert run is not None and run.state == "done" and run.bulletin_id == fallback
    assert any("dự phòng chưa được duyệt" in k for k in kinds)
    assert any("đã phát bản ghi dự phòng" in k for k in kinds)
    # A changed recording needs approval again.
    (root / "du-phong.mp3").write_bytes(tone_mp3 + b"\0")
    assert register_fallback(station, "sang", "an") != fallback
