"""Facilitator rotation: who facilitates each installment, and when their prep packet is due.

A group keeps an ordered rotation of member ids. Installment N (from 1) goes round robin to
``rotation[(N - 1) % len(rotation)]`` unless an organizer changed that turn (skip or swap), kept
as an override. Pure: the rotation, overrides and slots are parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

PACKET_LEAD = dt.timedelta(days=3)
"""How long before an installment's slot its facilitator gets the prep packet."""


def facilitator_of(
    number: int, rotation: Sequence[int], overrides: Mapping[int, int]
) -> int | None:
    """Who facilitates installment ``number`` (from 1), or None with an empty rotation."""
    if number in overrides:
        return overrides[number]
    if not rotation:
        return None
    return rotation[(number - 1) % len(rotation)]


def skipped_to(number: int, rotation: Sequence[int], overrides: Mapping[int, int]) -> int | None:
    """Who facilitates installment ``number`` once its facilitator passes: the next member of
    the rotation after them (them again in a rotation of one; None with an empty rotation)."""
    current = facilitator_of(number, rotation, overrides)
    if not rotation:
        return None
    if current not in rotation:
        return rotation[(number - 1) % len(rotation)]
    return rotation[(rotation.index(current) + 1) % len(rotation)]


def packet_due(slot: dt.datetime) -> dt.datetime:
    """When the facilitator of the installment posted at ``slot`` gets the prep packet."""
    return slot - PACKET_LEAD
