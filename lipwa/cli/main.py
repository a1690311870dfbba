"""The `lipwa` command (typer + rich): one module per command group in `lipwa.cli.commands`.

`main(argv)` returns the exit code instead of raising, so tests and the console script share one path:
usage errors, bad input and failures become one `error: …` line on stderr, never a traceback.
"""

from __future__ import annotations

import sys

import typer
from typer._click import exceptions as click_exceptions

from lipwa.common.errors import LipwaError

from .commands import register
from .context import EXIT_BAD_INPUT, EXIT_FAILURE, CommandFailed

HELP = """lipwa: self-hosted payments for African businesses.

Exit codes: 0 ok; 1 the command ran and found a problem (ledger drift, rejected import lines, a triggered
payment that ended in another state); 2 bad input (arguments, files, unknown ids); 130 interrupted."""

app = typer.Typer(name="lipwa", help=HELP, no_args_is_help=True, add_completion=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  pretty_exceptions_enable=False)
register(app)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = command.main(args=args, prog_name="lipwa", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError:  # `lipwa cash`: typer has printed the group's help already
        return EXIT_BAD_INPUT
    except click_exceptions.UsageError as exc:
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        print(f"error: {_one_line(exc.format_message())}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except click_exceptions.ClickException as exc:
        print(f"error: {_one_line(exc.format_message())}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        return 130
    except CommandFailed as exc:
        print(f"error: {_one_line(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except LipwaError as exc:
        print(f"error: {_one_line(exc.message)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(result, int):
        return result
    return 0 if result is None else EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
