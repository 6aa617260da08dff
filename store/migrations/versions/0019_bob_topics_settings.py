"""agencies: bob's own topics on or off, and the follow-up due-soon days

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 09:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bob_topics', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('due_soon_days', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('due_soon_days')
        batch_op.drop_column('bob_topics')
