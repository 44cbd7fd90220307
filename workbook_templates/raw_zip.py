"""Zip archives at the byte level: copy members without decompressing them.

A refresh must not cost more when the client's other sheets grow, so the
members it does not own are copied as their compressed bytes, never
inflated: ``RawZipReader.copy_raw`` streams the stored data of a member into
``RawZipWriter``, which writes a fresh local header (same name, method, CRC,
sizes and timestamp) and the central directory. Python's ``zipfile`` has no
public raw copy, hence this module.

Only what an .xlsx needs is written: no zip64 (an archive or member over
4 GiB is refused earlier by the archive limits), no data descriptors, no
extra fields. Reading goes through ``zipfile`` for the central directory.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

_LOCAL_SIG = 0x04034B50
_CENTRAL_SIG = 0x02014B50
_END_SIG = 0x06054B50
_LOCAL_FMT = "<IHHHHHIIIHH"  # 30 bytes
_CENTRAL_FMT = "<IHHHHHHIIIHHHHHII"  # 46 bytes
_END_FMT = "<IHHHHIIH"  # 22 bytes
_UTF8_FLAG = 0x800
_MAX32 = 0xFFFFFFFF
_COPY_CHUNK = 1 << 20


class ArchiveTooLarge(ValueError):
    """A member or the archive crossed a size the writer does not support."""


@dataclass(frozen=True)
class _Entry:
    name: str
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compress_size: int
    file_size: int
    external_attr: int
    offset: int


def _dos_datetime(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    year = min(max(year, 1980), 2107)
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


class RawZipReader:
    """A zip opened for reading members either inflated (bounded) or as stored bytes."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self._file = fileobj
        self.zip = zipfile.ZipFile(fileobj)
        self.infos = self.zip.infolist()
        self._by_name = {i.filename: i for i in self.infos}

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def info(self, name: str) -> zipfile.ZipInfo:
        return self._by_name[name]

    def read(self, name: str, max_size: int) -> bytes:
        """Inflate one member, refusing to produce more than ``max_size`` bytes.

        The declared size in the central directory can lie; the bound holds on
        what is actually produced.
        """
        with self.zip.open(self._by_name[name]) as member:
            data = member.read(max_size + 1)
        if len(data) > max_size:
            raise ArchiveTooLarge(f"{name}: more than {max_size} bytes once decompressed")
        return data

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        self._file.seek(info.header_offset)
        header = self._file.read(30)
        if len(header) != 30 or struct.unpack("<I", header[:4])[0] != _LOCAL_SIG:
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len

    def copy_raw(self, name: str, writer: RawZipWriter) -> None:
        """Append member ``name`` to ``writer`` as its stored (compressed) bytes."""
        info = self._by_name[name]
        self._file.seek(self._data_offset(info))
        writer.add_raw(info, self._file)


class RawZipWriter:
    """Writes a zip member by member, then its central directory on ``close``."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self._file = fileobj
        self._entries: list[_Entry] = []
        self._names: set[str] = set()

    def _start(self, name: str) -> int:
        if name in self._names:
            raise ValueError(f"duplicate zip member {name}")
        self._names.add(name)
        offset = self._file.tell()
        if offset > _MAX32:
            raise ArchiveTooLarge("archive over 4 GiB (zip64 not written)")
        return offset

    def _write_local(self, entry: _Entry) -> None:
        name = entry.name.encode("utf-8")
        self._file.write(struct.pack(
            _LOCAL_FMT, _LOCAL_SIG, 20, entry.flags, entry.method, entry.dos_time, entry.dos_date,
            entry.crc, entry.compress_size, entry.file_size, len(name), 0))
        self._file.write(name)

    def add_raw(self, info: zipfile.ZipInfo, source: BinaryIO) -> None:
        """Copy ``info.compress_size`` stored bytes from ``source`` (positioned at the data)."""
        if info.compress_size > _MAX32 or info.file_size > _MAX32:
            raise ArchiveTooLarge(f"{info.filename}: member over 4 GiB (zip64 not written)")
        offset = self._start(info.filename)
        dos_time, dos_date = _dos_datetime(info.date_time)
        # bit 3 (sizes in a trailing data descriptor) is cleared: the sizes go in the header
        flags = (info.flag_bits & ~0x8) | (_UTF8_FLAG if not info.filename.isascii() else 0)
        entry = _Entry(info.filename, flags, info.compress_type, dos_time, dos_date, info.CRC,
                       info.compress_size, info.file_size, info.external_attr, offset)
        self._write_local(entry)
        copied = _copy_exactly(source, self._file, info.compress_size)
        if copied != info.compress_size:
            raise zipfile.BadZipFile(f"{info.filename}: truncated member data")
        self._entries.append(entry)

    def add_bytes(self, name: str, data: bytes,
                  date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)) -> None:
        """Deflate and append a new member."""
        if len(data) > _MAX32:
            raise ArchiveTooLarge(f"{name}: member over 4 GiB (zip64 not written)")
        offset = self._start(name)
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        dos_time, dos_date = _dos_datetime(date_time)
        flags = _UTF8_FLAG if not name.isascii() else 0
        entry = _Entry(name, flags, zipfile.ZIP_DEFLATED, dos_time, dos_date,
                       zlib.crc32(data) & _MAX32, len(packed), len(data), 0o600 << 16, offset)
        self._write_local(entry)
        self._file.write(packed)
        self._entries.append(entry)

    def close(self) -> None:
        start = self._file.tell()
        for e in self._entries:
            name = e.name.encode("utf-8")
            self._file.write(struct.pack(
                _CENTRAL_FMT, _CENTRAL_SIG, 20, 20, e.flags, e.method, e.dos_time, e.dos_date,
                e.crc, e.compress_size, e.file_size, len(name), 0, 0, 0, 0, e.external_attr,
                e.offset))
            self._file.write(name)
        end = self._file.tell()
        if len(self._entries) > 0xFFFF or end > _MAX32:
            raise ArchiveTooLarge("too many members or archive over 4 GiB (zip64 not written)")
        self._file.write(struct.pack(_END_FMT, _END_SIG, 0, 0, len(self._entries),
                                     len(self._entries), end - start, start, 0))


def _copy_exactly(source: BinaryIO, target: BinaryIO, length: int) -> int:
    done = 0
    while done < length:
        chunk = source.read(min(_COPY_CHUNK, length - done))
        if not chunk:
            break
        target.write(chunk)
        done += len(chunk)
    return done


__all__ = ["ArchiveTooLarge", "RawZipReader", "RawZipWriter"]
