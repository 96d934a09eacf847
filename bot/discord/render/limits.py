"""Discord's limits, and the one place every embed is fitted to them (:func:`fitted`)."""

from __future__ import annotations

from typing import Final, Literal

import discord

from bot.core.pages import clip
from bot.core.readings import Reading

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


def error_text(message: str) -> str:
    """A domain error as a short ephemeral reply."""
    return clip(message, CONTENT_LIMIT)


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
