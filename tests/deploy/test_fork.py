"""``make fork``: a new git repository with one app, made by choosing files.

Each app is forked into a temporary folder; the fork holds that app's files and
every shared file, none of another app's, in one commit, with its own README
and name. (That the fork's own ``make test``, ``make lint`` and ``make demo``
pass is what CI's fork job runs.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
FORK = ROOT / "scripts" / "fork.py"
APPS = script("apps").apps(ROOT)


def make_fork(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(FORK), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def files_of(repository: Path) -> set[str]:
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "HEAD"],
        cwd=repository,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(listed.splitlines())


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.package)
def test_a_fork_holds_its_app_and_every_shared_file_in_one_commit(app: Any, tmp_path: Path) -> None:
    fork_script = script("fork")
    dest = tmp_path / "fork"
    made = make_fork(app.package, str(dest))
    assert made.returncode == 0, made.stderr
    commits = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=dest, capture_output=True, text=True, check=True
    )
    assert commits.stdout.strip() == "1"
    expected = {path for path in files_of(ROOT) if fork_script.chosen(path, app, APPS)} | {
        "README.md",
        ".env.example",
        "docker-compose.yml",
    }
    assert files_of(dest) == expected
    assert any(path.startswith(f"{app.package}/") for path in expected)
    # Its Kubernetes manifests: the shared base and components, and its app's
    # folder (tests/operations/test_kubernetes.py builds them as a fork has them).
    kubernetes = {path.split("/")[2] for path in expected if path.startswith("deploy/kubernetes/")}
    assert kubernetes == {"base", "components", app.package}
    # The pieces of compose/ it uses, and their settings' parts of .env.example.
    pieces = {path.split("/")[1].split(".")[0] for path in expected if path.startswith("compose/")}
    assert pieces == {"base", "metrics", "app", app.package, *app.compose}
    env_parts = {
        path.removeprefix("docker/env/compose-").removesuffix(".env")
        for path in expected
        if path.startswith("docker/env/compose-")
    }
    assert env_parts <= set(app.compose)
    # Its docker-compose.yml speaks of the pieces it has, and of no other.
    compose = (dest / "docker-compose.yml").read_text()
    assert {
        f"compose/{name}.compose.yml" for name in re.findall(r"compose/(\w+)\.compose", compose)
    } <= expected
    assert ("SeaweedFS" in compose) == ("s3" in app.compose)
    assert ("Mailpit" in compose) == ("mail" in app.compose)
    readme = (dest / "README.md").read_text()
    assert app.title in readme
    assert f"127.0.0.1:{app.port}" in readme
    # How to move each port its demo opens (the embedded S3's too).
    assert f"{app.prefix}_PORT=" in readme
    assert ("DEMO_S3_PORT=" in readme) == bool(app.demo.get("s3"))
    # What the demo keeps: nothing, for an app whose files are in moto's memory.
    assert ("starts afresh on every run" in readme) == bool(app.demo.get("s3"))
    left_out = [other for other in APPS if other is not app]
    assert not [other.package for other in left_out if other.names.search(readme)]
    # No file of the fork names an app it left out.
    assert fork_script.left_out_names(dest, sorted(expected), app, APPS, f"flask-{app.slug}") == {}
    toc = script("readme_toc")
    assert toc.with_toc(readme) == readme, "the README's table of contents lists its sections"
    # What to change first: each name it points to is in the file it names.
    for look_for, path in (app.fork["title"], app.fork["colour"]):
        assert f"`{look_for}` in `{path}`" in " ".join(readme.split())
        assert look_for in (dest / path).read_text()
    # ...with the colour's value, which the tests it names expect.
    accent = re.search(r"\((#\w+)\);\s+the logo", readme)
    assert accent
    checked_by = re.findall(r"`(tests/[\w/]+\.py)`", readme)
    assert checked_by
    assert all(accent.group(1) in (dest / path).read_text() for path in checked_by)
    # Every path it names in backticks is there (instance/ is made by make demo).
    named = set(re.findall(r"`([\w.-]+/[\w./-]*)`", readme))
    assert not {path for path in named - {"instance/demo/"} if not (dest / path).exists()}


def test_the_forks_name_replaces_this_projects(tmp_path: Path) -> None:
    app = APPS[0]
    dest = tmp_path / "fork"
    made = make_fork(app.package, str(dest), "--name", "my-portfolio")
    assert made.returncode == 0, made.stderr
    assert 'name = "my-portfolio"' in (dest / "pyproject.toml").read_text()
    assert "site_name: my-portfolio" in (dest / "mkdocs.yml").read_text()
    assert "\nname: my-portfolio\n" in (dest / "docker-compose.yml").read_text()
    assert "# via my-portfolio (pyproject.toml)" in (dest / "requirements.lock").read_text()
    assert (dest / "README.md").read_text().startswith("# my-portfolio\n")
    assert (dest / "docs" / "index.md").read_text().startswith("# my-portfolio\n")
    # The lock still resolves the fork's extras, which name the project itself.
    part = subprocess.run(
        [sys.executable, "scripts/locked.py", "test"],
        cwd=dest,
        capture_output=True,
        text=True,
        check=False,
    )
    assert part.returncode == 0, part.stderr
    assert "pytest==" in part.stdout


def test_a_forks_name_may_use_a_word_of_an_app_it_left_out(tmp_path: Path) -> None:
    """A fork's name may use the word of an app it left out (the owner's
    choice): the name is not counted as naming that app. (The app left out
    is made up, so a fork with one app runs this too.)"""
    app = APPS[0]
    left_out = script("apps").App("blog", "Blog", "blog", "BLOG", 5999, ("blog",))
    name = f"blog-and-{app.slug}"
    dest = tmp_path / "fork"
    made = make_fork(app.package, str(dest), "--name", name)
    assert made.returncode == 0, made.stderr
    assert f'name = "{name}"' in (dest / "pyproject.toml").read_text()
    fork_script = script("fork")
    named_in = list(fork_script.NAMED_IN)
    assert fork_script.left_out_names(dest, named_in, app, [app, left_out], name) == {}
    # Without the exemption, the name would count as naming the blog.
    assert fork_script.left_out_names(dest, named_in, app, [app, left_out], "x") == {
        path: ["blog"] for path in named_in
    }


def test_an_unknown_app_a_folder_in_use_or_a_bad_name_is_refused(tmp_path: Path) -> None:
    unknown = make_fork("blog", str(tmp_path / "a"))
    assert unknown.returncode == 2
    assert all(app.package in unknown.stderr for app in APPS)  # the choices
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    in_use = make_fork(APPS[0].package, str(used))
    assert in_use.returncode == 2
    assert "is not empty" in in_use.stderr
    assert (used / "notes.txt").read_text() == "mine"
    bad_name = make_fork(APPS[0].package, str(tmp_path / "b"), "--name", "my portfolio!")
    assert bad_name.returncode == 2
    assert "NAME must be" in bad_name.stderr
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


def test_the_readme_wraps_its_lines_without_breaking_a_name_a_path_or_a_link() -> None:
    words = "word " * 15
    markdown = (
        f"{words}`make fork NAME=flask-my-portfolio-project` {words}"
        f"[Fork one app](docs/layout.md#fork-one-app) {words}<https://example.com/a-b/c-d>.\n"
    )
    text = script("fork").reflow(markdown)
    assert text.endswith(".\n")
    assert max(len(line) for line in text.splitlines()) <= 80
    for kept in (
        "`make fork NAME=flask-my-portfolio-project`",
        "(docs/layout.md#fork-one-app)",
        "<https://example.com/a-b/c-d>",
    ):
        assert kept in text
