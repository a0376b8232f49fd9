"""`adep portal`: serve the submission portal, or issue and revoke the bodies' access codes."""
from __future__ import annotations

from rich.markup import escape

from adep.cli.console import console, require_home
from adep.errors import UserError
from adep.settings import Settings


def run_portal(settings: Settings, args) -> int:
    require_home(settings)
    if not settings.published_path.is_file():
        raise UserError(f"there is no published warehouse in {settings.home}: load the registry first "
                        "(adep registry load FILE)")
    if args.portal_command == "access":
        return _access(settings, args)
    from adep.portal.server import serve

    if not 0 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a port (0 to 65535)")
    settings.ensure_dirs()

    def ready(address: str) -> None:
        console.print(f"Submission portal for {escape(str(settings.home))}: {address} (Ctrl-C to stop)", soft_wrap=True)

    try:
        serve(settings, args.host, args.port, on_ready=ready)
    except SystemExit as exc:  # uvicorn exits when it cannot listen (port taken, address unknown)
        raise UserError(f"cannot serve on {args.host}:{args.port} (is the port taken?)") from exc
    return 0


def _access(settings: Settings, args) -> int:
    from adep.portal import access

    if args.access_command == "issue":
        if bool(args.bins) == bool(args.all_bodies):
            raise UserError("say which bodies: adep portal access issue BIN ... --out FILE.csv, or --all --out FILE.csv")
        issued = access.issue(settings, None if args.all_bodies else args.bins, args.out)
        console.print(f"{len(issued)} access code(s) made (any earlier code of these bodies no longer works): "
                      f"{escape(str(args.out))}. Hand each body its own line; the codes are not kept anywhere else.",
                      soft_wrap=True)
        return 0
    done, none = access.revoke(settings, args.bins)
    if done:
        console.print(f"Revoked, effective now: {', '.join(done)}")
    if none:
        console.print(f"[yellow]Had no code:[/] {', '.join(none)}")
    return 0


def start_beside_flows(settings: Settings, where: str):
    """`adep serve --portal HOST:PORT`: the portal in a thread of the serving process (returns its server)."""
    import time

    from adep.portal.server import serve_in_thread

    host, _, port = where.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise UserError(f"--portal {where!r} is not HOST:PORT, e.g. 127.0.0.1:8000")
    if not settings.published_path.is_file():
        raise UserError(f"there is no published warehouse in {settings.home}: load the registry first "
                        "(adep registry load FILE)")
    server, thread = serve_in_thread(settings, host, int(port))
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    if not server.started:
        raise UserError(f"cannot serve the portal on {host}:{port} (is the port taken?)")
    console.print(f"Submission portal: http://{host}:{port}")
    return server
