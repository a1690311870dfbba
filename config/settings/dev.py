"""Settings for `make run`: the embedded SQLite database with the simulators mounted."""

import os

os.environ.setdefault("LIPWA_SIMULATORS_ENABLED", "1")

from .base import *  # noqa: E402,F403
from .base import env_bool  # noqa: E402

DEBUG = env_bool("LIPWA_DEBUG", False)
LIPWA_SIMULATORS_ENABLED = True
