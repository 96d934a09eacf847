"""Which shard a server belongs to, and whether a process serves it."""

from __future__ import annotations

from bot.core.shards import Shards, shard_of

#: A real-looking server id: its shard is its creation time in milliseconds, modulo the count.
GUILD = 1_100_000_000_000_000_000


def test_shard_of_is_discords_rule() -> None:
    millis = GUILD >> 22
    assert shard_of(GUILD, 1) == 0
    assert shard_of(GUILD, 2) == millis % 2
    assert shard_of(GUILD + (1 << 22), 2) == (millis + 1) % 2
    assert shard_of(GUILD + 1, 2) == shard_of(GUILD, 2)  # same millisecond, same shard


def test_a_process_serves_only_its_shards() -> None:
    mine = shard_of(GUILD, 3)
    assert Shards(3, (mine,)).serves(GUILD)
    assert not Shards(3, ((mine + 1) % 3,)).serves(GUILD)
    assert Shards(3, (0, 1, 2)).serves(GUILD)
