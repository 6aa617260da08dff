"""export kinds: follow-ups, delegations at risk and the roster beside the Book of Business

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 09:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=24), server_default='book', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_column('kind')
