"""Markdown inline text as a reading holds it: pandoc's syntax read, not copied; see
:mod:`.markdown`.

Pandoc writes what an HTML page carried as Markdown extensions: attribute spans
``[text]{.class}``, empty anchors ``[]{#id}``, attributes on links and images, superscript
``^...^``, backslash escapes (``II\\.``, ``\\[``) and navigation rows of links; its
GitHub-flavoured output keeps raw HTML instead (``<span class="info">``, ``<sup>``, ``<img>``,
``<br>``). A reading holds plain Markdown inline text, so each is reduced to its text (HTML
emphasis to ``*``/``**``, entities to their characters); footnote markers in their pandoc
forms (``^[\\[1\\]](#nb)^``, ``[7](endnotes.xhtml#note-7)``, ``^1^``) become ``[1]`` for
:func:`.common._bracket_notes`, and a note's link back to its marker (``[↩](...)``) goes.
"""

from __future__ import annotations

import html
import re

_ATTRS = r"(?:\{[^{}\n]*\})?"
_IMAGE_RE = re.compile(rf"!\[((?:[^\[\]]|\\[\[\]])*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\){_ATTRS}")
# ^[\[1\]](#nb){#1}^, [\[1\]](#nb), ^[1](#n1)^, ^1^: a note marker
_NOTE_LINK_RE = re.compile(
    rf"\^?\[(?:\\\[)?(\d{{1,3}})(?:\\\])?\]\([^()\s#]*#[^()\s]*\){_ATTRS}\^?|\^(\d{{1,3}})\^"
)
# A note's link back to its marker: [↩](chapter-3.xhtml#noteref-7){.backlink}
_BACKLINK_RE = re.compile(rf"\s*\[(?:↩|↑|\^|\\\^)\]\([^()\s]*\){_ATTRS}")
_ANCHOR_RE = re.compile(r"\[\]\{[^{}\n]*\}")
# Raw HTML, as pandoc's GitHub-flavoured output and hand-written Markdown carry it.
_HTML_NOTE_RE = re.compile(
    r"<sup\b[^>]*>\s*(?:<a\b[^>]*>)?\s*\[?(\d{1,3})\]?\s*(?:</a>)?\s*</sup>"
    r"|<a\b[^>]*>\s*\[(\d{1,3})\]\s*</a>",
    re.IGNORECASE,
)
_HTML_IMAGE_RE = re.compile(r"<img\b[^>]*?(?:\balt=\"([^\"]*)\"[^>]*)?/?>", re.IGNORECASE)
_HTML_BREAK_RE = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)
_HTML_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**"}
_HTML_EMPHASIS_RE = re.compile(r"</?(em|i|strong|b)>", re.IGNORECASE)
_HTML_TAG_RE = re.compile(
    r"</?(?:span|a|font|small|div|p|sup|sub|u|abbr|cite|q|section|hgroup|header|footer)\b[^>]*>",
    re.IGNORECASE,
)
_HTML_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
_LINK_RE = re.compile(r"\[((?:[^\[\]]|\\[\[\]])*)\]\(([^()\s]*)(?:\s+\"[^\"]*\")?\)" + _ATTRS)
_SPAN_RE = re.compile(r"\[((?:[^\[\]]|\\[\[\]])*)\]\{[^{}\n]*\}")
_SUPERSCRIPT_RE = re.compile(r"\^([^\s^]+)\^")
# Punctuation whose backslash escape pandoc adds but a reading does not need; ``\*``, ``\_``
# and ``\``` stay escaped, or they would become emphasis and code.
_ESCAPE_RE = re.compile(r"\\([!\"#$%&'()+,\-./:;<=>?@\[\]^{|}~])")
_HEADING_ATTRS_RE = re.compile(r"\s*\{[#.][^{}]*\}\s*$")
_NAV_SEPARATORS_RE = re.compile(r"^[\s|\\]*$")


def clean_inline(text: str) -> str:
    """A paragraph's or heading's Markdown with pandoc's extensions reduced to their text.

    Images standing among words keep their alt text; links keep their text and, when they lead
    to another site, their address; note markers become ``[N]``.
    """
    text = _BACKLINK_RE.sub("", text)
    text = _NOTE_LINK_RE.sub(lambda m: f"[{m.group(1) or m.group(2)}]", text)
    text = _IMAGE_RE.sub(lambda m: m.group(1), text)
    if "<" in text:
        text = _HTML_NOTE_RE.sub(lambda m: f"[{m.group(1) or m.group(2)}]", text)
        text = _HTML_IMAGE_RE.sub(lambda m: m.group(1) or "", text)
        text = _HTML_BREAK_RE.sub("\n", text)
        text = _HTML_EMPHASIS_RE.sub(lambda m: _HTML_EMPHASIS[m.group(1).lower()], text)
        text = _HTML_TAG_RE.sub("", text)
    if "&" in text:
        text = _HTML_ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text)
    text = _ANCHOR_RE.sub("", text)
    for _ in range(3):  # spans inside spans and links
        text = _SPAN_RE.sub(r"\1", text)
    text = _LINK_RE.sub(_link, text)
    text = _SUPERSCRIPT_RE.sub(r"\1", text)
    text = _ESCAPE_RE.sub(r"\1", text)
    return text


def clean_heading(text: str) -> str:
    """A heading's text without pandoc's trailing ``{#id .class}``, cleaned as inline text."""
    return " ".join(clean_inline(_HEADING_ATTRS_RE.sub("", text)).split())


def only_images(text: str) -> bool:
    """The paragraph holds images and nothing else: a figure or decoration, dropped."""
    images = (_IMAGE_RE, _HTML_IMAGE_RE)
    if not any(r.search(text) for r in images):
        return False
    for pattern in images:
        text = pattern.sub("", text)
    return not _HTML_TAG_RE.sub("", text).strip(" \\\n")


def is_navigation(text: str) -> bool:
    """A row of links within the site (``[Next](ch05.htm) | [Index](index.htm)``), no text."""
    links = list(_LINK_RE.finditer(text))
    if not links or any(_external(m.group(2)) for m in links):
        return False
    return bool(_NAV_SEPARATORS_RE.match(_LINK_RE.sub("", text))) and (
        len(links) >= 2 or "|" in text
    )


def _external(target: str) -> bool:
    return target.startswith(("http://", "https://", "mailto:"))


def _link(match: re.Match[str]) -> str:
    label, target = match.group(1), match.group(2)
    return f"[{label}]({target})" if _external(target) and label else label
