"""Office password encryption ("Agile", ECMA-376 / MS-OFFCRYPTO), streamed to disk.

Why not msoffcrypto-tool's encryptor: it takes the finished package in memory and copies
it three to four times on the way (peak RSS about 3x the file). Agile encryption works on
4096-byte segments, each AES-256-CBC encrypted with its own IV, so the zip writer's output
can be encrypted as it is produced and written straight into the container: memory stays
at a few segments and the plaintext never reaches the disk.

The result is what Excel writes for "Encrypt with Password" (and what msoffcrypto-tool
writes): an OLE2 compound file (version 3, 512-byte sectors) holding

* ``EncryptionInfo``: version 4.4, then XML naming AES-256-CBC with SHA-512, the password
  key encryptor (100,000 spins) and the data-integrity HMAC;
* ``EncryptedPackage``: the package size as 8 bytes little-endian, then the segments;
* ``\\x06DataSpaces``: the storage that tells Office the package is strongly encrypted.

Layout: the package stream comes first (sectors 0..n-1, written as it arrives), then the
mini stream holding the small streams, the MiniFAT, the directory, the FAT and any DIFAT.
The header and the package size are patched in last. The HMAC covers the whole package
stream, size first, so it is computed by reading the ciphertext back once at the end.
"""

from __future__ import annotations

import hmac
import io
import sys
from array import array
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha512
from secrets import token_bytes
from struct import Struct, pack
from typing import IO, TypeAlias, TypeVar

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

T = TypeVar("T")
Bytes: TypeAlias = bytes | bytearray | memoryview

SEGMENT = 4096
SPIN_COUNT = 100_000
_SALT, _KEY, _HASH, _BLOCK = 16, 32, 64, 16
_SEGMENTS_PER_WRITE = 16

_VERIFIER_INPUT_BLOCK = bytes.fromhex("fea7d2763b4b9e79")
_VERIFIER_HASH_BLOCK = bytes.fromhex("d7aa0f6d3061344e")
_KEY_VALUE_BLOCK = bytes.fromhex("146e0be7abacd0d6")
_HMAC_KEY_BLOCK = bytes.fromhex("5fb2ad010cb9e1f6")
_HMAC_VALUE_BLOCK = bytes.fromhex("a0677f02b22c8433")

_U32 = Struct("<I")


