"""operator incidents

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 06:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('opened_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    op.create_index(
        'ux_incidents_open_topic', 'incidents', ['topic'], unique=True,
        sqlite_where=sa.text('cleared_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('ux_incidents_open_topic', table_name='incidents')
    op.drop_table('incidents')
