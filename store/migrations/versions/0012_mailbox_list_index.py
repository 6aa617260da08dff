"""mailbox list: an index on (recipient_id, business_date) for the newest-first list

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:30:00.000000
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_mailbox_messages_recipient_date', ['recipient_id', 'business_date'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_mailbox_messages_recipient_date')
