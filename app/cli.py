"""The `bob` command line. Each area registers its subcommands from its own module.

A user mistake (bad config, unreachable database, bad argument) ends in one line on
stderr and exit status 2; a bug still shows its traceback.
"""

from __future__ import annotations

import argparse
import logging
import pkgutil
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
    return parser


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
        return int(handler(runtime, args) or 0)
    except BobError as exc:
        print(f"bob: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bob: interrupted", file=sys.stderr)
        return 130
    finally:
        if runtime is not None:
            runtime.close()


if __name__ == "__main__":
    sys.exit(main())
