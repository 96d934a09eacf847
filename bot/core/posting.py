"""What a group posts next: progress found again by installment key, each post's questions, and
the marker that identifies a post in the channel.

A group's progress is kept as the key of the last installment it has done (posted or skipped),
e.g. ``against-soic:12-14``, with the count as a fallback. Keys survive restarts; when a reading
or the word target changes, the installments are cut again and :func:`resume_index` finds the
place in the new cut, never skipping a paragraph that was not posted.

Every post carries a marker in its embed footer, ``rg:<channel>:<slot>`` (``/2``, ``/3`` ... on
the second and later messages of a long post), so a post whose confirmation was lost in a crash
is found again in the channel's history instead of being posted twice.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Sequence, Set
from dataclasses import dataclass

from bot.core.errors import PlanError
from bot.core.excerpts import Installment, done_through, locate
from bot.core.instants import INSTANT_PATTERN, format_marker_instant, parse_instant
from bot.core.questions import Prompts, Question, questions_for
from bot.core.readings import Library

UTC_ZONE = zoneinfo.ZoneInfo("UTC")
MARKER_RE = re.compile(rf"\brg:(?P<channel>\d+):(?P<slot>{INSTANT_PATTERN})(?:/(?P<part>\d+))?")


@dataclass(frozen=True, slots=True)
class Upcoming:
    """One post still to come: which installment, its place in the plan, its questions."""

    number: int  # 1-based: "installment 4 of 23"
    total: int
    installment: Installment
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PostContent:
    """Everything a post shows, as stored with its claim (so a re-send shows the same).

    Attributes:
        channel_id: the group's channel.
        slot: the slot the post was claimed for (aware UTC): its identity in the marker.
        installment: the excerpt.
        number, total: "installment 4 of 23".
        questions: the discussion questions' texts, in order.
        late: posted well after its slot (after downtime): the post says so.
        tz: the group's timezone, to show times in.
        ping_role_id: the role to mention, if the group has one.
        ping_everyone: that role is the server's @everyone (a Manage Server organizer chose
            it): the post mentions @everyone.
        facilitator_id: the member who facilitates this installment (the group's rotation),
            named and pinged by the post, or None.
    """

    channel_id: int
    slot: dt.datetime
    installment: Installment
    number: int
    total: int
    questions: tuple[str, ...]
    late: bool = False
    tz: zoneinfo.ZoneInfo = UTC_ZONE
    ping_role_id: int | None = None
    ping_everyone: bool = False
    facilitator_id: int | None = None


def post_marker(channel_id: int, slot: dt.datetime, part: int = 1) -> str:
    """``rg:<channel>:<slot>`` for a post's first message, ``.../<part>`` for the others."""
    marker = f"rg:{channel_id}:{format_marker_instant(slot)}"
    return marker if part == 1 else f"{marker}/{part}"


def parse_marker(text: str) -> tuple[int, dt.datetime, int] | None:
    """``(channel id, slot, part)`` of the marker in ``text`` (e.g. a footer), or None."""
    match = MARKER_RE.search(text)
    if match is None:
        return None
    return (
        int(match.group("channel")),
        parse_instant(match.group("slot")),
        int(match.group("part") or 1),
    )


def resume_index(
    installments: Sequence[Installment], done_key: str | None, done_count: int = 0
) -> int:
    """How many of ``installments`` are done, given the key of the last one done.

    The key is looked up first; if the installments were cut again (a reading or the word
    target changed), the place is found from where the key got to (:func:`done_through`): after
    a finished paragraph the group carries on after the installment that ends it (that
    installment comes again if it goes on past it); after sentence ``n`` of a paragraph cut
    into pieces, it carries on with the piece holding sentence ``n + 1`` (from that piece's
    start, so a paragraph whose sentences moved is repeated rather than skipped). A reading that
    lost paragraphs counts as done; a reading dropped from the plan leaves ``done_count``
    (clamped) as the best guess.

    Args:
        installments: the plan's installments as cut now.
        done_key: the :attr:`Installment.key` of the last installment done, or None for none.
        done_count: how many were done when it was stored (the fallback).
    """
    if done_key is None:
        return 0
    for index, installment in enumerate(installments):
        if installment.key == done_key:
            return index + 1
    fallback = max(0, min(done_count, len(installments)))
    try:
        slug, paragraph, sentence = done_through(done_key)
    except ValueError:
        return fallback
    try:
        index = locate(installments, slug, paragraph)
    except PlanError:
        own = [i for i, installment in enumerate(installments) if installment.slug == slug]
        return own[-1] + 1 if own else fallback
    holding = [index]  # the installments holding the paragraph: several if it is cut
    while holding[-1] + 1 < len(installments) and installments[holding[-1] + 1].holds(
        slug, paragraph
    ):
        holding.append(holding[-1] + 1)
    last = installments[holding[-1]]
    if sentence is None:
        return holding[-1] + 1 if last.last == paragraph else holding[-1]
    for place in holding:
        pieces = installments[place].sentences
        if pieces is None or pieces[1] > sentence:
            return place
    # Done up to the paragraph's last sentence now: finished, unless it had more sentences
    # when it was posted (it was edited since): then its last piece comes again.
    finished = last.sentences is not None and last.sentences[1] == sentence
    return holding[-1] + 1 if finished else holding[-1]


def upcoming(
    installments: Sequence[Installment],
    *,
    done: int,
    prompts: Prompts,
    library: Library,
    questions_per_post: int,
    used: Set[str],
    count: int = 1,
) -> list[Upcoming]:
    """The next ``count`` posts after ``done`` installments, with their questions.

    Questions are chosen post by post as :func:`bot.core.questions.questions_for` does, each
    post's questions added to ``used`` for the next, so none repeats within the plan.

    Args:
        installments: the plan's installments.
        done: how many are done (:func:`resume_index`).
        prompts: the loaded prompts.
        library: the readings.
        questions_per_post: questions per post.
        used: ids of the questions already asked in this group.
        count: how many posts to return (fewer when the plan ends).
    """
    taken = set(used)
    posts: list[Upcoming] = []
    for offset, installment in enumerate(installments[done : done + max(count, 0)]):
        questions = questions_for(
            installment.slug,
            installment.first,
            installment.last,
            prompts=prompts,
            library=library,
            count=questions_per_post,
            used=taken,
            sentences=installment.sentences,
        )
        taken.update(q.id for q in questions)
        posts.append(Upcoming(done + offset + 1, len(installments), installment, tuple(questions)))
    return posts
