"""people: each person's Slack locale (cached with a time to live) and their chosen language (issue 10)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 11:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import domain.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('slack_locale', sa.String(length=16), nullable=True),
    sa.Column('locale_fetched_at', domain.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('chosen_language', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_people'))
    )


def downgrade() -> None:
    op.drop_table('people')
