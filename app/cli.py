"""The `bob` command line. Each area registers its subcommands from its own module.

A user mistake (bad config, unreachable database, bad argument) ends in one line on
stderr and exit status 2; a bug still shows its traceback. A refusal from the rules names a
command by its words in backticks, the same for chat and the command line (`crw list`);
here it is written as the command to type (`bob crw list --as 0A00015`).
"""

from __future__ import annotations

import argparse
import logging
import pkgutil
import re
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

import app
from app.config import load_config
from app.runtime import Runtime
from store.errors import BobError

# Every module app/cli_*.py has `register(subparsers)`; each adds its commands and sets `handler`.
COMMAND_MODULES = sorted(
    f"app.{module.name}" for module in pkgutil.iter_modules(app.__path__) if module.name.startswith("cli_")
)

Handler = Callable[[Runtime, argparse.Namespace], int | None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bob", description="Book of Business for agents and agencies.")
    parser.add_argument("--config", help="path to the TOML config (default: $BOB_CONFIG or ./bob.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        import_module(name).register(commands)
    parser.set_defaults(command_names=frozenset(commands.choices))
    return parser


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler: Handler = args.handler
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
    finally:
        if runtime is not None:
            runtime.close()


if __name__ == "__main__":
    sys.exit(main())
