"""personal preferences: a setting a person has not chosen is NULL (it follows the agency's
default), a row notes when the person chose (imports leave their choices alone), a queued
digest DM keeps the topics it leaves out, and an email held for a delivery time says until when

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 09:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
import store.models


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SWITCHES = ("email_digest", "slack_digest", "email_no_alerts", "slack_no_alerts")


def upgrade() -> None:
    with op.batch_alter_table("delivery_preferences", schema=None) as batch_op:
        for name in SWITCHES:
            batch_op.alter_column(name, existing_type=sa.Boolean(), nullable=True)
        batch_op.add_column(sa.Column('chosen_at', store.models.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("slack_dms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_topics", sa.JSON(), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_before", store.models.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("not_before")
    with op.batch_alter_table("slack_dms", schema=None) as batch_op:
        batch_op.drop_column("quiet_topics")
    # a setting not chosen becomes bob's default (on), as it read before
    for name in SWITCHES:
        op.execute(sa.text(f"UPDATE delivery_preferences SET {name} = true WHERE {name} IS NULL"))
    with op.batch_alter_table("delivery_preferences", schema=None) as batch_op:
        batch_op.drop_column("chosen_at")
        for name in SWITCHES:
            batch_op.alter_column(name, existing_type=sa.Boolean(), nullable=False)
