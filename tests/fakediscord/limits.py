"""Discord's documented limits, checked on every request body the fake receives.

The OpenAPI description (see ``validate.py``) covers types and some lengths; it is looser than
Discord on bots' messages (it allows 4000-char content, Nitro's limit) and silent on rules that
span fields (6000 characters across a message's embeds, a select alone in its row). Those rules
live here, each adding Discord's error to a :class:`FormErrors` tree.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from tests.fakediscord.errors import FormErrors, PathPart

CONTENT_MAX = 2000
MEMBER_CONTENT_MAX = 4000  # what a (Nitro) member may post; used by the test helpers
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_TEXT_MAX = 2048
EMBED_AUTHOR_NAME_MAX = 256
EMBED_TOTAL_MAX = 6000
ATTACHMENTS_MAX = 10
ATTACHMENT_SIZE_MAX = 10 * 1024 * 1024
THREAD_NAME_MAX = 100
AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
COMPONENTS_V2_MAX = 40
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_PLACEHOLDER_MAX = 150
SELECT_OPTION_TEXT_MAX = 100
MODAL_TITLE_MAX = 45
MODAL_ROWS_MAX = 5
TEXT_INPUT_VALUE_MAX = 4000
ALLOWED_MENTIONS_IDS_MAX = 100
COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_TOTAL_MAX = 4000
BULK_DELETE_MIN = 2
BULK_DELETE_MAX = 100
BULK_DELETE_MAX_AGE_SECONDS = 14 * 24 * 3600
INTERACTION_ACK_SECONDS = 3.0
INTERACTION_TOKEN_SECONDS = 15 * 60.0
THREAD_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_COMPONENTS_V2 = 1 << 15

BUTTON = 2
STRING_SELECT = 3
TEXT_INPUT = 4
SELECT_TYPES = (3, 5, 6, 7, 8)
LABEL = 18
LINK_STYLE = 5
PREMIUM_STYLE = 6

_URL_SCHEMES = ("http://", "https://", "attachment://")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def check_message(
    body: Mapping[str, Any], errors: FormErrors, prefix: Sequence[PathPart] = ()
) -> None:
    """Checks a message create/edit body (content, embeds, components, allowed mentions).

    Args:
        body: the JSON body, or ``data`` of an interaction callback.
        errors: where errors are added.
        prefix: the path of ``body`` inside the request (``("data",)`` for a callback).
    """
    p = tuple(prefix)
    flags = body.get("flags") or 0
    is_v2 = isinstance(flags, int) and bool(flags & FLAG_COMPONENTS_V2)
    content = body.get("content")
    if isinstance(content, str):
        errors.max_length((*p, "content"), content, CONTENT_MAX)
    if "embeds" in body:
        check_embeds(_list(body.get("embeds")), errors, (*p, "embeds"))
    if "components" in body:
        check_components(_list(body.get("components")), errors, (*p, "components"), v2=is_v2)
    if is_v2 and (content or _list(body.get("embeds"))):
        errors.add(
            (*p, "content"),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used when using the"
            " IS_COMPONENTS_V2 flag.",
        )
    if body.get("allowed_mentions") is not None:
        check_allowed_mentions(
            _dict(body.get("allowed_mentions")), errors, (*p, "allowed_mentions")
        )
    errors.max_length((*p, "attachments"), _list(body.get("attachments")), ATTACHMENTS_MAX)


def _check_url(value: Any, errors: FormErrors, path: Sequence[PathPart]) -> None:
    if value is not None and not (isinstance(value, str) and value.startswith(_URL_SCHEMES)):
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")


def embed_length(embed: Mapping[str, Any]) -> int:
    """The characters of one embed that count towards Discord's 6000 total."""
    total = len(_text(embed.get("title"))) + len(_text(embed.get("description")))
    for field in _list(embed.get("fields")):
        total += len(_text(_dict(field).get("name"))) + len(_text(_dict(field).get("value")))
    total += len(_text(_dict(embed.get("footer")).get("text")))
    total += len(_text(_dict(embed.get("author")).get("name")))
    return total


