"""slack dms: a digest's Slack direct message, queued beside its email

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 06:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('slack_dms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('daily_summary', 'manager_summary', name='digest_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', name='slack_dm_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claims', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('lease_until', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('created_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['enrollers.id'], name=op.f('fk_slack_dms_recipient_id_enrollers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slack_dms')),
    sa.UniqueConstraint('recipient_id', 'kind', 'business_date', name=op.f('uq_slack_dms_recipient_id_kind_business_date'))
    )
    with op.batch_alter_table('slack_dms', schema=None) as batch_op:
        batch_op.create_index('ix_slack_dms_status_next', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slack_dms', schema=None) as batch_op:
        batch_op.drop_index('ix_slack_dms_status_next')
    op.drop_table('slack_dms')
