"""Everything the bot shows on Discord, cut to Discord's limits in this one module.

Limits (https://discord.com/developers/docs/resources/message): 2000 characters of content,
10 embeds, 256 for a title, 4096 for a description, 25 fields of 1024 (names 256), a 2048
footer, 6000 across one message's embeds, 100 for a thread name, 25 autocomplete choices and
25 select options of 100 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.core.citations import Citation
from bot.core.pages import clip, paginate
from bot.core.readings import Library, display_text
from bot.core.search import PLAIN, SearchResults

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
THREAD_NAME_LIMIT = 100
CHOICES_LIMIT = 25
CHOICE_LIMIT = 100

#: A passage page leaves room under the description limit so a page reads comfortably on a phone.
PASSAGE_PAGE_LIMIT = 3800

COLOUR = discord.Colour(0x8B1E3F)

#: Nothing the bot posts pings anyone unless an organizer configured a ping.
NO_PINGS = discord.AllowedMentions.none()


def passage_pages(citation: Citation) -> list[str]:
    """The passage as pages of embed description, paragraphs numbered, notes at the end."""
    reading = citation.reading
    if citation.note is not None:
        return paginate([f"**[{citation.note.label}]** {citation.note.text}"], PASSAGE_PAGE_LIMIT)
    blocks: list[str] = []
    section = citation.paragraphs[0].section if citation.paragraphs else None
    for paragraph in citation.paragraphs:
        if paragraph.section != section and paragraph.section:
            blocks.append(f"__**{clip(paragraph.section, 200)}**__")
        section = paragraph.section
        blocks.append(f"**§{paragraph.number}** {display_text(paragraph.text)}")
    notes = reading.notes_for(citation.paragraphs)
    if notes:
        blocks.append("**Notes**")
        blocks.extend(f"*{note.label}.* {note.text}" for note in notes)
    return paginate(blocks, PASSAGE_PAGE_LIMIT)


def passage_embed(citation: Citation, page: str, number: int = 1, total: int = 1) -> discord.Embed:
    """One page of a passage: title, author, text; citation and page number in the footer."""
    reading = citation.reading
    embed = discord.Embed(
        title=clip(reading.display_title, TITLE_LIMIT),
        url=reading.source or None,
        description=page,
        colour=COLOUR,
    )
    if reading.author:
        embed.set_author(name=clip(reading.author, 256))
    footer = str(citation)
    if citation.section is not None:
        footer += f" · {citation.section.title}"
    if total > 1:
        footer += f" · page {number}/{total}"
    embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    return embed


def readings_embed(library: Library) -> discord.Embed:
    """The library: one field per reading with its short names and size."""
    embed = discord.Embed(title="The library", colour=COLOUR)
    if not len(library):
        embed.description = "No readings yet. Organizers add them as `readings/<slug>.md`."
        return embed
    for reading in list(library)[:FIELDS_LIMIT]:
        names = ", ".join(f"`{n}`" for n in (reading.slug, *reading.aliases))
        byline = f"{reading.author} · " if reading.author else ""
        value = f"{byline}{len(reading.paragraphs)} paragraphs, {reading.words:,} words\n{names}"
        embed.add_field(
            name=clip(reading.display_title, FIELD_NAME_LIMIT),
            value=clip(value, FIELD_VALUE_LIMIT),
            inline=False,
        )
    if len(library) > FIELDS_LIMIT:
        embed.set_footer(text=f"…and {len(library) - FIELDS_LIMIT} more: use /search.")
    else:
        embed.set_footer(text="Look a passage up with /passage, e.g. /passage soic §3")
    return embed


def help_embed(commands: Sequence[tuple[str, str]]) -> discord.Embed:
    """What the bot does and its commands, ``commands`` as (usage, description)."""
    embed = discord.Embed(
        title="Reading group bot",
        description=(
            "I post the group's readings in installments with discussion questions, and let "
            "anyone look up or search a passage.\n\n"
            "Cite paragraphs as `soic §12`, `soic 12-14`, `soic:12`, a title, or a section "
            "such as `borochov#conclusion`."
        ),
        colour=COLOUR,
    )
    for usage, description in commands[:FIELDS_LIMIT]:
        embed.add_field(name=clip(usage, FIELD_NAME_LIMIT), value=clip(description, 1024))
    return embed


def error_text(message: str) -> str:
    """A domain error as a short ephemeral reply."""
    return clip(message, CONTENT_LIMIT)


def embed_size(embed: discord.Embed) -> int:
    """Characters that count against the 6000 limit (discord.py's ``len(embed)``)."""
    return len(embed)


def search_embed(
    query: str, results: SearchResults, *, reading: str | None = None
) -> discord.Embed:
    """Search hits as fields: citation (and section) as the name, the snippet as the value."""
    where = f" in {reading}" if reading else ""
    embed = discord.Embed(title=clip(f"Search{where}: {query}", TITLE_LIMIT), colour=COLOUR)
    if results.nothing_to_search:
        embed.description = (
            "There is nothing to search for in that: type some words, or a phrase in quotes."
        )
        return embed
    if not results:
        embed.description = (
            "Nothing found. Try fewer words, another form of a word, or drop the quotes."
        )
        return embed
    for hit in results[:FIELDS_LIMIT]:
        name = hit.citation + (f" · {hit.section}" if hit.section else "")
        embed.add_field(
            name=clip(name, FIELD_NAME_LIMIT),
            value=clip(hit.snippet, FIELD_VALUE_LIMIT) or "…",
            inline=False,
        )
    note = " Only the first words of your query were used." if results.truncated else ""
    embed.set_footer(text=f"{len(results)} best matches.{note} Open one below.")
    return embed


def search_options(results: SearchResults) -> list[discord.SelectOption]:
    """One select option per hit (at most 25), valued with its citation."""
    options = []
    for hit in results[:CHOICES_LIMIT]:
        description = clip(hit.render(PLAIN), CHOICE_LIMIT)
        options.append(
            discord.SelectOption(
                label=clip(hit.citation, CHOICE_LIMIT),
                value=clip(hit.citation, CHOICE_LIMIT),
                description=description or None,
            )
        )
    return options
