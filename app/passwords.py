"""How a workbook's password reaches someone on the command line.

The password takes another path than the file: by default it is emailed to the requester's
address on file (queued in the outbox, sent by `bob serve` or `bob outbox drain`), as
``exports.password_delivery = "email"`` always wants. Where the setting is ``"ephemeral"``
(shown once, to the requester only), ``--show-password`` prints it on the terminal instead,
after the path and apart from it.
"""

from __future__ import annotations

import argparse

from app.runtime import Runtime
from exports.password_email import email_password
from store.errors import BobError


def check_password_choice(runtime: Runtime, args: argparse.Namespace) -> None:
    """Refuse --show-password before any work when the operator wants passwords emailed."""
    if args.show_password and runtime.config.exports.password_delivery == "email":
        raise BobError(
            'exports.password_delivery is "email": the password goes to your email on file; '
            "leave out --show-password"
        )


def hand_over_password(
    runtime: Runtime,
    args: argparse.Namespace,
    requester_id: int,
    message_key: str,
    file_name: str,
    password: str,
) -> None:
    """Print the password (``--show-password``) or email it to the requester."""
    print()
    if args.show_password:
        print("Password (keep it apart from the file: never send both in one message or channel):")
        print(f"  {password}")
        return
    email_password(
        runtime.sessions,
        requester_id,
        message_key,
        file_name,
        password,
        from_address=runtime.config.smtp.from_address,
        file_went="was saved by the bob command line",
    )
    print(
        "Its password was emailed to your address on file; the email leaves with the next "
        "outbox drain (bob serve, or bob outbox drain)."
    )
    if runtime.config.exports.password_delivery == "ephemeral":
        print("To print the password here instead, run the export again with --show-password.")
