"""Reading bulletins: find one by id or 'latest', and the whole view `show` and the desk use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulletin.domain import AuditEntry, Bulletin, BulletinItem, Sentence
from bulletin.errors import NotFoundError
from bulletin.services.station import Station
from bulletin.store import Store

LATEST = ("latest", "last", "moi-nhat")


def resolve_id(store: Store, value: str | int) -> int:
    """A bulletin id from what a person typed: a number, or 'latest'."""
    if isinstance(value, int):
        return value
    if value.strip().lower() in LATEST:
        latest = store.latest_bulletin_id()
        if latest is None:
            raise NotFoundError("bulletin.none")
        return latest
    try:
        number = int(value)
    except ValueError:
        raise NotFoundError("bulletin.missing", id=value[:40]) from None
    if not 0 < number < 2**63:  # SQLite's integer range; anything else names no bulletin
        raise NotFoundError("bulletin.missing", id=value[:40])
    return number


def find_id(station: Station, value: str | int) -> int:
    with station.store(readonly=True) as store:
        number = resolve_id(store, value)
        store.bulletin(number)  # must exist
        return number


@dataclass(frozen=True)
class BulletinView:
    """A bulletin with its items, script and audit trail: what `show --json` prints."""

    bulletin: Bulletin
    items: list[BulletinItem]
    sentences: list[Sentence]
    audit: list[AuditEntry]
    audio: str | None
    """The audio file's full path in this workspace."""

    def as_json(self, lang: str | None = None) -> dict[str, Any]:
        b = self.bulletin
        return {
            "id": b.id,
            "state": b.state,
            "programme": b.programme,
            "priority": b.priority,
            "voice": b.voice,
            "audio": self.audio,
            "audio_bytes": b.audio_bytes,
            "audio_sha256": b.audio_sha256,
            "approved_sha256": b.approved_sha256,
            "duration_s": b.duration_s,
            "loudness_lufs": b.loudness_lufs,
            "true_peak_dbtp": b.true_peak_dbtp,
            "created_at": b.created_at,
            "air_at": b.air_at,
            "items": [i.as_json(lang) for i in self.items],
            "sentences": [s.as_json() for s in self.sentences],
            "audit": [a.as_json(lang) for a in self.audit],
        }


def view(station: Station, value: str | int) -> BulletinView:
    with station.store(readonly=True) as store:
        number = resolve_id(store, value)
        bulletin = store.bulletin(number)
        return BulletinView(
            bulletin=bulletin,
            items=store.bulletin_items(number),
            sentences=store.sentences(number),
            audit=store.audit_log(number),
            audio=str(station.audio_file(bulletin.audio_path)) if bulletin.audio_path else None,
        )


def listing(station: Station, state: str | None = None, limit: int = 200) -> list[Bulletin]:
    """Bulletins newest first, optionally in one state."""
    with station.store(readonly=True) as store:
        return store.bulletins(state=state, limit=limit)


def state_counts(station: Station) -> dict[str, int]:
    """How many bulletins are in each state (the desk's tabs)."""
    with station.store(readonly=True) as store:
        return store.bulletin_state_counts()
