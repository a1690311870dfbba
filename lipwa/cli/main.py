"""The `lipwa` command: run the whole product, serve one simulator, or drain the task queue."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import manage
from .devenv import ensure_dev_secrets


def _setup_django(settings_module: str = "config.settings.dev") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    var_dir = Path(os.environ.get("LIPWA_VAR_DIR", Path.cwd() / "var"))
    ensure_dev_secrets(var_dir)
    import django

    django.setup()


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a TCP port (1-65535)")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lipwa", description="lipwa payments service")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="migrate, create the demo merchant, start web + worker + scheduler")
    run.add_argument("--port", type=_port, default=_port(os.environ.get("PORT", "8000")))
    run.add_argument("--host", default="127.0.0.1")
    simulate = commands.add_parser("simulate", help="serve one gateway simulator on its own port")
    simulate.add_argument("connector", help="connector id, e.g. mpesa")
    simulate.add_argument("--port", type=_port, required=True)
    simulate.add_argument("--host", default="127.0.0.1")
    commands.add_parser("demo", help="create (or reuse) the demo merchant and print its test key")
    manage.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        from .run import run

        return run(host=args.host, port=args.port, setup=_setup_django)
    if args.command == "simulate":
        from .run import simulate

        return simulate(connector=args.connector, host=args.host, port=args.port, setup=_setup_django)
    if args.command == "demo":
        from .run import print_demo

        _setup_django()
        return print_demo(os.environ.get("LIPWA_PUBLIC_URL", "http://127.0.0.1:8000"))
    _setup_django()
    return manage.handle(args)


if __name__ == "__main__":
    sys.exit(main())
