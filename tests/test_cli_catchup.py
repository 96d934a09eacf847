"""``reading-group catchup``: a member's catch-up printed from the database, as /catchup shows
it (the same read and compute), and its mistakes on one line.

The command reads the real clock, so the rows are placed relative to it."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from tests.test_cli import ESSAY, workdir

__all__ = ["workdir"]  # the fixture

NOW = dt.datetime.now(dt.UTC)
START = (NOW - dt.timedelta(days=20)).date()
GROUPS = f"""groups:
  - name: essayists
    channel_id: 300
    readings: [essay]
    words: 70
    questions: 1
    schedule: "mon,tue,wed,thu,fri,sat,sun 19:00 Europe/Berlin"
    start: {START.isoformat()}
"""
ANA, BO, CY = 7, 8, 9


@pytest.fixture
def discussed(workdir: Path) -> Path:
    """Two installments: Ana replied to the first 10 days ago, then two were posted and Bo
    wrote a starred reply with a masked link and control characters."""
    from bot.core.content import load_content
    from bot.core.replies import ReactionAdd, Reply
    from bot.storage.database import open_database
    from bot.storage.groups import claim_post, confirm_post, get_group, sync_file_groups
    from bot.storage.replies import apply_events

    (workdir / "readings" / "essay.md").write_text(ESSAY)
    (workdir / "groups.yaml").write_text(GROUPS)
    content = load_content(workdir / "readings", workdir / "prompts", workdir / "groups.yaml")
    ago = [NOW - dt.timedelta(days=days) for days in (12, 10, 5, 4)]

    async def run() -> None:
        async with open_database(workdir / "data" / "reading-group.sqlite3") as db:
            await sync_file_groups(db, content.groups, content.library, now=ago[0])
            for number, (slot, key) in enumerate([(ago[0], "essay:1-1"), (ago[2], "essay:2-2")], 1):
                group = await get_group(db, 300)
                assert group is not None
                post = await claim_post(
                    db,
                    group,
                    slot=slot,
                    kind="scheduled",
                    installment_key=key,
                    number=number,
                    total=6,
                    questions=[(f"q{number}-{i}", f"What is point {number}.{i}?") for i in (1, 2)],
                    now=slot,
                )
                assert post is not None
                await confirm_post(
                    db,
                    post.id,
                    message_id=500 + number,
                    thread_id=500 + number,
                    late=False,
                    now=slot,
                )
            text = "see [this](https://evil.example) \x1b[31mred\x1b[0m"
            await apply_events(
                db,
                [
                    Reply(1001, 501, 300, 9, 1, ANA, "Ana", "Before I left", ago[1], words=3),
                    Reply(1002, 502, 300, 9, 2, BO, "Bo", text, ago[3], words=3),
                    ReactionAdd(1002, 502, CY, "⭐", ago[3]),
                ],
            )

    asyncio.run(run())
    return workdir


def test_catchup_prints_what_the_member_missed_since_their_last_reply(
    discussed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catchup", "--member", str(ANA), "--group", "essayists"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "essayists · Catch-up (Europe/Berlin)"
    assert lines[1].startswith("Since your last reply, ")
    assert "#1/6 essay §1 · A Long Essay · discussed; posted " in out  # her own reply opens it
    assert "#2/6 essay §2 · A Long Essay · posted " in out
    assert '⭐ Bo: "see [this](https://evil.example) red"' in out  # no terminal escape
    assert "\x1b" not in out
    assert "Open question: What is point 2.1?\n  Open question: What is point 2.2?" in out
    assert "https://discord.com/channels/9/502" in out


def test_a_member_who_never_took_part_is_told_and_sees_two_weeks(
    discussed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catchup", "--member", "424242", "--since", "1 week"]) == 0
    assert "as you asked" in capsys.readouterr().out
    assert main(["catchup", "--member", "424242"]) == 0
    out = capsys.readouterr().out
    assert "I have no reply of yours in this group. Pass --since to choose." in out
    assert "#1/6 essay §1 · A Long Essay · posted " in out  # the last 14 days hold both
    assert "2 replies in the group in that time." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--member", "7", "--since", "yesterday"], "since 'yesterday' is not a day or a"),
        (["--member", "7", "--since", "2999-01-01"], "since 2999-01-01 is in the future"),
        (["--member", "7", "--group", "nobody"], "--group 'nobody': no such group"),
    ],
)
def test_catchup_mistakes_say_why_on_one_line(
    discussed: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["catchup", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("member", ["ana", "-7", "0", "1" * 30])
def test_a_member_is_a_discord_user_id(
    discussed: Path, capsys: pytest.CaptureFixture[str], member: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["catchup", f"--member={member}"])
    assert exited.value.code == 2
    assert "is not a Discord user id" in capsys.readouterr().err


def test_catchup_never_creates_a_database(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catchup", "--member", "7"]) == 1
    assert capsys.readouterr().err.startswith("no database at data/reading-group.sqlite3")
    assert not (workdir / "data").exists()
