"""Rules for users: how names compare, which characters a name may hold, password hashing."""

from __future__ import annotations

import re
import unicodedata

from bulletin.domain import ROLES, Role
from bulletin.errors import InputError

# Letters of any script (Vietnamese included), digits, and . _ - @ inside a name.
_NAME = re.compile(r"^[^\W_](?:[\w.@-]{0,62}[^\W_])?$")
# Control, format (zero-width and bidi marks), surrogate, private-use and unassigned code points.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def has_hidden_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in text)


def normalize_name(raw: str) -> str:
    """The one form a user name is stored and compared in: NFKC, then case-folded.

    Names holding control or invisible characters are refused rather than cleaned, so two
    names that look the same on a screen can never be two different approvers.
    """
    if has_hidden_characters(raw):
        raise InputError("users.bad_name", name=_visible(raw))
    name = unicodedata.normalize("NFKC", raw.strip()).casefold()
    name = unicodedata.normalize("NFC", name)
    if not _NAME.match(name):
        raise InputError("users.bad_name", name=_visible(raw))
    return name


def clean_display_name(raw: str | None, fallback: str) -> str:
    text = unicodedata.normalize("NFC", (raw or "").strip()) or fallback
    if has_hidden_characters(text) or len(text) > 120:
        raise InputError("users.bad_display_name", name=_visible(text))
    return text


def check_roles(roles: tuple[str, ...] | list[str]) -> tuple[Role, ...]:
    chosen: list[Role] = []
    for role in roles:
        if role not in ROLES:
            raise InputError("users.bad_role", role=_visible(role), known=", ".join(ROLES))
        if role not in chosen:
            chosen.append(role)
    if not chosen:
        raise InputError("users.no_role", known=", ".join(ROLES))
    return tuple(chosen)


MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    """An argon2id hash with the library's current parameters."""
    from argon2 import PasswordHasher

    if len(password) < MIN_PASSWORD:
        raise InputError("users.short_password", minimum=MIN_PASSWORD)
    return PasswordHasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored_hash:
        return False
    try:
        return PasswordHasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _visible(text: str) -> str:
    """Text safe to echo on a terminal: hidden characters shown as their code points."""
    return "".join(
        f"<U+{ord(ch):04X}>" if unicodedata.category(ch) in _HIDDEN_CATEGORIES else ch
        for ch in text
    )[:80]
