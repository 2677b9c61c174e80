"""What one forward pass shares between nested layer calls: ``training`` and added losses.

The outermost layer call opens a pass: the losses that layers add during it (`add_loss`,
activity regularizers) replace those of the previous pass, as in keras. An inner call given no
``training`` inherits the enclosing call's value, so ``model(x, training=True)`` reaches a
`Dropout` inside a custom layer's ``call`` that does not pass it on. The state is per thread:
`tf.distribute` runs replicas in threads, each its own pass.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import tensorflow as tf

_state = threading.local()


def _training_stack() -> list:
    if not hasattr(_state, "training"):
        _state.training, _state.losses = [], {}
    return _state.training


@contextlib.contextmanager
def enter(layer: Any, training: bool | None) -> Iterator[bool | None]:
    """Enters ``layer``'s call; yields the ``training`` value it runs with."""
    stack = _training_stack()
    if not stack:
        _state.losses = {}  # a new forward pass
    elif training is None:
        training = stack[-1]
    stack.append(training)
    try:
        yield training
    finally:
        stack.pop()


def add_loss(layer: Any, loss: tf.Tensor) -> None:
    """Adds ``loss`` to ``layer``'s losses of the current forward pass."""
    _training_stack()
    _state.losses.setdefault(id(layer), (layer, []))[1].append(loss)


def losses_of(layer: Any) -> list[tf.Tensor]:
    """The losses ``layer`` added in the latest forward pass on this thread."""
    _training_stack()
    entry = _state.losses.get(id(layer))
    return list(entry[1]) if entry is not None and entry[0] is layer else []
