"""`bob import` on the command line: a summary on stdout, one clear line per mistake, and
no value from the file in any output."""

import io
import shutil
from pathlib import Path

import pytest

from app.cli import main
from exports.encryption import encrypt_workbook

DATA = Path(__file__).parent / "data"
PII = ("Avery", "Mockup", "900-20", "example.com", "555-02", "Pat", "Example", "Casey")


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOB_DATABASE_URL", db_url)
    monkeypatch.delenv("BOB_CONFIG", raising=False)


def assert_no_pii(text: str) -> None:
    for value in PII:
        assert value not in text


def test_bob_files_then_a_book_then_healthsherpa(env, tmp_path, capsys, caplog):
    shutil.copytree(DATA / "bob", tmp_path / "bob")
    assert main(["-v", "import", str(tmp_path / "bob")]) == 0
    out = capsys.readouterr()
    assert "consumers.csv: 3 rows: 3 created, 0 updated, 0 unchanged, 0 rejected" in out.out
    book = Path(shutil.copy(DATA / "book_of_business.xlsx", tmp_path))
    locked = tmp_path / "locked.xlsx"
    encrypt_workbook(io.BytesIO(book.read_bytes()), locked, "pw-123")
    (tmp_path / "pw.txt").write_text("pw-123\n")
    args = [
        "import",
        "calheers-bob",
        str(locked),
        "--agency",
        "sunrise",
        "--password-file",
        "pw.txt",
    ]
    assert main(args) == 0
    out2 = capsys.readouterr()
    assert "locked.xlsx: 4 rows: 4 created, 0 updated, 0 unchanged, 0 rejected" in out2.out
    assert out2.err == ""
    clients = Path(shutil.copy(DATA / "healthsherpa_clients.csv", tmp_path))
    assert main(["import", "healthsherpa", str(clients), "--agency", "sunrise"]) == 0
    out3 = capsys.readouterr()
    assert "3 rows: 3 created" in out3.out
    assert "ignored columns bob does not keep: ssn, ffm_subscriber_id" in out3.out
    for text in (out.out, out.err, out2.out, out3.out, out3.err, caplog.text):
        assert_no_pii(text)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["import", "calheers-bob", "locked.xlsx", "--agency", "sunrise"],
            "locked.xlsx is encrypted",
        ),
        (["import", "calheers-bob", "book.xlsx", "--agency", "nowhere"], "no agency has the code"),
        (["import", "calheers-bob", "book.xlsx"], "say whose book it is"),
        (
            ["import", "healthsherpa", "book.xlsx", "--agency", "sunrise"],
            "not look like a HealthSherpa",
        ),
        (["import", "missing-folder"], "is neither a file nor a folder"),
        (["import", "book.xlsx"], "no sheet is named after an entity"),
    ],
)
def test_mistakes_are_one_line_and_write_nothing(env, book, tmp_path, capsys, argv, message):
    book.agency()
    shutil.copy(DATA / "book_of_business.xlsx", tmp_path / "book.xlsx")
    encrypt_workbook(io.BytesIO((tmp_path / "book.xlsx").read_bytes()), tmp_path / "locked.xlsx", "pw")
    if argv[1] == "healthsherpa":
        argv = [*argv]
        (tmp_path / "book.csv").write_text("Case Number,First Name,Last Name\nX,Y,Z\n")
        argv[2] = "book.csv"
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("bob: error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.rejects.csv"))
