"""A small library built from text, shared by the core tests."""

from __future__ import annotations

import pytest

from bot.core.readings import Library, Reading, parse_reading


def make_reading(
    slug: str,
    title: str,
    paragraphs: list[str],
    *,
    sections: dict[int, str] | None = None,
    notes: dict[str, str] | None = None,
    aliases: list[str] | None = None,
    author: str | None = None,
) -> Reading:
    """Build a reading file's text and parse it. ``sections`` maps a paragraph number to the
    heading placed before it."""
    sections = sections or {}
    lines = ["---", f"title: {title!r}", f"aliases: {aliases or []}"]
    if author:
        lines.append(f"author: {author}")
    lines += ["---", ""]
    for number, text in enumerate(paragraphs, start=1):
        if number in sections:
            lines += [f"## {sections[number]}", ""]
        lines += [text, ""]
    if notes:
        lines += ["## Notes", ""]
        lines += [f"[^{label}]: {text}\n" for label, text in notes.items()]
    return parse_reading("\n".join(lines), f"readings/{slug}.md")


@pytest.fixture
def library() -> Library:
    soic = make_reading(
        "against-soic",
        'Against "Socialism In One Country"',
        [f"Soic paragraph {n} on internationalism." for n in range(1, 19)],
        sections={2: "What is Socialism In One Country?", 15: "Conclusion"},
        aliases=["soic"],
    )
    borochov = make_reading(
        "borochov",
        "The Work of Socialism in One Country",
        [
            f"Borochov paragraph {n}.[^{n}]" if n < 4 else f"Borochov paragraph {n}."
            for n in range(1, 31)
        ],
        sections={1: "Introduction", 20: "Conclusion"},
        notes={"1": "First note.", "2": "Second note.", "3": "Third note."},
        aliases=["borochov-soic"],
        author="Unknown Writer",
    )
    pi = make_reading(
        "proletarian-internationalism",
        "What is Proletarian Internationalism?",
        [f"PI paragraph {n}." for n in range(1, 13)],
        sections={2: "What is it?", 12: "Conclusion"},
        aliases=["pi"],
        author="McCune",
    )
    return Library((pi, soic, borochov))
