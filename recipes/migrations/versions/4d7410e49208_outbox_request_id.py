"""outbox request id; index on failed_at

Revision ID: 4d7410e49208
Revises: c2f8a6e4d913
Create Date: 2026-12-06 16:00:00

The id of the request that queued each mail (shared/mail.py), so the
worker's log lines about a mail name the request that caused it. From
``flask db migrate``, reviewed: nullable, because mail queued before, or
outside any request (a command), has none; nothing to backfill. And an
index on ``failed_at``: /metrics counts the mails given up at every scrape.
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
        batch_op.create_index(batch_op.f('ix_outbox_failed_at'), ['failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_failed_at'))
        batch_op.drop_column('request_id')
