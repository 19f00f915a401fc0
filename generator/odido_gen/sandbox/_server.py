"""Run an ASGI app with uvicorn in a background thread on 127.0.0.1 and an ephemeral port."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

__all__ = ["serve"]

_STARTUP_TIMEOUT = 10.0


@contextlib.contextmanager
def serve(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    graceful_timeout: int = 1,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
) -> Iterator[str]:
    """Serve `app` while the block runs; yields its base URL (`http://127.0.0.1:<port>`, or
    `https://` with a certificate and key).

    The socket is bound before uvicorn starts, so port 0 gives a free port with no race.
    On exit the server stops accepting, gives in-flight requests `graceful_timeout` seconds,
    and the thread is joined.
    """
    # proto=IPPROTO_TCP, not the default 0: accepted sockets inherit it, and asyncio only
    # sets TCP_NODELAY on sockets that say they are TCP. Without it every response whose head
    # and body are written separately waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="auto",
        timeout_graceful_shutdown=graceful_timeout,
        # Plain asyncio + h11: the same stack on every machine, no optional C extensions.
        loop="asyncio",
        http="h11",
        ws="none",
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # SystemExit on a failed lifespan startup, too
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while not server.started:
        if failure or not thread.is_alive():
            sock.close()
            raise RuntimeError(f"the server on port {bound_port} did not start") from (
                failure[0] if failure else None
            )
        if time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            sock.close()
            raise RuntimeError(f"the server on port {bound_port} did not start in time")
        time.sleep(0.005)
    try:
        scheme = "https" if ssl_certfile else "http"
        yield f"{scheme}://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(graceful_timeout + 5)
        sock.close()
