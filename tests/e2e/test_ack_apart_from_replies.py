"""An ack never waits behind other requests' lazy replies (bot/lazy.py).

Bolt runs ack functions and lazy listeners on one five-thread executor unless told otherwise; with five slow
replies running, the sixth command's ack used to wait for one of them to finish.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from threading import Event, Thread

from bot.lazy import BoundedExecutor
from tests.e2e.harness import Harness

SLOW_REPLY = 1.5  # seconds the stand-in takes to take each response_url post


def test_acks_stay_quick_while_every_reply_thread_is_busy(harness: Harness) -> None:
    harness.slack.delay("respond", SLOW_REPLY)
    acks, names = [], []
    for _ in range(6):  # five replies occupy every lazy thread; the sixth waits for one
        started = time.perf_counter()
        names.append(harness.command("help", user="U0MEMB01"))
        acks.append(time.perf_counter() - started)
    assert max(acks) < SLOW_REPLY / 2, acks
    harness.slack.wait_for(lambda: all(harness.slack.responses(name) for name in names), timeout=10)
    assert "help" in str(harness.slack.responses(names[-1])[0])


def test_a_full_backlog_holds_the_next_reply_until_one_ends() -> None:
    release, submitted = Event(), Event()
    with ThreadPoolExecutor(max_workers=1) as inner:
        executor = BoundedExecutor(inner, backlog=2)
        first = executor.submit(release.wait, 5)
        executor.submit(time.sleep, 0)
        third = Thread(target=lambda: (executor.submit(time.sleep, 0), submitted.set()))
        third.start()
        assert not submitted.wait(0.3), "a third reply was taken with two unfinished"
        release.set()
        assert submitted.wait(5) and first.result(timeout=5) is True
        third.join()
