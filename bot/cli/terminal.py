"""Writing to the terminal: colour for a person reading it, tab-separated tables for scripts."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from typing import TextIO

ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


class Terminal:
    """Writes to a stream with colour only when it is a terminal and NO_COLOR is unset."""

    def __init__(self, stream: TextIO, color: bool | None = None) -> None:
        self.stream = stream
        if color is None:
            color = stream.isatty() and "NO_COLOR" not in os.environ
        self.color = color
        self.width = min(shutil.get_terminal_size((100, 24)).columns, 100) if color else 80

    def style(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(ANSI[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"

    def print(self, text: str = "", *styles: str) -> None:
        print(self.style(text, *styles), file=self.stream)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> None:
        """Aligned columns; a header rule only when colourful, tab-separated when piped."""
        if not self.color:
            for row in [headers, *rows]:
                self.print("\t".join(row))
            return
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

        def line(row: Sequence[str]) -> str:
            cells = [
                cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            ]
            return "  ".join(cells).rstrip()

        self.print(line(headers), "bold")
        for row in rows:
            self.print(line(row))

    def markdown(self, text: str) -> str:
        """Render ``**bold**`` (search highlights) as terminal bold, or leave it as is."""
        if not self.color:
            return text
        return re.sub(r"\*\*(.+?)\*\*", lambda m: self.style(m.group(1), "bold", "yellow"), text)
