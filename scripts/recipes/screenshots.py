"""The recipe site's screenshots (``make screenshots``, scripts/screenshots.py):
the list and one recipe as a visitor sees them, and the list on a phone."""

from __future__ import annotations

from typing import Any


def take(camera: Any) -> None:
    visitor = camera.page()
    visitor.goto(f"{camera.base}/")
    camera.shoot(visitor, "list")
    visitor.click("text=Tomato soup")
    camera.shoot(visitor, "recipe")

    phone = camera.page(camera.PHONE)
    phone.goto(f"{camera.base}/")
    camera.shoot(phone, "list-phone")
