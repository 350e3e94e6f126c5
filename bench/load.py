"""Signed `/flexcare` slash commands from many clients: in a closed loop (each client sends, waits for the ack and
sends again at once) or paced (each client sends on a schedule, so all together send `rate` requests a second).

Clients are threads with one keep-alive connection each (http.client), spread over a few processes so the
senders are not held back by one GIL. Each request's response_url is named, so the time its reply arrives at
the stand-in can be matched to the time it was sent.
"""

import http.client
import multiprocessing
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

from bot.standin import payloads

SIGNING_SECRET = "bench-signing-secret"
ADMIN, CHANNEL = "U0ADMIN1", "C0INCID1"  # ACME-FC-01's customer admin, in its incidents channel (examples/)


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # seconds from sending to the ack, acked requests only
    sent: dict[str, float] = field(default_factory=dict)  # response_url name -> unix time it was sent
    errors: Counter[str] = field(default_factory=Counter)  # what went wrong instead of a 200 ack, by kind
    began: float = float("inf")  # unix times of the first send and the last ack
    ended: float = 0.0

    @property
    def elapsed(self) -> float:
        return max(self.ended - self.began, 1e-9)

    def add(self, other: "Load") -> None:
        self.latencies += other.latencies
        self.sent.update(other.sent)
        self.errors.update(other.errors)
        self.began, self.ended = min(self.began, other.began), max(self.ended, other.ended)


def send_load(port: int, *, clients: int, seconds: float, respond: str, label: str, text: str = "points",
              processes: int = 2, rate: float | None = None) -> Load:
    """`clients` senders for `seconds` against 127.0.0.1:`port`, in a closed loop or paced at `rate` requests a
    second in all (a client whose ack comes later than its next turn sends at once); requests started before the
    end all count."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that already has threads
    ready, results = context.Queue(), context.Queue()
    go = context.Event()
    shares = [clients // processes + (1 if n < clients % processes else 0) for n in range(processes)]
    firsts = [sum(shares[:n]) for n in range(processes)]  # each client's place in the whole schedule
    workers = [context.Process(target=_sender_process, daemon=True,
                               args=(port, share, seconds, respond, f"{label}{n}", text, ready, go, results,
                                     (clients, first, rate)))
               for n, (share, first) in enumerate(zip(shares, firsts, strict=True)) if share]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=60)  # imported and connected: the clock starts for everyone at once
    go.set()
    load = Load()
    for _ in workers:
        load.add(results.get(timeout=seconds + 120))
    for worker in workers:
        worker.join()
    return load


def _sender_process(port: int, clients: int, seconds: float, respond: str, label: str, text: str,
                    ready: "Queue[bool]", go: Event, results: "Queue[Load]",
                    schedule: tuple[int, int, float | None]) -> None:
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(clients)]
    for connection in connections:
        connection.connect()
    ready.put(True)
    go.wait()
    began = time.monotonic()
    deadline = began + seconds
    everyone, first, rate = schedule
    loads = [Load() for _ in connections]
    turns = [(began + (first + n) / rate, everyone / rate) if rate else (began, 0.0) for n in range(clients)]
    threads = [threading.Thread(target=_client, args=(c, deadline, turns[n], respond, f"{label}-{n}", text, loads[n]))
               for n, c in enumerate(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Load()
    for load in loads:
        total.add(load)
    results.put(total)


def _client(connection: http.client.HTTPConnection, deadline: float, turns: tuple[float, float], respond: str,
            label: str, text: str, load: Load) -> None:
    number, (turn, every) = 0, turns
    while (now := time.monotonic()) < deadline:
        if turn > now:
            time.sleep(turn - now)
            if turn >= deadline:
                break
        turn += every
        number += 1
        name = f"{label}-{number}"
        body = payloads.slash_command(text, user_id=ADMIN, channel_id=CHANNEL, response_url=respond + name)
        headers = payloads.signed_headers(body, SIGNING_SECRET, content_type=payloads.FORM)
        sent, began = time.time(), time.perf_counter()
        try:
            connection.request("POST", "/slack/events", body.encode(), headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:  # counted and reported; the next request reconnects
            load.errors[type(exc).__name__] += 1
            connection.close()
            continue
        latency = time.perf_counter() - began
        load.began, load.ended = min(load.began, sent), sent + latency
        if response.status != 200:
            load.errors[f"HTTP {response.status}"] += 1
            continue
        load.latencies.append(latency)
        load.sent[name] = sent
    connection.close()
