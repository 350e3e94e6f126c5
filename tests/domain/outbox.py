"""Reading the outbox in tests: the notification rows a transaction wrote, oldest first."""

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.notifications.records import Notification


def outbox(db: sessionmaker[Session]) -> list[Notification]:
    with db() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))
