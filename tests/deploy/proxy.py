"""A round-robin reverse proxy for the topology test, doing what deploy/Caddyfile asks of Caddy.

Each request goes to the next replica in turn. A replica that refuses the connection, or drops it before
answering (killed mid-request), is skipped and the buffered request goes to the next one: Slack's own ids
make a repeat harmless (a modal's view id, an event's event_id through the inbox).
"""

import http.client
import itertools
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NOT_FORWARDED = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the default backlog of 5 drops concurrent connects (a 1 s SYN retry)


class RoundRobinProxy:
    def __init__(self, upstreams: list[int]) -> None:
        self.upstreams = upstreams
        self.answered: Counter[int] = Counter()  # upstream port -> requests it answered
        self.skipped: Counter[int] = Counter()  # upstream port -> requests it refused or dropped
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "RoundRobinProxy":
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="proxy",
                         daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def forward(self, method: str, path: str, headers: dict[str, str],
                body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        with self._lock:
            first = next(self._turn)
        for step in range(len(self.upstreams)):
            port = self.upstreams[(first + step) % len(self.upstreams)]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                answer = (response.status, response.getheaders(), response.read())
            except (OSError, http.client.HTTPException):  # refused, reset or cut off: try the next replica
                with self._lock:
                    self.skipped[port] += 1
                continue
            finally:
                connection.close()
            with self._lock:
                self.answered[port] += 1
            return answer
        return 502, [("Content-Type", "text/plain")], b"no replica answered\n"


def _handler_for(proxy: RoundRobinProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in NOT_FORWARDED}
            status, answer_headers, answer = proxy.forward(self.command, self.path, headers, body)
            self.send_response(status)
            for name, value in answer_headers:
                if name.lower() not in NOT_FORWARDED:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _relay

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
