"""The ``?next=`` check: follow it only to a path on this site.

An open redirect on a login page is a phishing tool: the victim sees our
domain in the link and lands on the attacker's. Browsers are lenient about
what counts as "another host", so anything but a plain same-site path is
refused.
"""

from __future__ import annotations


def safe_next_path(target: str | None) -> str | None:
    """``target`` when it is a same-site path such as ``/tickets/3?x=1``, else None.

    Refused: absolute URLs, ``//host`` and ``/\\host`` (browsers read both as
    another host), ``https:host`` and ``javascript:`` (no leading slash), and
    anything with whitespace or control characters, which browsers strip
    (``/\\t/host`` becomes ``//host``).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    # A leading single slash leaves no room for a scheme or a host.
    return target
