"""The shop API's screenshot (``make screenshots``, scripts/screenshots.py):
its interactive docs (Swagger UI), once they have listed the operations."""

from __future__ import annotations

from typing import Any


def take(camera: Any) -> None:
    docs = camera.page()
    docs.goto(f"{camera.base}/api/docs")
    docs.wait_for_selector(".opblock")
    camera.shoot(docs, "docs")
