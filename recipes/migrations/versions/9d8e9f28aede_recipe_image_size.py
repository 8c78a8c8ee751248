"""recipe image size

Revision ID: 9d8e9f28aede
Revises: 838c949d80cd
Create Date: 2026-11-30 01:25:48.610096

The stored photo's size in pixels, for the page's <img width height>. From
``flask db migrate``, reviewed: nullable, because recipes posted before have
no recorded size (the page leaves the attributes out for them); nothing is
backfilled, which would mean downloading every photo from the bucket.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d8e9f28aede'
down_revision = '838c949d80cd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recipes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('image_height', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('recipes', schema=None) as batch_op:
        batch_op.drop_column('image_height')
        batch_op.drop_column('image_width')
