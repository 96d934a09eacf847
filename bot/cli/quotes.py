"""``reading-group quote TEXT``: which passage of the library a quotation quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cli.common import load_library_for, load_settings
from bot.core.errors import ReadingGroupError

if TYPE_CHECKING:
    import argparse

    from bot.cli.terminal import Terminal


def cmd_quote(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    """Print the citation of each quotation in TEXT (all of TEXT when it marks none), as the
    bot would mark a reply, with a misquotation beside the text."""
    from bot.core.quotes import QuoteIndex, extract_quotes, side_by_side
    from bot.storage.quote_keys import mapped_keys

    text = " ".join(args.text)
    library = load_library_for(args, err)
    database = load_settings(args).database_path
    # The bot's quote keys beside its database when there is one (made if they do not match
    # this library): mapped, not 8 bytes a word of the library in memory.
    index = QuoteIndex(library, mapped_keys(library, database) if database.is_file() else None)
    quotations = extract_quotes(text) or [text]
    found = [m for q in quotations if (m := index.find(q)) is not None]
    if not found:
        raise ReadingGroupError(
            "No passage of the library matches that quotation (it needs 3 words or more, "
            "most of them as the text has them)."
        )
    for match in found:
        reading = library[match.slug]
        out.print(f"{match.kind}: {match.citation} ({reading.display_title})", "bold")
        if match.kind == "misquote":
            quoted, original = side_by_side(match, lambda words: f"[{words}]")
            out.print(f"  quoted:   {quoted}")
            out.print(f"  the text: {original}")
    return 0
