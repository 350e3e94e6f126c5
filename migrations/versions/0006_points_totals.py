"""points totals: a running total per contract year, so balance reads do not grow with the ledger (issue 6)

Backfilled from the entries already written; from here on `domain.points.totals.add` keeps each row in
step with its year's entries, in the same transaction. The CHECK makes "never negative" (FC-PTS-1) a
rule of the database too.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 08:29:55.692285
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The buckets as the entries add up (the table in domain/points/records.py), written out here so that this
# revision keeps meaning what it meant when the code moves on.
BACKFILL = """
INSERT INTO points_year_total (contract_id, contract_year, purchased, spent, reserved, expired, cashed_out, entries)
SELECT contract_id, contract_year,
       COALESCE(SUM(CASE WHEN kind IN ('purchase', 'correction') THEN tenths ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN kind = 'spend' THEN -held_tenths ELSE 0 END), 0),
       COALESCE(SUM(held_tenths), 0),
       COALESCE(SUM(CASE WHEN kind = 'expiry' THEN -tenths ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN kind = 'cashout' THEN -tenths ELSE 0 END), 0),
       COUNT(*)
FROM points_entry
GROUP BY contract_id, contract_year
"""


def upgrade() -> None:
    op.create_table('points_year_total',
    sa.Column('contract_id', sa.String(length=64), nullable=False),
    sa.Column('contract_year', sa.Integer(), nullable=False),
    sa.Column('purchased', sa.Integer(), nullable=False),
    sa.Column('spent', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('expired', sa.Integer(), nullable=False),
    sa.Column('cashed_out', sa.Integer(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.CheckConstraint('purchased - spent - reserved - expired - cashed_out >= 0', name=op.f('ck_points_year_total_unused_never_negative')),
    sa.CheckConstraint('reserved >= 0', name=op.f('ck_points_year_total_reserved_never_negative')),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_points_year_total_contract_id_contract'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('contract_id', 'contract_year', name=op.f('pk_points_year_total'))
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table('points_year_total')
