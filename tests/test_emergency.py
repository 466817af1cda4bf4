"""Emergencies: typed in, built at once, two approvers, aired at once, repeated until an end."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bulletin.errors import InputError, PolicyError
from bulletin.locks import exclusive
from bulletin.services.emergency import air_emergency, due_emergencies, parse_duration
from bulletin.services.review import approve
from bulletin.services.scheduling import daemon_lock_path
from bulletin.services.station import Station
from bulletin.services.users import add_user
from tests.conftest import add_approvers, built, run_bulletin

STORM = (
    "Bão số 9 đang tiến vào vùng biển xã Minh Hòa. Đề nghị bà con khẩn trương chằng chống "
    "nhà cửa, đưa tàu thuyền vào nơi tránh trú an toàn và không ra khơi."
)


def folder_files(workspace: Path) -> list[Path]:
    """What the sample's folder controller (group toan-xa) holds."""
    folder = workspace / "xuat" / "loa"
    return sorted(folder.glob("*.mp3")) if folder.is_dir() else []


def station_with_approvers(workspace: Path, *, two_approvers: bool = True) -> Station:
    if not two_approvers:
        config = workspace / "bulletin.yaml"
        text = config.read_text("utf-8")
        assert "emergency_two_approvers: true" in text
        config.write_text(
            text.replace("emergency_two_approvers: true", "emergency_two_approvers: false"),
            "utf-8",
        )
    station = Station.open(workspace)
    for name in ("an", "binh"):
        add_user(station, name, ["approver"])
    return station


def emergency_of(
    station: Station,
    audio: bytes,
    *,
    repeat_every_s: float | None = None,
    until: datetime | None = None,
) -> int:
    """A built emergency bulletin recorded to air on the group toan-xa."""
    number = built(station, audio, priority="emergency")
    with station.store() as store:
        store.save_emergency(
            number,
            target="toan-xa",
            repeat_every_s=repeat_every_s,
            until=until.isoformat() if until else None,
        )
    return number


