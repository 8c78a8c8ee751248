"""The apps of this repository, found by their manifests (``<package>/app.toml``).

Make, ``make demo``, the repository's own tests and ``make fork`` learn from
here which apps there are and what each is called, so none of them keeps its
own list, and a fork with one app needs no edit. Standard library only:
``make fork`` runs before anything is installed."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class App:
    package: str  # its folder, which is its Python package
    title: str  # its name for people
    slug: str  # its guide docs/<slug>.md and screenshots docs/screenshots/<slug>/
    prefix: str  # its settings: <prefix>_SECRET_KEY
    port: int
    words: tuple[str, ...]  # how a file names it
    compose: tuple[str, ...] = ()  # the pieces of compose/ it needs besides base and its own
    demo: dict[str, Any] = field(default_factory=dict)
    # What a fork's README points to first: its title, its colour, its views.
    fork: dict[str, Any] = field(default_factory=dict)
    # Its settings that are not for the environment (.env.example leaves them out).
    set_in_code: tuple[str, ...] = ()
    # The pages ``make lighthouse`` scores (paths anyone can open).
    lighthouse: tuple[str, ...] = ()

    @property
    def demo_home(self) -> str:
        """The page ``make demo`` serves first for this app."""
        return f"http://127.0.0.1:{self.port}{self.demo.get('home', '/')}"

    @property
    def names(self) -> re.Pattern[str]:
        """Any of ``words``, in any case, not inside a longer word (``_`` and
        ``-`` break words: for the word "cart", ``CART_API_PORT`` names the app,
        ``cartoon`` does not)."""
        alternatives = "|".join(re.escape(word) for word in self.words)
        return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])", re.IGNORECASE)

    def owns(self, path: str) -> bool:
        """Whether ``path`` (relative to the repository) belongs to this app: one
        of its parts, without its extension, is the package or the slug."""
        parts = PurePosixPath(path).parts
        return any(part.split(".")[0] in (self.package, self.slug) for part in parts)


def load(manifest: Path) -> App:
    data = tomllib.loads(manifest.read_text())
    return App(
        package=manifest.parent.name,
        title=data["title"],
        slug=data["slug"],
        prefix=data["prefix"],
        port=int(data["port"]),
        words=tuple(data["words"]),
        compose=tuple(data.get("compose", ())),
        demo=data.get("demo", {}),
        fork=data.get("fork", {}),
        set_in_code=tuple(data.get("set_in_code", ())),
        lighthouse=tuple(data.get("lighthouse", {}).get("pages", ())),
    )


def apps(root: Path = ROOT) -> list[App]:
    """Every app of the repository at ``root``, in the order of their ports."""
    return sorted((load(path) for path in root.glob("*/app.toml")), key=lambda app: app.port)


def owner(path: str, every_app: list[App]) -> App | None:
    """The app ``path`` belongs to, or None for a file every app shares."""
    owners = [app for app in every_app if app.owns(path)]
    return owners[0] if len(owners) == 1 else None
