"""the run ledger claims each agency's Daily Summary of a date on its own

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 09:40:00.000000

Rows from before keep ``agency_id`` null: a Daily Summary run then covered every agency, and
the code reads such a finished row as every agency's run of that date.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_job_runs_job_run_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_job_runs_job_run_key_agency_id'), ['job', 'run_key', 'agency_id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_job_runs_agency_id_agencies'), 'agencies', ['agency_id'], ['id']
        )
    op.create_index(
        'uq_job_runs_job_run_key_whole',
        'job_runs',
        ['job', 'run_key'],
        unique=True,
        sqlite_where=sa.text('agency_id IS NULL'),
        postgresql_where=sa.text('agency_id IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('uq_job_runs_job_run_key_whole', table_name='job_runs')
    op.execute("DELETE FROM job_runs WHERE agency_id IS NOT NULL")
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_job_runs_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_job_runs_job_run_key_agency_id'), type_='unique')
        batch_op.create_unique_constraint('uq_job_runs_job_run_key', ['job', 'run_key'])
        batch_op.drop_column('agency_id')
