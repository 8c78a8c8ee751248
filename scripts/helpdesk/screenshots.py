"""The help desk's screenshots (``make screenshots``, scripts/screenshots.py):
a customer's tickets, and the staff's list and one ticket."""

from __future__ import annotations

from typing import Any


def take(camera: Any) -> None:
    customer = camera.page(login="ann@example.com")
    camera.shoot(customer, "my-tickets")

    staff = camera.page(login="staff@example.com")
    staff.goto(f"{camera.base}/staff/tickets/")
    camera.shoot(staff, "staff-list")
    staff.click("text=Cannot log in to the VPN")
    camera.shoot(staff, "staff-ticket")
