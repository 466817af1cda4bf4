"""The ASGI application of `bulletin serve`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from bulletin.services.station import Station
from bulletin.web.desk import Desk
from bulletin.web.media import MediaApp
from bulletin.web.pages import BodyLimit, SecurityHeaders


class App:
    """`/media/…` goes straight to the media endpoint (the hot path, plain ASGI); everything
    else to the Starlette app of the review desk, behind its security headers."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.media = MediaApp(station)

        async def health(request: Request) -> PlainTextResponse:
            return PlainTextResponse("ok\n")

        desk = Desk(station)
        self.pages = BodyLimit(
            SecurityHeaders(
                Starlette(
                    routes=[Route("/healthz", health, methods=["GET", "HEAD"]), *desk.routes()]
                )
            )
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/media/"):
            await self.media(scope, receive, send)
            return
        await self.pages(scope, receive, send)


def create_app(station: Station) -> App:
    return App(station)


def serve(station: Station, host: str, port: int) -> None:
    """Run until SIGINT or SIGTERM (uvicorn stops gracefully on both)."""
    import uvicorn

    config = uvicorn.Config(
        create_app(station),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run()
