"""keras.src.utils.io_utils as test plumbing: the logging switches tests flip."""
from __future__ import annotations

from typing import Any

_INTERACTIVE = [True]


def disable_interactive_logging() -> None:
    """Recorded only: minikeras's verbosity is per call."""
    _INTERACTIVE[0] = False


def enable_interactive_logging() -> None:
    """Recorded only."""
    _INTERACTIVE[0] = True


def is_interactive_logging_enabled() -> bool:
    """The recorded switch."""
    return _INTERACTIVE[0]


def set_logging_verbosity(level: Any) -> None:
    """No effect: minikeras logs through print/tqdm only."""


def print_msg(message: str, line_break: bool = True) -> None:
    """Prints ``message``."""
    print(message, end="\n" if line_break else "")
