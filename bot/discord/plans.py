"""The groups' plans cut into installments, once for each library the bot serves.

Cutting a plan reads every paragraph of its readings; the posting tick, ``/plan`` and the weekly
summary all need the cut plan, so the runner builds one :class:`Plans` and hands it to the bot
(:attr:`bot.client.ReadingGroupBot.plans`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.excerpts import Installment
    from bot.core.group import Group
    from bot.core.readings import Library

#: What a plan's installments depend on besides the library: its readings and word target.
PlanKey = tuple[tuple[str, ...], int]


class Plans:
    """Each plan's installments, cut once and kept until the library changes (a reload)."""

    def __init__(self) -> None:
        self._library: Library | None = None
        self._cut: dict[PlanKey, tuple[Installment, ...]] = {}

    def installments(self, group: Group, library: Library) -> tuple[Installment, ...]:
        """The group's installments over ``library``.

        Raises:
            PlanError: a reading of the plan is not in the library.
        """
        if library is not self._library:
            self._library, self._cut = library, {}
        key = (group.readings, group.word_target)
        if key not in self._cut:
            self._cut[key] = group.plan().installments(library)
        return self._cut[key]
