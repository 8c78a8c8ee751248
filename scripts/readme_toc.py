"""The README's table of contents, made from its headings.

    python scripts/readme_toc.py          # rewrite the list between the markers
    python scripts/readme_toc.py --check  # exit 1 if it is out of date

Anchors follow GitHub's rule: lower case, punctuation dropped, spaces become
hyphens, a repeated heading gets -1, -2, ... ``tests/deploy/test_docs.py``
fails when the list and the headings disagree, so it cannot rot.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- toc -->", "<!-- /toc -->"
_FENCE = re.compile(r"^(```|~~~)")
_HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")


def all_headings(markdown: str) -> list[tuple[int, str]]:
    """``(level, title)`` of every heading outside code blocks."""
    found: list[tuple[int, str]] = []
    in_code = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
        elif not in_code and (match := _HEADING.match(line)):
            found.append((len(match.group(1)), match.group(2)))
    return found


def headings(markdown: str) -> list[tuple[int, str]]:
    """The ``##`` and ``###`` headings: the ones the table lists."""
    return [(level, title) for level, title in all_headings(markdown) if level in (2, 3)]


def slug(title: str) -> str:
    """GitHub's anchor for a heading (before de-duplication)."""
    text = title.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)  # keeps letters, digits, _, - and spaces
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every heading anchor in ``markdown``, de-duplicated the way GitHub does."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for _level, title in all_headings(markdown):
        base = slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def table_of_contents(markdown: str) -> str:
    lines = []
    for level, title in headings(markdown):
        if title == "Contents":
            continue
        indent = "  " * (level - 2)
        lines.append(f"{indent}- [{_plain(title)}](#{slug(title)})")
    return "\n".join(lines)


def _plain(title: str) -> str:
    """A heading as link text: Markdown link text may hold code spans."""
    return title.replace("[", "\\[").replace("]", "\\]")


def with_toc(markdown: str) -> str:
    before, rest = markdown.split(START, 1)
    _old, after = rest.split(END, 1)
    return f"{before}{START}\n{table_of_contents(markdown)}\n{END}{after}"


def main(argv: list[str]) -> int:
    text = README.read_text()
    updated = with_toc(text)
    if "--check" in argv:
        if updated != text:
            print(
                "README.md: the table of contents is out of date; run python scripts/readme_toc.py"
            )
            return 1
        return 0
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
