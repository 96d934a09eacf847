"""Import EPUB: its documents are read as HTML (see :mod:`.html`).

An EPUB is read through ``META-INF/container.xml`` and its OPF package: title, authors,
language, source and rights from the metadata, the documents in spine order. Non-linear spine
items, navigation documents and front/back matter marked ``titlepage``, ``halftitlepage``,
``imprint``, ``colophon``, ``copyright-page``, ``toc``, ``cover`` or ``landmarks``
(``epub:type``) are skipped. A manifest naming a file that is missing is fine; a missing spine
document is skipped with a warning, and one the spine lists again is read only where it first
stands. An EPUB that unpacks to more than 200 MB, or whose spine documents unpack to more than
50 MB all told, is refused: a book is a few MB.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from urllib.parse import unquote
from xml.etree import ElementTree

from bot.core.importer.common import (
    _decode,
    _drop_title_blocks,
    _finish,
    _normalise,
    _one_line,
    _shift_levels,
)
from bot.core.importer.html import SKIPPED_EPUB_TYPES, _Doc, _html_blocks, _parse_html
from bot.core.importer.html_notes import scan_note_targets
from bot.core.importer.model import ImportedText, ImportFailed
from bot.core.wording import plural

MAX_EPUB_BYTES = 200_000_000  # uncompressed; a zip bomb is not a book
# Decompressed bytes of the spine documents parsed: the longest books are a few MB of XHTML.
MAX_TEXT_BYTES = 50_000_000


def _join_names(names: Sequence[str]) -> str | None:
    names = [n for n in dict.fromkeys(_one_line(n) for n in names) if n]
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


_CONTAINER_NS = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/x-dtbook+xml"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _import_epub(data: bytes, filename: str, max_text_bytes: int) -> ImportedText:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFailed(
            filename,
            f"the EPUB is damaged: it is not a readable zip archive ({exc}); download it again "
            "or re-save it from an e-book editor such as Calibre",
        ) from None
    if sum(info.file_size for info in archive.infolist()) > MAX_EPUB_BYTES:
        raise ImportFailed(filename, "the EPUB unpacks to more than 200 MB: it is not a book")
    warnings: list[str] = []
    changes: list[str] = []

    def read(name: str) -> bytes:
        try:
            return archive.read(name)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError) as exc:
            raise ImportFailed(
                filename, f"the EPUB is damaged: {name} cannot be read ({exc}); download it again"
            ) from None

    opf_path = _opf_path(names, read, warnings, filename)
    if "META-INF/encryption.xml" in names and b"EncryptedData" in read("META-INF/encryption.xml"):
        raise ImportFailed(
            filename,
            "the EPUB is encrypted (DRM): only DRM-free EPUBs can be imported, e.g. from "
            "Standard Ebooks or Project Gutenberg",
        )
    try:
        package = ElementTree.fromstring(read(opf_path))
    except ElementTree.ParseError as exc:
        raise ImportFailed(
            filename, f"the EPUB's package document {opf_path} is not valid XML ({exc})"
        ) from None
    base = posixpath.dirname(opf_path)
    meta: dict[str, list[str]] = {}
    for element in package.iter():
        if element.tag.startswith("{http://purl.org/dc/elements/1.1/}") and element.text:
            meta.setdefault(_local(element.tag), []).append(_one_line(element.text))
    manifest: dict[str, tuple[str, str, set[str]]] = {}
    spine: list[tuple[str, bool]] = []
    for element in package.iter():
        name = _local(element.tag)
        if name == "item" and element.get("id") and element.get("href"):
            path = posixpath.normpath(posixpath.join(base, unquote(element.get("href", ""))))
            manifest[element.get("id", "")] = (
                path,
                element.get("media-type", ""),
                set(element.get("properties", "").split()),
            )
        elif name == "itemref" and element.get("idref"):
            spine.append((element.get("idref", ""), element.get("linear", "yes") != "no"))
    if not spine:
        raise ImportFailed(
            filename, f"the EPUB's package document {opf_path} has no spine: it lists no text"
        )
    docs: list[_Doc] = []
    markup: list[tuple[str, str | None]] = []  # spine documents: (path, text or None to skip)
    skipped: list[str] = []
    parsed = 0  # decompressed bytes of the documents parsed so far
    # A spine may list one document many times (2,000 times a 1 MB file was a 2 GB parse
    # inside an archive the size check passed): each is read once, where it first stands.
    seen: set[str] = set()  # documents, and idrefs missing from the manifest
    repeats = 0
    for idref, linear in spine:
        key = manifest[idref][0] if idref in manifest else idref
        if key in seen:
            repeats += 1
            continue
        seen.add(key)
        if idref not in manifest:
            warnings.append(f"spine item {idref!r} is not in the manifest: skipped")
            continue
        path, media_type, properties = manifest[idref]
        if not linear or "nav" in properties or media_type not in _XHTML_TYPES:
            markup.append((path, None))
            continue
        if path not in names:
            warnings.append(f"{path} is in the spine but missing from the EPUB: skipped")
            continue
        parsed += archive.getinfo(path).file_size  # zipfile never unpacks more than this
        if parsed > max_text_bytes:
            raise ImportFailed(
                filename,
                f"the EPUB's spine holds more than {max_text_bytes / 1_000_000:g} MB of text; a "
                "book is a few MB: import the volumes one by one, or check the file",
            )
        markup.append((path, _decode_markup(read(path))))
    # Links whose text is a note number point to notes, in whichever document they stand.
    targets = scan_note_targets([(path, text) for path, text in markup if text is not None])
    for path, text in markup:
        doc = _parse_html(text, path, targets) if text is not None else None
        if doc is None or doc.epub_types & SKIPPED_EPUB_TYPES or not doc.blocks:
            skipped.append(posixpath.basename(path))
            continue
        docs.append(doc)
    if repeats:
        warnings.append(f"the spine lists documents again {repeats} time(s): each was read once")
    blocks, notes, contents = _html_blocks(docs, warnings, targets)
    title = meta.get("title", [None])[0]
    author = _join_names(meta.get("creator", []))
    blocks, _ = _drop_title_blocks(blocks, title, author)
    blocks = _shift_levels(blocks)
    if skipped:
        changes.append(
            f"skipped {len(skipped)} document{'s' if len(skipped) != 1 else ''} of front or "
            f"back matter ({', '.join(skipped)})"
        )
    if contents:
        changes.append(f"dropped the table of contents ({plural(contents, 'entry')})")
    if notes:
        changes.append(f"made {plural(notes, 'note')} into footnotes")
    # The identifier names this edition (Standard Ebooks); dc:source the text it came from.
    sources = [s for s in meta.get("identifier", []) + meta.get("source", []) if "://" in s]
    return _finish(
        blocks,
        filename=filename,
        title=title,
        author=author,
        language=meta.get("language", [None])[0],
        warnings=warnings,
        changes=changes,
        source=sources[0] if sources else None,
        licence=meta.get("rights", [None])[0],
    )


def _opf_path(
    names: set[str], read: Callable[[str], bytes], warnings: list[str], filename: str
) -> str:
    """The package document named by ``META-INF/container.xml`` (or the only .opf there is)."""
    if "META-INF/container.xml" in names:
        try:
            container = ElementTree.fromstring(read("META-INF/container.xml"))
        except ElementTree.ParseError:
            container = None
        if container is not None:
            for rootfile in container.iter(f"{_CONTAINER_NS}rootfile"):
                path = rootfile.get("full-path", "")
                if path in names:
                    return path
    opfs = sorted(n for n in names if n.lower().endswith(".opf"))
    if len(opfs) == 1:
        warnings.append(f"META-INF/container.xml does not name the package: used {opfs[0]}")
        return opfs[0]
    raise ImportFailed(
        filename,
        "no OPF package document found (META-INF/container.xml is missing or names a file "
        "that is not there): this is not a valid EPUB; re-save it from an e-book editor such "
        "as Calibre",
    )


def _decode_markup(data: bytes) -> str:
    declared = re.match(rb"<\?xml[^>]*encoding=[\"']([\w.-]+)[\"']", data)
    if declared:
        try:
            return _normalise(data.decode(declared.group(1).decode("ascii")))
        except (LookupError, UnicodeDecodeError):
            pass
    return _normalise(_decode(data)[0])
