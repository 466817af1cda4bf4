"""Rendering the review desk's pages: Jinja2 templates with autoescaping, the reader's
language and time zone, and the headers every page goes out with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bulletin.messages import CATALOG, t

# No inline script or style anywhere: a source's text that slipped through escaping still
# could not run. Media and pictures come from this server only.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413 before the app sees them: the desk's
    forms are a few kilobytes, and the sign-in form is open to anyone. A body within the limit
    is read whole here and handed on as one message."""

    def __init__(self, app: ASGIApp, limit: int = 256 * 1024) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.limit:  # a chunked body that never said its length
                await _too_large(send)
                return
            if not message.get("more_body", False):
                break
        handed = False

        async def replay() -> Message:
            nonlocal handed
            if not handed:
                handed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": b"413\n"})


class Pages:
    """The desk's templates, rendered in one person's language and the station's zone."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("bulletin.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(
        self, name: str, lang: str, *, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        template = self.env.get_template(name)
        html = template.render(
            lang=lang,
            t=self.translator(lang),
            when=self.when,
            day=self.day,
            duration=duration,
            engine_name=self.engine_namer(lang),
            **context,
        )
        return HTMLResponse(html, status_code=status_code)

    @staticmethod
    def translator(lang: str) -> Callable[..., str]:
        def translate(key: str, **params: Any) -> str:
            return t(key, lang=lang, **params)

        return translate

    @staticmethod
    def engine_namer(lang: str) -> Callable[[str], str]:
        """A summarizer's name as a reader says it ("trích câu"); its key when unknown."""

        def name(key: str) -> str:
            return t(f"desk.engine.{key}", lang=lang) if f"desk.engine.{key}" in CATALOG else key

        return name

    def local(self, stamp: str | None) -> datetime | None:
        if not stamp:
            return None
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(self.zone)

    def when(self, stamp: str | None) -> str:
        """An ISO time as the station's people read it: 17:30 01/12/2026."""
        moment = self.local(stamp)
        return "" if moment is None else f"{moment:%H:%M %d/%m/%Y}"

    def day(self, stamp: str | None) -> str:
        """The station-local date of an ISO time (to mark today's bulletins)."""
        moment = self.local(stamp)
        return "" if moment is None else moment.date().isoformat()

    def today(self) -> str:
        return datetime.now(self.zone).date().isoformat()


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)  # as a player shows it: 260.8 s is 4:20
    return f"{whole // 60}:{whole % 60:02d}"
