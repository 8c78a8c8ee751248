"""``make fork APP=<package> DEST=<folder> [NAME=<name>]``: a new git
repository holding one app of this one, to make your own.

It chooses files rather than editing them. Every file belongs to one app or
to none (scripts/apps.py: a path part named after the app's package or slug,
such as ``<package>/``, ``tests/<package>/`` or ``docs/<slug>.md``); the fork gets
the chosen app's files and every file no app owns, and none of the other
apps'. It writes three files itself for that one app: the README,
``.env.example`` (scripts/env_example.py) and ``docker-compose.yml``
(scripts/compose_file.py); it fills the shared pages of the
documentation with its app's parts (scripts/docs_parts.py) and writes the
interview map with its app's rows (scripts/interview_map.py); and the
project's name (``NAME``, by default ``flask-<slug>``) replaces this project's
in ``pyproject.toml``, ``requirements.lock`` and ``mkdocs.yml``, and titles the
documentation site.

Files come from the last commit (``HEAD``), so work not committed never
leaks into a fork. The fork is a git repository with one commit. Standard
library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/apps.py

from apps import App, apps, owner
from compose_file import EVERY_STACK
from compose_file import render as compose_file
from docs_parts import fill_pages
from env_example import render as env_example
from interview_map import write as write_interview_map
from readme_toc import with_toc

ROOT = Path(__file__).resolve().parents[1]
# Written for the fork rather than copied.
README, ENV_EXAMPLE, COMPOSE = "README.md", ".env.example", "docker-compose.yml"
# Where this project's own name is written, and so the fork's.
NAMED_IN = ("pyproject.toml", "requirements.lock", "mkdocs.yml")
# The titles of the documentation site, which become the fork's name.
SITE_TITLES = {
    "mkdocs.yml": (rb"(?m)^site_name: .*$", "site_name: {}"),
    "docs/index.md": (rb"\A# .*", "# {}"),
}


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def project_name(pyproject: str) -> str:
    found = re.search(r'^name = "([^"]+)"$', pyproject, re.M)
    assert found is not None, "pyproject.toml has no project name"
    return found.group(1)


def chosen(path: str, app: App, every_app: list[App]) -> bool:
    """Whether ``path`` goes into a fork of ``app``."""
    if path in (README, ENV_EXAMPLE, COMPOSE):
        return False
    belongs_to = owner(path, every_app)
    if belongs_to is None and path.startswith("compose/"):
        # Only the infrastructure the app uses: compose/mail.compose.yml, say.
        return path.split("/")[1].split(".")[0] in (*EVERY_STACK, "app", *app.compose)
    if belongs_to is None and path.startswith("docker/env/compose-"):
        # And the settings of that infrastructure: docker/env/compose-mail.env.
        return path.removeprefix("docker/env/compose-").removesuffix(".env") in app.compose
    return belongs_to in (None, app)


def readme(app: App, name: str, own_name: str, source: Path, files: set[str], commit: str) -> str:
    """The fork's front page: what it is, the two commands, what to change first."""
    # The guide's first paragraph under its title says what the app is.
    guide = (source / "docs" / f"{app.slug}.md").read_text()
    first_paragraph = guide.split("\n\n")[1].strip()
    shots = sorted(path for path in files if path.startswith(f"docs/screenshots/{app.slug}/"))
    picture = f"![{app.title}]({shots[0]})\n\n" if shots else ""
    logins = app.demo.get("logins", "")
    remote = subprocess.run(
        ["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    origin = f"<{remote}>" if remote.startswith("https://") else "Flask Capstones"
    kept = (
        "the data starts afresh on every run (its files live in the embedded S3's memory)"
        if app.demo.get("s3")
        else "the data stays in `instance/demo/` until `make demo-reset`"
    )
    other_ports = f"{app.prefix}_PORT=8001" + (" DEMO_S3_PORT=8002" if app.demo.get("s3") else "")
    # An app with many rules splits them by concept: <package>/services/orders.py...
    split = f"{app.package}/services/__init__.py" in files
    rules = f"a module of `{app.package}/services/`" if split else f"`{app.package}/services.py`"
    missing = {"title", "colour", "requests"} - set(app.fork)
    assert not missing, f"{app.package}/app.toml's [fork] needs {', '.join(sorted(missing))}"
    (title, title_file), (colour, colour_file) = app.fork["title"], app.fork["colour"]
    requests = app.fork["requests"]
    # The colour's value, and the tests that expect it (in the logo too).
    found = re.search(rf"{colour}:\s*(#\w+)", (source / colour_file).read_text())
    assert found, f"{colour_file} sets no {colour}"
    accent = found.group(1)
    tests = [
        f"`{path}`"
        for path in sorted(files)
        if path.startswith(f"tests/{app.package}/") and accent in (source / path).read_text()
    ]
    checked_by = (
        f"{' and '.join(tests)} {'check' if len(tests) > 1 else 'checks'}"
        if tests
        else "no test checks"
    )
    demo_data = sorted(
        path for path in files if re.fullmatch(rf"{app.package}/demo_\w+\.json", path)
    )
    seeds = "".join(f", its demo data in `{path}`" for path in demo_data)
    return reflow(f"""# {name}

```sh
make demo   # creates .venv, installs, migrates, seeds and starts the app
make test   # creates .venv if needed; runs every suite but the browser, Docker and operations ones
```

{first_paragraph}

{picture}`make demo` needs Python 3.11 or newer and `make`, nothing else. It serves
{app.demo_home} with demo data; log in as {logins}, each with the password
`demo-password` (`make demo {other_ports}` serves it on other ports).
Ctrl-C stops it; {kept}. `make help` lists every other command.

<!-- toc -->
<!-- /toc -->

## Where to go next

- [The learning path](docs/learning-path.md): what to read first, and in what order.
- [The {app.title} guide](docs/{app.slug}.md): its design decisions, and why.
- [The interview map](docs/interview-map.md): from an interview question to the
  code, the test and the explanation.
- [Deploy](docs/deploy.md): Docker, compose, PostgreSQL (`cp .env.example .env`,
  then `docker compose up --build`; `BUILD_NETWORK=host` in `.env` on an engine
  without a default bridge);
  [Kubernetes](docs/kubernetes.md); [what to watch](docs/operations.md): metrics, logs.
- `make docs` serves all of it as a site.

## What to change first

1. **The name.** `make fork` called this project `{name}` in `pyproject.toml`,
   `requirements.lock` and `mkdocs.yml`; the app's title for people is
   `{title}` in `{title_file}` (`grep -rn "{app.title}"` finds the other places
   it is written), and the image is still called `{own_name}` (`grep -rn {own_name}`).
2. **The colours.** The accent colour is `{colour}` in `{colour_file}`
   ({accent}); the logo, `{app.package}/static/logo.svg`, is drawn in it too, and
   {checked_by} that both say the same: change the three together.
   `make screenshots` takes the pictures in `docs/screenshots/{app.slug}/` again.
3. **Your first model.** Add it to `{app.package}/models.py`, then write its
   migration with Flask-Migrate, in `.venv` (`make demo` or `make test` made it):

   ```sh
   . .venv/bin/activate
   flask --app {app.package} db upgrade   # instance/{app.package}.sqlite3 up to date first
   flask --app {app.package} db migrate -m "what it is"
   flask --app {app.package} db upgrade   # once you have read the migration it wrote
   ```

   Put its rules in {rules}, {requests}{seeds}, and its tests in
   `tests/{app.package}/`: `make test` runs them (and fails while a model and
   the migrations disagree).
4. **What you do not use.** `pyproject.toml` still lists the dependencies of
   the apps left out; [Fork one app](docs/layout.md#fork-one-app) says how to
   drop them.

This project began as `make fork APP={app.package}` of {origin}, at commit
`{commit[:12]}`.
""")


def reflow(markdown: str, width: int = 80) -> str:
    """Each paragraph and numbered item of ``markdown`` wrapped at ``width``
    (a code span kept on one line); headings, code blocks, lists, pictures
    and comments as they are."""
    blocks = []
    for block in markdown.split("\n\n"):
        if block.lstrip().startswith(("#", "```", "<!--", "![", "- ", "|")):
            blocks.append(block)
            continue
        lines = []
        for item in re.split(r"(?m)^(?=\d+\. )", block):
            numbered = item[:1].isdigit()
            text = re.sub(r"[ \n]+", " ", item).strip()
            text = re.sub(r"`[^`]+`", lambda span: span[0].replace(" ", "\N{NO-BREAK SPACE}"), text)
            lines.append(
                textwrap.fill(
                    text,
                    width=width,
                    initial_indent="" if numbered or not block.startswith(" ") else "   ",
                    subsequent_indent="   " if numbered or block.startswith(" ") else "",
                    break_on_hyphens=False,  # nor inside a name, a path or a link
                    break_long_words=False,
                ).replace("\N{NO-BREAK SPACE}", " ")
            )
        blocks.append("\n".join(line for line in lines if line))
    return "\n\n".join(blocks) + "\n"


def fork(package: str, dest: Path, name: str) -> tuple[App, list[App], list[str]]:
    """Write the fork of ``package`` into ``dest``: its app, every app of
    ``HEAD`` and the files the fork holds."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory(prefix="fork-") as temporary:
        source = Path(temporary)  # HEAD, whole
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
        every_app = apps(source)
        app = next(each for each in every_app if each.package == package)
        own_name = project_name((source / "pyproject.toml").read_text())
        written = []
        for path in sorted(git("ls-tree", "-r", "--name-only", "HEAD").splitlines()):
            if not chosen(path, app, every_app):
                continue
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            content = (source / path).read_bytes()
            if path in NAMED_IN:
                content = content.replace(own_name.encode(), name.encode())
            if path in SITE_TITLES:
                pattern, title = SITE_TITLES[path]
                content = re.sub(pattern, title.format(name).encode(), content, count=1)
            target.write_bytes(content)
            target.chmod((source / path).stat().st_mode & 0o777)
            written.append(path)
        commit = git("rev-parse", "HEAD").strip()
        (dest / README).write_text(
            with_toc(readme(app, name, own_name, source, set(written), commit))
        )
        (dest / ENV_EXAMPLE).write_text(env_example([app], source / "docker" / "env"))
        (dest / COMPOSE).write_text(compose_file([app], name))
    fill_pages(dest)  # the shared pages, with this app's parts only
    write_interview_map(dest)  # its rows, numbered afresh
    return app, every_app, sorted([*written, README, ENV_EXAMPLE, COMPOSE])


def left_out_names(
    dest: Path, files: list[str], app: App, every_app: list[App], name: str
) -> dict[str, list[str]]:
    """The files of the fork that still name an app it left out, and which
    (the fork's own ``name`` aside: it may well be another app's word)."""
    found = {}
    for path in files:
        try:
            text = (dest / path).read_text().replace(name, "")
        except UnicodeDecodeError:
            continue
        if names := [
            other.package for other in every_app if other is not app and other.names.search(text)
        ]:
            found[path] = names
    return found


def commit_fork(dest: Path, name: str, app: App) -> None:
    git("init", "--quiet", "--initial-branch=main", cwd=dest)
    git("add", "--all", cwd=dest)
    identity = []
    if not subprocess.run(["git", "config", "user.email"], cwd=dest, capture_output=True).stdout:
        identity = ["-c", "user.name=make fork", "-c", "user.email=fork@localhost"]
    git(
        *identity,
        "commit",
        "--quiet",
        "-m",
        f"{name}: the {app.title} app, from make fork",
        cwd=dest,
    )


def main(argv: list[str] | None = None) -> int:
    every_app = apps(ROOT)
    packages = [app.package for app in every_app]
    parser = argparse.ArgumentParser(description="Make a new repository with one app of this one.")
    parser.add_argument("app", choices=packages, help="the app to keep: " + ", ".join(packages))
    parser.add_argument("dest", type=Path, help="a folder that does not exist yet, or is empty")
    parser.add_argument("--name", help="the new project's name (default: flask-<slug>)")
    arguments = parser.parse_args(argv)
    app = next(each for each in every_app if each.package == arguments.app)
    name = arguments.name or f"flask-{app.slug}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        parser.error(f"NAME must be letters, digits, '.', '_' or '-': {name!r}")
    dest: Path = arguments.dest.resolve()
    if dest.exists() and any(dest.iterdir()):
        parser.error(f"{dest} is not empty: give a new folder")
    if git("status", "--porcelain"):
        print("Note: the fork is made from HEAD, without uncommitted changes.", file=sys.stderr)
    dest.mkdir(parents=True, exist_ok=True)
    app, every_app, files = fork(app.package, dest, name)
    commit_fork(dest, name, app)
    print(f"==> {dest}: {name}, the {app.title} app, {len(files)} files in one commit.")
    if leftovers := left_out_names(dest, files, app, every_app, name):
        print(f"    {len(leftovers)} of them still name an app left out:", file=sys.stderr)
        for path, names in sorted(leftovers.items()):
            print(f"      {path}: {', '.join(names)}", file=sys.stderr)
    print(f"    Next: cd {dest} && make demo   # then open {app.demo_home}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
