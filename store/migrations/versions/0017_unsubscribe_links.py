"""one-click unsubscribe: a random key per enroller, and the outbox's List-Unsubscribe value

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 09:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unsubscribe_keys',
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=22), nullable=False),
    sa.Column('created_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_unsubscribe_keys_enroller_id_enrollers')),
    sa.PrimaryKeyConstraint('enroller_id', name=op.f('pk_unsubscribe_keys')),
    sa.UniqueConstraint('key', name=op.f('uq_unsubscribe_keys_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_unsubscribe', sa.String(length=600), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('list_unsubscribe')
    op.drop_table('unsubscribe_keys')
