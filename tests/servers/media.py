"""`bulletin serve`'s app on 127.0.0.1 in a thread of the test process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bulletin.services.station import Station
from tests.servers import free_port

__all__ = ["free_port", "serving"]


@contextmanager
def serving(station: Station, port: int) -> Iterator[str]:
    import uvicorn

    from bulletin.web.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(station), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(250):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
