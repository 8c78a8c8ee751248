"""The part of requirements.lock that the runtime set and some extras need.

``python scripts/locked.py demo`` prints the lock's entries, hashes included,
for the runtime dependencies of pyproject.toml, its ``demo`` extra and
everything they pull in; no arguments, the runtime set alone (what the Docker
image installs). ``make`` installs that with ``--no-deps --require-hashes``,
through uv or pip: the lock is the one source of versions and bytes, and an
environment gets only what its target uses.

Why not a tool: ``uv pip compile --all-extras`` writes one lock for every
extra but no way to install a part of it; uv's project lock
(``uv export --extra``) needs uv to install anything, and the fallback is pip.
The lock's ``# via`` comments are its dependency graph, so a walk from the
requested packages finds the rest.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"\s*([A-Za-z0-9._-]+)\s*(?:\[([^\]]*)\])?")
ENTRY = re.compile(r"^([A-Za-z0-9._-]+)==", re.M)


def canonical(name: str) -> str:
    """PEP 503's normal form, as the lock writes names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requested(pyproject: dict, extras: Iterable[str]) -> set[str]:
    """The packages pyproject.toml names for the runtime set and ``extras``,
    following an extra that names another (``<this project>[demo]``)."""
    project = pyproject["project"]
    optional = project.get("optional-dependencies", {})
    names = {requirement(line)[0] for line in project["dependencies"]}
    pending, done = list(extras), set()
    while pending:
        extra = pending.pop()
        if extra in done:
            continue
        if extra not in optional:
            raise SystemExit(f"pyproject.toml has no extra {extra!r}: {', '.join(optional)}")
        done.add(extra)
        for name, its_extras in map(requirement, optional[extra]):
            if name == canonical(project["name"]):
                pending.extend(its_extras)
            else:
                names.add(name)
    return names


def requirement(line: str) -> tuple[str, list[str]]:
    """A requirement's name and extras: "moto[s3]>=5.0,<6" -> ("moto", ["s3"])."""
    match = REQUIREMENT.match(line)
    if match is None:
        raise SystemExit(f"pyproject.toml: cannot read {line!r}")
    return canonical(match[1]), [extra.strip() for extra in (match[2] or "").split(",") if extra]


def entries(lock: str) -> dict[str, tuple[str, set[str]]]:
    """Each locked package: its entry (the pin with its hashes) and the
    packages it is there for (uv's ``# via`` comments)."""
    found = {}
    starts = [match.start() for match in ENTRY.finditer(lock)]
    for start, end in zip(starts, [*starts[1:], len(lock)], strict=True):
        pin, _, via = lock[start:end].partition("# via")
        parents = set()
        for line in via.splitlines():
            words = line.strip("# ").split()
            if words:  # "<this project> (pyproject.toml)" or a package's name
                parents.add(canonical(words[0]))
        found[canonical(pin.split("==", 1)[0])] = (pin.strip(), parents)
    return found


def subset(lock: str, names: set[str]) -> list[str]:
    """The entries of ``names`` and of everything they need, in the lock's order."""
    locked = entries(lock)
    missing = names - set(locked)
    if missing:
        raise SystemExit(f"not in requirements.lock: {', '.join(sorted(missing))}; run make lock")
    needed, pending = set(), list(names)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(child for child, (_, parents) in locked.items() if name in parents)
    return [entry for name, (entry, _) in locked.items() if name in needed]


def main(extras: list[str]) -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lock = (ROOT / "requirements.lock").read_text()
    print("\n".join(subset(lock, requested(pyproject, extras))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
