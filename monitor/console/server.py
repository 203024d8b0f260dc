"""Serving the console with uvicorn: in the foreground (`slamon console`) or in a thread
(`slamon demo --serve`, the browser tests).

uvicorn's own proxy-header handling is switched off: it would rewrite the client address
from `X-Forwarded-For` for any peer on 127.0.0.1, and the console decides for itself whom
to believe (`settings.trusted_proxy`).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette


def _config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, proxy_headers=False, server_header=False,
                          log_level="warning", access_log=False, lifespan="off")


def serve_forever(app: Starlette, host: str, port: int) -> None:
    uvicorn.Server(_config(app, host, port)).run()


@dataclass
class RunningConsole:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start(app: Starlette, host: str = "127.0.0.1", port: int = 0) -> RunningConsole:
    """Bind (port 0 = any free port), serve in a daemon thread, return once it answers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, host, bound))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="slamon-console", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.02)
    shown = f"[{host}]" if ":" in host else host
    return RunningConsole(f"http://{shown}:{bound}", server, thread)
