"""keras.src.utils.io_utils: the logging switches tests flip, forwarded to minikeras's
callback messages (stdout, or the ``minikeras`` logger when interactive logging is off)."""
from __future__ import annotations

from typing import Any

from minikeras.callbacks.messages import (  # noqa: F401
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
    print_msg,
)


def set_logging_verbosity(level: Any) -> None:
    """No effect: the ``minikeras`` logger propagates to the root logger (``assertLogs``)."""
