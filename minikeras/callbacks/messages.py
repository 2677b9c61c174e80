"""Where callbacks' messages go: stdout, or the `logging` module (keras's `io_utils`).

As keras: while interactive logging is on (the default) a message is written to stdout; after
`disable_interactive_logging()` it goes to ``logging.getLogger("minikeras")`` at INFO level
(keras uses absl logging), so services that collect logs, and ``assertLogs``, see it.

    >>> disable_interactive_logging()
    >>> print_msg("Epoch 3: early stopping")   # logged, not printed
"""
from __future__ import annotations

import logging
import sys

_STATE = {"interactive": True}
LOGGER = logging.getLogger("minikeras")


def enable_interactive_logging() -> None:
    """Messages are written to stdout (the default)."""
    _STATE["interactive"] = True


def disable_interactive_logging() -> None:
    """Messages go to the ``minikeras`` logger at INFO level instead of stdout."""
    _STATE["interactive"] = False


def is_interactive_logging_enabled() -> bool:
    return _STATE["interactive"]


def print_msg(message: str, line_break: bool = True) -> None:
    """Writes ``message`` to stdout, or logs it when interactive logging is disabled."""
    message = str(message)
    if _STATE["interactive"]:
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        LOGGER.info(message)
