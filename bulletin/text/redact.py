"""Secrets out of every error detail that is kept or shown: bearer tokens, API keys,
passwords in URLs, and the values of the environment variables the settings name."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

MASK = "***"
# A secret shorter than this is more likely a common word than a key; masking it would
# garble every message that happens to contain it.
MIN_SECRET_CHARS = 6

# "Authorization: Bearer x", "authorization=Basic x", '"Authorization": "x"' (an echo in JSON).
_AUTH_HEADER = re.compile(
    r"""(?P<name>(?:proxy-)?authorization|x-api-key|api-key|cookie|set-cookie)"""
    r"""(?P<sep>["']?\s*[:=]\s*["']?)"""
    r"""(?P<value>(?:(?:bearer|basic|token|digest)\s+)?[^\s"',;}&]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(?P<scheme>bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})", re.I)
# key=value pairs in query strings, JSON and logs: api_key, access_token, password, secret...
_NAMED_SECRET = re.compile(
    r"""(?P<name>\b[\w-]*(?:api[_-]?key|apikey|token|secret|passw(?:or)?d|pwd)[\w-]*)"""
    r"""(?P<sep>["']?\s*[:=]\s*["']?)(?P<value>[^\s"',;}&]+)""",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)(?P<user>[^/\s:@]*):[^/\s@]*@", re.I)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret value and every credential-shaped field masked."""
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True):
        # Longest first, so a key that contains another is masked whole.
        text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(rf"\g<scheme>\g<user>:{MASK}@", text)
    text = _AUTH_HEADER.sub(rf"\g<name>\g<sep>{MASK}", text)
    text = _BEARER.sub(rf"\g<scheme> {MASK}", text)
    return _NAMED_SECRET.sub(_mask_named, text)


def _mask_named(match: re.Match[str]) -> str:
    if match.group("value") == MASK:
        return match.group(0)
    return f"{match.group('name')}{match.group('sep')}{MASK}"


def env_secrets(settings: object, environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The values of the environment variables that `settings` name in its `*_env` fields.

    `settings` is a settings model (pydantic), a mapping or a list of them, walked whole, so
    a plugin's own section (`credentials_env`, `token_env`) counts as much as a built-in one."""
    environ = os.environ if environ is None else environ
    found: set[str] = set()
    pending: list[object] = [settings]
    while pending:
        item = pending.pop()
        dump = getattr(item, "model_dump", None)
        if callable(dump):
            pending.append(dump())
        elif isinstance(item, Mapping):
            for key, value in item.items():
                if isinstance(key, str) and key.endswith("_env") and isinstance(value, str):
                    secret = environ.get(value, "").strip()
                    if secret:
                        found.add(secret)
                else:
                    pending.append(value)
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return frozenset(found)
