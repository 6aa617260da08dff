"""The streaming Agile encryptor, read back by msoffcrypto-tool and olefile (independent readers)."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
from msoffcrypto.exceptions import InvalidKeyError
from msoffcrypto.format.ooxml import OOXMLFile
from msoffcrypto.method.container.ecma376_encrypted import DefaultContent
from msoffcrypto.method.ecma376_agile import ECMA376Agile

from exports import agile
from exports.columns import Kind
from exports.encryption import encrypt_workbook
from exports.workbook import Sheet, write_workbook
from tests.export_fixtures import decrypt

PASSWORD = "k7mq2-xp4rt-9hw3e-b6nza"
TEXT, INTEGER = Kind.TEXT, Kind.INTEGER


def encrypted(plain: bytes, write_size: int = 7000) -> bytes:
    """``plain`` through the encryptor, written in pieces of ``write_size`` as zipfile does."""
    out = io.BytesIO()

    def write(package: agile.EncryptedPackageWriter) -> int:
        for start in range(0, len(plain), write_size):
            package.write(plain[start : start + write_size])
        return len(plain)

    assert agile.write_encrypted(out, PASSWORD, write) == len(plain)
    return out.getvalue()


def package_of(container: bytes, password: str = PASSWORD) -> bytes:
    """The decrypted package, after msoffcrypto checked the password and the HMAC."""
    office = OOXMLFile(io.BytesIO(container))
    office.load_key(password=password, verify_password=True)
    info = office.info
    with office.file.openstream("EncryptedPackage") as stream:
        assert ECMA376Agile.verify_integrity(
            office.secret_key,
            info["keyDataSalt"],
            info["keyDataHashAlgorithm"],
            info["keyDataBlockSize"],
            info["encryptedHmacKey"],
            info["encryptedHmacValue"],
            stream,
        ), "data-integrity HMAC mismatch"
        return ECMA376Agile.decrypt(
            office.secret_key, info["keyDataSalt"], info["keyDataHashAlgorithm"], stream
        )


@pytest.mark.parametrize("size", [0, 1, 4079, 4087, 4088, 4095, 4096, 4097, 65_541, 3_000_001])
def test_any_size_round_trips_through_msoffcrypto(size):
    plain = os.urandom(size)
    container = encrypted(plain)
    assert len(container) % 512 == 0
    assert package_of(container) == plain


def test_a_package_past_109_fat_sectors_needs_difat_sectors_and_still_reads():
    plain = os.urandom(8_000_000)  # ~15,700 sectors: 123 FAT sectors, 1 DIFAT sector
    container = encrypted(plain, write_size=65_536)
    assert int.from_bytes(container[0x48:0x4C], "little") == 1  # DIFAT sectors in the header
    assert package_of(container) == plain


def test_the_container_is_a_strict_compound_file_with_the_data_spaces_office_needs():
    container = encrypted(os.urandom(10_000))
    ole = olefile.OleFileIO(io.BytesIO(container), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted(ole.listdir()) == [
        ["\x06DataSpaces", "DataSpaceInfo", "StrongEncryptionDataSpace"],
        ["\x06DataSpaces", "DataSpaceMap"],
        ["\x06DataSpaces", "TransformInfo", "StrongEncryptionTransform", "\x06Primary"],
        ["\x06DataSpaces", "Version"],
        ["EncryptedPackage"],
        ["EncryptionInfo"],
    ]
    read = ole.openstream
    assert read("\x06DataSpaces/Version").read() == DefaultContent.Version
    assert read("\x06DataSpaces/DataSpaceMap").read() == DefaultContent.DataSpaceMap
    assert (
        read("\x06DataSpaces/DataSpaceInfo/StrongEncryptionDataSpace").read()
        == DefaultContent.StrongEncryptionDataSpace
    )
    primary = "\x06DataSpaces/TransformInfo/StrongEncryptionTransform/\x06Primary"
    assert read(primary).read() == DefaultContent.Primary
    info = read("EncryptionInfo").read()
    assert info[:8] == bytes.fromhex("0400040040000000")  # agile: version 4.4, flags 0x40
    assert b'spinCount="100000"' in info and b'keyBits="256"' in info
    assert b'hashAlgorithm="SHA512"' in info


def test_a_wrong_password_is_refused():
    container = encrypted(b"PK" + os.urandom(5000))
    with pytest.raises(InvalidKeyError):
        package_of(container, "k7mq2-xp4rt-9hw3e-b6nzb")


def test_each_file_gets_fresh_keys_and_salts():
    plain = bytes(20_000)
    first, second = encrypted(plain), encrypted(plain)
    assert first != second
    assert package_of(first) == package_of(second) == plain


def test_a_streamed_workbook_opens_in_openpyxl_after_decryption(tmp_path):
    rows = [(f"CASE-{n:06d}", n, f"Name & <{n}>") for n in range(3000)]
    book = Sheet("Book", ("Case", "Number", "Name"), (TEXT, INTEGER, TEXT), (14, 8, 20), iter(rows))
    about = Sheet("About", ("Item",), (TEXT,), (20,), [("x",)], filtered=False)
    destination = tmp_path / "book.xlsx"
    written = encrypt_workbook(
        lambda plain: write_workbook(plain, book, lambda _count: about), destination, PASSWORD
    )
    assert written == 3000
    assert stat.S_IMODE(destination.stat().st_mode) == 0o600
    assert b"CASE-000001" not in destination.read_bytes()
    package = decrypt(destination, PASSWORD)
    assert zipfile.ZipFile(package).testzip() is None
    sheet = openpyxl.load_workbook(package, read_only=True).worksheets[0]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == rows


def test_a_finished_workbook_is_copied_through_the_same_encryptor(tmp_path):
    finished = io.BytesIO()
    write_workbook(
        finished,
        Sheet("Book", ("A",), (TEXT,), (10,), [("one",)]),
        lambda _count: Sheet("About", ("Item",), (TEXT,), (20,), []),
    )
    destination = tmp_path / "finished.xlsx"
    assert encrypt_workbook(finished, destination, PASSWORD) is None
    assert decrypt(destination, PASSWORD).getvalue() == finished.getvalue()


def test_a_failed_write_removes_the_file_and_keeps_no_plaintext(tmp_path):
    destination = tmp_path / "broken.xlsx"

    def write_then_fail(plain: agile.EncryptedPackageWriter) -> None:
        plain.write(b"PK" + bytes(100_000))
        raise RuntimeError("the book query failed")

    with pytest.raises(RuntimeError):
        encrypt_workbook(write_then_fail, destination, PASSWORD)
    assert list(Path(tmp_path).iterdir()) == []
