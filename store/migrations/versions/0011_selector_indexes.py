"""indexes for selectors that start from the events in their window

A one-time topic reads the enrollments whose status began within its lookback, then their
delegations and enrollers; these indexes let it find both by range and by key instead of
scanning (or building an automatic index on every run).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 06:30:00.000000
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_enrollment_history_status_since', 'enrollment_history', ['status_since', 'status']
    )
    op.create_index('ix_enroller_history_enroller', 'enroller_history', ['enroller_id', 'valid_from'])


def downgrade() -> None:
    op.drop_index('ix_enroller_history_enroller', table_name='enroller_history')
    op.drop_index('ix_enrollment_history_status_since', table_name='enrollment_history')
