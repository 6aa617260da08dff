"""bob's settings: read once from TOML (plus environment for secrets) into frozen objects.

This is the only module that reads the config file or the environment. A section that a
lower layer reads is that layer's own frozen dataclass, which holds its keys, defaults and
allowed values (a ``Literal`` type): ``[smtp]`` and ``[mail]`` in ``mailer.settings``,
``[slack]`` in ``bot.settings``, ``[exports]`` in ``exports.settings``, ``[retention]`` in
``store.retention_settings``, ``[ops]`` in ``ops.settings``, ``[web]`` in ``web.settings``.
``[database]``, ``[schedule]`` and ``[logging]`` belong to the composition root (it opens
the engine, wires the jobs and sets up logging) and live here.
The composition root hands each layer its section as it is, so no default is ever restated.
Every key is documented in ``config.example.toml``.

An unknown key, a value of the wrong kind or a number out of range raises :class:`ConfigError`
naming the key, so a typo never silently falls back to a default. A number's range sits beside
its default, in the field's metadata: ``field(default=500, metadata={"min": 1})`` (and
``"max"``). Secrets (SMTP password, Slack tokens) come from
the environment or a ``*_FILE`` path, never from the TOML file that may be committed.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import MISSING, Field, dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.settings import SlackConfig
from exports.settings import ExportsConfig
from mailer.settings import MailConfig, SmtpConfig
from ops.settings import OpsConfig
from store.errors import BobError
from store.retention_settings import RetentionConfig
from store.zones import DEFAULT_TIME_ZONE
from web.settings import MIN_SECRET_CHARS, WebConfig


class ConfigError(BobError):
    """A setting is missing, unknown or malformed; the message names the key and the fix."""


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = "sqlite:///var/bob.db"


@dataclass(frozen=True)
class ScheduleConfig:
    time_zone: str = DEFAULT_TIME_ZONE
    daily_summary_at: str = "06:00"
    catch_up_days: int = field(default=7, metadata={"min": 0, "max": 366})
    max_back_days: int = field(default=62, metadata={"min": 0, "max": 3660})
    catch_up_every_seconds: int = field(default=60, metadata={"min": 1})
    outbox_drain_seconds: int = field(default=60, metadata={"min": 1})
    snapshot_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "fri"
    snapshot_at: str = "21:00"
    run_lease_seconds: int = field(default=900, metadata={"min": 1})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def daily_summary_time(self) -> time:
        return _parse_hhmm("schedule.daily_summary_at", self.daily_summary_at)

    @property
    def snapshot_time(self) -> time:
        return _parse_hhmm("schedule.snapshot_at", self.snapshot_at)


@dataclass(frozen=True)
class LoggingConfig:
    """How bob's log lines look: ``text`` for a person, ``json`` (one object per line) for a
    log collector."""

    format: Literal["text", "json"] = "text"


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    mail: MailConfig = field(default_factory=MailConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    exports: ExportsConfig = field(default_factory=ExportsConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    ops: OpsConfig = field(default_factory=OpsConfig)
    web: WebConfig = field(default_factory=WebConfig)


# Secrets: (section, key) -> environment variable; VAR_FILE names a file holding the value.
SECRET_ENV = {
    ("smtp", "password"): "BOB_SMTP_PASSWORD",
    ("slack", "bot_token"): "BOB_SLACK_BOT_TOKEN",
    ("slack", "signing_secret"): "BOB_SLACK_SIGNING_SECRET",
    ("slack", "app_token"): "BOB_SLACK_APP_TOKEN",
    ("web", "unsubscribe_secret"): "BOB_UNSUBSCRIBE_SECRET",
}
# An address that can stand in a header as is: ASCII, one @, none of the characters that
# end or split a header's link.
ADDRESS_SHAPE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
# Plain settings that deployments commonly set from the environment.
PLAIN_ENV = {("database", "url"): "BOB_DATABASE_URL"}


def _parse_hhmm(key: str, value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ConfigError(f'{key} = {value!r} is not a time; write it as HH:MM, e.g. "06:00"') from None


def _read_secret(var: str, env: dict[str, str]) -> str | None:
    if env.get(var):
        return env[var]
    path = env.get(f"{var}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{var}_FILE points at {path!r}, which cannot be read ({exc.strerror})"
            ) from None
    return None


def _build_section(name: str, cls: type, raw: Any, env: dict[str, str]) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}] must be a table of settings")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"unknown setting {name}.{key}; see config.example.toml for the keys")
        if (name, key) in SECRET_ENV:
            raise ConfigError(
                f"{name}.{key} is a secret: set it in the environment as {SECRET_ENV[(name, key)]} "
                "(or a file path in "
                f"{SECRET_ENV[(name, key)]}_FILE), not in the config file"
            )
        values[key] = _coerce(f"{name}.{key}", _default_of(known[key]), value)
    for (section, key), var in {**SECRET_ENV, **PLAIN_ENV}.items():
        if section == name:
            secret = _read_secret(var, env)
            if secret is not None:
                values[key] = secret
    _check_choices(name, cls, values)
    _check_ranges(name, cls, values)
    return cls(**values)


def _check_choices(name: str, cls: type, values: dict[str, Any]) -> None:
    """A key typed ``Literal[...]`` takes only the values listed there."""
    for key, hint in get_type_hints(cls).items():
        if key in values and get_origin(hint) is Literal and values[key] not in get_args(hint):
            raise ConfigError(f"{name}.{key} = {values[key]!r}; choose one of {sorted(get_args(hint))}")


def _check_ranges(name: str, cls: type, values: dict[str, Any]) -> None:
    """A number stays within the ``"min"`` and ``"max"`` its field's metadata gives."""
    for setting in fields(cls):
        low, high = setting.metadata.get("min"), setting.metadata.get("max")
        value = values.get(setting.name)
        if value is None or (low is None or value >= low) and (high is None or value <= high):
            continue
        allowed = f"{low} to {high}" if high is not None else f"{low} or more"
        raise ConfigError(f"{name}.{setting.name} = {value!r} is out of range; use {allowed}")


