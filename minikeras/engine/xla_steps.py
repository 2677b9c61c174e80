"""XLA for data in memory: a chunk's full batches in one XLA-compiled loop with static shapes.

With ``jit_compile=True`` and arrays, the steps of a chunk whose batch is full (``batch_size``
rows) run inside one `tf.function(jit_compile=True)`: each batch is a ``batch_size``-row
`tf.slice` of the epoch's order (a static size, so XLA compiles the step once, fused, with no
shape ops), gathered from the data passed in as arguments. The partial last batch of an epoch,
if any, runs after it through the ordinary compiled step, so every batch computes exactly the
loss, gradients and metric updates of the non-XLA path; only XLA's own fusions (a different
order of float additions) can differ, by float32 rounding.

Compiling XLA whole loops that have dynamic shapes is pathological (tens of ms per step), which
is why the batch size is a Python constant here and the partial batch stays outside.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf


def _take(nest: Any, ids: tf.Tensor) -> Any:
    return tf.nest.map_structure(lambda v: tf.gather(v, ids), nest)


class XlaArraySteps:
    """The steps of one kind over arrays at one batch size, full batches under XLA.

    Args:
      step: ``step(x, y, sw)``: one step on a gathered batch (traced into both functions).
      batch_size: The batch size, a Python int (a static shape for XLA).
      repeat: ``repeat(count, body)``, the in-graph loop of `steps.py`.
    """

    def __init__(self, step: Callable, batch_size: int, repeat: Callable):
        self.step, self.batch_size, self.repeat = step, int(batch_size), repeat
        self._full = tf.function(self._full_batches, jit_compile=True, autograph=False)

    def _full_batches(self, x: Any, y: Any, sw: tf.Tensor, order: tf.Tensor,
                      first_step: tf.Tensor, count: tf.Tensor) -> tf.Tensor:
        """In XLA: ``count`` full batches from step ``first_step`` of ``order``."""
        size = self.batch_size

        def body(i: tf.Tensor) -> None:
            ids = tf.slice(order, [(first_step + i) * size], [size])
            self.step(_take(x, ids), _take(y, ids), tf.gather(sw, ids))
        self.repeat(count, body)
        return count

    def run(self, x: Any, y: Any, sw: tf.Tensor, order: tf.Tensor, first_step: tf.Tensor,
            num_steps: tf.Tensor) -> None:
        """In the enclosing graph: steps ``first_step ..`` of ``num_steps``; the full ones in
        the XLA loop, then the partial last batch of the epoch (if the chunk reaches it)."""
        size = self.batch_size
        n = tf.shape(order)[0]
        full = tf.clip_by_value(n // size - first_step, 0, num_steps)
        done = self._full(x, y, sw, order, first_step, full)
        start = (first_step + done) * size

        def partial() -> tf.Tensor:
            ids = order[start:tf.minimum(start + size, n)]
            self.step(_take(x, ids), _take(y, ids), tf.gather(sw, ids))
            return tf.constant(True)
        with tf.control_dependencies([done]):
            tf.cond(tf.logical_and(done < num_steps, start < n), partial,
                    lambda: tf.constant(False))
