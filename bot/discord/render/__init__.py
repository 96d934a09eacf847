"""Everything the bot shows on Discord, cut to Discord's limits in this one package.

Limits (https://discord.com/developers/docs/resources/message): 2000 characters of content,
10 embeds, 256 for a title, 4096 for a description, 25 fields of 1024 (names 256), a 2048
footer, a 256 author name, 2048 for a URL, 6000 across one message's embeds, 100 for a thread
name, 25 autocomplete choices and 25 select options of 100 characters. Every embed the bot
sends goes through :func:`fitted`, so no reading, however extreme its title, author, source or
headings, can make Discord refuse a message.

The modules: :mod:`limits` (the limits and :func:`fitted`), :mod:`library` (passages, readings,
search, help, privacy, autocomplete), :mod:`posts` (scheduled posts and threads) and
:mod:`summary` (the weekly summary).
"""

from bot.discord.render.library import (
    READINGS_PER_PAGE,
    help_embed,
    passage_embed,
    passage_pages,
    privacy_embed,
    readings_embeds,
    reference_choices,
    search_embed,
    search_options,
)
from bot.discord.render.limits import (
    AUTHOR_LIMIT,
    CHOICE_LIMIT,
    CHOICES_LIMIT,
    COLOUR,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    FOOTER_LIMIT,
    HEADING_LIMIT,
    NO_PINGS,
    PASSAGE_PAGE_LIMIT,
    POST_FOOTER_LIMIT,
    THREAD_ARCHIVE_MINUTES,
    THREAD_NAME_LIMIT,
    TITLE_LIMIT,
    URL_LIMIT,
    embed_text,
    error_text,
    fitted,
    limit_warnings,
    usable_url,
)
from bot.discord.render.posts import (
    Outgoing,
    installment_pages,
    outgoing_text,
    ping_mentions,
    post_messages,
    thread_messages,
    thread_name,
)
from bot.discord.render.summary import (
    SUMMARY_CHART_FILE,
    discord_link,
    discord_timestamp,
    jump_link,
    summary_embeds,
    summary_message,
)

__all__ = [
    "AUTHOR_LIMIT",
    "CHOICES_LIMIT",
    "CHOICE_LIMIT",
    "COLOUR",
    "CONTENT_LIMIT",
    "DESCRIPTION_LIMIT",
    "EMBEDS_LIMIT",
    "EMBED_TOTAL_LIMIT",
    "FIELDS_LIMIT",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "FOOTER_LIMIT",
    "HEADING_LIMIT",
    "NO_PINGS",
    "PASSAGE_PAGE_LIMIT",
    "POST_FOOTER_LIMIT",
    "READINGS_PER_PAGE",
    "SUMMARY_CHART_FILE",
    "THREAD_ARCHIVE_MINUTES",
    "THREAD_NAME_LIMIT",
    "TITLE_LIMIT",
    "URL_LIMIT",
    "Outgoing",
    "discord_link",
    "discord_timestamp",
    "embed_text",
    "error_text",
    "fitted",
    "help_embed",
    "installment_pages",
    "jump_link",
    "limit_warnings",
    "outgoing_text",
    "passage_embed",
    "passage_pages",
    "ping_mentions",
    "post_messages",
    "privacy_embed",
    "readings_embeds",
    "reference_choices",
    "search_embed",
    "search_options",
    "summary_embeds",
    "summary_message",
    "thread_messages",
    "thread_name",
    "usable_url",
]