def check_embeds(embeds: list[Any], errors: FormErrors, path: Sequence[PathPart]) -> None:
    """Checks each embed's fields and the message's total embed size."""
    p = tuple(path)
    errors.max_length(p, embeds, EMBEDS_MAX)
    total = 0
    for i, raw in enumerate(embeds):
        embed = _dict(raw)
        ep = (*p, i)
        errors.max_length((*ep, "title"), embed.get("title"), EMBED_TITLE_MAX)
        errors.max_length((*ep, "description"), embed.get("description"), EMBED_DESCRIPTION_MAX)
        fields = _list(embed.get("fields"))
        errors.max_length((*ep, "fields"), fields, EMBED_FIELDS_MAX)
        for j, raw_field in enumerate(fields):
            field = _dict(raw_field)
            for key, limit in (("name", EMBED_FIELD_NAME_MAX), ("value", EMBED_FIELD_VALUE_MAX)):
                value = field.get(key)
                if not value:
                    errors.required((*ep, "fields", j, key))
                else:
                    errors.max_length((*ep, "fields", j, key), value, limit)
        if "footer" in embed and embed["footer"] is not None:
            footer = _dict(embed["footer"])
            if not footer.get("text"):
                errors.required((*ep, "footer", "text"))
            errors.max_length((*ep, "footer", "text"), footer.get("text"), EMBED_FOOTER_TEXT_MAX)
            _check_url(footer.get("icon_url"), errors, (*ep, "footer", "icon_url"))
        if "author" in embed and embed["author"] is not None:
            author = _dict(embed["author"])
            if not author.get("name"):
                errors.required((*ep, "author", "name"))
            errors.max_length((*ep, "author", "name"), author.get("name"), EMBED_AUTHOR_NAME_MAX)
            _check_url(author.get("url"), errors, (*ep, "author", "url"))
            _check_url(author.get("icon_url"), errors, (*ep, "author", "icon_url"))
        _check_url(embed.get("url"), errors, (*ep, "url"))
        for media in ("image", "thumbnail"):
            if embed.get(media) is not None:
                _check_url(_dict(embed[media]).get("url"), errors, (*ep, media, "url"))
        color = embed.get("color")
        if isinstance(color, int) and not 0 <= color <= 0xFFFFFF:
            errors.add((*ep, "color"), "NUMBER_TYPE_MAX", "int value should be <= 16777215.")
        total += embed_length(embed)
    if total > EMBED_TOTAL_MAX:
        errors.add(
            p, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"
        )


def check_components(
    components: list[Any], errors: FormErrors, path: Sequence[PathPart], *, v2: bool = False
) -> None:
    """Checks message components: action rows, buttons, selects, unique custom ids."""
    p = tuple(path)
    seen: set[str] = set()
    if v2:
        count = _walk_v2(components, errors, p, seen)
        if count > COMPONENTS_V2_MAX:
            errors.add(
                p, "BASE_TYPE_MAX_LENGTH", f"Must be {COMPONENTS_V2_MAX} or fewer in length."
            )
        return
    errors.max_length(p, components, ACTION_ROWS_MAX)
    for i, raw in enumerate(components):
        row = _dict(raw)
        if row.get("type") != 1:
            errors.add(
                (*p, i, "type"),
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1,) without the IS_COMPONENTS_V2 flag.',
            )
            continue
        _check_row(_list(row.get("components")), errors, (*p, i, "components"), seen)


def _walk_v2(
    items: list[Any], errors: FormErrors, path: tuple[PathPart, ...], seen: set[str]
) -> int:
    count = 0
    for i, raw in enumerate(items):
        item = _dict(raw)
        count += 1
        if item.get("type") == 1:
            _check_row(_list(item.get("components")), errors, (*path, i, "components"), seen)
            count += len(_list(item.get("components")))
            continue
        _check_custom_id(item, errors, (*path, i), seen)
        for key in ("components", "items"):
            if isinstance(item.get(key), list):
                count += _walk_v2(item[key], errors, (*path, i, key), seen)
        if isinstance(item.get("accessory"), dict):
            count += _walk_v2([item["accessory"]], errors, (*path, i, "accessory"), seen)
    return count


def _check_custom_id(
    item: Mapping[str, Any], errors: FormErrors, path: tuple[PathPart, ...], seen: set[str]
) -> None:
    custom_id = item.get("custom_id")
    if custom_id is None:
        return
    if not isinstance(custom_id, str) or not custom_id:
        errors.required((*path, "custom_id"))
        return
    errors.max_length((*path, "custom_id"), custom_id, CUSTOM_ID_MAX)
    if custom_id in seen:
        errors.add(
            (*path, "custom_id"),
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        )
    seen.add(custom_id)


