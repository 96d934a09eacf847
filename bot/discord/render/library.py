"""The library on Discord: passages paged, the readings list, search results, help, the
privacy notice and reference autocomplete."""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot.core.citations import Citation, format_citation, resolve, suggestions, table_of_contents
from bot.core.errors import CitationError
from bot.core.pages import clip, paginate
from bot.core.readings import Library, Paragraph, Reading, display_text
from bot.core.safetext import escape_markdown
from bot.core.search import PLAIN, SearchResults
from bot.core.wording import plural
from bot.discord.render.limits import (
    AUTHOR_LIMIT,
    CHOICE_LIMIT,
    CHOICES_LIMIT,
    COLOUR,
    EMBED_TOTAL_LIMIT,
    EMBEDS_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    FOOTER_LIMIT,
    HEADING_LIMIT,
    PASSAGE_PAGE_LIMIT,
    TITLE_LIMIT,
    fitted,
)


def passage_pages(citation: Citation) -> list[str]:
    """The passage as pages of embed description, paragraphs numbered (cited sentences in bold
    within their paragraph's context), notes at the end."""
    reading = citation.reading
    if citation.contents:
        return paginate(_contents_blocks(reading), PASSAGE_PAGE_LIMIT)
    if citation.note is not None:
        return paginate([f"**[{citation.note.label}]** {citation.note.text}"], PASSAGE_PAGE_LIMIT)
    if citation.sentences is not None:
        cited = [*_sentence_blocks(citation), *_note_blocks(reading, citation.paragraphs)]
        return paginate(cited, PASSAGE_PAGE_LIMIT)
    blocks: list[str] = []
    section = citation.paragraphs[0].section if citation.paragraphs else None
    for paragraph in citation.paragraphs:
        if paragraph.section != section and paragraph.section:
            blocks.append(f"__**{clip(paragraph.section, HEADING_LIMIT)}**__")
        section = paragraph.section
        blocks.append(f"**§{paragraph.number}** {display_text(paragraph.text)}")
    blocks += _note_blocks(reading, citation.paragraphs)
    return paginate(blocks, PASSAGE_PAGE_LIMIT, continued=_continued)


def _continued(block: str) -> tuple[str, str]:
    """How a paragraph cut across pages (or embeds) says where it goes on: ``§3 continues``
    at the end of one, ``§3 continued`` at the start of the next."""
    number = re.match(r"\*\*(§\d+)\*\*", block)
    name = number.group(1) if number else "the text"
    return f" *({name} continues)*", f"*({name} continued)* "


def _contents_blocks(reading: Reading) -> list[str]:
    """A reading's table of contents, one line per part, and how to show a part of it."""
    lines = [
        f"**{where}** {escape_markdown(clip(what, HEADING_LIMIT))}".rstrip()
        for where, what in table_of_contents(reading)
    ]
    example = format_citation(reading.slug, 1, min(3, len(reading.paragraphs)))
    size = f"{plural(len(reading.paragraphs), 'paragraph')}, {plural(reading.words, 'word')}."
    return [size, "\n".join(lines), f"Show a part with e.g. `/passage {example}`."]


def _sentence_blocks(citation: Citation) -> list[str]:
    """Cited sentences as blocks: each paragraph's in bold within their context, under a line
    naming them (a paragraph cited whole is shown as :func:`passage_pages` shows it)."""
    blocks: list[str] = []
    for marked in citation.marked:
        if marked.whole:
            blocks.append(f"**§{marked.span}** {display_text(marked.paragraph.text)}")
        else:
            blocks += [f"**{marked.label}**", marked.shown(lambda cited: f"**{cited}**")]
    return blocks


def _note_blocks(reading: Reading, paragraphs: Sequence[Paragraph]) -> list[str]:
    """The notes of ``paragraphs`` as blocks under a heading (none when they have none)."""
    notes = reading.notes_for(paragraphs)
    if not notes:
        return []
    return ["**Notes**", *(f"*{note.label}.* {note.text}" for note in notes)]


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
        embed.set_author(name=clip(reading.author, AUTHOR_LIMIT))
    footer = f"{reading.slug} · contents" if citation.contents else str(citation)
    if citation.section is not None:
        footer += f" · {clip(citation.section.title, HEADING_LIMIT)}"
    if total > 1:
        footer += f" · page {number}/{total}"
    embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    return fitted(embed)


#: Readings on one page of /readings: a phone screen's worth.
READINGS_PER_PAGE = 10
#: Room kept on each page of /readings for its footer.
_READINGS_FOOTER_ROOM = 200


def readings_embeds(library: Library) -> list[discord.Embed]:
    """The library as pages: one field per reading with its short names and size; a page
    holds at most :data:`READINGS_PER_PAGE` readings and fits Discord's 6000 whatever their
    titles, so every reading is shown however many there are."""
    if not len(library):
        embed = discord.Embed(title="The library", colour=COLOUR)
        embed.description = "No readings yet. Organizers add them as `readings/<slug>.md`."
        return [embed]
    pages: list[discord.Embed] = []
    for reading in library:
        names = ", ".join(f"`{n}`" for n in (reading.slug, *reading.aliases))
        byline = f"{clip(reading.author, 200)} · " if reading.author else ""
        size = f"{plural(len(reading.paragraphs), 'paragraph')}, {plural(reading.words, 'word')}"
        value = f"{byline}{size}\n{names}"
        name = clip(reading.display_title, FIELD_NAME_LIMIT)
        value = clip(value, FIELD_VALUE_LIMIT)
        page = pages[-1] if pages else None
        if (
            page is None
            or len(page.fields) == READINGS_PER_PAGE
            or len(page) + len(name) + len(value) > EMBED_TOTAL_LIMIT - _READINGS_FOOTER_ROOM
        ):
            page = discord.Embed(title="The library", colour=COLOUR)
            pages.append(page)
        page.add_field(name=name, value=value, inline=False)
    hint = "Look a passage up with /passage, e.g. /passage soic §3"
    for number, page in enumerate(pages, 1):
        where = f"Page {number}/{len(pages)} · " if len(pages) > 1 else ""
        page.set_footer(text=f"{where}{hint}")
        fitted(page)
    return pages


def help_embeds(commands: Sequence[tuple[str, str]]) -> list[discord.Embed]:
    """What the bot does and every one of its commands, ``commands`` as (usage, description):
    25 fields an embed (Discord's limit), as many embeds as that takes."""
    first = discord.Embed(
        title="Reading group bot",
        description=(
            "I post the group's readings in installments with discussion questions, and let "
            "anyone look up or search a passage.\n\n"
            "Cite paragraphs as `soic §3`, `soic 3-5`, `soic:3`, or a section such as "
            "`mccune#conclusion`; a title alone shows the reading's contents."
        ),
        colour=COLOUR,
    )
    embeds = [first]
    for index in range(0, len(commands), FIELDS_LIMIT):
        embed = first if index == 0 else discord.Embed(colour=COLOUR)
        if embed is not first:
            embeds.append(embed)
        for usage, description in commands[index : index + FIELDS_LIMIT]:
            # A short description each, so that every command fits in one message's 6000.
            embed.add_field(name=clip(usage, FIELD_NAME_LIMIT), value=clip(description, 100))
    return [fitted(embed) for embed in embeds[:EMBEDS_LIMIT]]


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
    if results.ignored:
        note += f" Common words left out: {', '.join(results.ignored)}."
    count = (
        f"The first {len(results)} matches in reading order, not ranked (only common words)."
        if results.in_reading_order
        else f"{len(results)} best matches."
    )
    embed.set_footer(text=clip(f"{count}{note} Open one below.", FOOTER_LIMIT))
    return fitted(embed)


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


def privacy_embed(retention_days: int, *, opted_out: bool) -> discord.Embed:
    """/privacy info: what the bot keeps about a member, in plain words."""
    kept = (
        f"The text of a reply is erased after {retention_days} days; the counts stay."
        if retention_days
        else "The text of a reply is kept until you delete the message or use /privacy forget."
    )
    embed = discord.Embed(title="What this bot keeps about you", colour=COLOUR)
    embed.description = (
        "When a group logs its discussion, the bot keeps your messages in an installment's "
        "thread, and your replies to the installment post: the text (unless the group keeps "
        "counts only), when you wrote and edited it, what it replied to, how many words and "
        "attachments it had, the emoji reactions you added there, and your answers to stance "
        "polls (agree, unsure or disagree, shown only as counts). Nothing else you write "
        "anywhere in the server is read or kept.\n\n"
        f"{kept} A deleted message is removed from the database. The weekly summary shows "
        "counts and a few ⭐-starred replies, never a ranking unless the organizers turn one "
        "on.\n\n"
        "**Your choices**\n"
        "`/privacy opt-out`: stop logging your messages (you are then counted nowhere)\n"
        "`/privacy opt-in`: be logged again\n"
        "`/privacy export`: get everything kept about you as a file\n"
        "`/privacy forget`: erase everything kept about you; nothing you wrote before is "
        "logged again"
    )
    status = (
        "You have opted out: nothing you write is logged."
        if opted_out
        else ("You have not opted out.")
    )
    embed.set_footer(text=status)
    return embed


def reference_choices(
    library: Library, typed: str, *, readings_only: bool = False
) -> list[discord.app_commands.Choice[str]]:
    """Autocomplete for a passage reference: the exact citation typed first (``soic 3`` ->
    ``against-soic §3``), then readings and their sections; at most 25 choices."""
    choices: list[discord.app_commands.Choice[str]] = []
    if not readings_only and typed.strip():
        try:
            exact = resolve(library, typed)
        except CitationError:
            exact = None
        if exact is not None and not exact.is_whole_reading:
            label = clip(f"{exact} — {exact.reading.title}", CHOICE_LIMIT)
            choices.append(discord.app_commands.Choice(name=label, value=str(exact)))
    for label, value in suggestions(library, typed, limit=CHOICES_LIMIT - len(choices)):
        if not (readings_only and "#" in value):
            choices.append(discord.app_commands.Choice(name=label, value=value))
    return choices
