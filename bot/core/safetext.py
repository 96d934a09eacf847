"""Members' text made safe for where it is shown: Discord Markdown, a terminal, a spreadsheet.

What a member writes is shown as written, never as markup: a masked link, a terminal escape
(colours, a new window title, an OSC 8 hyperlink, a clipboard write) or a spreadsheet formula
in a reply is text, not something the reader's software acts on. Every output that shows
member text uses these functions (the embeds in :mod:`bot.discord.render`, the CLI's export and
summary), so the rules live in one place.
"""

from __future__ import annotations

import re

# What escape_markdown escapes: these characters anywhere, and one of _MARKDOWN_LEADING at the
# start. Most texts have none, and a search is much cheaper than a substitution.
_MARKDOWN_RE = re.compile(r"[\\*_~`|\[\]]")
_MARKDOWN_LEADING = (">", "#", "-")

# Terminal escape sequences, removed whole (removing only ESC would leave "[31m" behind):
# CSI (colours, cursor moves, erasing the screen), then the string sequences up to their
# terminator (OSC: window titles, hyperlinks, clipboard writes; DCS, SOS, PM, APC), in their
# 7-bit (ESC x) and 8-bit (C1) forms; an unterminated string runs to the end of the text.
# Then any other escape (ESC, intermediates, a final byte).
_ESCAPE_SEQUENCE_RE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)
# C0 and C1 controls and DEL, except tab and newline (a reply's lines). A lone carriage return
# goes too: on a terminal it moves back to the start of the line and hides what was before.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# OWASP's list of characters that make a spreadsheet read a cell as a formula (CR cannot
# start a plain_text).
_FORMULA_START = ("=", "+", "-", "@", "\t")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Discord's Markdown would read as formatting or a masked link
    (the characters ``discord.utils.escape_markdown`` escapes, plus every ``[`` and ``]``:
    its masked-link pattern leaves the second of two links on a line live)."""
    if _MARKDOWN_RE.search(text) is not None:
        text = _MARKDOWN_RE.sub(_backslash, text)
    return "\\" + text if text.startswith(_MARKDOWN_LEADING) else text


def _backslash(match: re.Match[str]) -> str:
    return "\\" + match.group(0)


def plain_text(text: str) -> str:
    """``text`` without terminal escape sequences or control characters (tabs and newlines
    stay): safe to print to a terminal, and shown in an embed as the member wrote it.

    >>> plain_text("ok\\x1b]0;pwned\\x07 \\x1b[31mred\\x1b[0m\\rover\\x9b2J")
    'ok redover'
    """
    if not text.isprintable():  # the common case, plain text, costs one scan
        text = _CONTROL_RE.sub("", _ESCAPE_SEQUENCE_RE.sub("", text))
    return text


def spreadsheet_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a string is made :func:`plain_text` and, when it
    starts like a formula (``= + - @`` or a tab), gets a leading apostrophe, as OWASP advises
    against CSV injection. Other values (numbers, None) are returned as they are.

    >>> spreadsheet_cell("=HYPERLINK(\\"https://evil.example\\")"), spreadsheet_cell(-3)
    ('\\'=HYPERLINK("https://evil.example")', -3)
    """
    if not isinstance(value, str):
        return value
    text = plain_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
