"""Text helpers for readings: words, plain and display text, slugs, folded names, hints."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence

FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")


def count_words(text: str) -> int:
    """Words in a paragraph, not counting footnote markers."""
    if "[^" in text:
        text = FOOTNOTE_REF_RE.sub("", text)
    # str.split() splits on exactly the characters regex \s matches, without building a match
    # object per word.
    return len(text.split())


# Emphasis runs and code ticks are found by their first character (fast: the regex engine skips
# everything else), then dropped only at a word's edge, so snake_case and 2*3 survive.
_MARKUP_RE = re.compile(r"[*_]{1,3}|`|^> ?", re.MULTILINE)

_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _drop_markup(match: re.Match[str]) -> str:
    token = match.group(0)
    if token[0] not in "*_":
        return ""
    text, start, end = match.string, match.start(), match.end()
    inside_word = (
        start > 0 and text[start - 1].isalnum() and end < len(text) and text[end].isalnum()
    )
    return token if inside_word else ""


def plain_text(text: str) -> str:
    """Markdown paragraph text without footnote markers, emphasis or quote markers."""
    if "[" in text:
        text = FOOTNOTE_REF_RE.sub("", text)
        text = _LINK_RE.sub(r"\1", text)
    # Most paragraphs have no markup at all (1 in 1,600 of the benchmark library): looking for
    # its characters first skips the regex pass, the bulk of building the search index.
    if "*" in text or "_" in text or "`" in text or ">" in text:
        text = _MARKUP_RE.sub(_drop_markup, text)
    return " ".join(text.split())


def slugify(text: str) -> str:
    """A lowercase ASCII slug: ``"What is Socialism?"`` -> ``"what-is-socialism"``."""
    text = re.sub(r"[\u2010-\u2015\u2212/]", "-", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Text folded for matching names: lowercase, no accents, single spaces, no punctuation.

    Cached: resolving a reference folds every reading's title, many times a second.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NOT_ALNUM_RE.sub(" ", text.lower()).split())


def closest(word: str, choices: Mapping[str, str] | Sequence[str], noun: str = "keys") -> str:
    """A hint to append to an error: ``": did you mean 'title'?"`` or the list of ``choices``."""
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1)
    if match:
        return f": did you mean {match[0]!r}?"
    return f": known {noun} are {', '.join(choices)}"


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def display_text(text: str) -> str:
    """Paragraph text for reading on screen: footnote markers become superscript numbers
    (``[^12]`` -> ``¹²``) or ``[label]`` when the label is not a number."""

    def marker(match: re.Match[str]) -> str:
        label = match.group(1)
        return label.translate(_SUPERSCRIPT) if label.isdigit() else f"[{label}]"

    return FOOTNOTE_REF_RE.sub(marker, text)
