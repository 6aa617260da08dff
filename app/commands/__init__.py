"""Running a parsed `bob` command; what each one does is in this package, one module per area.

A parser (``app/cli_*.py``) names its command's function as ``"app.commands.<area>:<function>"``
and that module is imported only when its command runs, so each area pays for its own
libraries (SQLAlchemy, openpyxl, aiosmtplib, slack_bolt...) and `bob --help` for none.

A user mistake (bad config, unreachable database, bad argument) ends in one line on
stderr and exit status 2; a bug still shows its traceback. A refusal from the rules names a
command by its words in backticks, the same for chat and the command line (`crw list`);
here it is written as the command to type (`bob crw list --as 0A00015`).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable
from importlib import import_module

from app.config import load_config
from app.runtime import Runtime
from store.errors import BobError

Handler = Callable[[Runtime, argparse.Namespace], int | None]


def command_handler(reference: str) -> Handler:
    """The function a parser names as ``"module:function"``, its module imported now."""
    module, _, function = reference.partition(":")
    handler: Handler = getattr(import_module(module), function)
    return handler


def on_the_command_line(message: str, args: argparse.Namespace) -> str:
    """``message`` with each backticked bob command (`crw list`) written in full, acting as
    the same person (`bob crw list --as 0A00015`)."""
    who = getattr(args, "actor", None) or getattr(args, "requester", None)

    def in_full(hint: re.Match[str]) -> str:
        words = hint.group(1)
        if words.split()[0] not in args.command_names:
            return hint.group(0)
        return f"`bob {words}{f' --as {who}' if who else ''}`"

    return re.sub(r"`([^`]+)`", in_full, message)


def run(args: argparse.Namespace, imported: Callable[[], None] = lambda: None) -> int:
    """Run the parsed command with a runtime built from the config; its exit status.
    ``imported`` is called once the command's modules are (:func:`app.interpreter.collector_paused`)."""
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler = command_handler(args.handler)
    imported()
    runtime: Runtime | None = None
    try:
        runtime = Runtime(load_config(args.config))
        if runtime.config.logging.format == "json":
            from ops.json_logs import use_json_lines

            use_json_lines()
        return int(handler(runtime, args) or 0)
    except BobError as exc:
        print(f"bob: error: {on_the_command_line(str(exc), args)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bob: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (`bob people | head`): stop quietly, as a shell command would, and
        # point stdout at /dev/null so flushing it at exit raises nothing either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # killed by SIGPIPE, as the shell reports it
    finally:
        if runtime is not None:
            runtime.close()
