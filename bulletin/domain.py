"""Domain types: announcements, bulletins, their script, deliveries, users and the audit log.

Built once at the store's edge from rows; every layer above reads these, never raw rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BulletinState = Literal[
    "draft", "built", "approved", "scheduled", "rejected", "delivering", "delivered", "failed"
]
DeliveryState = Literal["pending", "delivering", "delivered", "failed", "cancelled"]
Role = Literal["editor", "approver", "admin"]
ROLES: tuple[Role, ...] = ("editor", "approver", "admin")


@dataclass(frozen=True)
class Announcement:
    """One official announcement as fetched from a source."""

    id: int
    source: str
    uid: str
    title: str
    link: str | None
    published: str | None
    priority: str
    tags: tuple[str, ...]
    body: str
    duplicate_of: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "link": self.link,
            "published": self.published,
            "priority": self.priority,
            "tags": list(self.tags),
            "body": self.body,
            "duplicate_of": self.duplicate_of,
        }


@dataclass(frozen=True)
class NewAnnouncement:
    """What a source yields before the store gives it an id."""

    uid: str
    title: str
    body: str
    link: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class ItemRecord:
    """One item of a bulletin as built: its announcement, summary and how it was made."""

    announcement_id: int
    title: str
    summary: str
    engine: str = "lead"
    fallback_key: str | None = None
    fallback_params: dict[str, str] = field(default_factory=dict)
    merged: tuple[int, ...] = ()


@dataclass(frozen=True)
class BulletinItem:
    """One item of a stored bulletin."""

    position: int
    announcement_id: int
    title: str
    summary: str
    engine: str | None
    fallback_reason: str | None
    """Only in stores written before reasons were kept as message keys."""
    merged: tuple[int, ...]
    fallback_key: str | None = None
    fallback_params: dict[str, Any] = field(default_factory=dict)

    def fallback_text(self, lang: str | None = None) -> str | None:
        """Why the requested summarizer's output was replaced, in the reader's language."""
        if self.fallback_key:
            from bulletin.messages import t

            return t(self.fallback_key, lang=lang, **self.fallback_params)
        return self.fallback_reason

    def as_json(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "position": self.position,
            "announcement": self.announcement_id,
            "title": self.title,
            "summary": self.summary,
            "engine": self.engine,
            "fallback_reason": self.fallback_text(lang),
            "merged": list(self.merged),
        }


@dataclass(frozen=True)
class Sentence:
    """One sentence of a bulletin's script: written form, spoken form, its audio's cache key."""

    index: int
    part: str  # opening | item | closing
    item_position: int | None
    text: str
    spoken: str
    audio_key: str | None
    fallback_voice: str | None = None
    """The fallback voice profile that read it because the bulletin's voice failed, or None."""

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "part": self.part,
            "item": self.item_position,
            "text": self.text,
            "spoken": self.spoken,
            "audio": self.audio_key,
            "fallback_voice": self.fallback_voice,
        }


@dataclass(frozen=True)
class Bulletin:
    """A bulletin's header row: its state and the audio it was built (and approved) with."""

    id: int
    programme: str
    state: BulletinState
    priority: str
    voice: str
    created_at: str
    updated_at: str
    audio_path: str | None
    """Relative to the workspace root, so a copied or restored workspace uses its own files."""
    audio_bytes: int | None
    audio_sha256: str | None
    approved_sha256: str | None
    """The SHA-256 of the audio as approved; what is delivered must hash to this."""
    duration_s: float | None
    loudness_lufs: float | None
    true_peak_dbtp: float | None
    air_at: str | None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only, hash-chained audit log."""

    id: int
    bulletin_id: int
    at: str
    actor: str
    action: str
    subject: str | None
    """None for the bulletin itself, else the controller a delivery step concerns."""
    from_state: str | None
    to_state: str | None
    reason: str | None
    """A person's own words (a note, a rejection reason)."""
    reason_key: str | None
    """A system reason as a message key, rendered in the reader's language when shown."""
    reason_params: dict[str, Any] = field(default_factory=dict)
    audio_sha256: str | None = None
    prev_hash: str = ""
    hash: str = ""

    def reason_text(self, lang: str | None = None) -> str | None:
        if self.reason_key:
            from bulletin.messages import t

            return t(self.reason_key, lang=lang, **self.reason_params)
        return self.reason

    def as_json(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "controller": self.subject,
            "from": self.from_state,
            "to": self.to_state,
            "reason": self.reason_text(lang),
            "reason_key": self.reason_key,
            "audio_sha256": self.audio_sha256,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class Delivery:
    """One (bulletin, controller) delivery and its receipt."""

    bulletin_id: int
    controller: str
    state: DeliveryState
    attempts: int
    bytes: int | None
    sha256: str | None
    remote_id: str | None
    at: str
    error: str | None
    retryable: bool | None
    key: str | None = None
    air_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    ack: str | None = None
    format: str | None = None
    airing: str = ""
    """Empty for the first airing; a repeat's own key (its due time) otherwise."""

    def as_json(self) -> dict[str, Any]:
        return {
            "bulletin": self.bulletin_id,
            "controller": self.controller,
            "airing": self.airing,
            "state": self.state,
            "attempts": self.attempts,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "at": self.at,
            "error": self.error,
            "retryable": self.retryable,
            "remote_id": self.remote_id,
            "ack": self.ack,
            "air_at": self.air_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": self.seconds,
            "format": self.format,
        }


@dataclass(frozen=True)
class User:
    """A person who may edit, approve or administer; the password hash never leaves the store."""

    name: str
    display_name: str
    roles: tuple[Role, ...]
    active: bool
    created_at: str
    lang: str = "vi"
    """The language the review desk speaks to this person: 'vi' or 'en'."""

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "roles": list(self.roles),
            "active": self.active,
        }
