"""Signing in to the review desk: rate-limited password checks, sessions with an idle expiry,
a CSRF token per session, signing out."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from bulletin.domain import User
from bulletin.errors import InputError, PolicyError
from bulletin.services.station import Station
from bulletin.services.users import authenticate
from bulletin.users import normalize_name

LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class SignedIn:
    """A request's signed-in person and the session it came with."""

    user: User
    csrf: str
    token: str
    """The cookie's value (only ever compared by its hash)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def sign_in(station: Station, name: str, password: str, *, address: str) -> SignedIn:
    """A new session for the user whose password this is.

    Refused, with the same answer whatever was wrong, when the name or password is wrong;
    refused with "try later" when this user or this address failed too often lately (the
    check comes before the password is tried, so guessing gains nothing while limited).
    """
    review = station.workspace.config.review
    now = time.time()
    since = now - review.sign_in_window_minutes * 60
    try:
        key = normalize_name(name)
    except InputError:
        key = ""
    with station.store(readonly=True) as store:
        too_many = (
            store.failed_sign_ins(since, user=key) >= review.sign_in_failures_per_user
            if key
            else False
        ) or store.failed_sign_ins(since, address=address) >= review.sign_in_failures_per_address
    if too_many:
        raise PolicyError("desk.too_many_attempts", minutes=review.sign_in_window_minutes)
    try:
        if not key:
            raise PolicyError("users.sign_in_failed")
        user = authenticate(station, key, password)
    except PolicyError:
        with station.store() as store:
            store.record_sign_in(key or name[:64], address, now, ok=False)
        raise
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with station.store() as store:
        store.record_sign_in(user.name, address, now, ok=True)
        store.end_idle_sessions(
            now - review.session_idle_minutes * 60, now - review.session_max_hours * 3600
        )
        store.add_session(_digest(token), user.name, csrf, address, now)
    return SignedIn(user, csrf, token)


def session_user(station: Station, token: str | None) -> SignedIn | None:
    """The active person a session cookie belongs to, or None (no such session in this
    workspace, idle too long, too old, or the user was disabled)."""
    if not token or len(token) > 200:
        return None
    review = station.workspace.config.review
    now = time.time()
    digest = _digest(token)
    with station.store(readonly=True) as store:
        session = store.web_session(digest)
        user = store.find_user(session.user) if session is not None else None
    if session is None or user is None or not user.active:
        return None
    idle = now - session.seen_at > review.session_idle_minutes * 60
    old = now - session.created_at > review.session_max_hours * 3600
    if idle or old:
        with station.store() as store:
            store.end_session(digest)
        return None
    if now - session.seen_at > 30:  # a write per request would queue every page on the writer
        with station.store() as store:
            store.touch_session(digest, now)
    return SignedIn(user, session.csrf, token)


def csrf_ok(signed_in: SignedIn, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(signed_in.csrf.encode(), str(sent).encode())


def sign_out(station: Station, token: str) -> None:
    with station.store() as store:
        store.end_session(_digest(token))


def set_language(station: Station, user: str, lang: str) -> User:
    if lang not in LANGUAGES:
        raise InputError("desk.bad_language", code=lang[:10], known=", ".join(LANGUAGES))
    with station.store() as store:
        return store.update_user(user, lang=lang)
