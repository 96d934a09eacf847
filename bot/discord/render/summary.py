"""The weekly summary on Discord: its embed within the limits, Discord timestamps and links."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import discord

from bot.core.pages import clip
from bot.core.polls import format_shift
from bot.core.safetext import escape_markdown, plain_text
from bot.core.summary import Jump, Summary, participation_lines, progress_lines
from bot.discord.render.limits import (
    COLOUR,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    NO_PINGS,
    TITLE_LIMIT,
    fitted,
)
from bot.discord.render.posts import Outgoing

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
            ("Most quoted this week", _quoted_section(summary), 0),
            ("Where we stand", _stances_section(summary), 0),
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


def _stances_section(summary: Summary) -> list[_Line]:
    """The stance polls' shift, counts only: ``*proposition*: before: … → after: …``."""
    return [(f"*{_escape(m.proposition)}*: {format_shift(m)}", "") for m in summary.stances]


def _quoted_section(summary: Summary) -> list[_Line]:
    """The week's most quoted passages (:mod:`bot.core.quotes`): ``📖 3 · `soic §12` (Title)``."""
    return [(f"📖 {q.times} · `{q.citation}` ({_escape(q.title)})", "") for q in summary.quoted]


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
