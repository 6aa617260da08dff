"""delivery preferences and agency schedules

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 09:11:28.238814
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agency_schedules',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('daily_summary_at', sa.Time(), nullable=True),
    sa.Column('earliest_delivery', sa.Time(), nullable=True),
    sa.Column('latest_delivery', sa.Time(), nullable=True),
    sa.Column('default_email_digest', sa.Boolean(), nullable=False),
    sa.Column('default_slack_digest', sa.Boolean(), nullable=False),
    sa.Column('default_email_no_alerts', sa.Boolean(), nullable=False),
    sa.Column('default_slack_no_alerts', sa.Boolean(), nullable=False),
    sa.Column('default_deliver_at', sa.Time(), nullable=True),
    sa.Column('updated_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_schedules_agency_id_agencies')),
    sa.PrimaryKeyConstraint('agency_id', name=op.f('pk_agency_schedules'))
    )
    op.create_table('delivery_preferences',
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('email_digest', sa.Boolean(), nullable=False),
    sa.Column('slack_digest', sa.Boolean(), nullable=False),
    sa.Column('email_no_alerts', sa.Boolean(), nullable=False),
    sa.Column('slack_no_alerts', sa.Boolean(), nullable=False),
    sa.Column('deliver_at', sa.Time(), nullable=True),
    sa.Column('updated_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_delivery_preferences_enroller_id_enrollers')),
    sa.PrimaryKeyConstraint('enroller_id', name=op.f('pk_delivery_preferences'))
    )
    op.create_table('quiet_topics',
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('created_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_quiet_topics_enroller_id_enrollers')),
    sa.PrimaryKeyConstraint('enroller_id', 'topic', name=op.f('pk_quiet_topics'))
    )


def downgrade() -> None:
    op.drop_table('quiet_topics')
    op.drop_table('delivery_preferences')
    op.drop_table('agency_schedules')
