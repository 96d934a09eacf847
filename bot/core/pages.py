"""Cutting text to fit size limits: pages for long passages, cut between sentences.

Pure text work: the Discord module decides the limits (2000 per message, 4096 per embed
description, ...) and passes them in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from bot.core.sentences import split_sentences


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into chunks of at most ``limit`` characters.

    Cuts between sentences; a sentence longer than ``limit`` is cut between words, and a word
    longer than ``limit`` (a URL, say) is cut where it must be. Joining the chunks with single
    spaces gives back the text with its whitespace normalised.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return [text]
    return _pack(_pieces(text, limit), limit, " ")


def _pieces(text: str, limit: int) -> Iterator[str]:
    for sentence in split_sentences(text):
        if len(sentence) <= limit:
            yield sentence
            continue
        for word in sentence.split(" "):
            while len(word) > limit:
                yield word[:limit]
                word = word[limit:]
            if word:
                yield word


def paginate(
    blocks: Iterable[str],
    limit: int,
    separator: str = "\n\n",
    continued: Callable[[str], tuple[str, str]] | None = None,
) -> list[str]:
    """Pack ``blocks`` (e.g. rendered paragraphs) into pages of at most ``limit`` characters.

    Blocks are never reordered; a block longer than ``limit`` is split with :func:`split_text`
    whose parts are packed like any other block.

    Args:
        blocks: the text, in blocks that are cut only when one is longer than a page.
        limit: the most characters on a page.
        separator: between two blocks on a page.
        continued: for a block that must be cut, the marks ``(after, before)`` that end each of
            its parts but the last and start each but the first, so that a reader sees where
            it goes on (``" *(§3 continues)*"``, ``"*(§3 continued)* "``).
    """
    parts: list[str] = []
    for block in blocks:
        after, before = continued(block) if continued and len(block) > limit else ("", "")
        pieces = split_text(block, limit - len(after) - len(before))
        last = len(pieces) - 1
        for index, piece in enumerate(pieces):
            parts.append(f"{before if index else ''}{piece}{after if index < last else ''}")
    return _pack(parts, limit, separator)


def _pack(pieces: Iterable[str], limit: int, separator: str) -> list[str]:
    """Join consecutive ``pieces`` (each at most ``limit`` long) while they fit in ``limit``."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, preferring a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ellipsis
