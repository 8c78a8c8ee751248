"""The routes an app's own blueprints answer, so each app's permission matrix
can check that it lists every one: a route added later must say who may use it."""

from __future__ import annotations

import re

from flask import Flask


def placeholders(path: str) -> str:
    """``/items/<id:item_id>`` and ``/items/{id}`` both as ``/items/{}``."""
    return re.sub(r"<[^>]+>|\{[^}]*\}", "{}", path)


def own_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, path) of every route whose view the app's own package holds
    (shared/'s pages, static files and the libraries' aside: tested where
    they are written)."""
    return {
        (method, placeholders(rule.rule))
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__module__.startswith(f"{app.import_name}.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def assert_the_matrix_lists_every_route(app: Flask, listed: list[tuple[str, str]]) -> None:
    missing = own_routes(app) - {(method, placeholders(path)) for method, path in listed}
    assert missing == set(), "add each to MATRIX, with who may use it"
