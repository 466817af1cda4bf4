"""Times people type: air times in the station's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bulletin.errors import InputError

_CLOCK = re.compile(r"^(\d{1,2})[:hg](\d{2})?$")


def parse_air_time(value: str, zone: str, *, now: datetime | None = None) -> datetime:
    """`HH:MM` (the next such time, today or tomorrow), `17h`, `17h30`, or an ISO date and time
    (without an offset it is the station's local time). Refuses a time already past."""
    tz = ZoneInfo(zone)
    current = (now or datetime.now(UTC)).astimezone(tz)
    text = value.strip().lower()
    clock = _CLOCK.match(text)
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
        if hour > 23 or minute > 59:
            raise InputError("time.invalid", value=value)
        found = current.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if found <= current:
            found += timedelta(days=1)
        return found
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError("time.invalid", value=value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    if parsed < current - timedelta(minutes=1):
        raise InputError("time.past", value=value, now=current.strftime("%Y-%m-%d %H:%M"))
    return parsed
