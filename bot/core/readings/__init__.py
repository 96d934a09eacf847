"""Readings: one Markdown file with YAML front matter per text, parsed into numbered paragraphs.

A reading file looks like this::

    ---
    title: Against "Socialism in One Country"
    author: null
    aliases: [soic]
    ---
    First paragraph of the introduction.

    ## A section heading

    A paragraph with a footnote.[^1]

    ## Notes

    [^1]: The note's text.

Paragraphs are blocks of non-blank lines. They are numbered from 1 in reading order, so a
paragraph's number depends only on how many blocks come before it, never on its words: fixing a
typo inside a paragraph renumbers nothing. Headings (``#`` to ``######``) start sections and are
not paragraphs. The section headed ``Notes`` (or ``Endnotes``/``Footnotes``) holds footnote
definitions: they can be cited as ``slug n3`` but are never part of an excerpt.

The modules, each importing only those above it:

- :mod:`~bot.core.readings.text`: words, plain and display text, slugs, folded names, hints.
- :mod:`~bot.core.readings.model`: :class:`Reading` and its parts, :class:`Library`; the
  paragraphs of a reading stored in the library index (:class:`StoredParagraphs`), whose texts
  a :class:`TextSource` reads when they are needed.
- :mod:`~bot.core.readings.terms`: words and the paragraphs that contain each, per reading
  (:class:`TermCounter`) and in a library parsed from files (:class:`CountedTerms`).
- :mod:`~bot.core.readings.frontmatter`: the YAML front matter and its known keys.
- :mod:`~bot.core.readings.body`: the Markdown body split into paragraphs, sections and notes.
- :mod:`~bot.core.readings.loading`: :func:`parse_reading`, :func:`load_reading` and
  :func:`load_library`; :func:`assemble_library` for a loader that takes unchanged readings
  from the library index instead (:mod:`bot.storage.library`).

Import from this package; the names below are its API.
"""

from bot.core.readings.body import FOOTNOTE_DEF_RE, HEADING_RE, NOTES_HEADINGS
from bot.core.readings.frontmatter import FRONT_MATTER_KEYS
from bot.core.readings.loading import (
    LONG_PARAGRAPH_WORDS,
    assemble_library,
    content_hash,
    free_name,
    front_matter_line,
    load_each,
    load_library,
    load_reading,
    long_paragraph_warnings,
    name_clashes,
    names_taken,
    parse_reading,
    read_reading_file,
    reading_files,
)
from bot.core.readings.model import (
    SLUG_RE,
    Library,
    LibraryError,
    Note,
    Paragraph,
    Reading,
    Section,
    StaleReading,
    StoredParagraphs,
    TermStatistics,
    TextSource,
)
from bot.core.readings.terms import (
    TOKEN_RE,
    CountedTerms,
    TermCounter,
    paragraph_frequencies,
    term,
    tokens,
)
from bot.core.readings.text import (
    FOOTNOTE_REF_RE,
    closest,
    count_words,
    display_text,
    fold,
    plain_text,
    slugify,
)

__all__ = [
    "FOOTNOTE_DEF_RE",
    "FOOTNOTE_REF_RE",
    "FRONT_MATTER_KEYS",
    "HEADING_RE",
    "LONG_PARAGRAPH_WORDS",
    "NOTES_HEADINGS",
    "SLUG_RE",
    "TOKEN_RE",
    "CountedTerms",
    "Library",
    "LibraryError",
    "Note",
    "Paragraph",
    "Reading",
    "Section",
    "StaleReading",
    "StoredParagraphs",
    "TermCounter",
    "TermStatistics",
    "TextSource",
    "assemble_library",
    "closest",
    "content_hash",
    "count_words",
    "display_text",
    "fold",
    "free_name",
    "front_matter_line",
    "load_each",
    "load_library",
    "load_reading",
    "long_paragraph_warnings",
    "name_clashes",
    "names_taken",
    "paragraph_frequencies",
    "parse_reading",
    "plain_text",
    "read_reading_file",
    "reading_files",
    "slugify",
    "term",
    "tokens",
]
