"""Write docs/interview-map.md from its data, for the apps present.

The map is a table: each row is a topic the interview guides ask about, with
the code that answers it, the test that proves it and the section that
explains it. A topic such as "the application factory" is shared, but its
code is each app's own, so the data comes in pieces:

- ``docs/interview-map.toml``: the guides, the topics (rows) with the evidence
  every app shares (``shared/``, ``tests/shared/``, the shared pages), the
  topics left out, and the guides' questions;
- ``docs/<slug>/parts/interview-map.toml`` of each app: its evidence for
  those rows (``[evidence.<row key>]``), its own rows (the capstone brief it
  implements), its words on a topic left out, and its brief's questions.

Rows are numbered here, in order, so adding one renumbers the rest. A row
that ends up with no code, test or section (a fork without the app that
showed it) moves to the topics left out, as one to add. Like the README's
table of contents, the page is committed written out, so it reads whole on
GitHub; ``make fork`` writes it again for its one app, and
tests/deploy/test_interview_map.py fails when it is not the data's.

    python scripts/interview_map.py    # after editing the data

Standard library only: ``make fork`` runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/apps.py

from apps import App, apps

ROOT = Path(__file__).resolve().parents[1]
PAGE = Path("docs/interview-map.md")
DATA = Path("docs/interview-map.toml")
# The evidence a row needs to count as covered: code, a test and a section.
EVIDENCE = ("code", "tests", "why")
# Why a row is left out when no app present has evidence for it.
NOT_SHOWN = (
    "This app has no code for it yet: the project it was forked from shows it "
    "with another app. A good first thing to add."
)
# ``{row:<key>}`` in a text: that row's number.
ROW_REFERENCE = re.compile(r"\{row:([\w-]+)\}")
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def app_data(root: Path, app: App) -> dict[str, Any]:
    path = root / "docs" / app.slug / "parts" / "interview-map.toml"
    return tomllib.loads(path.read_text()) if path.is_file() else {}


def collect(root: Path, every_app: list[App]) -> dict[str, Any]:
    """The shared data with each app's merged in: rows (with their evidence),
    topics left out and questions, all in their order, not yet numbered."""
    data = tomllib.loads((root / DATA).read_text())
    rows = {row["key"]: {**row} for row in data["row"]}
    left_out = {row["key"]: {**row} for row in data["left_out"]}
    questions = list(data["question"])
    for app in every_app:
        own = app_data(root, app)
        for key, evidence in own.get("evidence", {}).items():
            row = rows[key]  # a KeyError names a row the shared data lacks
            for field in EVIDENCE:
                row[field] = [*row[field], *evidence.get(field, [])]
        for row in own.get("row", []):
            rows[row["key"]] = {**row}
        for key, words in own.get("left_out", {}).items():
            left_out[key]["why_not"] += words["why_not"]
        questions += own.get("question", [])
    for key, row in list(rows.items()):
        if not all(row[field] for field in EVIDENCE):
            del rows[key]
            left_out[key] = {**row, "why_not": NOT_SHOWN}
    # Covered rows by topic, in the topics' order; then the topics left out.
    ordered = sorted(rows.values(), key=lambda row: data["topics"].index(row["topic"]))
    return {**data, "row": ordered, "left_out": list(left_out.values()), "question": questions}


def table(header: list[str], lines: list[list[str]]) -> str:
    separator = "|" + "---|" * len(header)
    return "\n".join(
        [
            "| " + " | ".join(header) + " |",
            separator,
            *("| " + " | ".join(cells) + " |" for cells in lines),
        ]
    )


def code(items: list[str], joiner: str = "<br>") -> str:
    return joiner.join(f"`{item}`" for item in items)


def count(number: int) -> str:
    return NUMBER_WORDS[number] if number < len(NUMBER_WORDS) else str(number)


def listed(numbers: list[int]) -> str:
    words = [str(number) for number in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def render(root: Path = ROOT, every_app: list[App] | None = None) -> str:
    data = collect(root, apps(root) if every_app is None else every_app)
    numbers = {row["key"]: n for n, row in enumerate([*data["row"], *data["left_out"]], start=1)}
    for question in data["question"]:
        if unknown := set(question["rows"]) - set(numbers):
            raise KeyError(f"{question['guide']} {question['number']}: no row {sorted(unknown)}")

    def resolve(text: str) -> str:
        return ROW_REFERENCE.sub(lambda found: f"row {numbers[found[1]]}", text)

    guides = {guide["id"]: guide for guide in data["guide"]}
    asked = {key for question in data["question"] for key in question["rows"]}
    unasked = sorted(number for key, number in numbers.items() if key not in asked)
    per_guide = {
        guide: [question for question in data["question"] if question["guide"] == guide]
        for guide in guides
    }
    facts = {
        "questions": len(data["question"]),
        "per_guide": ", ".join(f"{guide} {len(asked)}" for guide, asked in per_guide.items()),
        "rows": len(numbers),
        "covered": len(data["row"]),
        "left_out": len(data["left_out"]),
        "unasked": (
            f"{count(len(unasked)).capitalize()} row{'s' * (len(unasked) > 1)} "
            f"({listed(unasked)}) answer{'s' * (len(unasked) == 1)} topics the guides "
            "name without asking a question of them."
            if unasked
            else "Every row answers a question of the guides."
        ),
    }
    page = [data["intro"].format(**facts).strip(), "## The guides", data["guides_intro"].strip()]
    page.append(
        table(
            ["id", "guide", "what it is"],
            [
                [
                    guide["id"],
                    f"{guide['name']} (untitled)"
                    if guide.get("untitled")
                    else f"*{guide['name']}*",
                    guide["what"],
                ]
                for guide in guides.values()
            ],
        )
    )
    page.append("## Covered")
    for topic in data["topics"]:
        rows = [row for row in data["row"] if row["topic"] == topic]
        if not rows:
            continue
        page.append(f"### {topic}")
        page.append(
            table(
                ["#", "question", "guides", "code", "test", "why", "terms"],
                [
                    [
                        str(numbers[row["key"]]),
                        row["question"],
                        " ".join(row["guides"]),
                        code(row["code"]),
                        code(row["tests"]),
                        "<br>".join(row["why"]),
                        code(row["terms"], ", "),
                    ]
                    for row in rows
                ],
            )
        )
    page.append("## Not covered, and why")
    page.append(
        table(
            ["#", "topic", "guides", "why not"],
            [
                [
                    str(numbers[row["key"]]),
                    row["question"] if "question" in row else row["topic"],
                    " ".join(row["guides"]),
                    resolve(row["why_not"]),
                ]
                for row in data["left_out"]
            ],
        )
    )
    page.append("## Every question of the guides, and its rows")
    page.append(data["questions_intro"].strip())
    for guide, questions in per_guide.items():
        page.append(f"### {guide}: *{guides[guide]['name']}*")
        page.append(
            table(
                ["#", "question", "rows"],
                [
                    [
                        question["number"],
                        question["text"],
                        ", ".join(str(numbers[key]) for key in question["rows"]),
                    ]
                    for question in questions
                ],
            )
        )
    return "\n\n".join(page) + "\n"


def write(root: Path = ROOT) -> bool:
    """Write the page under ``root`` for the apps there; whether it changed."""
    new = render(root)
    page = root / PAGE
    if page.is_file() and page.read_text() == new:
        return False
    page.write_text(new)
    return True


if __name__ == "__main__":
    print(f"wrote {PAGE}" if write() else f"{PAGE} was up to date")
