"""The compound file container (MS-CFB, version 3, 512-byte sectors) of an encrypted Office file.

The encrypted package stream comes first (sectors 0..n-1, written by the caller as it
arrives); :func:`write_container` then writes the mini stream holding the small streams,
the MiniFAT, the directory, the FAT and any DIFAT, and patches the header in at offset 0.
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass
from struct import pack
from typing import IO

SECTOR, _MINI_SECTOR, MINI_CUTOFF = 512, 64, 4096
_HEADER_DIFAT = 109
_IDS_PER_SECTOR = SECTOR // 4
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _DIFAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
_NO_STREAM = 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int
    color: int
    left: int = _NO_STREAM
    right: int = _NO_STREAM
    child: int = _NO_STREAM
    start: int = _END_OF_CHAIN
    size: int = 0

    def pack(self) -> bytes:
        name = self.name.encode("utf-16-le") + b"\0\0" if self.name else b""
        return (
            name.ljust(64, b"\0")
            + pack("<HBBIII", len(name), self.kind, self.color, self.left, self.right, self.child)
            + bytes(16 + 4 + 16)  # class id, state bits, creation and modification times
            + pack("<IQ", self.start, self.size)
        )


def _directory(package: _Entry, small: dict[str, bytes]) -> list[_Entry]:
    """The directory as msoffcrypto-tool lays it out: each storage's children form a
    red-black tree ordered by name length, then by upper-cased name."""
    return [
        _Entry("Root Entry", _ROOT, _RED, child=10),
        package,
        _Entry("\x06DataSpaces", _STORAGE, _RED, child=4),
        _Entry("Version", _STREAM, _BLACK, size=len(small["Version"])),
        _Entry("DataSpaceMap", _STREAM, _BLACK, left=3, right=5, size=len(small["DataSpaceMap"])),
        _Entry("DataSpaceInfo", _STORAGE, _BLACK, right=7, child=6),
        _Entry("StrongEncryptionDataSpace", _STREAM, _BLACK, size=len(small["StrongEncryptionDataSpace"])),
        _Entry("TransformInfo", _STORAGE, _RED, child=8),
        _Entry("StrongEncryptionTransform", _STORAGE, _BLACK, child=9),
        _Entry("\x06Primary", _STREAM, _BLACK, size=len(small["\x06Primary"])),
        _Entry("EncryptionInfo", _STREAM, _BLACK, left=2, right=1, size=len(small["EncryptionInfo"])),
    ]


def sectors(size: int, unit: int = SECTOR) -> int:
    return -(-size // unit)


def _chain(table: array[int], start: int, count: int) -> None:
    """Link ``count`` consecutive sectors from ``start`` into one chain in ``table``."""
    table.extend(range(start + 1, start + count))
    if count:
        table.append(_END_OF_CHAIN)


def _little_endian(table: array[int]) -> bytes:
    if sys.byteorder == "big":
        table.byteswap()
    return table.tobytes()


def _fat_size(content_sectors: int) -> tuple[int, int]:
    """How many FAT and DIFAT sectors a file of ``content_sectors`` other sectors needs."""
    fat = difat = 0
    while True:
        needed_fat = sectors(content_sectors + fat + difat, _IDS_PER_SECTOR)
        needed_difat = sectors(max(0, needed_fat - _HEADER_DIFAT), _IDS_PER_SECTOR - 1)
        if (needed_fat, needed_difat) == (fat, difat):
            return fat, difat
        fat, difat = needed_fat, needed_difat


@dataclass(frozen=True)
class _Layout:
    """How many sectors each part of the file takes, and the sector it starts at."""

    package_sectors: int
    mini_sectors: int
    mini_fat_sectors: int
    directory_sectors: int
    fat_sectors: int
    difat_sectors: int
    first_mini: int
    first_mini_fat: int
    first_directory: int
    first_fat: int
    first_difat: int

    @classmethod
    def plan(
        cls, package_sectors: int, mini_stream: bytearray, mini_fat: array[int], entries: int
    ) -> _Layout:
        mini_sectors = sectors(len(mini_stream))
        mini_fat_sectors = sectors(len(mini_fat) * 4)
        directory_sectors = sectors(entries * 128)
        first_mini = package_sectors
        first_mini_fat = first_mini + mini_sectors
        first_directory = first_mini_fat + mini_fat_sectors
        first_fat = first_directory + directory_sectors
        fat_sectors, difat_sectors = _fat_size(first_fat)
        return cls(
            package_sectors, mini_sectors, mini_fat_sectors, directory_sectors, fat_sectors, difat_sectors,
            first_mini, first_mini_fat, first_directory, first_fat, first_fat + fat_sectors,
        )  # fmt: skip


def _mini_stream(directory: list[_Entry], small: dict[str, bytes]) -> tuple[bytearray, array[int]]:
    """The small streams packed into 64-byte mini sectors, and their MiniFAT chains."""
    mini_stream = bytearray()
    mini_fat: array[int] = array("I")
    for entry in directory:
        if entry.kind == _STREAM and entry.name in small:
            entry.start = len(mini_fat) if small[entry.name] else _END_OF_CHAIN
            _chain(mini_fat, len(mini_fat), sectors(len(small[entry.name]), _MINI_SECTOR))
            mini_stream += small[entry.name].ljust(len(mini_fat) * _MINI_SECTOR - len(mini_stream), b"\0")
    return mini_stream, mini_fat


def _fat(at: _Layout) -> array[int]:
    fat: array[int] = array("I")
    for start, count in (
        (0, at.package_sectors),
        (at.first_mini, at.mini_sectors),
        (at.first_mini_fat, at.mini_fat_sectors),
        (at.first_directory, at.directory_sectors),
    ):
        _chain(fat, start, count)
    fat.extend([_FAT_SECTOR] * at.fat_sectors + [_DIFAT_SECTOR] * at.difat_sectors)
    fat.extend([_FREE] * (at.fat_sectors * _IDS_PER_SECTOR - len(fat)))
    return fat


def _difat(at: _Layout, fat_ids: list[int]) -> array[int]:
    """The DIFAT sectors listing the FAT sectors the header has no room for."""
    difat: array[int] = array("I")
    for number, index in enumerate(range(_HEADER_DIFAT, len(fat_ids), _IDS_PER_SECTOR - 1)):
        block = fat_ids[index : index + _IDS_PER_SECTOR - 1]
        difat.extend(block + [_FREE] * (_IDS_PER_SECTOR - 1 - len(block)))
        last = number == at.difat_sectors - 1
        difat.append(_END_OF_CHAIN if last else at.first_difat + number + 1)
    return difat


def _header(at: _Layout, fat_ids: list[int]) -> bytes:
    header_difat = fat_ids[:_HEADER_DIFAT] + [_FREE] * (_HEADER_DIFAT - min(at.fat_sectors, _HEADER_DIFAT))
    return (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + bytes(16)
        + pack(
            "<HHHHH6xIIIIIIIII",
            0x3E,
            3,
            0xFFFE,
            9,
            6,
            0,
            at.fat_sectors,
            at.first_directory,
            0,
            MINI_CUTOFF,
            at.first_mini_fat if at.mini_fat_sectors else _END_OF_CHAIN,
            at.mini_fat_sectors,
            at.first_difat if at.difat_sectors else _END_OF_CHAIN,
            at.difat_sectors,
        )
        + pack(f"<{_HEADER_DIFAT}I", *header_difat)
    )


def write_container(out: IO[bytes], package_sectors: int, package_size: int, small: dict[str, bytes]) -> None:
    """Write everything after the package sectors, then the header at offset 0.

    ``out`` is positioned at the end of the package sectors; when ``package_sectors`` is 0
    the package is small and sits in ``small`` under "EncryptedPackage".
    """
    directory = _directory(_Entry("EncryptedPackage", _STREAM, _RED, size=package_size), small)
    mini_stream, mini_fat = _mini_stream(directory, small)
    at = _Layout.plan(package_sectors, mini_stream, mini_fat, len(directory))
    directory[0].start, directory[0].size = at.first_mini, len(mini_stream)
    if package_sectors:
        directory[1].start = 0
    mini_fat.extend([_FREE] * (at.mini_fat_sectors * _IDS_PER_SECTOR - len(mini_fat)))
    unused = _Entry("", 0, _RED).pack()
    entries = b"".join(entry.pack() for entry in directory)
    entries += unused * (at.directory_sectors * 4 - len(directory))
    fat_ids = list(range(at.first_fat, at.first_fat + at.fat_sectors))

    out.write(mini_stream.ljust(at.mini_sectors * SECTOR, b"\0"))
    out.write(_little_endian(mini_fat))
    out.write(entries)
    out.write(_little_endian(_fat(at)))
    out.write(_little_endian(_difat(at, fat_ids)))
    out.seek(0)
    out.write(_header(at, fat_ids))
