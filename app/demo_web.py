"""`bob demo --serve`: the demo's web mailbox in a browser in one command. bob serves the demo
database (web pages, scheduler, mail captured as .eml) and prints a one-time sign-in link
for the demo agency's manager, so a newcomer opens the manager digest straight away."""

from __future__ import annotations

import dataclasses
import secrets

from sqlalchemy import select

from app.commands.serve import serve_logging
from app.config import Config
from app.runtime import Runtime
from app.serve import run_forever
from rules.web_signin import mint_signin_link, signin_url
from store.db import transaction
from store.errors import BobError
from store.mailbox import mailbox_messages
from store.models import Enroller, Role, utcnow


def demo_web_config(config: Config) -> Config:
    """Serve the web pages only (no Slack, even if its tokens are in the environment), and
    let the digest emails link to them; their unsubscribe links are signed with a secret of
    this run's own unless ``BOB_UNSUBSCRIBE_SECRET`` is set (a demo's links need not outlive it)."""
    slack = config.slack
    if slack.port == 0:
        raise BobError("bob demo --serve needs a fixed slack.port to print its link; set one, e.g. 3000")
    base_url = config.web.base_url or f"http://{slack.host}:{slack.port}"
    return dataclasses.replace(
        config,
        slack=dataclasses.replace(slack, bot_token="", app_token=""),
        web=dataclasses.replace(
            config.web,
            base_url=base_url,
            unsubscribe_secret=config.web.unsubscribe_secret or secrets.token_urlsafe(32),
        ),
    )


def _manager_link(demo: Runtime) -> str:
    """A one-time sign-in link for the first agency manager, opening their newest digest."""
    with transaction(demo.sessions) as session:
        manager = session.scalars(
            select(Enroller).where(Enroller.role == Role.AGENCY_MANAGER).order_by(Enroller.id)
        ).first()
        if manager is None:
            raise BobError("the demo has no agency manager to sign in as")
        newest = mailbox_messages(session, manager.id, limit=1)
        next_path = f"/mailbox/{newest[0].id}" if newest else "/mailbox"
        minted = mint_signin_link(session, manager.id, utcnow(), next_path)
        license_number = manager.license_number
    print(
        f"\n5. The web mailbox, served until Ctrl-C. Open this one-time sign-in link within 15 "
        f"minutes (it works once) to read the Daily Manager Summary of license {license_number}:\n"
        f"   {signin_url(demo.config.web.base_url, minted.token)}\n"
        f"   Later: {demo.config.web.base_url}/signin, ask for a link with that license number, "
        f"and find the email in {demo.config.mail.capture_dir}/ (the outbox drains every minute).",
        flush=True,
    )
    return minted.token


def serve_demo(demo: Runtime) -> None:
    _manager_link(demo)
    serve_logging(verbose=False)
    run_forever(demo)
