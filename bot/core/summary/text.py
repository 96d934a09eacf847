"""Text: the summary for the terminal, and the lines the Discord rendering shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from bot.core.errors import clip
from bot.core.plan import format_date, format_moment
from bot.core.polls import format_shift
from bot.core.summary.model import Jump, Participation, Progress, Summary
from bot.core.wording import plural


def compare(now: int, before: int | None, noun: str) -> str:
    """``45 replies (30 the week before)``: plain numbers, no judgement."""
    text = plural(now, noun)
    if before is None:
        return text
    if before == now:
        return f"{text} (as many as the week before)"
    return f"{text} ({before:,} the week before)"


def welcome(names: Sequence[str], most: int = 10) -> str:
    """``Welcome to our new voices: Ana, Bo and Cy!`` (empty when there are none); past
    ``most`` names, the rest are counted: ``..., Jo and 12 others!``."""
    if not names:
        return ""
    if len(names) == 1:
        return f"Welcome to our new voice: {names[0]}!"
    if len(names) > most:
        return (
            f"Welcome to our new voices: {', '.join(names[:most])} and {len(names) - most} others!"
        )
    return f"Welcome to our new voices: {', '.join(names[:-1])} and {names[-1]}!"


def participation_lines(part: Participation) -> list[str]:
    """The participation section's lines, shared by the text and the Discord rendering."""
    counts, before = part.counts, part.previous
    if not counts.replies:
        last = (
            f" ({plural(before.replies, 'reply')} the week before)"
            if before and before.replies
            else ""
        )
        return [f"No replies this week{last}. The threads stay open for anyone who wants to join."]
    lines = [
        ", ".join(
            (
                compare(counts.replies, before.replies if before else None, "reply"),
                compare(counts.words, before.words if before else None, "word"),
                compare(
                    counts.participants, before.participants if before else None, "participant"
                ),
            )
        )
    ]
    if part.new_voices:
        lines.append(welcome(part.new_voices))
    if part.leaderboard:
        lines.append(
            "Most replies: "
            + ", ".join(f"{name} ({plural(count, 'reply')})" for name, count in part.leaderboard)
        )
    return lines


def progress_lines(progress: Progress, day: Callable[[dt.datetime], str]) -> list[str]:
    """The progress section's status lines (next, finish, pause, behind), after the bars.

    Args:
        progress: the summary's progress.
        day: how to show a date, e.g. :func:`bot.core.plan.format_date` in the group's zone
            for the terminal, a Discord timestamp for Discord.
    """
    lines = []
    if progress.next is None:
        lines.append("The plan is finished: every installment is done.")
    else:
        lines.append(f"Next: #{progress.next.number} {progress.next.citation}")
    if progress.paused:
        since = f" since {day(progress.paused_at)}" if progress.paused_at else ""
        lines.append(f"Paused{since}.")
        if progress.finish is not None:
            lines.append(f"If resumed now, it would finish on {day(progress.finish)}.")
    elif progress.finish is not None:
        lines.append(f"Projected finish: {day(progress.finish)}")
    if progress.behind:
        lines.append(f"{plural(progress.behind, 'installment')} behind the original schedule.")
    if progress.skipped:
        lines.append(f"{plural(progress.skipped, 'installment')} skipped.")
    return lines


def summary_text(
    summary: Summary, link: Callable[[Jump], str] | None = None, width: int = 80
) -> str:
    """The summary as plain text for the terminal (no Discord markup, local times).

    Args:
        summary: the week's summary.
        link: how to show a jump link (e.g. :func:`bot.discord.render.jump_link`); None shows none.
        width: the terminal's columns: reading titles are cut so that the progress bars fit.
    """

    def url(jump: Jump | None) -> str | None:
        return None if jump is None or link is None else link(jump)

    tz = summary.tz
    name = f"{summary.group} · " if summary.group else ""
    out = [f"{name}{summary.title} ({tz.key})", ""]

    out.append("Posted this week")
    if not summary.posted:
        out.append("  No installment was posted this week.")
    for item in summary.posted:
        late = " (late)" if item.late else ""
        out.append(
            f"  #{item.number}/{item.total} {item.citation} · {plural(item.words, 'word')}"
            f" · {format_moment(item.posted_at, tz)}{late} · {_replies(item.replies)}"
        )
        if address := url(item.jump):
            out.append(f"    {address}")

    progress = summary.progress
    out += ["", "Progress"]
    done = f"  ({progress.done} of {plural(progress.total, 'installment')})"
    # Room for a title: the widest line (the whole plan's) less its indent, gap, bar and count.
    bar = max(len(r.bar) for r in (progress, *progress.readings))
    room = max(width - 4 - bar - len(done), len("Whole plan"))
    titles = [clip(r.title, room) for r in progress.readings]
    column = max(map(len, titles), default=0)
    for title, reading in zip(titles, progress.readings, strict=True):
        out.append(f"  {title:<{column}}  {reading.bar}")
    out.append(f"  {'Whole plan':<{column}}  {progress.bar}{done}")
    out += [f"  {line}" for line in progress_lines(progress, lambda m: format_date(m, tz))]

    out += ["", "Participation"]
    out += [f"  {line}" for line in participation_lines(summary.participation)]

    if summary.highlights:
        out += ["", "Highlights"]
        for h in summary.highlights:
            stars = f"⭐ {h.stars} · " if h.stars is not None else "⭐ "
            where = f" on {h.citation}" if h.citation else ""
            quote = f': "{h.quote}"' if h.quote else " (text no longer kept)"
            out.append(f"  {stars}{h.author}{where}{quote}")
            if address := url(h.jump):
                out.append(f"    {address}")
    if summary.stuck:
        out += ["", "Where we got stuck"]
        for s in summary.stuck:
            address = url(s.jump)
            shown = f"  {address}" if address else ""
            out.append(f"  ❓ {s.marks} · {s.citation}{shown}")
    if summary.quoted:
        out += ["", "Most quoted this week"]
        for quoted in summary.quoted:
            out.append(f"  📖 {quoted.times} · {quoted.citation} ({quoted.title})")
    if summary.stances:
        out += ["", "Where we stand"]
        out += [f"  {moved.proposition}: {format_shift(moved)}" for moved in summary.stances]
    if summary.questions:
        out += ["", "Questions still open"]
        for q in summary.questions:
            where = q.citation or f"installment {q.number}"
            out.append(f"  #{q.number} {where}: {q.text}")
        if summary.more_questions:
            out.append(f"  …and {summary.more_questions} more")
    out += ["", "Coming up"]
    if not summary.coming:
        out.append(
            "  Nothing scheduled." if not progress.paused else "  Nothing: the plan is paused."
        )
    for coming in summary.coming:
        when = format_moment(coming.slot, tz) if coming.slot else "not scheduled"
        out.append(f"  {when} · #{coming.number} {coming.citation}")
    return "\n".join(out)


def _replies(count: int) -> str:
    return plural(count, "reply")
