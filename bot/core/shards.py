"""Which process serves which server when the bot runs as several shards.

Discord gives each server (guild) to one shard: ``(guild_id >> 22) % shard_count``. A bot process
started with ``SHARD_COUNT`` and ``SHARD_IDS`` receives only the events of its shards' servers,
so its scheduled work (posting, weekly summaries) must act only on the groups of those servers:
another process serves the others.
"""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends ``guild_id``'s events to, out of ``shard_count``."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards one process runs.

    Attributes:
        count: how many shards the bot has in all.
        ids: the ones this process runs (each below ``count``).
    """

    count: int
    ids: tuple[int, ...]

    def serves(self, guild_id: int) -> bool:
        """Whether this process receives ``guild_id``'s events (so acts for its groups)."""
        return shard_of(guild_id, self.count) in self.ids
