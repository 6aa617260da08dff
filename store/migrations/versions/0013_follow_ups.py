"""follow-ups: DMI, SVI and document deadlines on a consumer's case

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consumer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('dmi', 'svi', 'document', name='follow_up_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('needed', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'submitted', 'cleared', 'expired', name='follow_up_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source', sa.Enum('calheers', 'healthsherpa', 'bob_file', name='follow_up_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('created_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consumer_id'], ['consumers.id'], name=op.f('fk_follow_ups_consumer_id_consumers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('source', 'external_ref', name=op.f('uq_follow_ups_source_external_ref'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_consumer_id'), ['consumer_id'], unique=False)
        batch_op.create_index('ix_follow_ups_status_due', ['status', 'due_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_status_due')
        batch_op.drop_index(batch_op.f('ix_follow_ups_consumer_id'))
    op.drop_table('follow_ups')
