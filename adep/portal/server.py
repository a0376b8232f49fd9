"""Serving the portal with uvicorn: in the foreground (`adep portal`) or in a thread beside the flows (`adep serve --portal`)."""
from __future__ import annotations

import threading

from adep.settings import Settings


def config(settings: Settings, host: str, port: int):
    import uvicorn

    from adep.portal.app import create_app

    return uvicorn.Config(create_app(settings, warm=True), host=host, port=port, log_level="warning", access_log=False,
                          proxy_headers=True, forwarded_allow_ips=settings.portal_trusted_proxies,
                          server_header=False, timeout_graceful_shutdown=5)


def serve(settings: Settings, host: str, port: int, on_ready=None) -> None:
    """Serve until stopped (Ctrl-C); on_ready(address) once the socket listens."""
    import uvicorn

    server = uvicorn.Server(config(settings, host, port))
    if on_ready is not None:
        _announce_when_started(server, on_ready)
    server.run()


def _announce_when_started(server, on_ready) -> None:
    def wait() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            sockets = [s for srv in getattr(server, "servers", []) for s in srv.sockets]
            host, port = sockets[0].getsockname()[:2] if sockets else (server.config.host, server.config.port)
            on_ready(f"http://{host}:{port}")

    threading.Thread(target=wait, daemon=True, name="adep-portal-ready").start()


def serve_in_thread(settings: Settings, host: str, port: int) -> tuple:
    """The portal in a daemon thread of this process (beside `adep serve`'s flows): the server (it stops when its
    `should_exit` is set or the process ends) and its thread (gone when it could not listen)."""
    import uvicorn

    server = uvicorn.Server(config(settings, host, port))
    thread = threading.Thread(target=server.run, daemon=True, name="adep-portal")
    thread.start()
    return server, thread
