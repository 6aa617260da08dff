"""mailbox digests keep their alerts as data

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alerts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.drop_column('alerts')
