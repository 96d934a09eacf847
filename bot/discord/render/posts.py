"""Scheduled posts on Discord: the installment's messages, its thread and the pings they may
make."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.core.citations import Citation
from bot.core.excerpts import Installment, piece_pages
from bot.core.pages import clip, paginate
from bot.core.plan import format_moment
from bot.core.posting import PostContent, post_marker
from bot.core.readings import Reading
from bot.core.sentences import sentences
from bot.discord.render.library import _note_blocks, passage_pages
from bot.discord.render.limits import (
    AUTHOR_LIMIT,
    COLOUR,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_LIMIT,
    NO_PINGS,
    PASSAGE_PAGE_LIMIT,
    POST_FOOTER_LIMIT,
    THREAD_NAME_LIMIT,
    TITLE_LIMIT,
    embed_text,
    fitted,
)


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


# --- scheduled posts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: its content, embeds and whom it may ping."""

    content: str | None
    embeds: tuple[discord.Embed, ...]
    allowed_mentions: discord.AllowedMentions


def ping_mentions(
    role_id: int | None, *, everyone: bool = False, user_id: int | None = None
) -> discord.AllowedMentions:
    """Allowed mentions that ping exactly the role ``role_id`` (or, with ``everyone``, only
    @everyone) and the member ``user_id``, if given, and nobody else."""
    users = [discord.Object(id=user_id)] if user_id is not None else False
    roles = [discord.Object(id=role_id)] if role_id is not None and not everyone else False
    return discord.AllowedMentions(everyone=everyone, users=users, roles=roles, replied_user=False)


def _with_suffix(text: str, suffix: str, limit: int) -> str:
    """``text`` clipped so that ``text + suffix`` fits ``limit``; the suffix is never cut."""
    return clip(text, limit - len(suffix)) + suffix


def post_messages(post: PostContent, reading: Reading) -> list[Outgoing]:
    """A post as messages: the excerpt in embeds (cut between paragraphs, or sentences of a long
    one; nothing is left out), then the numbered questions; every message's last embed carries
    the progress and the post's marker in its footer. The first message pings the group's role,
    if it has one, names (and pings) the installment's facilitator, and says when the post is
    late.
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
    if post.facilitator_id is not None:
        notes.append(f"Facilitator: <@{post.facilitator_id}>.")
    if post.late:
        notes.append(
            f"Posted late: this installment was due {format_moment(post.slot, post.tz)} "
            f"({post.tz.key}); the plan carries on from here."
        )
    if notes:
        mentions = ping_mentions(
            post.ping_role_id,
            everyone=post.ping_everyone and post.ping_role_id is not None,
            user_id=post.facilitator_id,
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


def outgoing_text(messages: Sequence[Outgoing]) -> str:
    """Messages as plain text: each message's content, then its embeds."""
    blocks: list[str] = []
    for number, message in enumerate(messages, 1):
        blocks.append(f"[message {number} of {len(messages)}]")
        if message.content:
            blocks.append(message.content)
        blocks += [embed_text(embed) for embed in message.embeds]
    return "\n\n".join(blocks)
