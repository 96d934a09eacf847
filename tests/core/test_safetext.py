"""Members' text made safe: Markdown escaped, terminal escapes and controls gone, no formulas."""

from __future__ import annotations

import pytest

from bot.core.safetext import escape_markdown, plain_text, spreadsheet_cell


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (
            "see [a](https://a.example) [verify](https://evil.example)",
            r"see \[a\](https://a.example) \[verify\](https://evil.example)",
        ),
        ("**bold** _it_ ~s~ `c` |x|", r"\*\*bold\*\* \_it\_ \~s\~ \`c\` \|x\|"),
        ("> quoted", r"\> quoted"),
        ("# heading", r"\# heading"),
        ("-# small", r"\-# small"),
        ("plain words", "plain words"),
    ],
)
def test_escape_markdown_leaves_no_markup_live(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("\x1b[31mred\x1b[0m", "red"),  # colours
        ("\x1b[2J\x1b[Hwiped", "wiped"),  # erase the screen, move the cursor
        ("\x1b]0;new title\x07ok", "ok"),  # window title (OSC, BEL)
        ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 link
        ("\x1b]52;c;cm0gLXJmIH4=\x07x", "x"),  # clipboard write
        ("\x9b31mC1 CSI", "C1 CSI"),  # the 8-bit forms
        ("\x9d0;title\x9cok", "ok"),
        ("\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"),  # DCS
        ("\x1b]0;unterminated", ""),
        ("real\rfake", "realfake"),  # a carriage return would overwrite the line
        ("nul\x00 bell\x07 del\x7f", "nul bell del"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("émoji 👩‍👩‍👧 und Umlaute", "émoji 👩‍👩‍👧 und Umlaute"),
    ],
)
def test_plain_text_drops_terminal_escapes_and_controls(text: str, plain: str) -> None:
    assert plain_text(text) == plain


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tleading tab", "'\tleading tab"),
        ("\r=after a carriage return", "'=after a carriage return"),
        ("\x1b[0m=after an escape", "'=after an escape"),
        ("a = b, said -x", "a = b, said -x"),
        (-3, -3),
        (None, None),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(value: object, cell: object) -> None:
    assert spreadsheet_cell(value) == cell
