"""ticket counts per status kept by triggers; index for the staff list's order

Revision ID: 5b1d0c2e7a41
Revises: 8c3e6857d5e4
Create Date: 2026-11-23 03:30:00

The trigger SQL is copied here, not imported from helpdesk.models: a
migration must keep doing what it did when it was written.
"""
from alembic import op
import sqlalchemy as sa


revision = '5b1d0c2e7a41'
down_revision = '8c3e6857d5e4'
branch_labels = None
depends_on = None

STATUSES = ('open', 'pending', 'resolved')
MOVE = (
    "UPDATE ticket_status_counts SET tickets = tickets + "
    "CASE WHEN status = NEW.status THEN 1 ELSE -1 END "
    "WHERE status IN (OLD.status, NEW.status)"
)
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER tickets_counted_on_insert AFTER INSERT ON tickets BEGIN "
        "UPDATE ticket_status_counts SET tickets = tickets + 1 WHERE status = NEW.status; END",
        "CREATE TRIGGER tickets_counted_on_delete AFTER DELETE ON tickets BEGIN "
        "UPDATE ticket_status_counts SET tickets = tickets - 1 WHERE status = OLD.status; END",
        "CREATE TRIGGER tickets_counted_on_status_change AFTER UPDATE OF status ON tickets "
        f"WHEN OLD.status <> NEW.status BEGIN {MOVE}; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION count_ticket_statuses() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "UPDATE ticket_status_counts SET tickets = tickets + 1 WHERE status = NEW.status; "
        "ELSIF TG_OP = 'DELETE' THEN "
        "UPDATE ticket_status_counts SET tickets = tickets - 1 WHERE status = OLD.status; "
        f"ELSE {MOVE}; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER tickets_counted AFTER INSERT OR DELETE ON tickets "
        "FOR EACH ROW EXECUTE FUNCTION count_ticket_statuses()",
        "CREATE TRIGGER tickets_counted_on_status_change AFTER UPDATE OF status ON tickets "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) "
        "EXECUTE FUNCTION count_ticket_statuses()",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS tickets_counted_on_insert",
        "DROP TRIGGER IF EXISTS tickets_counted_on_delete",
        "DROP TRIGGER IF EXISTS tickets_counted_on_status_change",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS tickets_counted ON tickets",
        "DROP TRIGGER IF EXISTS tickets_counted_on_status_change ON tickets",
        "DROP FUNCTION IF EXISTS count_ticket_statuses()",
    ],
}


def upgrade():
    counts = op.create_table('ticket_status_counts',
    sa.Column('status', sa.Enum(*STATUSES, name='ticket_count_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status', name=op.f('pk_ticket_status_counts'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_created_id', ['created_at', 'id'], unique=False)

    connection = op.get_bind()
    existing = dict(connection.execute(sa.text("SELECT status, count(*) FROM tickets GROUP BY status")).all())
    op.bulk_insert(counts, [{'status': s, 'tickets': existing.get(s, 0)} for s in STATUSES])
    for statement in TRIGGERS[connection.dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_created_id')
    op.drop_table('ticket_status_counts')
