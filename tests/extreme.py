"""Readings as extreme as a hostile file makes them, shared by the core, render and fault tests."""

from __future__ import annotations

from bot.core.readings import Reading, parse_reading

#: A source URL longer than the 2048 characters Discord takes in an embed.
LONG_URL = "https://example.org/" + "a" * 3000


def extreme_reading(
    slug: str = "extreme",
    *,
    title: str = "T" * 1000,
    author: str = "A" * 1000,
    source: str = LONG_URL,
    heading: str = "H" * 5000,
    paragraphs: int = 3,
) -> Reading:
    """A reading whose title, author, source and first heading are all far too long for
    Discord, with ``paragraphs`` paragraphs of about 800 words."""
    body = "\n\n".join(
        f"Paragraph {n} of the extreme reading, " + "word " * 800 for n in range(paragraphs)
    )
    text = (
        f"---\ntitle: {title}\nauthor: {author}\nsource: {source}\n---\n\n## {heading}\n\n{body}\n"
    )
    return parse_reading(text, f"readings/{slug}.md")


def giant_paragraph(words: int = 44_000) -> str:
    """``words`` words in sentences of 5 to 40 words, each numbered so order can be checked."""
    sentences = []
    total = n = 0
    while total < words:
        length = 5 + (n * 7) % 36
        sentences.append(f"S{n} " + " ".join(["word"] * (length - 1)) + ".")
        total += length
        n += 1
    return " ".join(sentences)
