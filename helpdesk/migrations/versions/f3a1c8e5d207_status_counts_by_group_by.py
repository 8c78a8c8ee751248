"""status counts by GROUP BY: drop the triggers and the counts table

Revision ID: f3a1c8e5d207
Revises: b7e3c1d9a402
Create Date: 2026-12-06 04:00:00

The staff list's counts per status are now one GROUP BY, cached by
Flask-Caching and cleared by the two writes that change them (a new ticket,
a status change): helpdesk/services.py:tickets_per_status. The triggers
that kept a counts table, written in two SQL dialects, go. Downgrading puts
them back (their SQL copied from 5b1d0c2e7a41, not imported), with counts
taken from the tickets as they are then.
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3a1c8e5d207'
down_revision = 'b7e3c1d9a402'
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
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table('ticket_status_counts')


def downgrade():
    counts = op.create_table('ticket_status_counts',
    sa.Column('status', sa.Enum(*STATUSES, name='ticket_count_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status', name=op.f('pk_ticket_status_counts'))
    )
    connection = op.get_bind()
    existing = dict(connection.execute(sa.text("SELECT status, count(*) FROM tickets GROUP BY status")).all())
    op.bulk_insert(counts, [{'status': s, 'tickets': existing.get(s, 0)} for s in STATUSES])
    for statement in TRIGGERS[connection.dialect.name]:
        op.execute(statement)
