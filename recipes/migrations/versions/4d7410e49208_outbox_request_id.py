"""outbox request id

Revision ID: 4d7410e49208
Revises: c2f8a6e4d913
Create Date: 2026-12-07 10:00:00

The id of the request that queued each mail (shared/mail.py), so the
worker's log lines about a mail name the request that caused it. From
``flask db migrate``, reviewed: nullable, because mail queued before, or
outside any request (a command), has none; nothing to backfill.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d7410e49208'
down_revision = 'c2f8a6e4d913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('request_id')
