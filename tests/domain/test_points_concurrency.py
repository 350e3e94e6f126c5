"""FC-PTS-1, never negative under concurrency: 20 customer admins request at once against a year that fits 7.

On PostgreSQL the contract year's row lock (`FOR UPDATE`) makes them queue; on SQLite `BEGIN IMMEDIATE`
does. Either way exactly 7 succeed and the other 13 hear the "not enough points" sentence.
"""

import threading
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from domain.points import ledger
from domain.points import service as points
from domain.points.rules import NotEnoughPoints
from tests.domain.points_setup import ADMIN, MENU, NOW, acme, coaching, import_acme

REQUESTERS = 20
FITS = 7


def test_fc_pts_1_twenty_requests_at_once_against_room_for_seven_exactly_seven_succeed(
        db: sessionmaker[Session]) -> None:
    import_acme(db, points=[{"year": 1, "points": 3 * FITS}, {"year": 2, "points": 100}])
    start = threading.Barrier(REQUESTERS)
    booked: list[int] = []
    refused: list[str] = []
    unexpected: list[BaseException] = []

    def request(n: int) -> None:
        start.wait()
        try:
            with db.begin() as session:
                booked.append(points.request_service(session, contract=acme(session), menu=MENU,
                                                     form=coaching(date(2026, 12, 21)), by=ADMIN, now=NOW,
                                                     key=f"at-once-{n}").id)
        except NotEnoughPoints as exc:
            refused.append(str(exc))
        except Exception as exc:  # collected and failed on below, with the thread's error in the message
            unexpected.append(exc)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(REQUESTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert unexpected == []
    assert len(booked) == FITS and len(set(booked)) == FITS
    assert len(refused) == REQUESTERS - FITS
    assert set(refused) == {"Not enough points: this needs 3 points and contract year 1 has 0 available. Choose a "
                            "smaller service or fewer days, or ask your vendor account manager about buying more "
                            "points for that year."}
    with db() as session:
        balance = ledger.year_balance(session, acme(session), 1, now=NOW)
    assert (balance.reserved, balance.available, balance.unused) == (3 * FITS * 10, 0, 0)
