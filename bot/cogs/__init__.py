"""Thin Discord adapters: an event or interaction in, core/storage, render, out."""

#: Every extension the bot loads, in order.
EXTENSIONS: tuple[str, ...] = (
    "bot.cogs.library",
    "bot.cogs.concord",
    "bot.cogs.meta",
    "bot.cogs.scheduler",
    "bot.cogs.plan",
    "bot.cogs.discussion",
    "bot.cogs.privacy",
    "bot.cogs.summary",
    "bot.cogs.catchup",
    "bot.cogs.quotes",
    "bot.cogs.facilitators",
    "bot.cogs.polls",
)
