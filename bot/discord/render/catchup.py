"""A member's catch-up (:class:`bot.core.summary.catchup.Catchup`) as pages of embeds.

Each installment is one block (its heading with a link to its thread, then its ⭐ replies, ❓
stuck points and open questions), cut to :data:`BLOCK_LIMIT`; blocks are packed into pages of
at most :data:`PAGE_LIMIT` characters, so that however many installments a range holds (a
member back after a year), every page is well inside Discord's limits and is shown with the
◀ ▶ of :class:`bot.discord.views.PagedView`. Members' text is escaped (no masked link, no
Markdown) and the message never pings (:data:`bot.discord.render.NO_PINGS`).
"""

from __future__ import annotations

import datetime as dt

import discord

from bot.core.pages import clip
from bot.core.summary.catchup import Catchup, CatchupItem, coming_lines, item_heading, since_note
from bot.core.wording import plural
from bot.discord.render.limits import COLOUR, FIELD_VALUE_LIMIT, TITLE_LIMIT, fitted
from bot.discord.render.summary import _escape, _fit_lines, _Line, _link, discord_timestamp

#: Characters of one installment's block at most (its heading is never cut).
BLOCK_LIMIT = 1200
#: Characters of a page's description at most: room left for the title, "Next" and footer.
PAGE_LIMIT = 3600
#: Characters of a quoted reply or question in a block.
QUOTE_LIMIT = 160


def _when(moment: dt.datetime) -> str:
    return discord_timestamp(moment, "f")


def _block(item: CatchupItem) -> str:
    label, title, rest = item_heading(item, _when)
    head = f"**{_link(label, item.jump)}** · {_escape(clip(title, 80))} · {rest}"
    lines: list[_Line] = [(head, "")]
    for h in item.highlights:
        stars = f"⭐ {h.stars} · " if h.stars is not None else "⭐ "
        where = f" · {_link('jump', h.jump)}" if h.jump else ""
        quote = (
            f"\n> {_escape(clip(h.quote, QUOTE_LIMIT))}" if h.quote else " (text no longer kept)"
        )
        lines.append((f"{stars}**{_escape(clip(h.author, 64))}**{where}", quote))
    lines += [(f"❓ {s.marks} · {_link(s.citation, s.jump)}", "") for s in item.stuck]
    lines += [("Open: ", _escape(clip(q.text, QUOTE_LIMIT))) for q in item.questions]
    return _fit_lines(lines, BLOCK_LIMIT, item.more_questions)


def catchup_pages(catchup: Catchup) -> list[discord.Embed]:
    """The catch-up as one embed per page (at least one), each within Discord's limits."""
    intro = since_note(catchup.since, catchup.why, _when)
    if catchup.quiet:
        intro += "\nNothing was posted or said in the group in that time."
    else:
        count = plural(len(catchup.items), "installment")
        intro += f"\n{count} · {plural(catchup.replies, 'reply')} in that time."
    pages: list[list[str]] = [[intro]]
    used = len(intro)
    for item in catchup.items:
        block = _block(item)
        if used + 2 + len(block) > PAGE_LIMIT:
            pages.append([])
            used = 0
        pages[-1].append(block)
        used += 2 + len(block)
    upcoming = "\n".join(coming_lines(catchup, discord_timestamp))
    name = f"{catchup.group} · " if catchup.group else ""
    embeds = []
    for index, blocks in enumerate(pages):
        embed = discord.Embed(
            title=clip(f"Catch-up: {name}what you missed", TITLE_LIMIT),
            description="\n\n".join(blocks),
            colour=COLOUR,
        )
        embed.add_field(name="Next", value=clip(upcoming, FIELD_VALUE_LIMIT), inline=False)
        footer = "Only you can see this. React ⭐ to a reply you liked, ❓ where you got stuck."
        if len(pages) > 1:
            footer = f"Page {index + 1} of {len(pages)} · {footer}"
        embed.set_footer(text=footer)
        embeds.append(fitted(embed))
    return embeds
