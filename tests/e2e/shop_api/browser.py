"""What the browser tests need to know about the shop API beyond its manifest
(tests/e2e/live_servers.py and conftest.py read it): what runs beside it, and
the third-party markup its pages embed."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.servers import free_port, serve

# Swagger UI (the shop API's /api/docs) is third-party markup. What a stylesheet
# can mend is mended (shop_api/static/swagger-a11y.css: contrast); these are
# in Swagger UI's own structure, reported upstream, and excused only inside
# its root element (.swagger-ui), never in our templates.
SWAGGER_UI_UPSTREAM = {
    "nested-interactive": "each operation's header is a button holding more buttons "
    "(copy path, expand, lock); changing that means forking Swagger UI",
    "scrollable-region-focusable": "its code samples scroll but cannot take focus; "
    "making them focusable needs a tabindex its React components do not expose",
    "select-name": "the select of an enum parameter (in_stock) has no label: its "
    "markup names the parameter in a neighbouring cell, not in a <label>",
}
UPSTREAM = {".swagger-ui": SWAGGER_UI_UPSTREAM}


@contextmanager
def environment(workdir: Path) -> Iterator[dict[str, str]]:
    """A static web front end on its own origin (another port), the one the
    API's CORS setting lists; Python's http.server serves its page."""
    folder = workdir / "front-end"
    folder.mkdir()
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><title>Shop front end</title>'
        '<link rel="icon" href="data:,">'
    )
    port = free_port()
    log = workdir / "front-end.log"
    command = [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(folder),
    ]
    url = f"http://127.0.0.1:{port}"
    with serve(command, os.environ, log=log, ready_url=f"{url}/"):
        yield {"SHOP_API_CORS_ORIGINS": json.dumps([url])}
