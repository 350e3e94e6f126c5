"""`SlackStandin`: a local HTTP server that answers the Slack Web API the way Slack does and
records every call, for the end-to-end tests and `flexcare console`.

    with SlackStandin() as slack:
        client = WebClient(base_url=slack.base_url, token="xoxb-test")
        client.chat_postMessage(channel="C1", text="hi")
        assert slack.messages("C1")[0]["text"] == "hi"

Paths: `/api/<method>` (the Web API), `/respond/<name>` (response_url posts, recorded as method
"respond"), `/upload/<file_id>` (files_upload_v2's upload step, recorded as method "upload").
"""

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from bot.standin import BOT_ID, BOT_USER_ID, TEAM_ID
from bot.standin.faults import Answer, Faults
from bot.standin.methods import METHODS, TOKENLESS
from bot.standin.store import Call, Channel, SlackError, Upload, User, Workspace

__all__ = ["Call", "SlackStandin", "Upload"]

log = logging.getLogger(__name__)
T = TypeVar("T")
JSON_ARGS = ("blocks", "view", "attachments", "files", "metadata")  # JSON strings in form-encoded calls


class SlackStandin:
    def __init__(self, port: int = 0, *, team_id: str = TEAM_ID, bot_user_id: str = BOT_USER_ID,
                 bot_id: str = BOT_ID, ts_clock: Callable[[], float] | None = None,
                 scopes: Iterable[str] | None = None) -> None:
        self._port = port
        # The bot token's scopes, sent as Slack does in X-OAuth-Scopes on every Web API answer (`flexcare doctor`
        # reads them); None: no header.
        self._scopes = ",".join(scopes) if scopes is not None else None
        self._lock = threading.RLock()
        self._ws = Workspace(team_id=team_id, bot_user_id=bot_user_id, bot_id=bot_id, ts_clock=ts_clock)
        self._faults = Faults()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> "SlackStandin":
        server = _Server(("127.0.0.1", self._port), _handler_for(self))
        self._server = server
        self._ws.root_url = f"http://127.0.0.1:{server.server_address[1]}/"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="slack-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> "SlackStandin":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if not self._ws.root_url:
            raise RuntimeError("the stand-in is not running; use `with SlackStandin() as slack:` or start()")
        return self._ws.root_url

    @property
    def base_url(self) -> str:
        """For `WebClient(base_url=...)`: it appends the method name."""
        return self.root_url + "api/"

    def response_url(self, name: str) -> str:
        """A response_url for a payload; what is posted there is read back with `responses(name)`."""
        return f"{self.root_url}respond/{name}"

    @property
    def team_id(self) -> str:
        return self._ws.team_id

    @property
    def bot_user_id(self) -> str:
        return self._ws.bot_user_id

    # -- directory ---------------------------------------------------------------------------------
    def add_user(self, user_id: str, *, name: str | None = None, real_name: str | None = None,
                 tz: str = "Europe/London", locale: str = "en-US", is_bot: bool = False,
                 email: str | None = None) -> None:
        with self._lock:
            self._ws.users[user_id] = User(user_id, name or user_id.lower(), real_name or name or user_id,
                                           tz, locale, is_bot, email)

    def add_channel(self, channel_id: str, *, name: str | None = None, members: Iterable[str] = (),
                    is_private: bool = False) -> None:
        with self._lock:
            self._ws.channels[channel_id] = Channel(channel_id, name or channel_id.lower(), list(members), is_private)

    # -- what happened -----------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        """Every request in order, failed attempts included (`Call.failed`)."""
        with self._lock:
            return list(self._ws.calls)

    def calls_to(self, method: str, *, attempts: bool = False) -> list[Call]:
        """The calls to `method` that Slack carried out; with `attempts=True`, the failed ones too."""
        return [c for c in self.calls if c.method == method and (attempts or not c.failed)]

    def attempts(self, method: str) -> list[Call]:
        return self.calls_to(method, attempts=True)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages as they stand now (updates applied), oldest first, thread replies included."""
        return self._read(lambda: self._ws.messages(channel))

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        return self._read(lambda: self._ws.thread(channel, ts))

    def ephemerals(self, user: str | None = None) -> list[dict[str, Any]]:
        return self._read(lambda: self._ws.ephemerals(user))

    def responses(self, name: str | None = None) -> list[dict[str, Any]]:
        """Bodies posted to response_url(name) (all names when None), in order."""
        return self._read(lambda: self._ws.responses(name))

    def views(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Current views ("modal" or "home"), in the order they were first opened or published."""
        return self._read(lambda: self._ws.views(kind))

    def home(self, user: str) -> dict[str, Any] | None:
        return self._read(lambda: self._ws.home(user))

    def last_modal(self) -> dict[str, Any] | None:
        """The modal most recently opened, pushed or updated: the one a person would be looking at."""
        return self._read(self._ws.last_modal)

    @property
    def uploads(self) -> list[Upload]:
        return self._read(lambda: list(self._ws.uploads))

    def reset(self) -> None:
        """Forget calls, messages, views, files and faults; registered users and channels stay."""
        with self._lock:
            self._ws.clear()
            self._faults.clear()

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, *, interval: float = 0.02) -> T:
        """Poll until `predicate()` is truthy (work done after ack, on the dispatcher thread...) and return it."""
        deadline = time.monotonic() + timeout
        problem: Exception | None = None
        while True:
            try:
                value = predicate()
                if value:
                    return value
            except Exception as exc:  # e.g. an IndexError before the message exists: keep polling
                problem = exc
            if time.monotonic() >= deadline:
                break
            time.sleep(interval)
        name = getattr(predicate, "__qualname__", repr(predicate))
        raised = f"; it last raised {problem!r}" if problem else ""
        raise AssertionError(f"waited {timeout:g}s for {name} to be true{raised}. Calls so far: {self._summary()}")

    def _summary(self) -> str:
        counts = Counter(f"{c.method}{' (failed: ' + str(c.error) + ')' if c.failed else ''}" for c in self.calls)
        return ", ".join(f"{what} x{n}" for what, n in counts.items()) or "none"

    def _read(self, reader: Callable[[], T]) -> T:
        with self._lock:
            return reader()

    # -- faults ------------------------------------------------------------------------------------
    def fail(self, method: str, status: int | None = None, *, error: str | None = None, retry_after: int = 1,
             times: int | None = 1, for_seconds: float | None = None) -> None:
        """Answer the next `times` calls to `method` ("*": any) with HTTP `status` (429 adds Retry-After)
        or, with `error` alone, HTTP 200 and `{"ok": false, "error": error}`. times=None: until cleared,
        or until `for_seconds` from now have passed (a window: `times=None, for_seconds=2`)."""
        with self._lock:
            self._faults.fail(method, status=status, error=error, retry_after=retry_after, times=times,
                              for_seconds=for_seconds)

    def outage(self, seconds: float | None = None) -> None:
        """Every request gets HTTP 503 for `seconds` (None: until clear_faults())."""
        with self._lock:
            self._faults.outage(seconds)

    def delay(self, method: str, seconds: float, *, for_seconds: float | None = None) -> None:
        """Answer `method` ("*": any) only after `seconds`; 0 removes the delay. With `for_seconds`, only calls
        arriving in that window from now are slow. A client whose timeout is shorter gives up, but the
        stand-in still carries the call out, as Slack does with a request it received."""
        with self._lock:
            self._faults.delay(method, seconds, for_seconds=for_seconds)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # -- serving (called on the server's threads) --------------------------------------------------
    def answer(self, kind: str, target: str, args: dict[str, Any], raw: bytes, token: str | None) -> Answer:
        at = time.time()
        method = {"api": target, "respond": "respond", "upload": "upload"}[kind]
        with self._lock:
            pause = self._faults.delay_for(method)
        if pause:
            time.sleep(pause)  # outside the lock: other calls carry on meanwhile
        with self._lock:
            answer = self._faults.take(method) or self._perform(kind, target, args, raw, token)
            if kind == "api" and self._scopes is not None:
                answer = Answer(answer.status, answer.body, {**answer.headers, "X-OAuth-Scopes": self._scopes})
            recorded = {"file_id": target, "length": len(raw)} if kind == "upload" else args
            self._ws.calls.append(Call(method, recorded, at, failed=answer.status != 200 or not answer.body.get("ok"),
                                       status=answer.status, error=answer.body.get("error"), token=token))
        return answer

    def _perform(self, kind: str, target: str, args: dict[str, Any], raw: bytes, token: str | None) -> Answer:
        if kind == "respond":
            self._ws.responses_by_name.append((target, args))
            return Answer(200, {"ok": True}, {})
        if kind == "upload":
            pending = self._ws.pending_files.get(target)
            if pending is None:
                return Answer(404, {"ok": False, "error": "file_not_found"}, {})
            pending.content = raw
            return Answer(200, {"ok": True}, {})
        implementation = METHODS.get(target)
        try:
            if implementation is None:
                raise SlackError("unknown_method")
            if not token and target not in TOKENLESS:
                raise SlackError("not_authed")
            if token and not token.startswith("xox"):
                raise SlackError("invalid_auth")
            return Answer(200, {"ok": True, **implementation(self._ws, args)}, {})
        except SlackError as failure:
            return Answer(200, {"ok": False, "error": failure.error}, {})


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a slow (delayed) answer never holds up shutdown
    request_queue_size = 128  # the default 5 drops bursts of connections, and a dropped SYN costs 1 s


