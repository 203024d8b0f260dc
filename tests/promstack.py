"""Real Prometheus and Alertmanager processes for tests, plus a webhook receiver.

Each helper starts the Debian binary on 127.0.0.1 with an ephemeral port and a temporary
directory, waits until it answers, and stops it (by its own pid) on `close()`. Use them as
context managers. Reused by the end-to-end test of `slamon run`.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, step: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read().decode())


class _Process:
    def __init__(self, args: list[str], log: Path, ready_url: str) -> None:
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(args, stdout=self._out, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: self._ready(ready_url), 20, f"{args[0]} to start")
        except AssertionError:
            self.close()
            raise AssertionError(f"{args[0]} did not start:\n{log.read_text()[-3000:]}") from None

    def _ready(self, url: str) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"exited: {self.log.read_text()[-3000:]}")
        with urllib.request.urlopen(url, timeout=1) as r:
            return bool(r.status == 200)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()

    def __enter__(self) -> _Process:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class Prometheus(_Process):
    """`prometheus` scraping `targets` every second, evaluating `rule_files` every second."""

    def __init__(self, binary: str, workdir: Path, targets: Sequence[str],
                 rule_files: Sequence[Path] = (), alertmanager: str | None = None,
                 scrape_configs: Sequence[dict[str, Any]] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config: dict[str, Any] = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(p) for p in rule_files],
            "scrape_configs": [
                {"job_name": "slamon", "static_configs": [{"targets": list(targets)}]},
                *scrape_configs,
            ],
        }
        if alertmanager:
            config["alerting"] = {"alertmanagers": [{"static_configs": [
                {"targets": [alertmanager.removeprefix("http://")]}]}]}
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
        super().__init__([
            binary, f"--config.file={workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--query.lookback-delta=30s", "--rules.alert.resend-delay=1s", "--log.level=warn",
        ], workdir / "prometheus.log", f"{self.url}/-/ready")

    def query(self, expr: str) -> list[dict[str, Any]]:
        body = _get(f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def alerts(self) -> list[dict[str, Any]]:
        return list(_get(f"{self.url}/api/v1/alerts")["data"]["alerts"])


class Alertmanager(_Process):
    def __init__(self, binary: str, workdir: Path, config: dict[str, Any]) -> None:
        self.port = free_port()
        cluster = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "alertmanager.yml").write_text(yaml.safe_dump(config))
        super().__init__([
            binary, f"--config.file={workdir / 'alertmanager.yml'}",
            f"--storage.path={workdir / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}",
            f"--cluster.listen-address=127.0.0.1:{cluster}", "--log.level=warn",
        ], workdir / "alertmanager.log", f"{self.url}/-/ready")


class WebhookReceiver:
    """Collects JSON bodies POSTed to it (Alertmanager's webhook payload, or any JSON)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with receiver._lock:
                    receiver.received.append((self.path, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self, path: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [b for p, b in self.received if path is None or p == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def webhook_only(config: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The same routing tree with every receiver replaced by a webhook to `base_url/<name>`,
    so a test can see which receiver each notification reached."""
    out = json.loads(json.dumps(config))
    out["global"] = {"resolve_timeout": "5m"}
    out["route"] |= {"group_wait": "1s", "group_interval": "1s"}
    for route in out["route"].get("routes", []):
        route.pop("group_wait", None)
        route.pop("group_interval", None)
    out["receivers"] = [
        {"name": r["name"], "webhook_configs": [
            {"url": f"{base_url}/{r['name']}", "send_resolved": True}]}
        for r in config["receivers"]
    ]
    return out
