"""Bounds on an untrusted Office archive (.xlsx, .xlsm, .pptx), checked before anything parses it.

Workbooks arrive from CRMs, colleagues and e-mail (DESIGN.md, "Rules that hold
everywhere": bound what an archive may expand to, parse untrusted XML safely).
Two levels of checks, both refusing with an ``InputFileError`` in French (its
catalogue messages say it in English too):

1. :func:`check_members`, on the zip's central directory only (no inflation,
   cost proportional to the number of members): member count, declared size
   per member and in total, compression ratio of large members, and member
   names (an absolute path, a ``..`` segment, a drive letter, a NUL, or two
   members whose names differ only by case are refused: OPC part names are
   case-insensitive, so two readers could pick different copies).
   This is the check that matters most: measured (``bench/security.py
   --unguarded``), python-calamine handed the 3 MB zip bomb of the test corpus
   (1 GiB of repeated rows) grows to the 1 GiB memory limit in 11 s and then
   *aborts the process* (a Rust allocation failure, not a Python exception).
2. :func:`check_archive`, for the read path, where the file is handed to
   python-calamine (a Rust reader we do not control): every member is
   inflated once, as a stream, in constant memory, and

   - its *real* inflated size is compared with the declared one: the central
     directory can lie. (Measured: the Rust ``zip`` crate under calamine 0.9.1
     also stops a member that outgrows its declared size, with an English
     "I/O error"; this check is defence in depth with a French message, and
     holds for every member, whoever reads it next.) Inflation stops as soon
     as a member produces more than it declared or than the limits allow;
   - each XML part (``.xml``, ``.rels``, ``.vml``) is refused when its prolog
     holds a document type declaration (``<!DOCTYPE``): Office never writes
     one, and it is the vehicle of entity bombs (billion laughs) and external
     entities (XXE).

   Measured on python-calamine 0.9.1 (test ``test_calamine_with_a_dtd_...`` in
   ``tests/test_security.py`` keeps this true): calamine does not expand
   entities declared in a DTD (a reference to one is an error "unrecognized
   entity"), fetches nothing, and reads a sheet whose DTD is never referenced.
   So the refusal here is for a clear message and defence in depth rather
   than the only barrier.

The cost of step 2 is one inflation of the archive, in constant memory: 0.7 to
1.5 s for the benchmark's large workbooks (324 to 593 MB of XML; see
``bench/security.py``), small beside calamine's own read of the same parts
(about 17 s for the 1,000,000-row one).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kpicore.model.errors import InputFileError
from kpicore.model.messages import Message
from kpicore.text.catalogue import render

from .refusals import refusal


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds checked on the zip's directory before anything is inflated or parsed.

    Sizes are in bytes. ``max_ratio`` (uncompressed ÷ compressed) applies to
    each member above ``ratio_from`` bytes and to the archive as a whole once
    it inflates past ``ratio_from``: deflate cannot exceed about 1032:1, and
    real sheet XML stays far below (the 1,000,000-row sheet of the benchmark
    compresses about 10:1); 200 leaves room for very repetitive genuine parts
    while a zip bomb of repeated rows compresses over 300:1 (``tests/support/security_corpus.py``).
    ``max_parsed`` bounds each part that is actually
    inflated and parsed (shared parts), whatever its directory entry claims.
    """

    max_members: int = 20_000
    max_member_size: int = 2 * 1024**3
    max_total_size: int = 4 * 1024**3
    max_ratio: float = 200.0
    ratio_from: int = 1024**2
    max_parsed: int = 256 * 1024**2


DEFAULT_LIMITS = ArchiveLimits()

_LONG_PROLOG = Message.of("file.archive.reason.long_prolog")
_DTD = Message.of("file.archive.reason.dtd")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 1 << 20
# how much of a part's beginning may come before its root element (XML declaration, comments)
_PROLOG_MAX = 64 * 1024
_LOCAL_SIG = 0x04034B50


def _refuse(path: Path, code: str, /, **figures: object) -> InputFileError:
    # the message and its fix from the catalogue (``kpicore.text.*.files``, ``file.archive.*``)
    return refusal(InputFileError, code, file=str(path), **figures)


def unsafe_member_name(name: str) -> str | None:
    """Why a member name is refused (French), or None when it is an ordinary part name."""
    why = _unsafe_name_reason(name)
    return render(why, "fr") if why is not None else None


def _unsafe_name_reason(name: str) -> Message | None:
    if "\x00" in name:
        return Message.of("file.archive.reason.nul")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified):
        return Message.of("file.archive.reason.absolute")
    if ".." in unified.split("/"):
        return Message.of("file.archive.reason.parent")
    return None


def check_members(infos: list[zipfile.ZipInfo], limits: ArchiveLimits, path: Path) -> None:
    """Refuse an archive whose directory breaks ``limits`` or holds a dangerous member name."""
    if len(infos) > limits.max_members:
        raise _refuse(path, "file.archive.too_many", count=len(infos), limit=limits.max_members)
    total = 0
    seen: set[str] = set()
    for info in infos:
        why = _unsafe_name_reason(info.filename)
        if why is not None:
            raise _refuse(path, "file.archive.unsafe_name", member=info.filename[:200], why=why)
        key = info.filename.lower()
        if key in seen:
            raise _refuse(path, "file.archive.twice", member=info.filename[:200])
        seen.add(key)
        if info.file_size > limits.max_member_size:
            raise _refuse(path, "file.archive.member_too_big", member=info.filename, size=info.file_size,
                          limit=limits.max_member_size)
        if info.file_size > limits.ratio_from and (
                info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio):
            raise _refuse(path, "file.archive.member_ratio", member=info.filename, size=info.file_size,
                          packed=info.compress_size)
        total += info.file_size
    if total > limits.max_total_size:
        raise _refuse(path, "file.archive.too_big", size=total, limit=limits.max_total_size)
    packed = sum(i.compress_size for i in infos)
    if total > limits.ratio_from and (packed == 0 or total / packed > limits.max_ratio):
        # many small members, each under ratio_from, can make a bomb together
        raise _refuse(path, "file.archive.ratio", size=total, packed=packed)


