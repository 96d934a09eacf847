"""The quote index's keys in a file beside the database, mapped into memory rather than held.

:class:`bot.core.quotes.QuoteIndex` looks quotes up in the sorted shingle keys of the whole
library: 8 bytes a word, 204 MB for a 160 MB library. Held in memory, they alone would take a
bot past its memory budget; in ``<database>.quotes`` they are read by the page, through
``mmap``, and only the pages a look-up touches (a few dozen) become resident. The file is made
once per library (its first line holds a fingerprint of every reading's content hash) with
bounded memory: the keys are spilled into 256 bucket files by their top bits, then each bucket
is sorted on its own and appended, so the build holds one bucket at a time.

A new library (a reload that changed a reading) makes a new file, which replaces the old one
atomically (a process still mapping the old one keeps reading it); a file that does not match
(another library, damaged, cut short) is made again.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import sys
import tempfile
from array import array
from pathlib import Path

from bot.core.quotes import KEY_BITS, shingle_keys
from bot.core.readings import Library

log = logging.getLogger(__name__)

FORMAT = b"reading-group quote keys 1"
_HEADER = 64  # the fingerprint, padded: the keys start 8-byte aligned
_BUCKET_BITS = 8
_SPILL = 1 << 12  # keys a bucket holds before it is written out: 32 KB, 8 MB for all 256


def keys_file(database: Path) -> Path:
    """Where the quote keys of the library indexed in ``database`` are kept."""
    return database.with_name(database.name + ".quotes")


def mapped_keys(library: Library, database: Path) -> memoryview | None:
    """The sorted quote keys of ``library`` (:func:`bot.core.quotes.sorted_keys`), mapped from
    their file beside ``database``, which is made first when it does not match ``library``.

    Returns:
        None when the file can be neither made nor read (a full disk, a read-only folder): the
        caller then builds the keys in memory.
    """
    path = keys_file(database)
    fingerprint = _fingerprint(library)
    keys = _open(path, fingerprint)
    if keys is not None:
        return keys
    try:
        _build(library, path, fingerprint)
    except OSError as exc:
        log.warning("Quote index kept in memory: cannot write %s (%s)", path, exc)
        return None
    return _open(path, fingerprint)


def _fingerprint(library: Library) -> bytes:
    """What the keys depend on: every reading's content hash and paragraph count, in order."""
    digest = hashlib.sha256(FORMAT + sys.byteorder.encode())
    for reading in library:
        digest.update(f"\n{reading.slug} {reading.content_hash} {len(reading.paragraphs)}".encode())
    return digest.digest()


def _open(path: Path, fingerprint: bytes) -> memoryview | None:
    """The keys in ``path`` if its header is ``fingerprint`` and its length whole keys."""
    try:
        with path.open("rb") as file:
            if file.read(len(fingerprint)) != fingerprint:
                return None
            size = os.fstat(file.fileno()).st_size
            if size < _HEADER or (size - _HEADER) % 8:
                return None
            if size == _HEADER:
                return memoryview(array("q"))
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    return memoryview(mapped)[_HEADER:].cast("q")


def _build(library: Library, path: Path, fingerprint: bytes) -> None:
    """Write the sorted keys of ``library`` to ``path`` (see the module docstring)."""
    shift = KEY_BITS - _BUCKET_BITS
    with tempfile.TemporaryDirectory(prefix=f"{path.name}.", dir=path.parent) as scratch:
        spilled = [Path(scratch) / f"{bucket:03d}" for bucket in range(1 << _BUCKET_BITS)]
        buckets = [array("q") for _ in spilled]
        for key in shingle_keys(library):
            bucket = buckets[key >> shift]
            bucket.append(key)
            if len(bucket) >= _SPILL:
                _spill(bucket, spilled[key >> shift])
        for bucket, spill in zip(buckets, spilled, strict=True):
            _spill(bucket, spill)
        made = Path(scratch) / "keys"
        with made.open("wb") as out:
            out.write(fingerprint.ljust(_HEADER, b"\0"))
            for spill in spilled:
                if spill.exists():
                    keys = array("q")
                    keys.frombytes(spill.read_bytes())
                    spill.unlink()
                    array("q", sorted(keys)).tofile(out)
        made.replace(path)


def _spill(bucket: array[int], path: Path) -> None:
    with path.open("ab") as out:
        bucket.tofile(out)
    del bucket[:]
