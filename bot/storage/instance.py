"""Who uses the database: the bot process (:class:`Owner`) and the lease of every claim.

A bot holds the database alone while it runs (:func:`bot.storage.database.open_database` given its
owner locks ``<database>.lock``), so a second ``run`` on it stops at once; on a shared PostgreSQL
database it holds the shards it runs instead (:func:`bot.storage.postgres.hold_shards`). Claims
(a post or a summary about to be sent) carry their owner and a lease (:data:`CLAIM_LEASE`):
another process never reconciles a claim whose owner may still be sending it. Should two
processes ever share a
database anyway (a lock file that is not shared, as on some network file systems), the lease
keeps them from sending the same post twice; a claim of an owner known to be gone (on this host,
its process no longer runs) is reconciled at once.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.instants import format_instant, parse_instant

#: How long a claim is its owner's alone. Sending one post or summary takes seconds; a claim older
#: than this was abandoned, and its post is reconciled by whoever finds it.
CLAIM_LEASE = dt.timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Owner:
    """A bot process, as named in its lock file and its claims.

    Attributes:
        host: the machine it runs on.
        pid: its process id there.
        token: random, so a later process with the same pid (a container's pid 1) is another.
        since: when it started.
    """

    host: str
    pid: int
    token: str
    since: dt.datetime

    @classmethod
    def this_process(cls, now: dt.datetime) -> Owner:
        """This process, starting at ``now``."""
        return cls(socket.gethostname(), os.getpid(), secrets.token_hex(4), now)

    @property
    def id(self) -> str:
        """What its claims record: ``pid@host/token``."""
        return f"{self.pid}@{self.host}/{self.token}"

    def gone(self, claimed_by: str) -> bool:
        """Whether the owner ``claimed_by`` is known to run no longer (seen from this process):
        on this host, its pid is ours (so it is an earlier process) or runs no process."""
        pid, _, rest = claimed_by.partition("@")
        host, _, token = rest.rpartition("/")
        if host != self.host or not pid.isdigit():
            return False
        if int(pid) == self.pid:
            return token != self.token
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # a process of another user has that pid
            return False
        return False


@dataclass(frozen=True, slots=True)
class Lease:
    """Who claimed a post or summary, and until when it is theirs alone."""

    owner: str
    until: dt.datetime

    def excludes(self, me: Owner, now: dt.datetime) -> bool:
        """Whether ``me`` must leave the claim alone: another owner may still be sending it."""
        return self.owner != me.id and now < self.until and not me.gone(self.owner)


def held_elsewhere(leases: Iterable[Lease | None], me: Owner, now: dt.datetime) -> Lease | None:
    """The first of the claims' ``leases`` that keeps ``me`` away, or None."""
    return next((lease for lease in leases if lease and lease.excludes(me, now)), None)


def new_lease(owner: Owner | None, now: dt.datetime) -> tuple[str | None, str | None]:
    """The ``claimed_by`` and ``lease_until`` columns of a claim made by ``owner`` at ``now``
    (both NULL without an owner: anyone may reconcile it)."""
    if owner is None:
        return None, None
    return owner.id, format_instant(now + CLAIM_LEASE)


def stored_lease(claimed_by: str | None, lease_until: str | None) -> Lease | None:
    """The lease of a claim's row, or None when it has none."""
    if claimed_by is None or lease_until is None:
        return None
    return Lease(claimed_by, parse_instant(lease_until))
