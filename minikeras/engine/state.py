"""The public state of training: where a fit is, what a callback may restore, and Ctrl-C.

`model.training_state` is one `TrainingState` for the model's life. Callbacks and saving use
it instead of the trainer's private fields:

- ``epoch``, ``step``: the current epoch and the batches of it already applied, of
  ``steps_per_epoch`` (None when a stream's length is unknown);
- ``order``: the current epoch's sample order (in-memory data);
- ``shuffle_generator``: the `tf.random.Generator` every epoch's order is drawn from (saved
  with the model and in backups, so a resumed run shuffles as the uninterrupted one);
- ``resume``: a `ResumePoint` a callback sets in ``on_train_begin`` (BackupAndRestore) to make
  fit continue a run in progress;
- ``interrupted``: whether the last fit stopped on Ctrl-C;
- ``epoch_seconds``: when several epochs ran in one compiled call, each one's share of it.
"""
from __future__ import annotations

import dataclasses
import signal
import threading
import warnings
from typing import Any

import tensorflow as tf

from minikeras.utils.random import draw_seed


@dataclasses.dataclass
class ResumePoint:
    """Where to continue: ``step`` batches of ``epoch`` done, with that epoch's ``order``."""

    epoch: int
    step: int
    order: Any = None


@dataclasses.dataclass
class TrainingState:
    """Where training is (see the module docstring)."""

    epoch: int = 0
    step: int = 0
    steps_per_epoch: int | None = None
    order: Any = None
    resume: ResumePoint | None = None
    interrupted: bool = False
    epoch_seconds: float | None = None
    _shuffle_generator: tf.random.Generator | None = None

    @property
    def shuffle_generator(self) -> tf.random.Generator:
        """The generator of shuffle orders, seeded from Python's `random` on first use (so
        `utils.set_random_seed` makes it reproducible)."""
        if self._shuffle_generator is None:
            with tf.init_scope():
                self._shuffle_generator = tf.random.Generator.from_seed(draw_seed())
        return self._shuffle_generator

    @shuffle_generator.setter
    def shuffle_generator(self, generator: tf.random.Generator) -> None:
        self._shuffle_generator = generator

    @property
    def has_shuffle_generator(self) -> bool:
        """Whether a generator exists yet (it is made by the first shuffled fit)."""
        return self._shuffle_generator is not None


def warn_interrupted(epoch: int, steps_done: int | None = None, during: str = "") -> None:
    """The one Ctrl-C warning: where training stopped, and that the History is returned."""
    where = f" during the {during} of epoch {epoch + 1}" if during else (
        f" in epoch {epoch + 1} after {steps_done} step(s) of it" if steps_done is not None
        else f" after epoch {epoch}")
    warnings.warn(f"Training interrupted (Ctrl-C){where}; returning the History so far.",
                  stacklevel=3)


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

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