def _handler_for(standin: SlackStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path = urlsplit(self.path)
            parts = path.path.strip("/").split("/")
            if len(parts) != 2 or parts[0] not in ("api", "respond", "upload"):
                self._send(Answer(404, {"ok": False, "error": "not_found"}, {}))
                return
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content_type = self.headers.get("Content-Type", "")
            args = {k: v[-1] for k, v in parse_qs(path.query).items()}
            if parts[0] == "upload":
                raw = _multipart_file(raw, content_type) if content_type.startswith("multipart/") else raw
            else:
                args.update(_decode_body(raw, content_type))
            token = args.pop("token", None)
            bearer = self.headers.get("Authorization", "")
            if bearer.startswith("Bearer "):
                token = bearer.removeprefix("Bearer ")
            self._send(standin.answer(parts[0], parts[1], args, raw, token))

        do_GET = do_POST
        do_PUT = do_POST  # the upload URL takes PUT as well as POST

        def _send(self, answer: Answer) -> None:
            is_respond = self.path.startswith("/respond/") and answer.status == 200
            body = b"ok" if is_respond else json.dumps(answer.body).encode()  # response_url answers plain "ok"
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "text/plain" if is_respond else "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # a client that timed out (a delay) is gone
                log.info("the client of %s left before its answer; the call is recorded", self.path)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the recorded calls are the log

    return Handler


def _decode_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8")
    if content_type.startswith("application/json") or text.lstrip().startswith("{"):
        decoded = json.loads(text)
        return decoded if isinstance(decoded, dict) else {}
    if content_type.startswith("multipart/"):
        fields = _multipart_fields(raw, content_type)
    else:
        fields = {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
    for key in JSON_ARGS:
        value = fields.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with suppress(ValueError):  # unparsable: keep the raw string for the test to see
                fields[key] = json.loads(value)
    return dict(fields)


def _multipart_parts(raw: bytes, content_type: str) -> list[Any]:
    message = BytesParser(policy=policy.HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    return list(message.iter_parts()) if isinstance(message, EmailMessage) and message.is_multipart() else []


def _multipart_fields(raw: bytes, content_type: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for part in _multipart_parts(raw, content_type):
        payload = part.get_payload(decode=True) or b""
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = payload if part.get_filename() else payload.decode("utf-8")
    return fields


def _multipart_file(raw: bytes, content_type: str) -> bytes:
    for part in _multipart_parts(raw, content_type):
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload
    return raw
