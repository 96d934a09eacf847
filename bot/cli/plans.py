"""The commands on the groups' plans: ``plan`` and ``preview``, read from the database if any."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.cli.common import choose, load_content_for, load_settings
from bot.core.wording import plural

if TYPE_CHECKING:
    import argparse

    from bot.cli.common import PlannedGroup
    from bot.cli.terminal import Terminal
    from bot.core.content import Content
    from bot.core.plan import Preview
    from bot.settings import Settings


def _planned_groups(settings: Settings, content: Content, now: dt.datetime) -> list[PlannedGroup]:
    """The groups as the bot would run them, with the ids of the questions each has asked.

    Reads the database only if there is one; nothing is written.
    """
    import asyncio

    from bot.storage.database import has_state, open_state
    from bot.storage.groups import asked_question_ids, groups_with_file

    async def run() -> list[PlannedGroup]:
        async with open_state(settings.database_path, settings.database_url) as db:
            groups = await groups_with_file(db, content.groups, content.library, now=now)
            return [(g, await asked_question_ids(db, g.channel_id)) for g in groups]

    if has_state(settings.database_path, settings.database_url):
        return asyncio.run(run())
    from bot.core.group import file_group

    return [(file_group(c, content.library, None, now=now), set()) for c in content.groups]


def cmd_plan(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.core.group import progress
    from bot.core.plan import format_preview, schedule_preview, short_names

    settings = load_settings(args)
    content = load_content_for(settings)
    now = dt.datetime.now(dt.UTC)
    chosen = choose(_planned_groups(settings, content, now), args.group, one=False)
    for index, (group, _) in enumerate(chosen):
        installments = group.plan().installments(content.library)
        done = progress(group, installments)
        preview = schedule_preview(
            group.plan(), installments, posted=done, now=now, last_slot=group.last_slot
        )
        if index:
            out.print()
        where = group.declared_at or "/plan start"
        out.print(f"{group.name} · channel {group.channel_id} · {where}", "bold")
        state = " · paused" if group.paused else ""
        out.print(
            f"{group.cadence} · about {group.word_target} words · "
            f"{plural(group.questions_per_post, 'question')} per post{state}",
            "dim",
        )
        names = short_names(content.library)
        if out.color:
            out.print(format_preview(preview, names=names))
        else:
            _plan_table(preview, names, out)
    return 0


def _plan_table(preview: Preview, names: dict[str, str], out: Terminal) -> None:
    """The installments to come as a tab-separated table for scripts, then the finish line."""
    from bot.core.plan import format_moment, summary_line

    rows = []
    for item in preview.items:
        part = item.installment
        moment = format_moment(item.slot, preview.tz)
        citation = part.cite(names.get(part.slug, part.slug))
        rows.append([str(item.number), moment, citation, str(part.words)])
    out.table(["number", "when", "passage", "words"], rows, right={0, 3})
    out.print(summary_line(preview))


def cmd_preview(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.core.group import progress
    from bot.core.plan import format_moment, schedule_preview
    from bot.core.posting import PostContent, upcoming
    from bot.discord.render import outgoing_text, post_messages, thread_messages, thread_name

    if not 1 <= args.count <= 50:
        err.print("--count must be between 1 and 50", "red")
        return 1
    settings = load_settings(args)
    content = load_content_for(settings)
    now = dt.datetime.now(dt.UTC)
    ((group, used),) = choose(_planned_groups(settings, content, now), args.group, one=True)
    library = content.library
    installments = group.plan().installments(library)
    done = progress(group, installments)
    preview = schedule_preview(
        group.plan(), installments, posted=done, now=now, last_slot=group.last_slot
    )
    posts = upcoming(
        installments,
        done=done,
        prompts=content.prompts,
        library=library,
        questions_per_post=group.questions_per_post,
        used=used,
        count=args.count,
    )
    if not posts:
        out.print(f"{group.name}: all {plural(len(installments), 'installment')} are done.")
        return 0
    tz = group.cadence.tz
    for index, (post, item) in enumerate(zip(posts, preview.items, strict=False)):
        shown = PostContent(
            channel_id=group.channel_id,
            slot=item.slot,
            installment=post.installment,
            number=post.number,
            total=post.total,
            questions=tuple(q.text for q in post.questions),
            tz=tz,
            ping_role_id=group.ping_role_id,
        )
        reading = library[post.installment.slug]
        if index:
            out.print()
        out.print(
            f"=== {group.name}: post {post.number} of {post.total}, "
            f"{format_moment(item.slot, tz)} ({tz.key}) ===",
            "bold",
        )
        out.print(outgoing_text(post_messages(shown, reading)))
        out.print()
        out.print(f"[thread] {thread_name(reading, post.installment)}", "cyan")
        for text in thread_messages(shown):
            out.print(text)
    return 0
