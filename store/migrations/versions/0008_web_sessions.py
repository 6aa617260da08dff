"""web mailbox: sign-in links, sessions, archived digests

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 06:10:00.000000
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_signin_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('next_path', sa.String(length=200), nullable=False),
    sa.Column('created_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', store.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_web_signin_links_enroller_id_enrollers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_signin_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_signin_links_token_hash'))
    )
    op.create_index(op.f('ix_web_signin_links_enroller_id'), 'web_signin_links', ['enroller_id'], unique=False)
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', store.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_web_sessions_enroller_id_enrollers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash'))
    )
    op.create_index(op.f('ix_web_sessions_enroller_id'), 'web_sessions', ['enroller_id'], unique=False)
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', store.models.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
    op.drop_index(op.f('ix_web_sessions_enroller_id'), table_name='web_sessions')
    op.drop_table('web_sessions')
    op.drop_index(op.f('ix_web_signin_links_enroller_id'), table_name='web_signin_links')
    op.drop_table('web_signin_links')
