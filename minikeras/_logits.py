"""The logits of sigmoid and softmax outputs, kept for the crossentropy losses.

keras computes binary and categorical crossentropy from the pre-activation logits when the
model's output comes from a sigmoid or softmax (no clipping: a saturated model shows a loss
of 29.5 instead of 6.4). keras does this by hiding the logits on the output tensor as an
attribute. minikeras makes it explicit and local:

    with record_logits() as logits_of:      # the engine, around a forward pass
        y_pred = model(x, training=True)
    logits = logits_of(y_pred)              # None unless y_pred is a sigmoid/softmax output

`activations.sigmoid` and `activations.softmax` report ``(output, logits)`` through
`keep_logits` while a recording is open, and do nothing otherwise. Every layer that ends in
those activations (Dense, Activation, Softmax, and any custom layer that calls them) is covered
without code of its own; a layer that returns its input unchanged keeps the logits, because
the output is the very same tensor.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import tensorflow as tf

_state = threading.local()


def keep_logits(output: tf.Tensor, logits: tf.Tensor) -> None:
    """Records that ``output`` is a sigmoid or softmax of ``logits`` (while recording)."""
    records = getattr(_state, "records", None)
    if records:
        records[-1][output.ref()] = logits


@contextlib.contextmanager
def record_logits() -> Iterator[Callable[[tf.Tensor], tf.Tensor | None]]:
    """Records the logits of every sigmoid/softmax output computed inside the block.

    Yields a function ``logits_of(tensor)``: the logits ``tensor`` was computed from, or None.
    Recordings nest (an inner one sees only its own block).
    """
    if not hasattr(_state, "records"):
        _state.records = []
    record: dict = {}
    _state.records.append(record)
    try:
        yield lambda tensor: record.get(tensor.ref()) if isinstance(
            tensor, (tf.Tensor, tf.Variable)) else None
    finally:
        _state.records.pop()


def current_logits(tensor: tf.Tensor) -> tf.Tensor | None:
    """The logits of ``tensor`` in the innermost open recording (None outside one): how
    `Model.compute_loss`, called from a custom `train_step`, finds them."""
    records = getattr(_state, "records", None)
    if not records or not isinstance(tensor, (tf.Tensor, tf.Variable)):
        return None
    return records[-1].get(tensor.ref())
