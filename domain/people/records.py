"""What FlexCare remembers of a person as a reader: Slack's locale for them (cached) and their own choice."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base


class Person(Base):
    """One Slack user of one workspace. Written on first sight; contracts name people by Slack id alone."""

    __tablename__ = "people"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" when Slack sent no team
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slack_locale: Mapped[str | None] = mapped_column(String(16))  # users.info `locale`, e.g. zh-TW, en-GB
    locale_fetched_at: Mapped[datetime | None]  # asked again once the cache's time to live has passed
    chosen_language: Mapped[str | None] = mapped_column(String(16))  # App Home's override; None: follow Slack
