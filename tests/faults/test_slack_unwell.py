"""Slack unwell for a minute while the outbox keeps filling: 429 with Retry-After, then 500s, then answers
slower than the client waits (Slack carries those out all the same). Nothing is lost, nothing is posted
twice, a channel never gets two posts within a second, and nothing is sent while a Retry-After runs.

The minute is compressed, not faked: the dispatcher runs on the real clock with its backoff scaled by
BACKOFF_SCALE (5 s, 10 s, ... become 0.5 s, 1 s, ...), each kind of trouble lasts a few seconds, and the
production client (bot/app.py) honours Retry-After and times out on the stand-in's slow answers for real.
"""

import itertools
import logging
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import slack_client
from bot.standin.webapi import Call, SlackStandin
from bot.wiring import utc_now
from domain.notifications.records import DELIVERED, Notification
from domain.notifications.service import enqueue, pending
from scheduler.dispatcher import Dispatcher
from tests.e2e import harness

POST = "chat.postMessage"
CHANNELS = ("C0FAULT1", "C0FAULT2", "C0FAULT3")
# Seconds of each kind of trouble, one after the other: Slack's bad minute. The client itself retries twice (a 429
# after Retry-After plus up to a second, a 500 after up to 2 s), so each phase outlasts its retries.
RATE_LIMITED, FAILING, SLOW = 5.0, 3.0, 2.5
BACKOFF_SCALE = 0.1  # with the phases above, almost two minutes of the dispatcher's backoff in 10.5 s
RETRY_AFTER = 1  # seconds, as Slack sends it
CLIENT_TIMEOUT = 1  # seconds the client waits for an answer ...
SLOW_ANSWER = 1.4  # ... and how long the stand-in takes in the slow phase
PER_CHANNEL = 1.0  # chat.postMessage: one message per second per channel
CLOCKS = 0.001  # the stand-in stamps calls with time.time(), the dispatcher spaces them with time.monotonic()


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin(ts_clock=time.time) as standin:  # recovery asks for history since a real instant
        yield standin


@pytest.fixture
def dispatcher(db: sessionmaker[Session], slack: SlackStandin) -> Iterator[Dispatcher]:
    client = slack_client(harness.test_settings(slack), timeout=CLIENT_TIMEOUT)
    outbox = Dispatcher(db, client, clock=utc_now, worker="faults", per_channel_interval=PER_CHANNEL,
                        backoff_scale=BACKOFF_SCALE)
    yield outbox
    outbox.stop()


def write_wave(db: sessionmaker[Session], dispatcher: Dispatcher, wave: int) -> list[str]:
    """One notification per channel, committed and kicked as a handler does."""
    keys = [f"wave{wave}:{channel}" for channel in CHANNELS]
    with db.begin() as session:
        for key, channel in zip(keys, CHANNELS, strict=True):
            enqueue(session, key=key, channel=channel, kind="text", params={"text": key}, now=utc_now())
    dispatcher.kick()
    return keys


def key_of(call: Call) -> str:
    return str(call.args["metadata"]["event_payload"]["key"])


def test_a_minute_of_429s_500s_and_timeouts_loses_nothing_repeats_nothing_and_keeps_slacks_pace(
        db: sessionmaker[Session], slack: SlackStandin, dispatcher: Dispatcher,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="scheduler")
    written = write_wave(db, dispatcher, 0)
    slack.fail(POST, status=429, retry_after=RETRY_AFTER, times=None, for_seconds=RATE_LIMITED)
    dispatcher.start()
    time.sleep(RATE_LIMITED / 2)
    written += write_wave(db, dispatcher, 1)  # kicked while a Retry-After runs
    time.sleep(RATE_LIMITED / 2)
    slack.fail(POST, status=500, times=None, for_seconds=FAILING)
    written += write_wave(db, dispatcher, 2)
    time.sleep(FAILING)
    slow_from = time.time()
    slack.delay(POST, SLOW_ANSWER, for_seconds=SLOW)
    written += write_wave(db, dispatcher, 3)
    time.sleep(SLOW)
    written += write_wave(db, dispatcher, 4)  # Slack is well again

    def all_delivered() -> bool:
        with db() as session:
            return not pending(session)

    slack.wait_for(all_delivered, timeout=30)

    # Nothing lost, nothing twice, each channel in the order written, every ts recorded.
    posts = slack.calls_to(POST)
    assert sorted(key_of(call) for call in posts) == sorted(written)
    for channel in CHANNELS:
        assert [m["text"] for m in slack.messages(channel)] == [k for k in written if k.endswith(channel)]
    with db() as session:
        rows = session.scalars(select(Notification)).all()
    ts_of = {m["text"]: m["ts"] for channel in CHANNELS for m in slack.messages(channel)}
    assert {(row.key, row.status, row.ts) for row in rows} == {(k, DELIVERED, ts_of[k]) for k in written}

    # Slack's pace: a second between posts in a channel, and silence while a Retry-After runs.
    for channel in CHANNELS:
        times = [call.at for call in posts if call.args["channel"] == channel]
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert min(gaps) >= PER_CHANNEL - CLOCKS, (channel, gaps)
    attempts = sorted(slack.attempts(POST), key=lambda call: call.at)
    rate_limited = [call for call in attempts if call.status == 429]
    for limited in rate_limited:
        too_soon = [call for call in attempts if limited.at < call.at < limited.at + RETRY_AFTER - CLOCKS]
        assert too_soon == [], f"sent {len(too_soon)} calls within Retry-After of a 429"

    # Each kind of trouble really happened: 429s, 500s, and posts Slack made after the client gave up,
    # found in the channel's history by their key instead of being posted again.
    server_errors = [call for call in attempts if call.status == 500]
    timed_out = [call for call in posts if slow_from <= call.at < slow_from + SLOW]
    said = [record.getMessage() for record in caplog.records]
    assert rate_limited and server_errors and timed_out
    assert any("failed (Slack said ratelimited)" in line for line in said)  # after the client's own retries
    assert len([line for line in said if "recording it, not posting again" in line]) == len(timed_out)
