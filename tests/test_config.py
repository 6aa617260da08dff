"""Settings: defaults, secrets from the environment, and one clear line for each mistake."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from app.config import SECRET_ENV, Config, ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bob.toml"
    path.write_text(text)
    return path


def test_defaults_need_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(env={})
    assert config.database.url == "sqlite:///var/bob.db"
    assert config.schedule.time_zone == "America/Los_Angeles"
    assert str(config.schedule.daily_summary_time) == "06:00:00"


def test_the_example_config_is_complete_and_valid():
    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    config = load_config(example, env={})
    assert config == load_config(example, env={})
    assert config.smtp.security == "starttls"


def test_the_example_shows_every_key_but_the_secrets_with_its_default():
    example = tomllib.loads((Path(__file__).resolve().parents[1] / "config.example.toml").read_text())
    for section in fields(Config):
        defaults = section.default_factory()
        shown = {
            key.name: getattr(defaults, key.name)
            for key in fields(defaults)
            if (section.name, key.name) not in SECRET_ENV
        }
        assert example[section.name] == shown, section.name


def test_secrets_come_from_the_environment_or_a_file(tmp_path):
    secret_file = tmp_path / "pw"
    secret_file.write_text("s3cret\n")
    config = load_config(
        write(tmp_path, "[smtp]\nhost='mail.test'\n"),
        env={"BOB_SMTP_PASSWORD_FILE": str(secret_file), "BOB_SLACK_BOT_TOKEN": "xoxb-test"},
    )
    assert config.smtp.password == "s3cret"
    assert config.slack.bot_token == "xoxb-test"
    assert "s3cret" not in repr(config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[smtp]\nhots = 'x'\n", r"unknown setting smtp\.hots"),
        ("[smpt]\nhost = 'x'\n", r"unknown section \[smpt\]"),
        ("[smtp]\nport = 'x'\n", r"smtp\.port = 'x' should be a int"),
        ("[smtp]\nsecurity = 'ssl'\n", r"smtp\.security = 'ssl'; choose one of"),
        ("[exports]\npassword_delivery = 'fax'\n", r"exports\.password_delivery = 'fax'; choose one of"),
        ("[schedule]\nsnapshot_day = 'friday'\n", r"schedule\.snapshot_day = 'friday'; choose one of"),
        (
            "[smtp]\npassword = 'x'\n",
            r"smtp\.password is a secret: set it in the environment as BOB_SMTP_PASSWORD",
        ),
        (
            "[schedule]\ntime_zone = 'Mars/Olympus'\n",
            r"schedule\.time_zone = 'Mars/Olympus' is not an IANA time zone",
        ),
        ("[schedule]\ndaily_summary_at = '6am'\n", r"schedule\.daily_summary_at = '6am' is not a time"),
        ("[smtp\n", r"is not valid TOML"),
        ("[retention]\nsnapshots_kept = 1\n", r"retention\.snapshots_kept = 1 is out of range; use 2 to 520"),
        ("[retention]\nmailbox_days = 7\n", r"retention\.mailbox_days = 7 is out of range; use 30 to 3660"),
        ("[retention]\naudit_days = 90\n", r"retention\.audit_days = 90 is out of range"),
        ("[retention]\npurge_at = 'nightly'\n", r"retention\.purge_at = 'nightly' is not a time"),
        (
            "[retention]\nmailbox_days = 1000\naudit_days = 400\n",
            r"retention\.mailbox_days is longer than retention\.audit_days; audit entries are kept longest",
        ),
    ],
)
def test_each_mistake_names_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text), env={})


def test_retention_defaults_keep_audit_entries_longest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    retention = load_config(env={}).retention
    assert retention.snapshots_kept == 8
    assert retention.audit_days > max(
        retention.mailbox_days, retention.export_history_days, retention.sign_in_days
    )


def test_a_missing_config_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="not found; copy config.example.toml"):
        load_config(tmp_path / "nope.toml", env={})
