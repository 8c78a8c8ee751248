"""The documents a learner studies cannot rot: every path, function and test
that docs/interview-map.md names, and every test the README and the docs
pages name, exists; every link of the map to a section lands on a heading;
the README stays a short front door whose links land; its table of contents
and the shared foundation's ``create_app`` excerpt match the code; and every
"Why...?" paragraph names the test that proves it. (``make docs-build``
checks the site itself: every page in its nav, every link and anchor.)"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"
MAP = (DOCS / "interview-map.md").read_text()
# Every page of the documentation site, the map included, by its path in docs/.
PAGES = {path.relative_to(DOCS).as_posix(): path.read_text() for path in sorted(DOCS.rglob("*.md"))}
# The README and every page: what a grep of the documentation reads.
EVERYTHING = "\n\n".join([README, *PAGES.values()])
# `path.py:name`, `path.py:Class.method`, or a plain file path, in backticks.
CODE_REF = re.compile(r"`([\w./-]+?)(?::([\w.]+))?`")
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")
# A link from the map to a section: of a page beside it, or of the README.
SECTION_LINK = re.compile(r"\]\(((?:\.\./README|[\w-]+)\.md)#([^)]+)\)")
# A Markdown heading: its hashes and its title.
HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")
# A key term of a map row, in its last column.
TERM = re.compile(r"`([^`]+)`")
# A link from the README into docs/, with or without a section.
README_DOCS_LINK = re.compile(r"\]\((docs/[^)#]*)(?:#([^)]+))?\)")


@cache
def names_in(path: Path) -> set[str]:
    """Top-level functions, classes and assignments, and ``Class.method``."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            names.update(
                f"{node.name}.{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def missing_reference(path: str, name: str | None) -> str | None:
    """Why ``path`` (and ``name`` in it) is not there, or None when it is."""
    file = ROOT / path
    if not file.is_file():
        return f"{path}: no such file"
    if name is not None:
        if file.suffix != ".py":
            return f"{path}:{name}: only Python files have named parts"
        if name not in names_in(file):
            return f"{path}: no {name}"
    return None


def map_rows() -> list[list[str]]:
    """The cells of every row of the map's "Covered" tables."""
    covered = MAP.split("## Covered", 1)[1].split("## Not covered", 1)[0]
    rows = []
    for line in covered.splitlines():
        if line.startswith("| ") and not line.startswith(("| #", "|---")):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def test_the_map_covers_the_guides_with_numbered_rows() -> None:
    rows = map_rows()
    assert rows
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        assert len(row) == 7, row
        assert TERM.findall(row[6]), f"row {row[0]} gives no key terms"
        assert re.fullmatch(r"S[0-4]( S[0-4])*", row[2]), row[2]
        assert CODE_REF.search(row[3]), f"row {row[0]} names no code"
        assert TEST_REF.search(row[4]), f"row {row[0]} names no test"
        assert SECTION_LINK.search(row[5]), f"row {row[0]} links no section"
    assert "| # | topic | guides | why not |" in MAP  # and says what it leaves out


def all_rows() -> dict[int, list[str]]:
    """Every numbered row of the map, covered or not, by its number."""
    table = MAP.split("## Covered", 1)[1].split("## Every question", 1)[0]
    return {
        int(cells[0]): cells
        for line in table.splitlines()
        if re.match(r"\| \d+ \|", line)
        for cells in [[cell.strip() for cell in line.strip().strip("|").split(" | ")]]
    }


def guide_questions() -> list[tuple[str, str, list[int]]]:
    """Each question of the last section: its guide, its number and its rows."""
    questions, guide = [], None
    for line in MAP.split("## Every question", 1)[1].splitlines():
        if heading := re.match(r"### (S\d):", line):
            guide = heading.group(1)
        elif guide and line.startswith("| ") and not line.startswith(("| # ", "|---")):
            number, _question, rows = (
                cell.strip() for cell in line.strip().strip("|").split(" | ")
            )
            questions.append((guide, number, [int(row) for row in rows.split(", ")]))
    return questions


def test_every_question_of_the_guides_is_counted_and_points_at_its_rows() -> None:
    """The intro's count is the number of questions listed, guide by guide;
    each question's rows exist and name its guide; the rows no question
    reaches are the ones the intro names as topics without a question."""
    stated = re.search(r"\*\*(\d+) questions\*\*[^(]*\(([^)]*)\)", MAP)
    assert stated is not None
    per_guide = dict(re.findall(r"(S\d) (\d+)", stated.group(2)))
    questions = guide_questions()
    assert len(questions) == int(stated.group(1))
    for guide, count in per_guide.items():
        numbers = [number for g, number, _ in questions if g == guide]
        assert len(numbers) == int(count), guide
        assert len(set(numbers)) == len(numbers), f"{guide} lists a question twice"
    rows = all_rows()
    assert sorted(rows) == list(range(1, len(rows) + 1))
    for guide, number, targets in questions:
        for row in targets:
            assert row in rows, f"{guide} {number}: no row {row}"
            assert guide in rows[row][2].split(), (
                f"{guide} {number}: row {row} does not name {guide}"
            )
    unasked = sorted(set(rows) - {row for *_, targets in questions for row in targets})
    named = re.search(r"rows?\s+\(([\d, and]+)\) answers? topics", MAP)
    assert unasked == ([int(row) for row in re.findall(r"\d+", named.group(1))] if named else [])


