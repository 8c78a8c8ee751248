"""The routes an app's own blueprints answer, so each app's permission matrix
can check that it lists every one: a route added later must say who may use it."""

from __future__ import annotations

import re

from flask import Flask


def placeholders(path: str) -> str:
    """``/tickets/<id:ticket_id>`` and ``/tickets/{id}`` both as ``/tickets/{}``."""
    return re.sub(r"<[^>]+>|\{[^}]*\}", "{}", path)


def own_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, path) of every route of the app's own blueprints (the shared
    auth pages and static files aside: tested where they are written)."""
    own = {
        name
        for name, blueprint in app.blueprints.items()
        if blueprint.import_name.startswith(f"{app.import_name}.")
    }
    return {
        (method, placeholders(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.partition(".")[0] in own and not rule.endpoint.endswith(".static")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def assert_the_matrix_lists_every_route(app: Flask, listed: list[tuple[str, str]]) -> None:
    missing = own_routes(app) - {(method, placeholders(path)) for method, path in listed}
    assert missing == set(), "add each to MATRIX, with who may use it"
