"""A stand-in gateway on 127.0.0.1 (stdlib http.server in a thread of the test process):
each request is answered by the next handler of a script (the last one repeats), and every
request is recorded, so that a test sees exactly how many attempts the client made."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

Handler = Callable[["_RequestHandler", "Recorded"], None]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    client_port: int


@dataclass
class FakeGateway:
    url: str
    requests: list[Recorded]
    _server: ThreadingHTTPServer
    _thread: threading.Thread
    _stop: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "FakeGateway":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the gateway does
    disable_nagle_algorithm = True  # headers and body are separate writes
    server: "_Server"

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        entry = Recorded(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=json.loads(raw) if raw else None,
            client_port=self.client_address[1],
        )
        with self.server.lock:
            self.server.requests.append(entry)
            index = min(len(self.server.requests), len(self.server.script)) - 1
        self.server.script[index](self, entry)

    do_GET = _handle
    do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[Recorded]
    script: list[Handler]
    lock: threading.Lock
    stop: threading.Event


def fake_gateway(script: list[Handler]) -> FakeGateway:
    server = _Server(("127.0.0.1", 0), _RequestHandler)
    server.requests = []
    server.script = script
    server.lock = threading.Lock()
    gateway_stop = threading.Event()
    server.stop = gateway_stop
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    port = server.server_address[1]
    return FakeGateway(f"http://127.0.0.1:{port}", server.requests, server, thread, gateway_stop)


def json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Handler:
    def answer(h: _RequestHandler, _: Recorded) -> None:
        payload = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(payload)

    return answer


def held_approval(approval: dict[str, Any]) -> Handler:
    """``GET /v1/approvals/{id}?wait=N`` answered as the gateway answers it: held N seconds
    while the approval is still pending, at once otherwise."""

    def answer(h: _RequestHandler, entry: Recorded) -> None:
        query = parse_qs(urlsplit(entry.path).query)
        wait = int(query.get("wait", ["0"])[0])
        if approval.get("status") == "pending":
            h.server.stop.wait(wait)
        json_answer(200, approval)(h, entry)

    return answer


def raw_answer(status: int, payload: bytes, content_type: str = "text/plain") -> Handler:
    def answer(h: _RequestHandler, _: Recorded) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    return answer


def hang_up() -> Handler:
    """Drops the connection without an answer: a network error for the client."""

    def answer(h: _RequestHandler, _: Recorded) -> None:
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    return answer


def silence() -> Handler:
    """Never answers (until the fake gateway closes)."""

    def answer(h: _RequestHandler, _: Recorded) -> None:
        h.server.stop.wait(30)
        h.close_connection = True

    return answer


def free_port_with_nothing() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