def _aes_cbc(key: bytes, iv: bytes, data: Bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def _iv(salt: bytes, block_key: bytes) -> bytes:
    """An IV derived from the key data salt: SHA-512(salt + block key), truncated."""
    return sha512(salt + block_key).digest()[:_BLOCK]


class EncryptedPackageWriter(io.RawIOBase):
    """A write-only file: plaintext in, encrypted segments out to ``out``.

    Only whole segments are encrypted until :meth:`finish` pads the last one to the AES
    block size with zeros. Not seekable, so ``zipfile`` writes data descriptors instead of
    seeking back.
    """

    def __init__(self, out: IO[bytes], key: bytes, salt: bytes) -> None:
        super().__init__()
        self._out = out
        self._aes = algorithms.AES(key)  # one key schedule for every segment
        self._salt = salt
        self._pending = bytearray()
        self._index = 0
        self.size = 0  # plaintext bytes taken
        self.encrypted_size = 0  # ciphertext bytes written

    def writable(self) -> bool:
        return True

    def write(self, data: Bytes) -> int:  # type: ignore[override]
        with memoryview(data) as view:
            self._pending += view
            taken = view.nbytes
        self.size += taken
        if len(self._pending) >= SEGMENT * _SEGMENTS_PER_WRITE:
            self._encrypt(len(self._pending) - len(self._pending) % SEGMENT)
        return taken

    def finish(self) -> None:
        """Encrypt what is left, the last segment padded to a whole AES block."""
        tail = len(self._pending) % _BLOCK
        if tail:
            self._pending += bytes(_BLOCK - tail)
        self._encrypt(len(self._pending))

    def _encrypt(self, end: int) -> None:
        chunks = []
        with memoryview(self._pending) as view:
            for start in range(0, end, SEGMENT):
                iv = _iv(self._salt, _U32.pack(self._index))
                encryptor = Cipher(self._aes, modes.CBC(iv)).encryptor()
                chunks.append(encryptor.update(view[start : start + SEGMENT]) + encryptor.finalize())
                self._index += 1
        del self._pending[:end]
        ciphertext = b"".join(chunks)
        self._out.write(ciphertext)
        self.encrypted_size += len(ciphertext)


@dataclass(frozen=True)
class _PasswordKey:
    """The password key encryptor: how the password unlocks the package's random key."""

    salt: bytes
    verifier_input: bytes
    verifier_hash: bytes
    key_value: bytes

    @classmethod
    def make(cls, password: str, secret_key: bytes) -> _PasswordKey:
        salt = token_bytes(_SALT)
        digest = sha512(salt + password.encode("utf-16-le")).digest()
        pack_index = _U32.pack
        for index in range(SPIN_COUNT):
            digest = sha512(pack_index(index) + digest).digest()

        def key(block: bytes) -> bytes:
            return sha512(digest + block).digest()[:_KEY]

        verifier = token_bytes(_SALT)
        return cls(
            salt=salt,
            verifier_input=_aes_cbc(key(_VERIFIER_INPUT_BLOCK), salt, verifier),
            verifier_hash=_aes_cbc(key(_VERIFIER_HASH_BLOCK), salt, sha512(verifier).digest()),
            key_value=_aes_cbc(key(_KEY_VALUE_BLOCK), salt, secret_key),
        )


def _encryption_info(
    key_data_salt: bytes, password_key: _PasswordKey, hmac_key: bytes, hmac_value: bytes
) -> bytes:
    """The EncryptionInfo stream: version 4.4, flags 0x40 (agile), then the XML."""

    def b64(data: bytes) -> str:
        return b64encode(data).decode("ascii")

    cipher = (
        f'saltSize="{_SALT}" blockSize="{_BLOCK}" keyBits="{_KEY * 8}" '
        f'hashSize="{_HASH}" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
        'hashAlgorithm="SHA512"'
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
        'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<keyData {cipher} saltValue="{b64(key_data_salt)}"/>'
        f'<dataIntegrity encryptedHmacKey="{b64(hmac_key)}" '
        f'encryptedHmacValue="{b64(hmac_value)}"/>'
        "<keyEncryptors><keyEncryptor "
        'uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<p:encryptedKey spinCount="{SPIN_COUNT}" {cipher} '
        f'saltValue="{b64(password_key.salt)}" '
        f'encryptedVerifierHashInput="{b64(password_key.verifier_input)}" '
        f'encryptedVerifierHashValue="{b64(password_key.verifier_hash)}" '
        f'encryptedKeyValue="{b64(password_key.key_value)}"/>'
        "</keyEncryptor></keyEncryptors></encryption>"
    )
    return pack("<HHI", 4, 4, 0x40) + xml.encode("utf-8")


# --- the data spaces: fixed streams that name the encryption transform (MS-OFFCRYPTO 2.1) --


def _length_prefixed(text: str) -> bytes:
    """UNICODE-LP-P4: byte length, UTF-16LE text, zero padding to a multiple of 4."""
    data = text.encode("utf-16-le")
    return _U32.pack(len(data)) + data + bytes(-len(data) % 4)


_VERSION_1_0 = pack("<HH", 1, 0) * 3  # reader, updater and writer version 1.0

DATA_SPACE_VERSION = _length_prefixed("Microsoft.Container.DataSpaces") + _VERSION_1_0
_MAP_ENTRY = (
    pack("<II", 1, 0) + _length_prefixed("EncryptedPackage") + _length_prefixed("StrongEncryptionDataSpace")
)
DATA_SPACE_MAP = pack("<II", 8, 1) + _U32.pack(4 + len(_MAP_ENTRY)) + _MAP_ENTRY
STRONG_ENCRYPTION_DATA_SPACE = pack("<II", 8, 1) + _length_prefixed("StrongEncryptionTransform")
_TRANSFORM_ID = _length_prefixed("{FF9A3F03-56EF-4613-BDD5-5A41C1D07246}")
PRIMARY_TRANSFORM = (
    _U32.pack(8 + len(_TRANSFORM_ID))
    + _U32.pack(1)
    + _TRANSFORM_ID
    + _length_prefixed("Microsoft.Container.EncryptionTransform")
    + _VERSION_1_0
    + _length_prefixed("")
    + pack("<III", 0, 0, 4)
)


# --- the compound file container (MS-CFB, version 3) ----------------------------------------

_SECTOR, _MINI_SECTOR, _MINI_CUTOFF = 512, 64, 4096
_HEADER_DIFAT = 109
_IDS_PER_SECTOR = _SECTOR // 4
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


def _sectors(size: int, unit: int = _SECTOR) -> int:
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
        needed_fat = _sectors(content_sectors + fat + difat, _IDS_PER_SECTOR)
        needed_difat = _sectors(max(0, needed_fat - _HEADER_DIFAT), _IDS_PER_SECTOR - 1)
        if (needed_fat, needed_difat) == (fat, difat):
            return fat, difat
        fat, difat = needed_fat, needed_difat


def _write_container(
    out: IO[bytes], package_sectors: int, package_size: int, small: dict[str, bytes]
) -> None:
    """Write everything after the package sectors, then the header at offset 0.

    ``out`` is positioned at the end of the package sectors; when ``package_sectors`` is 0
    the package is small and sits in ``small`` under "EncryptedPackage".
    """
    directory = _directory(_Entry("EncryptedPackage", _STREAM, _RED, size=package_size), small)
    mini_stream = bytearray()
    mini_fat: array[int] = array("I")
    for entry in directory:
        if entry.kind == _STREAM and entry.name in small:
            entry.start = len(mini_fat) if small[entry.name] else _END_OF_CHAIN
            _chain(mini_fat, len(mini_fat), _sectors(len(small[entry.name]), _MINI_SECTOR))
            mini_stream += small[entry.name].ljust(len(mini_fat) * _MINI_SECTOR - len(mini_stream), b"\0")
    mini_sectors = _sectors(len(mini_stream))
    mini_fat_sectors = _sectors(len(mini_fat) * 4)
    directory_sectors = _sectors(len(directory) * 128)
    first_mini = package_sectors
    first_mini_fat = first_mini + mini_sectors
    first_directory = first_mini_fat + mini_fat_sectors
    first_fat = first_directory + directory_sectors
    fat_sectors, difat_sectors = _fat_size(first_fat)
    first_difat = first_fat + fat_sectors
    directory[0].start, directory[0].size = first_mini, len(mini_stream)
    if package_sectors:
        directory[1].start = 0

    fat: array[int] = array("I")
    for start, count in (
        (0, package_sectors),
        (first_mini, mini_sectors),
        (first_mini_fat, mini_fat_sectors),
        (first_directory, directory_sectors),
    ):
        _chain(fat, start, count)
    fat.extend([_FAT_SECTOR] * fat_sectors + [_DIFAT_SECTOR] * difat_sectors)
    fat.extend([_FREE] * (fat_sectors * _IDS_PER_SECTOR - len(fat)))
    mini_fat.extend([_FREE] * (mini_fat_sectors * _IDS_PER_SECTOR - len(mini_fat)))
    unused = _Entry("", 0, _RED).pack()
    entries = b"".join(entry.pack() for entry in directory)
    entries += unused * (directory_sectors * 4 - len(directory))

    fat_ids = list(range(first_fat, first_fat + fat_sectors))
    difat: array[int] = array("I")
    for number, index in enumerate(range(_HEADER_DIFAT, len(fat_ids), _IDS_PER_SECTOR - 1)):
        block = fat_ids[index : index + _IDS_PER_SECTOR - 1]
        difat.extend(block + [_FREE] * (_IDS_PER_SECTOR - 1 - len(block)))
        last = number == difat_sectors - 1
        difat.append(_END_OF_CHAIN if last else first_difat + number + 1)

    out.write(mini_stream.ljust(mini_sectors * _SECTOR, b"\0"))
    out.write(_little_endian(mini_fat))
    out.write(entries)
    out.write(_little_endian(fat))
    out.write(_little_endian(difat))

    header_difat = fat_ids[:_HEADER_DIFAT] + [_FREE] * (_HEADER_DIFAT - min(fat_sectors, _HEADER_DIFAT))
    out.seek(0)
    out.write(
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
            fat_sectors,
            first_directory,
            0,
            _MINI_CUTOFF,
            first_mini_fat if mini_fat_sectors else _END_OF_CHAIN,
            mini_fat_sectors,
            first_difat if difat_sectors else _END_OF_CHAIN,
            difat_sectors,
        )
        + pack(f"<{_HEADER_DIFAT}I", *header_difat)
    )


