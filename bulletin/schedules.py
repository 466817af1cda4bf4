"""When programmes build and air: triggers from a programme's times or cron expression, in
the station's time zone, and the firings they make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

    from bulletin.workspace import Programme

What = Literal["build", "air", "repeat"]

# crontab's day-of-week numbers (0 and 7 are Sunday) as names: APScheduler counts from Monday.
_CRON_DAYS = {"0": "sun", "1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat"}
_CRON_DAYS["7"] = "sun"


def cron_fields(expression: str) -> dict[str, str]:
    """A 5-field crontab (minute hour day month weekday) or 6 fields with seconds first, as
    APScheduler's CronTrigger fields. Raises ValueError saying what is wrong."""
    parts = expression.split()
    if len(parts) == 5:
        parts = ["0", *parts]
    if len(parts) != 6:
        raise ValueError(
            f"'{expression}': a cron expression has 5 fields (minute hour day month weekday) "
            "or 6 with seconds first"
        )
    second, minute, hour, day, month, weekday = parts
    weekday = ",".join(_weekday(p) for p in weekday.split(","))
    fields = {
        "second": second,
        "minute": minute,
        "hour": hour,
        "day": day,
        "month": month,
        "day_of_week": weekday,
    }
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger(**fields, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"'{expression}': {exc}") from None
    return fields


def _weekday(part: str) -> str:
    """crontab's numbers, single or in a range, as day names; names and '*' pass."""
    head, slash, step = part.partition("/")
    start, dash, end = head.partition("-")
    named = [_CRON_DAYS.get(x, x) for x in ([start, end] if dash else [start])]
    return "-".join(named) + (slash + step)


@dataclass(frozen=True)
class Firing:
    programme: str
    what: What
    at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"programme": self.programme, "what": self.what, "at": self.at.isoformat()}


def triggers(programme: Programme, zone: str) -> list[tuple[What, int, BaseTrigger]]:
    """(what, index, trigger) for each firing rule of the programme: its air times, its
    repeats, and its build times (given, or `build_lead_minutes` before each air time)."""
    from apscheduler.triggers.cron import CronTrigger

    tz = ZoneInfo(zone)
    days = ",".join(programme.days) if programme.days else "*"
    found: list[tuple[What, int, BaseTrigger]] = []

    def at_time(value: str, shift: timedelta = timedelta()) -> CronTrigger:
        hour, minute, *rest = (int(x) for x in value.split(":"))
        moment = datetime(2000, 1, 3, hour, minute, rest[0] if rest else 0) - shift
        day_shift = (moment.date() - datetime(2000, 1, 3).date()).days
        return CronTrigger(
            hour=moment.hour,
            minute=moment.minute,
            second=moment.second,
            day_of_week=_shift_days(days, day_shift),
            timezone=tz,
        )

    if programme.air_cron:
        found.append(("air", 0, CronTrigger(**cron_fields(programme.air_cron), timezone=tz)))
    for n, value in enumerate(programme.air_at):
        found.append(("air", n, at_time(value)))
    for n, value in enumerate(programme.repeats):
        found.append(("repeat", n, at_time(value)))
    if programme.build_cron:
        found.append(("build", 0, CronTrigger(**cron_fields(programme.build_cron), timezone=tz)))
    elif programme.build_at:
        for n, value in enumerate(programme.build_at):
            found.append(("build", n, at_time(value)))
    elif programme.air_at:
        lead = timedelta(minutes=programme.build_lead_minutes)
        for n, value in enumerate(programme.air_at):
            found.append(("build", n, at_time(value, lead)))
    elif programme.air_cron:
        # A lead before a cron expression cannot be written as another cron expression in
        # general; such programmes build at air time unless they give build_cron.
        found.append(("build", 0, CronTrigger(**cron_fields(programme.air_cron), timezone=tz)))
    return found


_DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _shift_days(days: str, shift: int) -> str:
    """A day-of-week list moved by `shift` days (a build before midnight airs the next day)."""
    if days == "*" or shift == 0:
        return days
    return ",".join(_DAY_NAMES[(_DAY_NAMES.index(d) + shift) % 7] for d in days.split(","))


def next_firings(
    programmes: dict[str, Programme], zone: str, count: int, *, now: datetime
) -> list[Firing]:
    """The next `count` firings of every programme, soonest first."""
    found: list[Firing] = []
    for name, programme in programmes.items():
        for what, _, trigger in triggers(programme, zone):
            previous = None
            moment = now
            for _ in range(count):
                fire = trigger.get_next_fire_time(previous, moment)
                if fire is None:
                    break
                found.append(Firing(name, what, fire))
                previous = fire
                moment = fire + timedelta(microseconds=1)
    order = {"build": 0, "air": 1, "repeat": 2}
    found.sort(key=lambda f: (f.at, f.programme, order[f.what]))
    return found[:count] if count else found


def due_time(trigger: BaseTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The firing a job started at `now` is for: the latest fire time at or before `now`,
    if it is within `grace` of it."""
    start = now - grace - timedelta(seconds=1)
    latest = None
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest


def air_for_build(programme: Programme, zone: str, built_at: datetime) -> datetime | None:
    """The air time a build at `built_at` is for: the programme's next air firing from then."""
    airs = [t for what, _, t in triggers(programme, zone) if what == "air"]
    found = [t.get_next_fire_time(None, built_at) for t in airs]
    times = [f for f in found if f is not None]
    return min(times) if times else None


def air_for_repeat(programme: Programme, zone: str, repeat_at: datetime) -> datetime | None:
    """The air time a repeat at `repeat_at` repeats: the latest air firing of the same day
    before it."""
    airs = [t for what, _, t in triggers(programme, zone) if what == "air"]
    day_start = repeat_at.astimezone(ZoneInfo(zone)).replace(hour=0, minute=0, second=0)
    latest = None
    for trigger in airs:
        fire = trigger.get_next_fire_time(None, day_start)
        while fire is not None and fire <= repeat_at:
            latest = fire if latest is None or fire > latest else latest
            fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest
