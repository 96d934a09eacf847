"""Everything the bot shows on Discord, cut to Discord's limits in this one module.

Limits (https://discord.com/developers/docs/resources/message): 2000 characters of content,
10 embeds, 256 for a title, 4096 for a description, 25 fields of 1024 (names 256), a 2048
footer, a 256 author name, 2048 for a URL, 6000 across one message's embeds, 100 for a thread
name, 25 autocomplete choices and 25 select options of 100 characters. Every embed the bot
sends goes through :func:`fitted`, so no reading, however extreme its title, author, source or
headings, can make Discord refuse a message.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import discord

from bot.core.citations import Citation, format_citation, resolve, suggestions, table_of_contents
from bot.core.errors import CitationError
from bot.core.excerpts import Installment, piece_pages
from bot.core.pages import clip, paginate
from bot.core.plan import format_moment
from bot.core.posting import PostContent, post_marker
from bot.core.readings import Library, Paragraph, Reading, display_text
from bot.core.safetext import escape_markdown, plain_text
from bot.core.search import PLAIN, SearchResults
from bot.core.sentences import sentences
from bot.core.summary import Jump, Summary, participation_lines, progress_lines
from bot.core.wording import plural

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
URL_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
THREAD_NAME_LIMIT = 100
CHOICES_LIMIT = 25
CHOICE_LIMIT = 100
EMBEDS_LIMIT = 10

#: A passage page leaves room under the description limit so a page reads comfortably on a phone.
PASSAGE_PAGE_LIMIT = 3800

COLOUR = discord.Colour(0x8B1E3F)

#: Nothing the bot posts pings anyone unless an organizer configured a ping.
NO_PINGS = discord.AllowedMentions.none()

#: Room kept in each message of a post for its footer (progress, part and marker).
POST_FOOTER_LIMIT = 300
#: A post's thread archives after a week without messages (one of Discord's allowed values).
THREAD_ARCHIVE_MINUTES: Final[Literal[10080]] = 10080

#: When an embed is over the 6000 total, these give way first, in this order, each down to
#: :data:`_GIVE_WAY_FLOOR` characters; then the description; then the last fields.
_GIVING_WAY = ("footer", "author", "title", "description")
_GIVE_WAY_FLOOR = 64


def fitted(embed: discord.Embed) -> discord.Embed:
    """``embed`` (changed in place) within every limit Discord puts on one embed.

    Each text is clipped to its own limit and fields past the 25th are left out; a URL Discord
    would refuse is dropped (:func:`usable_url`).
    Over the 6000 total, the footer, author and title give way first, then the description,
    then the last fields. The builders below keep their own texts well inside these limits:
    this is the guarantee behind them, for content nobody expected (a 5,000-character heading).
    """
    embed.url = usable_url(embed.url)
    if embed.title:
        embed.title = clip(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = clip(embed.description, DESCRIPTION_LIMIT)
    for index, field in enumerate(embed.fields[:FIELDS_LIMIT]):
        embed.set_field_at(
            index,
            name=clip(field.name or "…", FIELD_NAME_LIMIT),
            value=clip(field.value or "…", FIELD_VALUE_LIMIT),
            inline=bool(field.inline),
        )
    while len(embed.fields) > FIELDS_LIMIT:
        embed.remove_field(FIELDS_LIMIT)
    _set_part(embed, "footer", _part(embed, "footer"), FOOTER_LIMIT)
    _set_part(embed, "author", _part(embed, "author"), AUTHOR_LIMIT)
    for name in _GIVING_WAY:
        text = _part(embed, name)
        excess = len(embed) - EMBED_TOTAL_LIMIT
        if excess <= 0:
            break
        if text is not None:
            _set_part(embed, name, text, max(len(text) - excess, _GIVE_WAY_FLOOR))
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def usable_url(url: str | None) -> str | None:
    """``url`` if Discord takes it as a link (http or https, at most 2048 characters), else
    None: a cut URL would lead somewhere wrong, so it is left out whole."""
    if url is None or len(url) > URL_LIMIT or not url.startswith(("http://", "https://")):
        return None
    return url


def _part(embed: discord.Embed, name: str) -> str | None:
    """The text of one of an embed's parts (footer, author, title, description)."""
    if name == "footer":
        return embed.footer.text
    if name == "author":
        return embed.author.name
    return getattr(embed, name)  # type: ignore[no-any-return]


def _set_part(embed: discord.Embed, name: str, text: str | None, limit: int) -> None:
    """Set one of an embed's parts to ``text`` clipped to ``limit`` (URLs kept if they fit)."""
    if text is None:
        return
    text = clip(text, limit)
    if name == "footer":
        embed.set_footer(text=text, icon_url=embed.footer.icon_url)
    elif name == "author":
        embed.set_author(
            name=text, url=usable_url(embed.author.url), icon_url=embed.author.icon_url
        )
    else:
        setattr(embed, name, text)


#: A section heading is shown up to this many characters in a passage and its footer.
HEADING_LIMIT = 200
#: Room a post's title keeps after the reading's title for its range (`` §1234-1240``).
_RANGE_ROOM = 16


def limit_warnings(reading: Reading) -> list[tuple[str | int, str]]:
    """What of ``reading`` Discord's limits will cut or leave out, for ``reading-group check``.

    Returns:
        ``(where, what)`` pairs: ``where`` is the front-matter key (``"source"``) or the line
        of a section heading.
    """
    found: list[tuple[str | int, str]] = []
    title_room = TITLE_LIMIT - _RANGE_ROOM
    if len(reading.display_title) > title_room:
        found.append(
            (
                "title" if len(reading.title) > title_room else "subtitle",
                f"title is {len(reading.display_title):,} characters: Discord shows the first "
                f"{title_room} in posts and passages",
            )
        )
    if reading.author and len(reading.author) > AUTHOR_LIMIT:
        found.append(
            (
                "author",
                f"author is {len(reading.author):,} characters: Discord shows the first "
                f"{AUTHOR_LIMIT}",
            )
        )
    if reading.source and usable_url(reading.source) is None:
        why = (
            f"is {len(reading.source):,} characters, over the {URL_LIMIT} Discord takes for a link"
            if len(reading.source) > URL_LIMIT
            else "is not an http:// or https:// URL"
        )
        found.append(("source", f"source {why}: posts and passages leave the link out"))
    for section in reading.sections:
        if len(section.title) > HEADING_LIMIT:
            found.append(
                (
                    section.line,
                    f"section heading is {len(section.title):,} characters: Discord shows the "
                    f"first {HEADING_LIMIT}",
                )
            )
    return found


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


def installment_pages(reading: Reading, part: Installment) -> list[str]:
    """An installment as pages of embed description: its paragraphs as :func:`passage_pages`
    shows them, or, for a piece of a paragraph longer than the target, its sentences' pages as
    the plan sized them (:func:`bot.core.excerpts.piece_pages`), the paragraph's notes after its
    last piece.
    """
    if part.sentences is None:
        return passage_pages(Citation(reading, part.first, part.last))
    paragraph = reading.paragraph(part.first)
    count = len(sentences(paragraph))
    # A reading edited since the claim may have fewer sentences: show what is left of the piece.
    first, last = min(part.sentences[0], count), min(part.sentences[1], count)
    pages = piece_pages(paragraph, first, last)
    pages[0] = f"**{part.span}** {pages[0]}"
    if last == count:
        pages += paginate(_note_blocks(reading, (paragraph,)), PASSAGE_PAGE_LIMIT)
    return pages


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


def help_embed(commands: Sequence[tuple[str, str]]) -> discord.Embed:
    """What the bot does and its commands, ``commands`` as (usage, description)."""
    embed = discord.Embed(
        title="Reading group bot",
        description=(
            "I post the group's readings in installments with discussion questions, and let "
            "anyone look up or search a passage.\n\n"
            "Cite paragraphs as `soic §3`, `soic 3-5`, `soic:3`, or a section such as "
            "`mccune#conclusion`; a title alone shows the reading's contents."
        ),
        colour=COLOUR,
    )
    for usage, description in commands[:FIELDS_LIMIT]:
        embed.add_field(name=clip(usage, FIELD_NAME_LIMIT), value=clip(description, 1024))
    return fitted(embed)


def error_text(message: str) -> str:
    """A domain error as a short ephemeral reply."""
    return clip(message, CONTENT_LIMIT)


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
    embed.set_footer(text=clip(f"{len(results)} best matches.{note} Open one below.", FOOTER_LIMIT))
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


# --- scheduled posts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: its content, embeds and whom it may ping."""

    content: str | None
    embeds: tuple[discord.Embed, ...]
    allowed_mentions: discord.AllowedMentions


def ping_mentions(role_id: int, *, everyone: bool = False) -> discord.AllowedMentions:
    """Allowed mentions that ping exactly the role ``role_id`` (or, with ``everyone``, only
    @everyone) and nobody else."""
    if everyone:
        return discord.AllowedMentions(everyone=True, users=False, roles=False, replied_user=False)
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(id=role_id)], replied_user=False
    )


def _with_suffix(text: str, suffix: str, limit: int) -> str:
    """``text`` clipped so that ``text + suffix`` fits ``limit``; the suffix is never cut."""
    return clip(text, limit - len(suffix)) + suffix


def post_messages(post: PostContent, reading: Reading) -> list[Outgoing]:
    """A post as messages: the excerpt in embeds (cut between paragraphs, or sentences of a long
    one; nothing is left out), then the numbered questions; every message's last embed carries
    the progress and the post's marker in its footer. The first message pings the group's role,
    if it has one, and says when the post is late.
    """
    part = post.installment
    embeds: list[discord.Embed] = []
    for number, page in enumerate(installment_pages(reading, part)):
        embed = discord.Embed(description=page, colour=COLOUR)
        if number == 0:
            embed.title = _with_suffix(reading.display_title, f" {part.span}", TITLE_LIMIT)
            embed.url = reading.source or None
            if reading.author:
                embed.set_author(name=clip(reading.author, AUTHOR_LIMIT))
        embeds.append(embed)
    if post.questions:
        numbered = [f"**{i}.** {text}" for i, text in enumerate(post.questions, 1)]
        for number, page in enumerate(paginate(numbered, DESCRIPTION_LIMIT - 100)):
            title = "Discussion questions" if number == 0 else None
            embeds.append(discord.Embed(title=title, description=page, colour=COLOUR))
    batches = _pack(embeds, EMBED_TOTAL_LIMIT - POST_FOOTER_LIMIT)
    section = reading.section_of(part.first)
    where = part.citation
    if section is not None:
        where += f" · {clip(section.title, 80)}"
    progress = f"{where} · installment {post.number} of {post.total}"
    messages: list[Outgoing] = []
    for index, batch in enumerate(batches, 1):
        label = progress if len(batches) == 1 else f"{progress} · part {index} of {len(batches)}"
        marker = post_marker(post.channel_id, post.slot, index)
        batch[-1].set_footer(text=_with_suffix(label, f" · {marker}", POST_FOOTER_LIMIT))
        messages.append(Outgoing(None, tuple(fitted(embed) for embed in batch), NO_PINGS))
    notes = []
    if post.ping_role_id is not None:
        notes.append("@everyone" if post.ping_everyone else f"<@&{post.ping_role_id}>")
    if post.late:
        notes.append(
            f"Posted late: this installment was due {format_moment(post.slot, post.tz)} "
            f"({post.tz.key}); the plan carries on from here."
        )
    if notes:
        mentions = (
            NO_PINGS
            if post.ping_role_id is None
            else ping_mentions(post.ping_role_id, everyone=post.ping_everyone)
        )
        messages[0] = Outgoing(" ".join(notes), messages[0].embeds, mentions)
    return messages


def _pack(embeds: Sequence[discord.Embed], budget: int) -> list[list[discord.Embed]]:
    """Embeds in order into messages of at most 10 embeds and ``budget`` characters."""
    batches: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        if not batches or len(batches[-1]) == EMBEDS_LIMIT or size + len(embed) > budget:
            batches.append([])
            size = 0
        batches[-1].append(embed)
        size += len(embed)
    return batches


def thread_name(reading: Reading, part: Installment) -> str:
    """The discussion thread's name: the reading's title and the range, within 100 characters."""
    return _with_suffix(reading.title, f" {part.span}", THREAD_NAME_LIMIT)


def thread_messages(post: PostContent) -> list[str]:
    """The thread's first message(s): the post's questions again, numbered, as plain text."""
    where = post.installment.citation
    if not post.questions:
        return [f"Discuss {where} here."]
    blocks = [f"**Discussion questions** on {where}"]
    blocks += [f"**{i}.** {text}" for i, text in enumerate(post.questions, 1)]
    return paginate(blocks, CONTENT_LIMIT)


def embed_text(embed: discord.Embed) -> str:
    """An embed as plain text, field by field, as Discord would show it."""
    lines: list[str] = []
    if embed.author.name:
        lines.append(embed.author.name)
    if embed.title:
        lines.append(f"# {embed.title}")
    if embed.url:
        lines.append(f"<{embed.url}>")
    if embed.description:
        lines += ["", embed.description]
    for field in embed.fields:
        lines += ["", f"## {field.name}", str(field.value)]
    if embed.footer.text:
        lines += ["", f"-- {embed.footer.text}"]
    return "\n".join(lines).strip("\n")


def outgoing_text(messages: Sequence[Outgoing]) -> str:
    """Messages as plain text: each message's content, then its embeds."""
    blocks: list[str] = []
    for number, message in enumerate(messages, 1):
        blocks.append(f"[message {number} of {len(messages)}]")
        if message.content:
            blocks.append(message.content)
        blocks += [embed_text(embed) for embed in message.embeds]
    return "\n\n".join(blocks)


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
        "attachments it had, and the emoji reactions you added there. Nothing else you write "
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


# --- weekly summary ----------------------------------------------------------------------------

#: The chart's file name: attach the PNG under this name and the summary embed shows it.
SUMMARY_CHART_FILE = "summary.png"
#: On a busy week every section keeps at least this much room, so none is crowded out.
_SECTION_FLOOR = 160
#: Each of the description's two sections (posted, progress) gets at most this much.
_DESCRIPTION_SECTION_LIMIT = 1900
#: A quote cut shorter than this is dropped instead: a few words would misquote someone.
_SHORTEST_QUOTE = 24

# A line of a section: a head that is never cut (it holds links and timestamps) and a tail that
# may be cut with an ellipsis (a quote, a question, names).
_Line = tuple[str, str]


def summary_embeds(
    summary: Summary, *, chart: bool = False, marker: str | None = None
) -> list[discord.Embed]:
    """The weekly summary as embeds within every Discord limit, however busy the week.

    Long sections end with "…and N more" and long quotes are cut with an ellipsis; dates are
    Discord timestamps, shown in each member's own timezone.

    Args:
        summary: from :func:`bot.core.summary.compute_summary`.
        chart: show the PNG attached as :data:`SUMMARY_CHART_FILE` in the embed.
        marker: :func:`bot.core.summary.summary_marker`, put at the end of the footer.
    """
    heading = f"{summary.group} · {summary.title}" if summary.group else summary.title
    embed = discord.Embed(title=clip(f"Weekly summary: {heading}", TITLE_LIMIT), colour=COLOUR)
    footer = (
        "Times show in your own timezone. React ⭐ to a reply you liked, ❓ where you got stuck."
    )
    embed.set_footer(text=f"{footer} · {marker}" if marker else footer)
    described = [
        ("Posted this week", _posted_section(summary), 0, _DESCRIPTION_SECTION_LIMIT),
        ("Progress", _progress_section(summary), 0, _DESCRIPTION_SECTION_LIMIT),
    ]
    participation = [("", _escape(line)) for line in participation_lines(summary.participation)]
    fields = [
        (name, lines, hidden, FIELD_VALUE_LIMIT)
        for name, lines, hidden in (
            ("Participation", participation, 0),
            ("Highlights", _highlight_section(summary), 0),
            ("Where we got stuck", _stuck_section(summary), 0),
            ("Questions still open", _question_section(summary), summary.more_questions),
            ("Coming up", _coming_section(summary), 0),
        )
        if lines
    ]
    sections = [*described, *fields]
    headings = sum(len(f"**{name}**\n") + 2 for name, *_ in described)
    budget = EMBED_TOTAL_LIMIT - len(embed) - headings - sum(len(name) for name, *_ in fields)
    texts: list[str] = []
    for index, (_, lines, hidden, cap) in enumerate(sections):
        later = sum(min(cap, _SECTION_FLOOR) for *_, cap in sections[index + 1 :])
        text = _fit_lines(lines, min(cap, budget - later), hidden)
        budget -= len(text)
        texts.append(text)
    embed.description = "\n\n".join(
        f"**{name}**\n{text}" for (name, *_), text in zip(described, texts, strict=False)
    )
    for (name, *_), text in zip(fields, texts[len(described) :], strict=True):
        embed.add_field(name=name, value=text, inline=False)
    if chart:
        embed.set_image(url=f"attachment://{SUMMARY_CHART_FILE}")
    return [fitted(embed)]


def summary_message(
    summary: Summary,
    *,
    chart: bool = False,
    marker: str | None = None,
    late_since: dt.datetime | None = None,
) -> Outgoing:
    """The weekly summary as the one message the bot posts (or previews): its embed (see
    :func:`summary_embeds`), and a note when it goes out late.

    Args:
        summary: the summary.
        chart: the PNG is attached as :data:`SUMMARY_CHART_FILE`.
        marker: the summary's marker, for the footer.
        late_since: when the summary was due, if it is posted late (after downtime).
    """
    note = None
    if late_since is not None:
        note = (
            f"Posted late: this summary was due {discord_timestamp(late_since, 'f')}, "
            "while I was offline."
        )
    return Outgoing(note, tuple(summary_embeds(summary, chart=chart, marker=marker)), NO_PINGS)


def discord_timestamp(moment: dt.datetime, style: str = "F") -> str:
    """``<t:1795543200:F>``: Discord shows it in each reader's own timezone and language.

    Raises:
        ValueError: a naive ``moment`` (its instant would depend on the machine's timezone).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be an aware datetime (UTC), not naive {moment!r}")
    return f"<t:{math.floor(moment.timestamp())}:{style}>"


def _escape(text: str) -> str:
    """Members' text shown as written: control characters dropped, Markdown escaped (every
    bracket too, so no masked link survives)."""
    return escape_markdown(plain_text(text))


def discord_link(guild_id: int, channel_id: int, message_id: int | None = None) -> str:
    """A link to a channel or thread, or to a message in it (a "jump link")."""
    base = f"https://discord.com/channels/{guild_id}/{channel_id}"
    return base if message_id is None else f"{base}/{message_id}"


def jump_link(jump: Jump) -> str:
    """The jump link to where ``jump`` leads (see :func:`discord_link`)."""
    return discord_link(jump.guild_id, jump.channel_id, jump.message_id)


def _link(text: str, jump: Jump | None) -> str:
    return f"[{text}]({jump_link(jump)})" if jump else text


def _posted_section(summary: Summary) -> list[_Line]:
    if not summary.posted:
        return [("No installment was posted this week.", "")]
    lines = []
    for item in summary.posted:
        replies = "1 reply" if item.replies == 1 else f"{item.replies:,} replies"
        late = " (late)" if item.late else ""
        head = (
            f"{_link(f'#{item.number} {item.citation}', item.jump)} · {item.words:,} words"
            f" · {replies} · {discord_timestamp(item.posted_at, 'f')}{late}"
        )
        lines.append((head, ""))
    return lines


def _progress_section(summary: Summary) -> list[_Line]:
    progress = summary.progress
    lines: list[_Line] = [(f"`{r.bar}` ", _escape(clip(r.title, 80))) for r in progress.readings]
    done = f"{progress.done} of {progress.total} installments"
    lines.append((f"`{progress.bar}` **Whole plan** ({done})", ""))
    lines += [
        (line, "")
        for line in progress_lines(progress, lambda moment: discord_timestamp(moment, "D"))
    ]
    return lines


def _highlight_section(summary: Summary) -> list[_Line]:
    lines = []
    for h in summary.highlights:
        stars = f"⭐ {h.stars} · " if h.stars is not None else "⭐ "
        where = f" on {_link(h.citation, h.jump)}" if h.citation else ""
        if not where and h.jump:
            where = f" · {_link('jump', h.jump)}"
        head = f"{stars}**{_escape(clip(h.author, 64))}**{where}"
        tail = f"\n> {_escape(h.quote)}" if h.quote else " (text no longer kept)"
        lines.append((head, tail))
    return lines


def _stuck_section(summary: Summary) -> list[_Line]:
    return [(f"❓ {s.marks} · {_link(s.citation, s.jump)}", "") for s in summary.stuck]


def _question_section(summary: Summary) -> list[_Line]:
    return [
        (f"#{q.number} {_link(q.citation or 'installment', q.jump)}: ", _escape(q.text))
        for q in summary.questions
    ]


def _coming_section(summary: Summary) -> list[_Line]:
    if not summary.coming:
        paused = summary.progress.paused
        return [("Nothing: the plan is paused." if paused else "Nothing scheduled.", "")]
    return [
        (
            f"{discord_timestamp(item.slot) if item.slot else 'not scheduled'} · #{item.number} "
            f"{item.citation}",
            "",
        )
        for item in summary.coming
    ]


def _fit_lines(lines: Sequence[_Line], limit: int, hidden: int = 0) -> str:
    """As many ``lines`` as fit in ``limit`` characters, then "…and N more" (counting
    ``hidden`` lines left out before). The first tail that does not fit is cut to fit."""
    out: list[str] = []
    used = 0
    for index, (head, tail) in enumerate(lines):
        after = len(lines) - index - 1 + hidden  # left out if this line is the last one
        reserve = len(f"\n…and {after} more") if after else 0
        room = limit - used - (1 if out else 0) - reserve
        text = head + tail
        if len(text) > room:
            if not tail or room - len(head) < _SHORTEST_QUOTE:
                break
            text = head + clip(tail, room - len(head))
        out.append(text)
        used += len(text) + (1 if len(out) > 1 else 0)
    left = len(lines) - len(out) + hidden
    if left:
        out.append(f"…and {left:,} more")
    return clip("\n".join(out), limit) or "…"


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
