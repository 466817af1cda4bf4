"""Typed errors; each carries the exit code of the CLI contract and a message key."""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3


class BulletinError(Exception):
    """Base error: `key` names a message in the catalog, `params` fill it in."""

    exit_code = EXIT_FAILED

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def __str__(self) -> str:
        return self.message()

    def message(self, lang: str | None = None) -> str:
        """The error in `lang` (a web request's), by default the user's language."""
        from bulletin.messages import t

        return t(self.key, lang=lang, **self.params)


class InputError(BulletinError):
    """Bad usage or bad input: a file, line or field a person must fix."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(InputError):
    """A workspace file is missing or invalid."""


class NotFoundError(InputError):
    """A named or numbered thing does not exist."""


class PolicyError(BulletinError):
    """Refused on purpose, e.g. pushing a bulletin nobody approved."""

    exit_code = EXIT_REFUSED


class SourceError(BulletinError):
    """A source could not be fetched or parsed."""


class DeliveryError(BulletinError):
    """A transport failed; `retryable` says whether trying again can help."""

    def __init__(self, key: str, *, retryable: bool, **params: Any) -> None:
        super().__init__(key, **params)
        self.retryable = retryable
