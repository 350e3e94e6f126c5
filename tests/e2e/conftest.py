from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.standin.webapi import SlackStandin
from tests.e2e.harness import FakeClock, Harness, running_bot


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin() as standin:
        yield standin


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def harness(db: sessionmaker[Session], slack: SlackStandin, clock: FakeClock) -> Iterator[Harness]:
    with running_bot(db, slack, clock) as running:
        yield running
