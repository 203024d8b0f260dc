"""The simulator's HTTP server: Genesys-, Connect- and Statuspage-shaped APIs on localhost.

A stdlib `ThreadingHTTPServer` on 127.0.0.1 (an ephemeral port by default). Routes:

| route | shape of |
|---|---|
| `POST /oauth/token` | Genesys login (`login.{env}`), Basic client credentials |
| `POST /api/v2/analytics/conversations/aggregates/query` | Genesys aggregates |
| `GET /api/v2/routing/queues/{id}` | Genesys queue with `mediaSettings` |
| `POST /metrics/data` | Amazon Connect GetMetricDataV2 (rest-json, boto3-compatible) |
| `GET /api/v2/incidents.json`, `/scheduled-maintenances.json`, `/components.json` | Statuspage |
| `POST /authentication/v1/token/access-key`, `/public/user/refresh` | NICE CXone UserHub |
| `GET /inContactAPI/services/v{n}/skills/summary`, `.../contacts/completed` | NICE CXone |
| `POST /wsadmin/{version}/AdminWebService` (SOAP) | Five9 reports |
| `POST /data/reports/{type}/jobs`, `GET .../jobs/{id}`, `GET .../files/{id}` | Talkdesk Explore |
| `GET /v1/Workspaces/{WS}/TaskQueues/{WQ}/CumulativeStatistics` | Twilio TaskRouter |
| `GET /_truth?answered=20&abandoned=5` | the ground truth served (intervals, outages) |
| `GET /_stats` | requests per path and faults injected |

Every vendor route goes through the `FaultInjector` first. Use in-process as a context
manager (`with Simulator(...) as sim: sim.url`) or as `python -m monitor.simulator`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from monitor.simulator.connect_api import ConnectApi, aws_error
from monitor.simulator.faults import FaultInjector
from monitor.simulator.five9_api import Five9Api, RawBody
from monitor.simulator.genesys_api import GenesysApi, error_body
from monitor.simulator.nice_api import NiceApi
from monitor.simulator.scenario import Scenario
from monitor.simulator.statuspage_api import StatuspageApi
from monitor.simulator.talkdesk_api import TalkdeskApi
from monitor.simulator.twilio_api import TwilioApi

Reply = tuple[int, Any, dict[str, str]]


class Simulator:
    def __init__(self, scenario: Scenario | None = None, faults: FaultInjector | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.scenario = scenario or Scenario()
        self.faults = faults or FaultInjector()
        self.genesys = GenesysApi(self.scenario)
        self.connect = ConnectApi(self.scenario)
        self.statuspage = StatuspageApi(self.scenario)
        self.nice = NiceApi(self.scenario, self.genesys)
        self.five9 = Five9Api(self.scenario)
        self.talkdesk = TalkdeskApi(self.scenario)
        self.twilio = TwilioApi(self.scenario)
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the simulator is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Simulator:
        handler = type("Handler", (_Handler,), {"sim": self})
        self._server = ThreadingHTTPServer((self._host, self._port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="slamon-simulator")
        self._thread.start()
        self.nice.base_url = self.url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": dict(self.requests), "faults": dict(self.faults.injected),
                    "sim_now": self.scenario.clock.now().isoformat()}

    def truth(self, answered: tuple[int, ...] = (20,),
              abandoned: tuple[int, ...] = (5,)) -> dict[str, Any]:
        frame = self.scenario.truth(answered, abandoned)
        records = frame.assign(interval_start=frame["interval_start"].map(
            lambda t: t.isoformat())).to_dict(orient="records")
        now = self.scenario.clock.now()

        def outage(o: Any) -> dict[str, Any]:
            return {"service": o.service, "start": o.start.isoformat(),
                    "end": o.end.isoformat() if o.end else None, "impact": o.impact,
                    "excluded": o.excluded}
        return {"intervals": records,
                "outages": [outage(o) for o in self.scenario.outages() if o.start <= now],
                "maintenances": [outage(o) for o in self.scenario.maintenances()]}

    # -- dispatch --------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, list[str]],
               headers: dict[str, str], raw: bytes) -> tuple[Reply, str | None]:
        """The reply for one request, and the fault applied to it (if any)."""
        with self._lock:
            self.requests[f"{method} {_route(path)}"] += 1
        if path == "/_truth":
            answered = tuple(int(v) for v in query.get("answered", ["20"])[0].split(",") if v)
            abandoned = tuple(int(v) for v in query.get("abandoned", ["5"])[0].split(",") if v)
            return (200, self.truth(answered, abandoned), {}), None
        if path == "/_stats":
            return (200, self.stats(), {}), None
        bearer = path.startswith(BEARER_PATHS)
        fault = self.faults.pick(bearer)
        is_connect = path == "/metrics/data"
        if fault == "429":
            retry = {"Retry-After": self.faults.retry_after}
            if is_connect:
                status, body, hdrs = aws_error(429, "ThrottlingException", "Rate exceeded")
                return (status, body, {**hdrs, **retry}), fault
            return (429, error_body(429, "too.many.requests",
                                    f"Rate limit exceeded the maximum. Retry the request in "
                                    f"[{self.faults.retry_after}] seconds"), retry), fault
        if fault in ("500", "503"):
            if is_connect:
                return aws_error(int(fault), "InternalServiceException", "Internal error"), fault
            return (int(fault), error_body(int(fault), "internal.server.error",
                                           "The server encountered an unexpected error."),
                    {}), fault
        if fault == "token_expiry":
            self.genesys.revoke(headers)
        if fault == "timeout":
            time.sleep(self.faults.timeout_delay)
        return self._route(method, path, query, headers, raw), fault

    def _route(self, method: str, path: str, query: dict[str, list[str]],
               headers: dict[str, str], raw: bytes) -> Reply:
        if path.startswith(("/inContactAPI/", "/data/reports/")):
            token, denied = self.genesys.check(headers)
            if denied is not None or token is None:
                return denied or (401, {}, {})
            return self._bearer_route(method, path, query, raw)
        if method == "GET" and path.startswith("/v1/Workspaces/") and path.endswith(
                "/CumulativeStatistics"):
            return self.twilio.cumulative(path, query, headers)
        if method == "POST" and path == "/authentication/v1/token/access-key":
            return self.nice.access_key(_json(raw))
        if method == "POST" and path == "/public/user/refresh":
            return self.nice.refresh(_json(raw))
        if method == "POST" and path.startswith("/wsadmin/") and path.endswith(
                "/AdminWebService"):
            return self.five9.handle(headers, raw)
        if method == "POST" and path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            return self.genesys.token(headers, form)
        if method == "POST" and path == "/metrics/data":
            return self.connect.metric_data(_json(raw))
        if path.startswith("/api/v2/analytics") or path.startswith("/api/v2/routing"):
            token, denied = self.genesys.check(headers)
            if denied is not None or token is None:
                return denied or (401, {}, {})
            limits = self.genesys.rate_headers(token)
            if method == "POST" and path == "/api/v2/analytics/conversations/aggregates/query":
                status, body, hdrs = self.genesys.aggregates(_json(raw))
            elif method == "GET" and path.startswith("/api/v2/routing/queues/"):
                status, body, hdrs = self.genesys.queue(path.rsplit("/", 1)[-1])
            else:
                status, body, hdrs = 404, error_body(404, "not.found", "Not found"), {}
            return status, body, {**hdrs, **limits}
        if method == "GET" and path == "/api/v2/incidents.json":
            return 200, self.statuspage.incidents(), {}
        if method == "GET" and path == "/api/v2/scheduled-maintenances.json":
            return 200, self.statuspage.maintenances(), {}
        if method == "GET" and path == "/api/v2/components.json":
            return 200, self.statuspage.components(), {}
        return 404, {"message": f"no route {method} {path}"}, {}


    def _bearer_route(self, method: str, path: str, query: dict[str, list[str]],
                      raw: bytes) -> Reply:
        parts = path.strip("/").split("/")
        if method == "GET" and path.endswith("/skills/summary"):
            return self.nice.skills_summary(query)
        if method == "GET" and path.endswith("/contacts/completed"):
            return self.nice.completed(path, query)
        if parts[:2] == ["data", "reports"] and len(parts) >= 4:
            report = parts[2]
            if method == "POST" and len(parts) == 4 and parts[3] == "jobs":
                return self.talkdesk.create(report, _json(raw))
            if method == "GET" and len(parts) == 5 and parts[3] == "jobs":
                return self.talkdesk.status(report, parts[4])
            if method == "GET" and len(parts) == 5 and parts[3] == "files":
                return self.talkdesk.file(report, parts[4])
        return 404, {"message": f"no route {method} {path}"}, {}


BEARER_PATHS = ("/api/v2/analytics", "/api/v2/routing", "/inContactAPI/", "/data/reports/")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


def _route(path: str) -> str:
    if path.startswith("/api/v2/routing/queues/"):
        return "/api/v2/routing/queues/{id}"
    if path.startswith("/v1/Workspaces/"):
        return "/v1/Workspaces/{WS}/TaskQueues/{WQ}/CumulativeStatistics"
    if path.startswith("/data/reports/") and path.count("/") >= 5:
        return path.rsplit("/", 1)[0] + "/{id}"
    return path


class _Handler(BaseHTTPRequestHandler):
    sim: Simulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave in separate writes: no 40 ms stall

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        (status, body, extra), fault = self.sim.handle(
            method, parts.path, parse_qs(parts.query, keep_blank_values=True), headers, raw)
        content_type = "application/json"
        if isinstance(body, RawBody):
            payload, content_type = body.text.encode(), body.content_type
        elif body is None and status in (204, 303):
            payload = b""
        else:
            payload = json.dumps(body).encode()
        if fault == "truncated" and status == 200:
            payload = payload[: max(1, len(payload) // 2)]
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a `timeout` fault): nothing to tell it
