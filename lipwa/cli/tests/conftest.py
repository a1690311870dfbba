from __future__ import annotations

import logging

import pytest

from lipwa.cli.main import main


@pytest.fixture
def cli(capsys):
    """Run `lipwa …` in-process: (exit code, stdout, stderr)."""
    def run(*argv: str) -> tuple[int, str, str]:
        # As on a terminal, where operator commands keep service logs to errors: stderr is the command's own.
        logging.disable(logging.ERROR)
        try:
            code = main(list(argv))
        finally:
            logging.disable(logging.NOTSET)
        out, err = capsys.readouterr()
        return code, out, err

    return run