def _default_of(setting: Field[Any]) -> Any:
    """A setting's default, also for one (a table) whose default comes from a factory."""
    if setting.default is MISSING and setting.default_factory is not MISSING:
        return setting.default_factory()
    return setting.default


def _coerce(key: str, default: Any, value: Any) -> Any:
    expected = type(default)
    if expected is dict:
        return _coerce_rates(key, value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{key} = {value!r} should be a {expected.__name__}")
    return value


def _coerce_rates(key: str, value: Any) -> dict[str, float]:
    """A table of names to rates, each a number above 0 (``{ "chat.postMessage" = 20 }``)."""
    if not isinstance(value, dict):
        raise ConfigError(f'{key} = {value!r} should be a table, e.g. {{ "chat.postMessage" = 20 }}')
    for name, rate in value.items():
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0:
            raise ConfigError(f"{key}.{name} = {rate!r} should be a number above 0 (calls per second)")
    return {name: float(rate) for name, rate in value.items()}


def load_config(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Config:
    """Read ``path`` (or ``$BOB_CONFIG``, or ``./bob.toml`` if present) over the defaults."""
    env = dict(os.environ) if env is None else env
    chosen = path or env.get("BOB_CONFIG")
    file = Path(chosen) if chosen else Path("bob.toml")
    if chosen and file.is_dir():
        raise ConfigError(f"{str(file)!r} is a folder, not a config file; name the .toml file in it")
    if chosen and not file.exists():
        raise ConfigError(f"config file {str(file)!r} not found; copy config.example.toml there")
    raw = _read_toml(file) if file.is_file() or chosen else {}
    sections: dict[str, Any] = {f.name: f.default_factory for f in fields(Config)}
    built: dict[str, Any] = {}
    for name in raw:
        if name not in sections:
            raise ConfigError(f"unknown section [{name}]; see config.example.toml")
    for name, factory in sections.items():
        built[name] = _build_section(name, type(factory()), raw.get(name, {}), env)
    config = Config(**built)
    _validate(config)
    return config


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{file} is not UTF-8 text; save the config file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{file} cannot be read ({exc.strerror or type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file} is not valid TOML: {exc}") from None


def _validate(config: Config) -> None:
    try:
        config.schedule.zone  # noqa: B018 - touch to validate
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"schedule.time_zone = {config.schedule.time_zone!r} is not an IANA time zone "
            f"(e.g. {DEFAULT_TIME_ZONE!r})"
        ) from None
    config.schedule.daily_summary_time  # noqa: B018
    config.schedule.snapshot_time  # noqa: B018
    _parse_hhmm("retention.purge_at", config.retention.purge_at)
    longer = config.retention.shorter_than_audit()
    if longer:
        raise ConfigError(
            f"retention.{longer[0]} is longer than retention.audit_days; audit entries are kept longest"
        )
    _validate_base_url(config.web.base_url)
    _validate_unsubscribe(config.web, config.mail.unsubscribe_address)
    if config.smtp.host and not config.smtp.from_address:
        raise ConfigError("smtp.from_address is empty; set the sender address for bob's email")


def _validate_unsubscribe(web: WebConfig, address: str) -> None:
    """Every digest email carries a one-click unsubscribe link once there is a web address,
    and the link needs its secret; the mailto needs a plain address to put in a header."""
    secret = SECRET_ENV[("web", "unsubscribe_secret")]
    if web.base_url and not web.unsubscribe_secret:
        raise ConfigError(
            f"web.base_url is set but web.unsubscribe_secret is not: set {secret} in the environment "
            f"(or a file path in {secret}_FILE) to at least {MIN_SECRET_CHARS} random characters, e.g. "
            "the output of `openssl rand -base64 33`; digest emails carry unsubscribe links signed with it"
        )
    if web.unsubscribe_secret and len(web.unsubscribe_secret) < MIN_SECRET_CHARS:
        raise ConfigError(f"{secret} is too short; use at least {MIN_SECRET_CHARS} random characters")
    if address and not ADDRESS_SHAPE.fullmatch(address):
        raise ConfigError(
            f"mail.unsubscribe_address = {address!r} is not a plain email address; write it as "
            '"unsubscribe@agency.example" (no name, no spaces)'
        )


def _validate_base_url(base_url: str) -> None:
    """Links in emails point at ``web.base_url``: it must be a plain http(s) origin (a path
    prefix is allowed), with no query or fragment that a link could not be appended to."""
    if not base_url:
        return
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"web.base_url = {base_url!r} is not an http(s) address; write it as "
            '"https://bob.example.org" (where people open bob in a browser)'
        )