def test_every_table_has_as_many_columns_as_its_header() -> None:
    """With a separator row of a column too many or too few, Markdown shows
    the table as a paragraph of pipes."""
    problems = []
    for page, text in [("README.md", README), *PAGES.items()]:
        lines = text.splitlines()
        for number, line in enumerate(lines[1:], start=1):
            if re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", line.strip()):
                header, separator = lines[number - 1].strip(), line.strip()
                if header.count(" | ") + 1 != separator.count("|") - 1:
                    problems.append(f"{page}:{number + 1}")
    assert problems == []


def test_every_code_reference_in_the_map_exists() -> None:
    problems = [
        problem
        for row in map_rows()
        for path, name in CODE_REF.findall(row[3])
        if (problem := missing_reference(path, name or None))
    ]
    assert problems == []


def test_every_test_the_readme_or_a_docs_page_names_exists() -> None:
    named = {
        (path, name or None, page)
        for page, text in {"README.md": README, **PAGES}.items()
        for path, name in TEST_REF.findall(text)
    }
    assert len({(path, name) for path, name, _page in named}) > 60
    problems = sorted(
        f"{problem}, named in {page}"
        for path, name, page in named
        if (problem := missing_reference(path, name))
    )
    assert problems == []


def section_anchors(page: str) -> set[str]:
    """The heading anchors of the README (``../README.md``) or a docs page,
    GitHub's way (mkdocs.yml makes the site's the same)."""
    text = README if page == "../README.md" else PAGES[page]
    return script("readme_toc").anchors(text)


def test_every_section_link_in_the_map_lands_on_a_heading() -> None:
    links = SECTION_LINK.findall(MAP)
    assert len(links) >= len(map_rows())
    unknown = sorted({page for page, _ in links} - {*PAGES, "../README.md"})
    assert unknown == []
    assert (
        sorted({(page, anchor) for page, anchor in links if anchor not in section_anchors(page)})
        == []
    )


def test_every_section_link_in_the_map_lands_below_a_pages_title() -> None:
    """A row links the section that discusses its topic, not the top of a
    page a reader would then have to search."""
    toc = script("readme_toc")
    titles = {
        (page, toc.slug(line[2:].strip()))
        for page, text in [("../README.md", README), *PAGES.items()]
        for line in text.splitlines()[:1]
        if line.startswith("# ")
    }
    assert sorted(set(SECTION_LINK.findall(MAP)) & titles) == []


