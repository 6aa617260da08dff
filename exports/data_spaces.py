"""The data spaces of an encrypted Office file: fixed streams that tell Office the package
is strongly encrypted and name the encryption transform (MS-OFFCRYPTO 2.1)."""

from __future__ import annotations

from struct import Struct, pack

_U32 = Struct("<I")


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


def data_space_streams(encryption_info: bytes) -> dict[str, bytes]:
    """The small streams of the container, by name: the data spaces and EncryptionInfo."""
    return {
        "Version": DATA_SPACE_VERSION,
        "DataSpaceMap": DATA_SPACE_MAP,
        "StrongEncryptionDataSpace": STRONG_ENCRYPTION_DATA_SPACE,
        "\x06Primary": PRIMARY_TRANSFORM,
        "EncryptionInfo": encryption_info,
    }
