"""The unsubscribe link's secret and the unsubscribe mailbox in the config: the secret only
from the environment, required once digest emails link to a web address, never short; the
mailbox a plain address a header can carry."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, load_config

SECRET = "s" * 32


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bob.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_secret_comes_from_the_environment_or_a_file(tmp_path):
    assert load_config(env={"BOB_UNSUBSCRIBE_SECRET": SECRET}).web.unsubscribe_secret == SECRET
    (tmp_path / "secret").write_text("f" * 40 + "\n", encoding="utf-8")
    config = load_config(env={"BOB_UNSUBSCRIBE_SECRET_FILE": str(tmp_path / "secret")})
    assert config.web.unsubscribe_secret == "f" * 40
    assert SECRET not in repr(config)


def test_in_the_config_file_it_is_refused(tmp_path):
    path = config_file(tmp_path, f'[web]\nunsubscribe_secret = "{SECRET}"\n')
    with pytest.raises(ConfigError, match="BOB_UNSUBSCRIBE_SECRET"):
        load_config(path, env={})


def test_a_web_address_needs_the_secret(tmp_path):
    path = config_file(tmp_path, '[web]\nbase_url = "https://bob.agency.example"\n')
    with pytest.raises(
        ConfigError, match="web.base_url is set but web.unsubscribe_secret is not: set BOB_UNSUBSCRIBE"
    ):
        load_config(path, env={})
    assert (
        load_config(path, env={"BOB_UNSUBSCRIBE_SECRET": SECRET}).web.base_url == "https://bob.agency.example"
    )


def test_a_short_secret_is_refused():
    with pytest.raises(ConfigError, match="too short; use at least 32"):
        load_config(env={"BOB_UNSUBSCRIBE_SECRET": "s" * 31})


@pytest.mark.parametrize(
    "address",
    ["Unsubscribe <u@agency.example>", "u@agency.example, x@y.z", "u@agency.example>", "ü@agency.example"],
)
def test_the_unsubscribe_mailbox_must_be_a_plain_address(tmp_path, address):
    path = config_file(tmp_path, f'[mail]\nunsubscribe_address = "{address}"\n')
    with pytest.raises(ConfigError, match="mail.unsubscribe_address"):
        load_config(path, env={})


def test_a_plain_unsubscribe_mailbox_is_taken(tmp_path):
    path = config_file(tmp_path, '[mail]\nunsubscribe_address = "unsubscribe+bob@agency.example"\n')
    assert load_config(path, env={}).mail.unsubscribe_address == "unsubscribe+bob@agency.example"
