"""Counts in words: ``1 group``, ``3 groups``, ``1,200 entries``."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``count`` with ``noun`` in the number it needs: ``1 reply``, ``1,200 replies``,
    ``3 words``. ``noun`` is singular; one ending in a consonant and ``y`` takes ``-ies``."""
    if count == 1:
        return f"1 {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{count:,} {noun[:-1]}ies"
    return f"{count:,} {noun}s"
