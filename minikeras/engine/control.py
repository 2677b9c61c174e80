"""Control of a running fit: where it is, Ctrl-C, the strategy scope, XLA's "auto"."""
from __future__ import annotations

import dataclasses
import functools
import signal
import threading
from typing import Any

import tensorflow as tf


def resolve_jit_compile(jit_compile: bool | str) -> bool:
    """``"auto"`` turns XLA on only when a GPU is visible (on CPU it gains little; see docs)."""
    if jit_compile == "auto":
        return bool(tf.config.list_logical_devices("GPU"))
    if not isinstance(jit_compile, bool):
        raise ValueError(
            f"Expected `jit_compile` to be True, False or 'auto'. Received: {jit_compile!r}")
    return jit_compile


def in_strategy_scope(method):
    """Runs a Trainer method inside the scope of the strategy the model was compiled under."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._scope():
            return method(self, *args, **kwargs)
    return wrapper


@dataclasses.dataclass
class FitState:
    """Where a fit is: read by callbacks that save progress, set by those that restore it.

    ``order`` is the current epoch's sample order (in-memory data), ``step`` the number of
    batches of the epoch already applied. ``epoch_seconds`` is set when several epochs ran in
    one compiled call: each one's share of its time (their hooks run afterwards, back to back).
    """

    epoch: int
    step: int
    adapter: Any = None
    steps: Any = None
    order: Any = None
    interrupted: bool = False
    epoch_seconds: float | None = None


class InterruptGuard:
    """Turns Ctrl-C during fit into a request to stop after the current compiled call.

    A compiled call always completes, so weights are never half-updated. Only the main thread
    can own signal handlers; elsewhere Ctrl-C behaves as usual.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def _handler(self, signum, frame) -> None:
        if self.requested:  # a second Ctrl-C: the user insists
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> "InterruptGuard":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