def check_archive(path: Path | str, limits: ArchiveLimits = DEFAULT_LIMITS, *, content: bytes | None = None) -> None:
    """Check the archive at ``path`` fully (directory, real inflated sizes, no DTD) before a parser sees it.

    ``content``: the file's bytes when the caller has already read them (the
    file is then not opened again; ``path`` only names it in messages).
    Raises ``InputFileError`` (French) on any breach; a file that is not a zip
    at all is left to the caller's own diagnosis.
    """
    path = Path(path)
    with (io.BytesIO(content) if content is not None else open(path, "rb")) as fh:
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            return  # not a readable zip: the reader says what the file is
        with zf:
            infos = zf.infolist()
            check_members(infos, limits, path)
            total = 0
            for info in infos:
                total += _check_member(fh, info, limits, path)
                if total > limits.max_total_size:
                    raise _refuse(path, "file.archive.inflates_too_much", limit=limits.max_total_size)


def _data_offset(fh: BinaryIO, info: zipfile.ZipInfo) -> int:
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) != 30 or struct.unpack("<I", header[:4])[0] != _LOCAL_SIG:
        raise zipfile.BadZipFile(info.filename)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _check_member(fh: BinaryIO, info: zipfile.ZipInfo, limits: ArchiveLimits, path: Path) -> int:
    """Inflate one member as a stream; return its real size. Refuses lies, bombs and DTDs."""
    name = info.filename
    cap = min(limits.max_member_size, max(info.file_size, 0))
    is_xml = name.lower().endswith(_XML_SUFFIXES)
    try:
        fh.seek(_data_offset(fh, info))
    except (zipfile.BadZipFile, OSError, struct.error):
        raise _refuse(path, "file.archive.bad_header", member=name) from None
    if info.compress_type == zipfile.ZIP_STORED:
        inflate = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
    else:
        raise _refuse(path, "file.archive.method", member=name, method=info.compress_type)
    left = info.compress_size
    produced = 0
    head = b""
    prolog_done = not is_xml
    while left > 0:
        chunk = fh.read(min(_CHUNK, left))
        if not chunk:
            break  # truncated: the reader reports the damage
        left -= len(chunk)
        pending = chunk
        while pending:
            if inflate is None:
                out, pending = pending, b""
            else:
                # bounded output per call: a bomb never sits in memory whole
                out = inflate.decompress(pending, _CHUNK)
                pending = inflate.unconsumed_tail
            produced += len(out)
            if produced > cap:
                if produced > limits.max_member_size:
                    raise _refuse(path, "file.archive.member_over_limit", member=name, limit=limits.max_member_size)
                raise _refuse(path, "file.archive.member_lies", member=name, size=info.file_size)
            if not prolog_done:
                head += out[:_PROLOG_MAX - len(head)]
                verdict = _prolog_verdict(head, complete=len(head) >= _PROLOG_MAX)
                if verdict is not None:
                    prolog_done = True
                    if verdict:
                        raise _refuse(path, "file.archive.dtd", member=name, verdict=verdict)
            if inflate is not None and inflate.eof:
                pending = b""
    if not prolog_done and head:
        verdict = _prolog_verdict(head, complete=True)
        if verdict:
            raise _refuse(path, "file.archive.dtd_at_end", member=name, verdict=verdict)
    return produced


def xml_prolog_verdict(head: bytes, *, complete: bool) -> str | None:
    """Judge the beginning of an XML part: a French reason to refuse it when its prolog holds
    a DTD (or never ends), "" when it does not, None when more bytes are needed."""
    verdict = _prolog_verdict(head, complete=complete)
    return render(verdict, "fr") if isinstance(verdict, Message) else verdict


def _prolog_verdict(head: bytes, *, complete: bool) -> Message | str | None:
    """``xml_prolog_verdict``'s reason as the catalogue's ``Message``, for either language.

    The prolog is walked item by item (XML declaration, processing instructions,
    comments, white space) so that a ``<!DOCTYPE`` after a comment is still found.
    """
    data = head
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:2] in (b"<\x00", b"\x00<"):
        # UTF-16 part: judge its text re-encoded; an odd trailing byte waits for more
        enc = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else (
            "utf-16-le" if data[:2] == b"<\x00" else "utf-16-be")
        usable = data[:len(data) - len(data) % 2]
        data = usable.decode(enc, errors="replace").encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    i = 0
    n = len(data)
    while True:
        while i < n and data[i:i + 1] in b" \t\r\n":
            i += 1
        if i >= n:
            return "" if complete else None
        if data.startswith(b"<?", i):
            end = data.find(b"?>", i + 2)
            if end < 0:
                return _LONG_PROLOG if complete else None
            i = end + 2
        elif data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 4)
            if end < 0:
                return _LONG_PROLOG if complete else None
            i = end + 3
        elif data.startswith(b"<!", i):
            if n - i < 9 and not complete:
                return None
            if data[i:i + 9].upper() == b"<!DOCTYPE":
                return _DTD
            return ""  # not a DTD: a malformed part is the reader's to report
        elif data.startswith(b"<", i):
            if i + 1 >= n:
                return None if not complete else ""
            return ""
        else:
            return ""  # not XML at all: the reader reports the damage


__all__ = ["ArchiveLimits", "DEFAULT_LIMITS", "check_archive", "check_members", "unsafe_member_name",
           "xml_prolog_verdict"]
