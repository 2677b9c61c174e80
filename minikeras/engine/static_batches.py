"""Batches of a static size for data in memory: full batches first, the partial one after.

Over arrays, a chunk's full batches (``batch_size`` rows each) run in one in-graph loop where
each batch is a ``batch_size``-row `tf.slice` of the epoch's order, gathered from the data
passed in as arguments. Its size is a Python constant, so the step is traced with a static
batch dimension, and TensorFlow's graph optimizer folds away the shape arithmetic that a
dynamic batch needs around every broadcast and its gradient (``Shape``,
``BroadcastGradientArgs``, ``Reshape``...): the tiny model's step has about a seventh fewer
ops and runs about a fifth faster. The results are those of dynamic shapes, bitwise for Dense
layers; where the optimizer reorders a chain of broadcast ops once shapes are known
(BatchNormalization), the last bit can differ. With ``jit_compile=True`` the same loop is one
XLA program (XLA compiles the step once, fused).

The partial last batch of an epoch, if the data has one, runs after the loop through the same
step traced with a dynamic batch (`steps.py` uses static shapes without XLA only for data
that has no partial batch, so as not to trace the step twice). Every batch computes the loss,
gradients and metric updates of a dynamic-shape step; XLA's own fusions (another order of
float additions) can differ by float32 rounding. Compiling XLA loops with dynamic shapes is
pathological (tens of ms per step), which is another reason the partial batch stays outside.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf


def _take(nest: Any, ids: tf.Tensor) -> Any:
    return tf.nest.map_structure(lambda v: tf.gather(v, ids), nest)


class StaticBatches:
    """The steps of one kind over arrays at one batch size, full batches with a static shape.

    Args:
      step: ``step(x, y, sw)``: one step on a gathered batch (traced for both shapes).
      batch_size: The batch size, a Python int (the static shape).
      repeat: ``repeat(count, body)``, the in-graph loop of `steps.py`.
      jit_compile: Compile the loop of full batches with XLA. Default False.
      partial: Whether the data may end with a partial batch (else its step is not traced).
        Default True.
    """

    def __init__(self, step: Callable, batch_size: int, repeat: Callable,
                 jit_compile: bool = False, partial: bool = True):
        self.step, self.batch_size, self.repeat = step, int(batch_size), repeat
        self.partial = partial
        self._full = (tf.function(self._full_batches, jit_compile=True, autograph=False)
                      if jit_compile else self._full_batches)

    def _full_batches(self, x: Any, y: Any, sw: tf.Tensor, order: tf.Tensor,
                      first_step: tf.Tensor, count: tf.Tensor) -> tf.Tensor:
        """In the graph (or in XLA): ``count`` full batches from step ``first_step`` of
        ``order``."""
        size = self.batch_size

        def body(i: tf.Tensor) -> None:
            ids = tf.slice(order, [(first_step + i) * size], [size])
            self.step(_take(x, ids), _take(y, ids), tf.gather(sw, ids))
        self.repeat(count, body)
        return count

    def run(self, x: Any, y: Any, sw: tf.Tensor, order: tf.Tensor, first_step: tf.Tensor,
            num_steps: tf.Tensor) -> None:
        """In the enclosing graph: steps ``first_step ..`` of ``num_steps``; the full ones in
        the loop, then the partial last batch of the epoch (if the chunk reaches it)."""
        size = self.batch_size
        n = tf.shape(order)[0]
        full = tf.clip_by_value(n // size - first_step, 0, num_steps)
        done = self._full(x, y, sw, order, first_step, full)
        if not self.partial:
            return
        start = (first_step + done) * size

        def partial() -> tf.Tensor:
            ids = order[start:tf.minimum(start + size, n)]
            self.step(_take(x, ids), _take(y, ids), tf.gather(sw, ids))
            return tf.constant(True)
        with tf.control_dependencies([done]):
            tf.cond(tf.logical_and(done < num_steps, start < n), partial,
                    lambda: tf.constant(False))