def _package_hmac(out: IO[bytes], hmac_key: bytes, size_field: bytes, length: int) -> bytes:
    """HMAC-SHA512 over the package stream: the size field, then the ciphertext read back."""
    mac = hmac.new(hmac_key, size_field, sha512)
    out.seek(_SECTOR + 8)
    remaining = length
    while remaining:
        chunk = out.read(min(remaining, 1 << 20))
        if not chunk:
            raise OSError("the encrypted package could not be read back")
        mac.update(chunk)
        remaining -= len(chunk)
    return mac.digest()


def write_encrypted(out: IO[bytes], password: str, write_package: Callable[[EncryptedPackageWriter], T]) -> T:
    """Encrypt whatever ``write_package`` writes to the file it is given into ``out``.

    ``out`` must be a new, empty file open for reading and writing; it ends up holding the
    whole compound file. Returns what ``write_package`` returns.
    """
    secret_key = token_bytes(_KEY)
    key_data_salt = token_bytes(_SALT)
    password_key = _PasswordKey.make(password, secret_key)
    out.write(bytes(_SECTOR + 8))  # header and package size, written last
    package = EncryptedPackageWriter(out, secret_key, key_data_salt)
    result = write_package(package)
    package.finish()
    size_field = pack("<Q", package.size)
    stream_length = 8 + package.encrypted_size

    hmac_key = token_bytes(_HASH)
    hmac_value = _package_hmac(out, hmac_key, size_field, package.encrypted_size)
    info = _encryption_info(
        key_data_salt,
        password_key,
        _aes_cbc(secret_key, _iv(key_data_salt, _HMAC_KEY_BLOCK), hmac_key),
        _aes_cbc(secret_key, _iv(key_data_salt, _HMAC_VALUE_BLOCK), hmac_value),
    )
    small = {
        "Version": DATA_SPACE_VERSION,
        "DataSpaceMap": DATA_SPACE_MAP,
        "StrongEncryptionDataSpace": STRONG_ENCRYPTION_DATA_SPACE,
        "\x06Primary": PRIMARY_TRANSFORM,
        "EncryptionInfo": info,
    }
    if stream_length < _MINI_CUTOFF:
        out.seek(_SECTOR + 8)
        small["EncryptedPackage"] = size_field + out.read(package.encrypted_size)
        out.seek(_SECTOR)
        out.truncate()
        package_sectors = 0
    else:
        out.seek(_SECTOR)
        out.write(size_field)
        package_sectors = _sectors(stream_length)
        out.seek(_SECTOR + package_sectors * _SECTOR)
        out.truncate()  # zero-fills the last package sector
    _write_container(out, package_sectors, stream_length, small)
    return result