def _check_row(
    items: list[Any], errors: FormErrors, path: tuple[PathPart, ...], seen: set[str]
) -> None:
    if not items:
        errors.add(path, "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
        return
    errors.max_length(path, items, ROW_BUTTONS_MAX)
    has_select = any(_dict(c).get("type") in SELECT_TYPES for c in items)
    if has_select and len(items) > 1:
        errors.add(
            path,
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
            "The specified component exceeds the maximum width",
        )
    for j, raw in enumerate(items):
        item = _dict(raw)
        ip = (*path, j)
        kind = item.get("type")
        if kind == BUTTON:
            _check_button(item, errors, ip, seen)
        elif kind in SELECT_TYPES:
            _check_select(item, errors, ip, seen)
        else:
            errors.add(
                (*ip, "type"),
                "UNION_TYPE_CHOICES",
                f'Value of field "type" must be one of {(BUTTON, *SELECT_TYPES)}.',
            )


def _check_button(
    item: Mapping[str, Any], errors: FormErrors, path: tuple[PathPart, ...], seen: set[str]
) -> None:
    style = item.get("style")
    errors.max_length((*path, "label"), item.get("label"), BUTTON_LABEL_MAX)
    if style == LINK_STYLE:
        _check_url(item.get("url"), errors, (*path, "url"))
        if not item.get("url"):
            errors.required((*path, "url"))
        if item.get("custom_id") is not None:
            errors.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                "A custom id cannot be specified for a link button",
            )
    elif style == PREMIUM_STYLE:
        if not item.get("sku_id"):
            errors.required((*path, "sku_id"))
    else:
        if not item.get("custom_id"):
            errors.required((*path, "custom_id"))
        _check_custom_id(item, errors, path, seen)
        if not item.get("label") and not item.get("emoji"):
            errors.add(
                path,
                "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
                "A label or emoji must be specified for a button",
            )


def _check_select(
    item: Mapping[str, Any], errors: FormErrors, path: tuple[PathPart, ...], seen: set[str]
) -> None:
    if not item.get("custom_id"):
        errors.required((*path, "custom_id"))
    _check_custom_id(item, errors, path, seen)
    errors.max_length((*path, "placeholder"), item.get("placeholder"), SELECT_PLACEHOLDER_MAX)
    options = _list(item.get("options"))
    if item.get("type") == STRING_SELECT:
        errors.length_between((*path, "options"), options, 1, SELECT_OPTIONS_MAX)
    values: set[str] = set()
    for k, raw in enumerate(options):
        option = _dict(raw)
        for key in ("label", "value"):
            if not option.get(key):
                errors.required((*path, "options", k, key))
            errors.max_length((*path, "options", k, key), option.get(key), SELECT_OPTION_TEXT_MAX)
        errors.max_length(
            (*path, "options", k, "description"), option.get("description"), SELECT_OPTION_TEXT_MAX
        )
        value = option.get("value")
        if isinstance(value, str):
            if value in values:
                errors.add(
                    (*path, "options", k, "value"),
                    "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                    "Select option values must be unique",
                )
            values.add(value)
    low, high = item.get("min_values", 1), item.get("max_values", 1)
    if isinstance(low, int) and not 0 <= low <= SELECT_OPTIONS_MAX:
        errors.add((*path, "min_values"), "NUMBER_TYPE_MAX", "int value should be <= 25.")
    if isinstance(high, int) and not 1 <= high <= SELECT_OPTIONS_MAX:
        errors.add((*path, "max_values"), "NUMBER_TYPE_MAX", "int value should be <= 25.")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.add(
            (*path, "min_values"),
            "SELECT_COMPONENT_MIN_VALUES_TOO_HIGH",
            "min_values must be less than or equal to max_values",
        )
    if options and isinstance(high, int) and high > len(options):
        errors.add(
            (*path, "max_values"),
            "SELECT_COMPONENT_MAX_VALUES_TOO_HIGH",
            "max_values must be less than or equal to the number of options",
        )


def check_allowed_mentions(
    allowed: Mapping[str, Any], errors: FormErrors, path: Sequence[PathPart]
) -> None:
    """Checks the ``parse`` list against explicit ``users``/``roles`` lists."""
    p = tuple(path)
    parse = _list(allowed.get("parse"))
    for i, value in enumerate(parse):
        if value not in ("users", "roles", "everyone"):
            errors.add(
                (*p, "parse", i),
                "BASE_TYPE_CHOICES",
                "Value must be one of {'everyone', 'roles', 'users'}.",
            )
    for key in ("users", "roles"):
        ids = _list(allowed.get(key))
        errors.max_length((*p, key), ids, ALLOWED_MENTIONS_IDS_MAX)
        if key in parse and ids:
            errors.add(
                (*p,),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{key}"] and {key}: [ids] are mutually exclusive.',
            )


def check_thread_name(name: Any, errors: FormErrors, path: Sequence[PathPart]) -> None:
    """A thread name is 1..100 characters."""
    if not isinstance(name, str) or not name.strip():
        errors.required(tuple(path))
        return
    errors.length_between(tuple(path), name, 1, THREAD_NAME_MAX)


def check_choices(choices: list[Any], errors: FormErrors, path: Sequence[PathPart]) -> None:
    """Autocomplete or option choices: at most 25, name 1..100, string value <= 100."""
    p = tuple(path)
    errors.max_length(p, choices, AUTOCOMPLETE_CHOICES_MAX)
    for i, raw in enumerate(choices):
        choice = _dict(raw)
        name = choice.get("name")
        if not name:
            errors.required((*p, i, "name"))
        errors.length_between((*p, i, "name"), name or None, 1, CHOICE_NAME_MAX)
        value = choice.get("value")
        if value is None:
            errors.required((*p, i, "value"))
        elif isinstance(value, str):
            errors.max_length((*p, i, "value"), value, CHOICE_VALUE_MAX)


