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
The container itself is written by :mod:`exports.compound_file`, the data-space streams
come from :mod:`exports.data_spaces`.
"""

from __future__ import annotations

import hmac
import io
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha512
from secrets import token_bytes
from struct import Struct, pack
from typing import IO, TypeAlias, TypeVar

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from exports.compound_file import MINI_CUTOFF, SECTOR, sectors, write_container
from exports.data_spaces import data_space_streams

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


def _package_hmac(out: IO[bytes], hmac_key: bytes, size_field: bytes, length: int) -> bytes:
    """HMAC-SHA512 over the package stream: the size field, then the ciphertext read back."""
    mac = hmac.new(hmac_key, size_field, sha512)
    out.seek(SECTOR + 8)
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
    out.write(bytes(SECTOR + 8))  # header and package size, written last
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
    small = data_space_streams(info)
    write_container(out, _place_package(out, package, size_field, small), stream_length, small)
    return result


def _place_package(
    out: IO[bytes], package: EncryptedPackageWriter, size_field: bytes, small: dict[str, bytes]
) -> int:
    """Leave the package stream in its own sectors, or move a small one into ``small``
    (it then lives in the mini stream); returns the number of package sectors."""
    stream_length = 8 + package.encrypted_size
    if stream_length < MINI_CUTOFF:
        out.seek(SECTOR + 8)
        small["EncryptedPackage"] = size_field + out.read(package.encrypted_size)
        out.seek(SECTOR)
        out.truncate()
        return 0
    out.seek(SECTOR)
    out.write(size_field)
    package_sectors = sectors(stream_length)
    out.seek(SECTOR + package_sectors * SECTOR)
    out.truncate()  # zero-fills the last package sector
    return package_sectors
