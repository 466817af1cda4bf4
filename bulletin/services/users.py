"""Users of a station: add, list, change a password, disable, and sign in."""

from __future__ import annotations

from collections.abc import Sequence

from bulletin.domain import User
from bulletin.errors import PolicyError
from bulletin.services.station import Station
from bulletin.users import (
    check_roles,
    clean_display_name,
    hash_password,
    normalize_name,
    verify_password,
)


def add_user(
    station: Station,
    name: str,
    roles: Sequence[str],
    *,
    display_name: str | None = None,
    password: str | None = None,
) -> User:
    """A new active user; without a password the user can act from the CLI but not sign in."""
    key = normalize_name(name)
    chosen = check_roles(list(roles))
    shown = clean_display_name(display_name, name.strip())
    hashed = hash_password(password) if password is not None else None
    with station.store() as store:
        return store.add_user(key, display_name=shown, roles=chosen, password_hash=hashed)


def list_users(station: Station) -> list[User]:
    with station.store(readonly=True) as store:
        return store.users()


def set_password(station: Station, name: str, password: str) -> User:
    hashed = hash_password(password)
    with station.store() as store:
        return store.update_user(normalize_name(name), password_hash=hashed)


def disable_user(station: Station, name: str) -> User:
    with station.store() as store:
        return store.update_user(normalize_name(name), active=False)


def ensure_user(station: Station, name: str, roles: Sequence[str]) -> User:
    """The user `name`, created with `roles` when missing (the demo's own user)."""
    key = normalize_name(name)
    with station.store() as store:
        found = store.find_user(key)
    return found if found is not None else add_user(station, name, roles)


def authenticate(station: Station, name: str, password: str) -> User:
    """The active user whose password this is; one refusal for every way it can fail."""
    key = normalize_name(name)
    with station.store(readonly=True) as store:
        user = store.find_user(key)
        stored = store.password_hash(key)
    if user is None or not user.active or not verify_password(stored, password):
        raise PolicyError("users.sign_in_failed")
    return user


def can_sign_in(station: Station) -> list[User]:
    """Active users with a password: the people who can use the review desk."""
    with station.store(readonly=True) as store:
        return [u for u in store.users() if u.active and store.password_hash(u.name)]
