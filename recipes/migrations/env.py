"""Alembic's entry point for ``flask --app recipes db ...``; see shared/migrations_env.py."""

from shared.migrations_env import run_migrations

run_migrations()
