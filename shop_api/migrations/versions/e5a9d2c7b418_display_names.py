"""display names

Revision ID: e5a9d2c7b418
Revises: c1fea9e01a64
Create Date: 2026-12-06 02:30:00.000000

Display names for every account (shared/auth). Written by hand after
``flask db migrate``: the names are backfilled before the column becomes
required.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a9d2c7b418'
down_revision = 'c1fea9e01a64'
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


def upgrade():
    add_display_names()


def downgrade():
    drop_display_names()