def check_modal(data: Mapping[str, Any], errors: FormErrors, path: Sequence[PathPart]) -> None:
    """A modal: custom id, title <= 45, 1..5 rows of one text input (or labels)."""
    p = tuple(path)
    if not data.get("custom_id"):
        errors.required((*p, "custom_id"))
    errors.max_length((*p, "custom_id"), data.get("custom_id"), CUSTOM_ID_MAX)
    if not data.get("title"):
        errors.required((*p, "title"))
    errors.max_length((*p, "title"), data.get("title"), MODAL_TITLE_MAX)
    rows = _list(data.get("components"))
    errors.length_between((*p, "components"), rows, 1, MODAL_ROWS_MAX)
    seen: set[str] = set()
    for i, raw in enumerate(rows):
        row = _dict(raw)
        inputs: list[Any] = []
        if row.get("type") == 1:
            inputs = _list(row.get("components"))
            if len(inputs) != 1:
                errors.add(
                    (*p, "components", i, "components"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 1 in length.",
                )
        elif row.get("type") == LABEL:
            inputs = [row.get("component")]
        for item in inputs:
            _check_custom_id(_dict(item), errors, (*p, "components", i), seen)
            if _dict(item).get("type") == TEXT_INPUT:
                errors.max_length(
                    (*p, "components", i, "value"), _dict(item).get("value"), TEXT_INPUT_VALUE_MAX
                )


def check_commands(commands: list[Any], errors: FormErrors) -> None:
    """Application commands of a bulk overwrite: names, descriptions, options, sizes."""
    names: set[tuple[Any, str]] = set()
    for i, raw in enumerate(commands):
        command = _dict(raw)
        kind = command.get("type", 1)
        name = _text(command.get("name"))
        if (kind, name) in names:
            errors.add(
                (i, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {name}",
            )
        names.add((kind, name))
        if kind == 1:
            _check_name(name, errors, (i, "name"))
            _check_description(command.get("description"), errors, (i, "description"))
            _check_options(_list(command.get("options")), errors, (i, "options"))
        elif command.get("description"):
            errors.add(
                (i, "description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have description",
            )
        if _command_size(command) > COMMAND_TOTAL_MAX:
            errors.add(
                (i,),
                "APPLICATION_COMMAND_TOO_LARGE",
                f"Command exceeds maximum size ({COMMAND_TOTAL_MAX})",
            )


def _check_name(name: str, errors: FormErrors, path: tuple[PathPart, ...]) -> None:
    if not COMMAND_NAME_RE.match(name) or name != name.lower():
        errors.add(
            path,
            "APPLICATION_COMMAND_INVALID_NAME",
            f"Command name is invalid: {name!r} (1-32 lowercase letters, digits, - or _)",
        )


def _check_description(value: Any, errors: FormErrors, path: tuple[PathPart, ...]) -> None:
    if not isinstance(value, str) or not value:
        errors.required(path)
        return
    errors.length_between(path, value, 1, COMMAND_DESCRIPTION_MAX)


def _check_options(options: list[Any], errors: FormErrors, path: tuple[PathPart, ...]) -> None:
    errors.max_length(path, options, COMMAND_OPTIONS_MAX)
    seen: set[str] = set()
    optional_seen = False
    for i, raw in enumerate(options):
        option = _dict(raw)
        op = (*path, i)
        name = _text(option.get("name"))
        _check_name(name, errors, (*op, "name"))
        _check_description(option.get("description"), errors, (*op, "description"))
        if name in seen:
            errors.add(
                (*op, "name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Command option names must be unique",
            )
        seen.add(name)
        if option.get("type") in (1, 2):
            _check_options(_list(option.get("options")), errors, (*op, "options"))
            continue
        if option.get("required"):
            if optional_seen:
                errors.add(
                    (*op, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = _list(option.get("choices"))
        if choices:
            check_choices(choices, errors, (*op, "choices"))
            if option.get("autocomplete"):
                errors.add(
                    (*op, "autocomplete"),
                    "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID_WITH_CHOICES",
                    "Autocomplete cannot be enabled with choices",
                )


def _command_size(command: Mapping[str, Any]) -> int:
    size = len(_text(command.get("name"))) + len(_text(command.get("description")))
    for raw in _list(command.get("options")):
        option = _dict(raw)
        size += _command_size(option)
        for choice in _list(option.get("choices")):
            size += len(_text(_dict(choice).get("name"))) + len(str(_dict(choice).get("value", "")))
    return size
