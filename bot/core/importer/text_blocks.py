"""What a block of lines in a plain-text file looks like.

Prose, a line in capitals, a chapter/part/book keyword line with its title, a contents
heading: read by :mod:`.text` and :mod:`.gutenberg`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.importer.common import _one_line
from bot.core.importer.model import BlockKind

_KEYWORD_RANK = {
    "VOLUME": 0,
    "BOOK": 1,
    "PART": 1,
    "EPILOGUE": 1,
    "PROLOGUE": 1,
    "ACT": 1,
    "APPENDIX": 1,
    "CHAPTER": 2,
    "CANTO": 2,
    "STAVE": 2,
    "LETTER": 2,
    "SCENE": 2,
    "SECTION": 3,
    "ARTICLE": 3,
}
_KW = "|".join(f"{k}|{k.title()}" for k in _KEYWORD_RANK)
_UNITS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen"
)
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ORDINAL = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|last|final"
)
_NUMBER = (
    rf"(?:[IVXLCDM]+(?![A-Za-z0-9])|\d+[a-z]?\b|(?i:(?:{_TENS})(?:-(?:{_UNITS}))?|{_UNITS}|the\s+(?:{_ORDINAL})"
    rf"|{_ORDINAL})\b)"
)
_KEYWORD_NUMBER_RE = re.compile(rf"^(?P<kw>{_KW})\s+{_NUMBER}(?P<rest>.*)$")
_ORDINAL_KEYWORD_RE = re.compile(
    rf"^(?:THE\s+|The\s+)?(?i:{_ORDINAL})\s+(?P<kw>{_KW})\b(?P<rest>.*)$"
)
_BARE_KEYWORD_RE = re.compile(
    r"^(?P<kw>EPILOGUE|Epilogue|PROLOGUE|Prologue|APPENDIX|Appendix)\b(?P<rest>.*)$"
)


_CONTENTS_RE = re.compile(
    r"^(?:table\s+of\s+)?contents(?:\s+of\s+the\s+\w+)?\s*[.:]?$", re.IGNORECASE
)


@dataclass
class _Raw:
    """A block of lines from a text file, with the blank lines before it."""

    lines: list[str]
    gap: int
    prose: bool = False  # known to be text, never a heading (a dedication on a title page)

    @property
    def indent(self) -> int:
        first = self.lines[0]
        return len(first) - len(first.lstrip())

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)


@dataclass
class _Item:
    """A classified text block; headings get their level at the end."""

    kind: BlockKind
    text: str
    rank: int | None = None  # keyword rank of a heading; None for a heading without keyword
    keyword: str | None = None
    indented: bool = False
    has_title: bool = True
    label: str | None = None
    star: int | None = None  # number of a ``*`` translator's note
    note_text: str = ""  # the note's text without its star, should it pair with a marker
    notes_heading: bool = False


def _is_prose(raw: _Raw) -> bool:
    """Running text rather than a heading, a title-page line or a contents entry."""
    if any(len(line.strip()) > 100 for line in raw.lines):
        return True
    text = raw.text
    letters = [c for c in text if c.isalpha()]
    lower = sum(c.islower() for c in letters)
    return len(text.split()) >= 20 and lower > len(letters) / 2


def _is_short(raw: _Raw) -> bool:
    return len(raw.lines) <= 3 and len(raw.text.split()) <= 25


def _caps_line(line: str, limit: int = 100) -> bool:
    """A title line in capitals (``OF THE DIVISION OF LABOUR.``)."""
    line = line.strip()
    if not line or len(line) > limit or not (line[0].isalnum() or line[0] in "(["):
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def _caps_block(raw: _Raw, limit: int = 100) -> bool:
    return (
        len(raw.lines) <= 3
        and all(_caps_line(line, limit) for line in raw.lines)
        and _keyword_line(raw.lines[0].strip()) is None
    )


def _keyword_line(line: str) -> tuple[str, str] | None:
    """(keyword, rest of the line) when ``line`` starts like a chapter/part/book heading."""
    if len(line) > 250:
        return None
    for pattern in (_KEYWORD_NUMBER_RE, _ORDINAL_KEYWORD_RE):
        match = pattern.match(line)
        if match:
            rest = match.group("rest")
            if (
                not rest.strip()
                or rest.lstrip()[0] in ".:,;—–-)"  # a separator, then the title
                or not rest[0].isascii()  # a separator mangled into non-ASCII ("Iâ€”Of")
                or (rest[0] == " " and _caps_line(rest))  # a title in capitals
            ):
                return match.group("kw").upper(), rest
    match = _BARE_KEYWORD_RE.match(line)
    if match and len(line) <= 120:
        return match.group("kw").upper(), match.group("rest")
    return None


def _keyword_heading(raw: _Raw) -> tuple[str, str] | None:
    """(keyword, heading text) when the block is a keyword heading, with its title lines."""
    first = raw.lines[0].strip()
    found = _keyword_line(first)
    if found is None:
        return None
    keyword, rest = found
    others = [line.strip() for line in raw.lines[1:]]
    if not others:
        return keyword, first
    if len(others) <= 4 and all(_caps_line(line, 400) for line in others):
        return keyword, _join_heading([first, *others])
    title = rest.strip(" .:,;—–-)")
    short = all(len(line.strip()) <= 100 for line in raw.lines)
    if title and short and len(raw.lines) <= 3 and len(raw.text.split()) <= 30:
        # A long title wrapped onto the next line ("... Ahab / standing by the helm.").
        return keyword, _join_heading([first, *others])
    return None


def _join_heading(parts: Sequence[str]) -> str:
    """Join a heading's lines; a bare ``SECTION 1`` gets a colon before its title."""
    first, rest = parts[0], " ".join(parts[1:])
    if not rest:
        return _one_line(first)
    found = _keyword_line(first)
    bare = found is not None and not found[1].strip() and first[-1:].isalnum()
    return _one_line(f"{first}{':' if bare else ''} {rest}")
