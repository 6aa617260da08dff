"""sent outbox emails keep no body

Emails sent before bob dropped the body of a sent email may hold a link code or an export
password in clear; they get the same placeholder a send writes now.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 04:25:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SENT_BODY = "(sent; the body is not kept)"


def upgrade() -> None:
    outbox = sa.table(
        'outbox',
        sa.column('status', sa.String),
        sa.column('body_text', sa.Text),
        sa.column('body_html', sa.Text),
    )
    op.execute(
        outbox.update()
        .where(outbox.c.status == 'sent')
        .values(body_text=SENT_BODY, body_html=None)
    )


def downgrade() -> None:
    pass  # the bodies are gone for good, as intended
