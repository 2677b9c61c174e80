"""The building blocks of the compiled chunks: input specs, the in-graph loop, dataset
elements and shuffled orders (used by steps.py, epoch_groups.py and predict_steps.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

SCALAR = tf.TensorSpec((), tf.int32)


def batch_spec(t: Any) -> Any:
    """The `tf.TensorSpec` of a tensor (or a nest) with the batch dimension left open."""
    return tf.nest.map_structure(
        lambda v: tf.TensorSpec((None,) + tuple(v.shape[1:]), v.dtype), t)


def signature_key(*nests: Any) -> tuple:
    """Shapes (without the batch dimension) and dtypes of every tensor of ``nests``, and the
    keys of a dict (which inputs are given)."""
    return tuple((tuple(t.shape[1:]), t.dtype) for n in nests for t in tf.nest.flatten(n)) + \
        tuple(tuple(sorted(n)) for n in nests if isinstance(n, dict))


def _as_model_input(t: tf.Tensor) -> tf.Tensor:
    return tf.cast(t, tf.float32) if t.dtype.is_floating or t.dtype == tf.bool else t


def unpack_batch(element: Any) -> tuple[Any, Any, tf.Tensor]:
    """Splits a dataset element ``(x, y)`` or ``(x, y, sample_weight)``: float inputs become
    float32 (integer ones stay integers), targets and weights float32."""
    if not isinstance(element, tuple):
        element = (element,)
    x = tf.nest.map_structure(_as_model_input, element[0])
    y = tf.nest.map_structure(lambda t: tf.cast(t, tf.float32), element[1]) \
        if len(element) > 1 else None
    first = tf.nest.flatten(x)[0]
    sw = tf.cast(element[2], tf.float32) if len(element) > 2 else tf.ones(tf.shape(first)[:1])
    if sw.shape.rank == 2:
        sw = tf.squeeze(sw, -1)
    return x, y, sw


def repeat(count: tf.Tensor, body: Callable[[tf.Tensor], Any]) -> None:
    """Runs ``body(i)`` for ``i`` in ``range(count)`` as one in-graph `tf.while_loop`.

    ``body``'s stateful ops (variable updates) run every iteration, in program order: the
    loop body is a function graph with automatic control dependencies."""
    def step(i: tf.Tensor) -> tf.Tensor:
        body(i)
        return i + 1
    tf.while_loop(lambda i: i < count, step, [tf.constant(0)])


def shuffled_order(generator: tf.random.Generator, n: tf.Tensor) -> tf.Tensor:
    """A permutation of range(n) drawn from ``generator`` (one seed per call, so a new order
    every epoch). The one place orders are drawn, in per-epoch calls and in epoch groups."""
    return tf.random.experimental.stateless_shuffle(tf.range(n),
                                                    seed=generator.make_seeds(1)[:, 0])
