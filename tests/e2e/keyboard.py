"""With the keyboard alone, as each app's keyboard tests (tests/e2e/<package>/
test_keyboard.py) move through a page: the skip link is the first tab stop;
Tab until a control has the focus; the focus ring's contrast (WCAG's ratio)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect


def focused(page: Page) -> Any:
    return page.locator("*:focus")


def tab_to(page: Page, selector: str, *, limit: int = 25) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} was not reached in {limit} presses of Tab")


def skip_to_main(page: Page) -> None:
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Skip to main content")
    expect(focused(page)).to_be_visible()  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``rgb(...)``/``rgba(...)`` colours."""

    def luminance(colour: str) -> float:
        channels = [float(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement;
  while (behind && getComputedStyle(behind).backgroundColor.endsWith(", 0)")) {
    behind = behind.parentElement;
  }
  return {
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    colour: style.outlineColor,
    background: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
  };
}"""
