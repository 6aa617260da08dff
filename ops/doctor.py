"""`bob doctor`'s checks: each looks at one thing bob needs and says how to fix it.

Nothing here changes anything: the SMTP check logs in and quits without a MAIL command, the
Slack check calls only auth.test, the database check reads the Alembic revision.
"""

from __future__ import annotations

import shutil
import ssl
import stat
from pathlib import Path

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, make_url

from app.runtime import Runtime
from bot.scopes import REQUIRED_SCOPES
from mailer.smtp import DeliveryError, SmtpChannel
from ops.checks import Check, failed, passed
from ops.schema import database_revision, head_revision
from store.errors import BobError

# What bob's Slack features call: slash commands, replies and DMs, the App Home, file uploads.
MIN_FREE_BYTES = 1 << 30  # an agency export of 1M rows is about 150 MB; keep room for several


def database_checks(runtime: Runtime) -> tuple[list[Check], Engine | None]:
    """Reachable, then at the newest schema; the engine when it could be reached."""
    try:
        engine = runtime.engine
    except BobError as exc:
        return [failed("database", str(exc), "check database.url (or BOB_DATABASE_URL)")], None
    where = engine.url.render_as_string(hide_password=True)
    found, head = database_revision(engine), head_revision(engine)
    if found is None:
        schema = failed("schema", "the database has no bob schema", "run `bob db upgrade`")
    elif found != head:
        schema = failed("schema", f"at revision {found}, this bob expects {head}", "run `bob db upgrade`")
    else:
        schema = passed("schema", f"at revision {found}, the newest")
    return [passed("database", f"reachable at {where}"), schema], engine


async def smtp_check(runtime: Runtime, tls_context: ssl.SSLContext | None = None) -> Check:
    """Connect, STARTTLS or TLS as configured, log in, quit: no mail is sent."""
    smtp = runtime.config.smtp
    if not smtp.host:
        return passed("smtp", f"smtp.host is empty: email is captured in {runtime.config.mail.capture_dir}")
    steps = {"starttls": "connected, STARTTLS", "tls": "connected over TLS", "none": "connected"}[
        smtp.security
    ]
    try:
        async with SmtpChannel(smtp, tls_context=tls_context):
            pass
    except DeliveryError as exc:
        found, _, advice = str(exc).partition("; check ")  # the sender's own advice, if it gave one
        fix = f"check {advice}" if advice else "check smtp.host, smtp.port, smtp.security, smtp.username"
        return failed("smtp", found, f"{fix} (and BOB_SMTP_PASSWORD)")
    login = f", logged in as {smtp.username}" if smtp.username else ", no login configured"
    return passed("smtp", f"{smtp.host}:{smtp.port} {steps}{login}")


async def slack_check(runtime: Runtime) -> Check:
    """The bot token works (auth.test) and carries every scope bob's features use."""
    slack = runtime.config.slack
    if not slack.bot_token:
        return passed("slack", "not configured (BOB_SLACK_BOT_TOKEN): bob runs as a mailer only")
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_base_url or AsyncWebClient.BASE_URL)
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        reason = exc.response.get("error", "refused")
        return failed("slack", f"auth.test refused the bot token ({reason})", "set BOB_SLACK_BOT_TOKEN")
    except (SlackClientError, OSError) as exc:
        return failed("slack", f"Slack cannot be reached ({type(exc).__name__})", "check slack.api_base_url")
    granted = {s.strip() for s in str(answer.headers.get("x-oauth-scopes", "")).split(",") if s.strip()}
    missing = sorted(set(REQUIRED_SCOPES) - granted)  # one list: bot.scopes
    if missing:
        return failed(
            "slack",
            f"the bot token lacks the scopes {', '.join(missing)}",
            "add them under OAuth & Permissions in the Slack app, then reinstall it",
        )
    return passed("slack", f"token of {answer.get('user', '?')} in {answer.get('team', '?')}, every scope")


def disk_check(runtime: Runtime) -> Check:
    folder = _nearest_existing(Path(runtime.config.exports.directory))
    free = shutil.disk_usage(folder).free
    found = f"{free / (1 << 30):.1f} GiB free for exports in {folder}"
    if free < MIN_FREE_BYTES:
        return failed("disk", found, "free space there or point exports.directory at a larger disk")
    return passed("disk", found)


def permission_checks(runtime: Runtime) -> list[Check]:
    """The SQLite file (and its -wal/-shm), the exports and capture folders: owner only."""
    config = runtime.config
    files: list[Path] = []
    url = make_url(config.database.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        files = [Path(url.database + suffix) for suffix in ("", "-wal", "-shm")]
    folders = [Path(config.exports.directory), Path(config.mail.capture_dir)]
    checks = [_private(path, 0o600, "chmod 600") for path in files if path.exists()]
    checks += [_private(path, 0o700, "chmod 700") for path in folders if path.exists()]
    return checks or [passed("permissions", "no database file or folder of bob's exists here yet")]


def _private(path: Path, mode: int, chmod: str) -> Check:
    actual = stat.S_IMODE(path.stat().st_mode)
    if actual & 0o077:
        return failed("permissions", f"{path} is {actual:o}: others may read it", f"{chmod} {path}")
    return passed("permissions", f"{path} is {actual:o}")


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists():
        path = path.parent
    return path


async def all_checks(runtime: Runtime, tls_context: ssl.SSLContext | None = None) -> list[Check]:
    checks, _ = database_checks(runtime)
    checks += [await smtp_check(runtime, tls_context), await slack_check(runtime), disk_check(runtime)]
    return checks + permission_checks(runtime)
