"""The ``?next=`` check. An open redirect on a login page is a phishing tool:
the victim sees our domain in the link and lands on the attacker's."""


def safe_next_path(target: str | None) -> str | None:
    """``target`` if it is a same-site path such as ``/items/3?x=1``, else None.
    Refused besides absolute URLs: ``//host`` and ``/\\host`` (another host to a
    browser), ``javascript:`` and any space or control character, which browsers
    strip (``/\\t/host`` is ``//host``)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or " " in target or not target.isprintable():
        return None
    return target  # a single leading slash leaves no room for a scheme or a host