def section_text(page: str, anchor: str) -> str:
    """The text under the heading ``#anchor`` of ``page`` (not the heading
    itself): up to the next heading of the same or a higher level (code
    blocks are part of it)."""
    toc = script("readme_toc")
    text = README if page == "../README.md" else PAGES[page]
    lines = text.splitlines()
    seen: dict[str, int] = {}
    start, level, in_code = None, 0, False
    for number, line in enumerate(lines):
        if line.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        heading = None if in_code else HEADING.match(line)
        if heading is None:
            continue
        if start is not None and len(heading.group(1)) <= level:
            return "\n".join(lines[start + 1 : number])
        base = toc.slug(heading.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        if start is None and (base if count == 0 else f"{base}-{count}") == anchor:
            start, level = number, len(heading.group(1))
    assert start is not None, f"{page} has no heading #{anchor}"
    return "\n".join(lines[start + 1 :])


@cache
def source_of_test(path: str, name: str) -> str:
    """The source of the test function ``name`` in ``path`` (its decorators
    and parameters included: a parametrized case names what it tests)."""
    text = (ROOT / path).read_text()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            first = node.decorator_list[0] if node.decorator_list else node
            lines = text.splitlines()[first.lineno - 1 : node.end_lineno]
            return "\n".join(lines)
    raise AssertionError(f"{path} has no test {name}")


def words(text: str) -> str:
    """Lower case, with ``_`` and ``-`` read as spaces: ``url_for`` in a test
    and "url_for" in a page are the same words."""
    return re.sub(r"[_-]", " ", text.lower())


def mentions(text: str, term: str) -> bool:
    """Whether ``term`` starts a word of ``text`` (so ``ticket`` finds
    "tickets", and ``own`` does not find "shown")."""
    return re.search(r"(?<![a-z0-9])" + re.escape(words(term)), words(text)) is not None


def off_topic() -> list[str]:
    """Each row whose test or section mentions none of the row's key terms."""
    problems = []
    for row in map_rows():
        terms = TERM.findall(row[6])
        for path, name in TEST_REF.findall(row[4]):
            if not any(mentions(source_of_test(path, name), term) for term in terms):
                problems.append(f"row {row[0]}: {path}::{name} mentions none of {terms}")
        for page, anchor in SECTION_LINK.findall(row[5]):
            if not any(mentions(section_text(page, anchor), term) for term in terms):
                problems.append(f"row {row[0]}: {page}#{anchor} mentions none of {terms}")
    return problems


def test_every_rows_tests_and_section_mention_its_key_terms() -> None:
    """A row points at a test and a section about its topic, not merely at
    ones that exist: each test it cites and each section it links mention
    one of the row's key terms (the topic's words an interviewer uses)."""
    assert off_topic() == []


def test_the_readme_is_a_short_front_door_with_the_two_commands_first() -> None:
    lines = README.splitlines()
    assert len(lines) <= 300
    first_screen = "\n".join(lines[:25])
    assert "make demo" in first_screen
    assert "make test" in first_screen
    for page in ("learning-path.md", "interview-map.md", "deploy.md"):
        assert f"](docs/{page}" in README, f"the README does not lead to docs/{page}"
    for app in script("apps").apps(ROOT):
        assert f"](docs/{app.slug}.md" in README, f"the README does not lead to docs/{app.slug}.md"


def test_every_readme_link_into_docs_lands_on_a_file_and_a_heading() -> None:
    links = README_DOCS_LINK.findall(README)
    assert links
    problems = []
    for target, anchor in links:
        if not (ROOT / target).exists():
            problems.append(f"{target}: no such file or folder")
        elif anchor and anchor not in script("readme_toc").anchors((ROOT / target).read_text()):
            problems.append(f"{target}: no heading #{anchor}")
    assert problems == []


def test_the_readme_table_of_contents_lists_every_section() -> None:
    assert script("readme_toc").with_toc(README) == README, "run: python scripts/readme_toc.py"


@pytest.mark.parametrize("app", script("apps").apps(ROOT), ids=lambda app: app.package)
def test_the_shared_foundations_create_app_excerpts_are_the_code(app: Any) -> None:
    source = inspect.getsource(importlib.import_module(app.package).create_app)
    part = DOCS / app.slug / "parts" / "shared" / "create-app.md"
    how = (
        f"after changing create_app, copy it into {part.relative_to(DOCS.parent)}, "
        "then run python scripts/docs_parts.py"
    )
    assert f"```python\n{source}```" in part.read_text(), how
    assert f"```python\n{source}```" in PAGES["shared.md"], how


def test_every_why_paragraph_and_section_names_its_test() -> None:
    paragraphs = re.split(r"\n\s*\n", EVERYTHING)
    silent = [
        paragraph.split("**")[1]
        for paragraph in paragraphs
        if paragraph.startswith("**Why") and not TEST_REF.search(paragraph)
    ]
    sections = re.split(r"(?m)^(?=#{2,4} )", EVERYTHING)
    silent += [
        section.split("\n")[0]
        for section in sections
        if re.match(r"#+ Why", section) and not TEST_REF.search(section)
    ]
    assert silent == []


GUIDE_WORDS = [
    *("WSGI", "XSS", "SQL injection", "application context", "jsonify", "request.files"),
    *("JWT", "Celery", "caching", "CORS", "MethodView"),
]


@pytest.mark.parametrize("word", GUIDE_WORDS)
def test_a_grep_for_the_guides_words_finds_the_answer(word: str) -> None:
    assert word.lower() in EVERYTHING.lower()


def test_the_pages_workflow_publishes_what_make_docs_build_builds() -> None:
    workflow = (ROOT / ".github" / "workflows" / "docs.yml").read_text()
    site_dir = re.search(r"^site_dir: (\S+)$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert site_dir is not None
    assert "run: make docs-build" in workflow
    upload = r"uses: actions/upload-pages-artifact@v\d+\n\s+with:\n\s+path: (\S+)\n"
    uploaded = re.search(upload, workflow)
    assert uploaded is not None
    assert uploaded.group(1) == site_dir.group(1)
    assert "uses: actions/deploy-pages@" in workflow
    assert f"{site_dir.group(1)}/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_site_draws_mermaid_fences() -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    fence = re.search(
        r"- pymdownx\.superfences:\n\s+custom_fences:\n(.*?)\n\s+- name: (\w+)", config, re.S
    )
    assert fence is not None
    assert fence.group(2) == "mermaid"
    assert "format: !!python/name:pymdownx.superfences.fence_code_format" in config
