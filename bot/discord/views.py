"""Buttons and menus: paging a passage or the library, sharing a passage, opening a search hit.

Only the member who asked can use them; they stop after a timeout and disable themselves.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.core.citations import Citation, resolve
from bot.core.concord import Concordance
from bot.core.readings import Library
from bot.discord.concord_render import concord_page, page_count
from bot.discord.render import NO_PINGS, fitted, passage_embed, passage_pages
from bot.discord.tree import report_error

log = logging.getLogger(__name__)

VIEW_TIMEOUT = 300.0
NOT_YOURS = "These buttons belong to whoever asked. Run the command yourself to get your own."


class OwnedView(discord.ui.View):
    """A view only its owner can use, which disables itself when it times out."""

    def __init__(self, *, owner_id: int) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.owner_id = owner_id
        self.message: discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                log.debug("Could not disable an expired view", exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)


class PagedView(OwnedView):
    """◀ ▶ to turn the pages of a long answer; a single page shows no arrows.

    Subclasses say what page ``index`` (0-based) of ``count`` shows in :meth:`page_embed`.
    """

    def __init__(self, *, owner_id: int, count: int) -> None:
        super().__init__(owner_id=owner_id)
        self.count = count
        self.page = 0
        if count == 1:
            self.remove_item(self.previous)
            self.remove_item(self.next)
        self._update_buttons()

    def page_embed(self, index: int) -> discord.Embed:
        raise NotImplementedError

    def embed(self) -> discord.Embed:
        """The page shown now."""
        return self.page_embed(self.page)

    def _update_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page == self.count - 1

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = max(0, min(self.count - 1, self.page + step))
        self._update_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary, custom_id="page:previous")
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary, custom_id="page:next")
    async def next(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, +1)


class PassageView(PagedView):
    """A passage page by page; Share posts the current page publicly."""

    def __init__(self, *, owner_id: int, citation: Citation, pages: list[str]) -> None:
        self.citation = citation
        self.pages = pages
        super().__init__(owner_id=owner_id, count=len(pages))

    def page_embed(self, index: int) -> discord.Embed:
        return passage_embed(self.citation, self.pages[index], index + 1, len(self.pages))

    @discord.ui.button(label="Share", style=discord.ButtonStyle.primary, custom_id="passage:share")
    async def share(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        embed = self.embed()
        embed.set_footer(text=f"{embed.footer.text} · shared by {interaction.user.display_name}")
        await interaction.response.send_message(embed=fitted(embed), allowed_mentions=NO_PINGS)


class ReadingsView(PagedView):
    """The library page by page (:func:`bot.discord.render.readings_embeds`)."""

    def __init__(self, *, owner_id: int, pages: list[discord.Embed]) -> None:
        self.pages = pages
        super().__init__(owner_id=owner_id, count=len(pages))

    def page_embed(self, index: int) -> discord.Embed:
        return self.pages[index]


class ConcordView(PagedView):
    """A concordance page by page (:func:`bot.discord.concord_render.concord_page`); Share
    posts the current page publicly, without the dispersion image."""

    def __init__(self, *, owner_id: int, concordance: Concordance, term: str, image: bool) -> None:
        self.concordance = concordance
        self.term = term
        self.image = image
        super().__init__(owner_id=owner_id, count=page_count(concordance))

    def page_embed(self, index: int) -> discord.Embed:
        return concord_page(self.concordance, self.term, index, image=self.image)

    @discord.ui.button(label="Share", style=discord.ButtonStyle.primary, custom_id="concord:share")
    async def share(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        embed = self.embed().copy()
        embed.set_image(url=None)
        embed.set_footer(text=f"{embed.footer.text} · shared by {interaction.user.display_name}")
        await interaction.response.send_message(embed=fitted(embed), allowed_mentions=NO_PINGS)


class SearchView(OwnedView):
    """A menu of the hits; choosing one opens it as a passage."""

    def __init__(
        self, *, owner_id: int, library: Library, options: list[discord.SelectOption]
    ) -> None:
        super().__init__(owner_id=owner_id)
        self.library = library
        self.open.options = options  # type: ignore[assignment]

    @discord.ui.select(
        placeholder="Open a hit as a passage…", min_values=1, max_values=1, custom_id="search:open"
    )
    async def open(
        self, interaction: discord.Interaction[Any], select: discord.ui.Select[Any]
    ) -> None:
        await send_passage(interaction, resolve(self.library, select.values[0]))


async def send_passage(
    interaction: discord.Interaction[Any], citation: Citation, *, ephemeral: bool = True
) -> None:
    """Answer ``interaction`` with the passage: paged with buttons and a Share button."""
    pages = passage_pages(citation)
    view = PassageView(owner_id=interaction.user.id, citation=citation, pages=pages)
    await send_paged(interaction, view, ephemeral=ephemeral)


async def send_paged(
    interaction: discord.Interaction[Any],
    view: PagedView,
    *,
    ephemeral: bool = True,
    file: discord.File | None = None,
) -> None:
    """Answer ``interaction`` with the first page of ``view``, and its buttons (and ``file``
    attached, which every page may show)."""
    await interaction.response.send_message(
        embed=view.embed(),
        view=view,
        ephemeral=ephemeral,
        allowed_mentions=NO_PINGS,
        files=[file] if file is not None else discord.utils.MISSING,
    )
    view.message = await interaction.original_response()
