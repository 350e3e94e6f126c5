"""The Slack stand-in in a process of its own, for benchmarks that put many requests through a real server.

In the load generator's process the stand-in's threads would compete with the senders for the GIL and skew the
latencies measured there. Besides the Web API and response_url (bot/standin), it answers `apps.connections.open`
with a local WebSocket endpoint that completes the handshake, says hello and answers pings, so `flexcare run`
connects over Socket Mode and sits idle as it would against Slack.

Protocol: prints one JSON line {"api": SLACK_API_URL, "respond": response_url prefix}; then, for each line read
on stdin, one JSON line {"replies": {name: unix time of the response_url post}, "sockets": connections,
"sample": the last reply's body}; exits at end of input. Run: `python bench/slack_process.py`.
"""

import base64
import hashlib
import json
import socketserver
import struct
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

from bot.standin.faults import Answer
from bot.standin.webapi import SlackStandin

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class BenchStandin(SlackStandin):
    """The stand-in, plus when each response_url post arrived and the Socket Mode endpoint."""

    def __init__(self) -> None:
        super().__init__()
        self.socket_url = ""
        self.sockets = 0
        self.replies: dict[str, float] = {}
        self.sample: dict[str, Any] = {}

    def answer(self, kind: str, target: str, args: dict[str, Any], raw: bytes, token: str | None) -> Answer:
        if kind == "api" and target == "apps.connections.open":  # the app-level token is an xapp-, not xox
            return Answer(200, {"ok": True, "url": self.socket_url}, {})
        answer = super().answer(kind, target, args, raw, token)
        if kind == "respond":
            with self._lock:
                self.replies[target] = time.time()
                self.sample = args
        return answer

    def report(self) -> dict[str, Any]:
        """What happened since the last report; the recorded calls are dropped so a long run stays small."""
        with self._lock:
            replies, self.replies = self.replies, {}
            report = {"replies": replies, "sockets": self.sockets, "sample": self.sample}
        self.reset()
        return report


def socket_mode_server(standin: BenchStandin) -> socketserver.ThreadingTCPServer:
    class Connection(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            headers = {}
            while (line := self.rfile.readline().decode("latin-1").strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + WEBSOCKET_GUID).encode())
                                      .digest()).decode()
            self.wfile.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
            with standin._lock:
                standin.sockets += 1
            self.send(TEXT, json.dumps({"type": "hello", "num_connections": 1,
                                        "connection_info": {"app_id": "A0FLEXCARE"}}).encode())
            while (frame := self.receive()) is not None:
                opcode, payload = frame
                if opcode == PING:
                    self.send(PONG, payload)
                elif opcode == CLOSE:
                    self.send(CLOSE, payload)
                    return

        def receive(self) -> tuple[int, bytes] | None:
            head = self.rfile.read(2)
            if len(head) < 2:
                return None
            length = head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", self.rfile.read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"  # a client always masks
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
            return head[0] & 0x0F, payload

        def send(self, opcode: int, payload: bytes) -> None:
            size = len(payload)
            length = bytes([size]) if size < 126 else bytes([126]) + struct.pack("!H", size)
            self.wfile.write(bytes([0x80 | opcode]) + length + payload)  # a server never masks; payloads are small

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Connection)
    server.daemon_threads = True
    standin.socket_url = f"ws://127.0.0.1:{server.server_address[1]}/link"
    threading.Thread(target=server.serve_forever, name="socket-mode", daemon=True).start()
    return server


def main() -> int:
    standin = BenchStandin()
    with standin:
        server = socket_mode_server(standin)
        print(json.dumps({"api": standin.base_url, "respond": standin.root_url + "respond/"}), flush=True)
        for _line in sys.stdin:
            print(json.dumps(standin.report()), flush=True)
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