def airings(station: Station, number: int) -> list[tuple[str, str]]:
    with station.store(readonly=True) as store:
        rows = store.db.execute(
            "SELECT airing, state FROM deliveries WHERE bulletin_id = ? ORDER BY id", (number,)
        ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


@pytest.mark.long(15)
def test_emergency_from_text_to_folder_after_second_approval(sample_ws: Path) -> None:
    ws = str(sample_ws)
    add_approvers(sample_ws, "an", "binh")
    made = run_bulletin("-w", ws, "emergency", STORM, "--to", "toan-xa", "--json")
    assert made.code == 0, made.err
    declared = made.json()
    number = declared["bulletin"]
    assert declared["state"] == "built" and declared["approvals_needed"] == 2
    assert declared["target"] == "toan-xa"
    shown = run_bulletin("-w", ws, "show", str(number), "--json").json()
    assert shown["priority"] == "emergency" and len(shown["items"]) == 1

    first = run_bulletin("-w", ws, "approve", str(number), "--as", "an", "--json")
    assert first.code == 0, first.err
    assert first.json()["state"] == "built" and "aired" not in first.json()
    assert folder_files(sample_ws) == []

    again = run_bulletin("-w", ws, "approve", str(number), "--as", "An")
    assert again.code == 3 and folder_files(sample_ws) == []

    second = run_bulletin("-w", ws, "approve", str(number), "--as", "binh", "--json")
    assert second.code == 0, second.err
    result = second.json()
    assert result["state"] == "approved"
    assert [d["state"] for d in result["aired"]["deliveries"]] == ["delivered"]
    [sent] = folder_files(sample_ws)
    receipts = run_bulletin("-w", ws, "deliveries", str(number), "--json").json()
    assert [(r["controller"], r["state"]) for r in receipts] == [("loa-thu-muc", "delivered")]
    assert hashlib.sha256(sent.read_bytes()).hexdigest() == receipts[0]["sha256"]


def test_unknown_target_is_refused_before_anything_is_built(sample_ws: Path) -> None:
    refused = run_bulletin("-w", str(sample_ws), "emergency", STORM, "--to", "khong-co")
    assert refused.code == 2 and "khong-co" in refused.err
    with Station.open(sample_ws).store(readonly=True) as store:
        assert store.bulletins() == []
        assert store.db.execute("SELECT COUNT(*) FROM announcements").fetchone()[0] == 0


def test_one_approver_twice_is_refused_and_nothing_airs(sample_ws: Path, tone_mp3: bytes) -> None:
    station = station_with_approvers(sample_ws)
    number = emergency_of(station, tone_mp3)
    first = approve(station, number, user="an")
    assert (first.state, first.needed, first.aired) == ("built", 1, None)
    with pytest.raises(PolicyError):
        approve(station, number, user=" AN ")
    with station.store(readonly=True) as store:
        assert store.bulletin(number).state == "built"
    assert airings(station, number) == [] and folder_files(sample_ws) == []
    assert due_emergencies(station) == []


def test_one_approval_airs_when_the_station_turns_the_rule_off(
    sample_ws: Path, tone_mp3: bytes
) -> None:
    station = station_with_approvers(sample_ws, two_approvers=False)
    number = emergency_of(station, tone_mp3)
    result = approve(station, number, user="an")
    assert result.state == "approved" and result.aired is not None
    assert [o.state for o in result.aired.deliveries] == ["delivered"]
    [sent] = folder_files(sample_ws)
    assert sent.read_bytes() == tone_mp3
    assert due_emergencies(station) == []


def test_nothing_unapproved_ever_airs(sample_ws: Path, tone_mp3: bytes) -> None:
    station = station_with_approvers(sample_ws)
    number = emergency_of(station, tone_mp3)
    with pytest.raises(PolicyError):
        air_emergency(station, number, "test")
    approve(station, number, user="an")  # the first of two
    with pytest.raises(PolicyError):
        air_emergency(station, number, "test")
    assert airings(station, number) == [] and folder_files(sample_ws) == []


def test_a_running_daemon_airs_it_instead_of_approve(sample_ws: Path, tone_mp3: bytes) -> None:
    station = station_with_approvers(sample_ws)
    number = emergency_of(station, tone_mp3)
    with exclusive(daemon_lock_path(station), "scheduler"):
        approve(station, number, user="an")
        result = approve(station, number, user="binh")
        assert result.state == "approved" and result.aired is None
        assert due_emergencies(station) == [number]
        assert folder_files(sample_ws) == []
        # What the daemon's loop does with it:
        aired = air_emergency(station, number, "scheduler")
    assert [o.state for o in aired.deliveries] == ["delivered"]
    assert due_emergencies(station) == []


def test_repeats_air_again_until_the_end_time(sample_ws: Path, tone_mp3: bytes) -> None:
    station = station_with_approvers(sample_ws, two_approvers=False)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    number = emergency_of(
        station, tone_mp3, repeat_every_s=600, until=start + timedelta(minutes=25)
    )
    never_approved = emergency_of(station, tone_mp3)
    with exclusive(daemon_lock_path(station), "scheduler"):  # the test plays the daemon
        approve(station, number, user="an")
    assert due_emergencies(station, start) == [number]
    air_emergency(station, number, "scheduler", now=start)
    assert due_emergencies(station, start + timedelta(minutes=9)) == []

    first_repeat = start + timedelta(minutes=10, seconds=2)
    assert due_emergencies(station, first_repeat) == [number]
    repeat = air_emergency(station, number, "scheduler", now=first_repeat)
    assert [o.state for o in repeat.deliveries] == ["delivered"]
    assert due_emergencies(station, first_repeat + timedelta(minutes=5)) == []

    second_repeat = first_repeat + timedelta(minutes=10, seconds=1)
    assert due_emergencies(station, second_repeat) == [number]
    air_emergency(station, number, "scheduler", now=second_repeat)
    # The next would start 10 min later: past the end time, so never.
    assert due_emergencies(station, second_repeat + timedelta(hours=2)) == []
    assert airings(station, number) == [
        ("", "delivered"),
        ("emergency-1", "delivered"),
        ("emergency-2", "delivered"),
    ]
    assert never_approved not in due_emergencies(station, start + timedelta(hours=1))


def test_durations() -> None:
    assert parse_duration("15m") == 900 and parse_duration("1h") == 3600
    assert parse_duration("90s") == 90 and parse_duration("1h30m") == 5400
    for bad in ("", "soon", "5s", "15x"):
        with pytest.raises(InputError):
            parse_duration(bad)


def test_repeat_needs_an_end_time(sample_ws: Path) -> None:
    refused = run_bulletin(
        "-w", str(sample_ws), "emergency", STORM, "--to", "toan-xa", "--repeat-every", "15m"
    )
    assert refused.code == 2
    with Station.open(sample_ws).store(readonly=True) as store:
        assert store.bulletins() == []
