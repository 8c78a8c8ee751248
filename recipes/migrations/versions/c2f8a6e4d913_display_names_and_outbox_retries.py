"""display names and outbox retries

Revision ID: c2f8a6e4d913
Revises: 9d8e9f28aede
Create Date: 2026-12-06 02:30:00.000000

Display names for every account (shared/auth), and the outbox as the
worker now sends it: due rows, retries with backoff, rows given up.
Written by hand after ``flask db migrate``: the display names are backfilled
before the column becomes required, unsent mail is due at once.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2f8a6e4d913'
down_revision = '9d8e9f28aede'
branch_labels = None
depends_on = None


def add_display_names():
    """Every account gets a display name made from its address's local part,
    made unique (ann, ann 2, ...), and the key that keeps names unique in any
    case (shared/auth/models.py:display_name_key), before both become required."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('display_name_key', sa.String(length=160), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String),
                     sa.column('display_name', sa.String), sa.column('display_name_key', sa.String))
    connection = op.get_bind()
    taken = set()
    for user_id, email in connection.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)).all():
        local = email.split('@', 1)[0].split('+', 1)[0]
        base = ''.join(c for c in local if c.isalnum() or c in '.-_')[:35].strip('.-_') or 'member'
        name, number = base, 1
        while unicodedata.normalize('NFKC', name).casefold() in taken:
            number += 1
            name = f'{base} {number}'
        key = unicodedata.normalize('NFKC', name).casefold()
        taken.add(key)
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(display_name=name, display_name_key=key))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('display_name', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('display_name_key', existing_type=sa.String(length=160), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_display_name_key'), ['display_name_key'])


def drop_display_names():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_display_name_key'), type_='unique')
        batch_op.drop_column('display_name_key')
        batch_op.drop_column('display_name')

def outbox_with_retries():
    """The outbox as the worker now sends it (shared/mail.py): a row is due
    at next_attempt_at (NULL once sent or given up), failed_at marks one
    given up, and the claim no longer needs its own column. Unsent rows are
    due at once."""
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index(batch_op.f('ix_outbox_sent_at'))
        batch_op.create_index(batch_op.f('ix_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.drop_column('claimed_until')
    outbox = sa.table('outbox', sa.column('created_at', sa.DateTime), sa.column('sent_at', sa.DateTime),
                      sa.column('next_attempt_at', sa.DateTime))
    op.execute(outbox.update().where(outbox.c.sent_at.is_(None)).values(next_attempt_at=outbox.c.created_at))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('template', existing_type=sa.String(length=50), server_default=None)


def outbox_with_claims():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index(batch_op.f('ix_outbox_next_attempt_at'))
        batch_op.create_index(batch_op.f('ix_outbox_sent_at'), ['sent_at'], unique=False)
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('template')


def upgrade():
    add_display_names()
    outbox_with_retries()


def downgrade():
    outbox_with_claims()
    drop_display_names()
