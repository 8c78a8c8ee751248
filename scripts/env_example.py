"""``.env.example``, put together from its parts in docker/env/ for the apps
present: the settings every app has (shown once, with the first app's
prefix), each app's own (``docker/env/<package>/``), and the demo's, compose's
and the tests'. ``make fork`` writes a fork's with its one app; this
repository's is checked against the parts by tests/deploy/test_env_example.py.

    python scripts/env_example.py    # rewrites .env.example after a part changed

Standard library only: ``make fork`` runs before anything is installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/apps.py

from apps import App, apps

ROOT = Path(__file__).resolve().parents[1]
PARTS = ROOT / "docker" / "env"


def part(name: str, app: App | None = None, parts: Path = PARTS) -> str:
    """The part ``name`` (docker/env/<name>.env), with ``app``'s prefix, package
    and title in place of ``<PREFIX>``, ``<PACKAGE>`` and ``<TITLE>``."""
    text = (parts / f"{name}.env").read_text().rstrip("\n")
    if app is not None:
        text = text.replace("<PREFIX>", app.prefix).replace("<PACKAGE>", app.package)
        text = text.replace("<TITLE>", app.title)
    return text


def own_parts(every_app: list[App], name: str, parts: Path) -> list[str]:
    """Each app's own part ``name`` (docker/env/<package>/<name>.env), if it has one."""
    return [
        part(f"{app.package}/{name}", parts=parts)
        for app in every_app
        if (parts / app.package / f"{name}.env").is_file()
    ]


def heading(title: str, shown_for: list[App], note: str = "") -> str:
    """``# --- title (note) ---``; for several apps, the note also says which
    prefix the lines show and which others read the same."""
    notes = [note] if note else []
    if len(shown_for) > 1:
        others = " / ".join(f"{app.prefix}_" for app in shown_for[1:])
        notes.append(f"shown with {shown_for[0].prefix}_, the same with {others}")
    if notes:
        title += " (" + "; ".join(notes) + ")"
    return f"# --- {title} ---"


def render(every_app: list[App], parts: Path = PARTS) -> str:
    """.env.example for ``every_app``, from the parts in the folder ``parts``."""
    first = every_app[0]
    prefixes = ", ".join(f"{app.prefix}_" for app in every_app)
    secret_keys = "\n".join(f"# {app.prefix}_SECRET_KEY=" for app in every_app)
    sections = [
        part("header", parts=parts).replace("<PREFIXES>", prefixes),
        heading("Every app", every_app)
        + "\n\n"
        + part("every-app", first, parts).replace("<SECRET_KEYS>", secret_keys),
    ]
    if mailing := [app for app in every_app if app.demo.get("worker")]:
        sections.append(heading("Mail and the background worker", mailing))
        sections[-1] += "\n" + part("mail", mailing[0], parts)
    sections += own_parts(every_app, "settings", parts)
    demo_ports = "\n".join(f"# {app.prefix}_PORT={app.port}" for app in every_app)
    demo = part("demo", parts=parts).replace("<DEMO_PORTS>", demo_ports)
    sections.append(
        "\n".join(["# --- make demo: ports, the folder holding its data, its terminal ---", demo])
    )
    sections[-1] += "".join("\n" + text for text in own_parts(every_app, "demo", parts))
    # Each app's published port, and for an app that sends mail the address
    # its links lead to, which compose makes from that port unless it is set.
    http_ports = "\n".join(
        f"# {app.prefix}_HTTP_PORT={app.port}"
        + (f"\n# {app.prefix}_EXTERNAL_URL=http://localhost:{app.port}" if app in mailing else "")
        for app in every_app
    )
    compose = part("compose", parts=parts).replace("<HTTP_PORTS>", http_ports)
    sections.append("\n".join(["# --- docker compose (docker-compose.yml) ---", compose]))
    # The settings of the pieces of compose/ the apps use (compose-mail.env...).
    pieces = sorted({piece for app in every_app for piece in app.compose})
    sections[-1] += "".join(
        "\n" + part(f"compose-{piece}", parts=parts)
        for piece in pieces
        if (parts / f"compose-{piece}.env").is_file()
    )
    sections[-1] += "".join("\n" + text for text in own_parts(every_app, "compose", parts))
    sections.append(
        heading("Every app, in production", every_app, "compose sets these from the values above")
        + "\n"
        + part("production", first, parts)
    )
    sections.append("# --- Tests ---\n" + part("tests", parts=parts))
    return "\n\n".join(sections) + "\n"


def main() -> int:
    (ROOT / ".env.example").write_text(render(apps(ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
