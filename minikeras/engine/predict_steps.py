"""Compiled prediction: many batches of model outputs per call, on one device or several.

Compiled without AutoGraph (explicit `tf.while_loop`, as steps.py): the model traces as plain
Python."""
from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras.engine.batch_step import replica_bounds
from minikeras.engine.graph_blocks import SCALAR, batch_spec, signature_key, unpack_batch


def _empty(spec: tf.TensorSpec) -> tf.Tensor:
    """A batch of no rows for ``spec`` (an unknown dimension, such as a varying length, is 0)."""
    return tf.zeros([0] + [0 if d is None else d for d in spec.shape.as_list()[1:]], spec.dtype)


class PredictSteps:
    """Compiled prediction over in-memory tensors or a dataset, many batches per call."""

    def __init__(self, model: Any):
        self.model = model
        self.strategy = tf.distribute.get_strategy()
        self.distributed = tf.distribute.has_strategy()
        self.trace_counts: collections.Counter = collections.Counter()
        self._cache: dict[tuple, Callable] = {}

    def _predict_batch(self, batch: Any) -> Any:
        """The model's outputs for a global batch; under a strategy each replica computes its
        slice (possibly empty) and an all-reduce puts the slices together in order."""
        if not self.distributed:
            return self.model(self.model._data_inputs(batch), training=False)
        replicas = self.strategy.num_replicas_in_sync

        def replica(batch):  # each fills its rows of a zero output; the sum is the whole output
            size = tf.shape(tf.nest.flatten(batch)[0])[0]
            start, end = replica_bounds(replicas, size)
            out = self.model(self.model._data_inputs(
                tf.nest.map_structure(lambda t: t[start:end], batch)), training=False)

            def fill(o: tf.Tensor) -> tf.Tensor:
                rest = tf.zeros([tf.rank(o) - 1, 2], tf.int32)
                return tf.pad(o, tf.concat([[[start, size - end]], rest], axis=0))
            return tf.distribute.get_replica_context().all_reduce(
                tf.distribute.ReduceOp.SUM, tf.nest.map_structure(fill, out))

        result = self.strategy.run(replica, args=(batch,))
        return self.strategy.experimental_local_results(result)[0]

    def _collect(self, batches: Callable, count: tf.Tensor, template: Any,
                 may_run_out: bool = False) -> tuple:
        """Runs ``batches(i) -> (has_value, inputs)`` for i < count and concatenates the
        outputs (one `TensorArray` per output; ``template`` gives their structure). With
        ``may_run_out`` (a dataset) the loop stops at the first missing batch."""
        flat = tf.nest.flatten(template)
        arrays = [tf.TensorArray(t.dtype, size=0, dynamic_size=True, infer_shape=False)
                  for t in flat]

        def body(i: tf.Tensor, more: tf.Tensor, arrays: list) -> tuple:
            has_value, batch = batches(i)

            def write() -> list:
                out = tf.nest.flatten(self._predict_batch(batch))
                return [a.write(i, o) for a, o in zip(arrays, out)]
            if not may_run_out:
                return i + 1, more, write()
            arrays = tf.cond(has_value, write, lambda: arrays)
            return i + tf.cast(has_value, tf.int32), has_value, arrays

        done, _, arrays = tf.while_loop(
            lambda i, more, _: tf.logical_and(more, i < count), body,
            [tf.constant(0), tf.constant(True), arrays])
        # A dataset may run out before the first batch: then (not concat, which needs the
        # element shape) an empty result, which the runner drops.
        outputs = [a.concat() if not may_run_out else tf.cond(
            done > 0, a.concat, lambda t=t: tf.zeros([0] * t.shape.rank, t.dtype))
            for a, t in zip(arrays, flat)]
        return done, tf.nest.pack_sequence_as(template, outputs)

    def run(self, data: Any, first_step: int, num_steps: int) -> tuple[int, Any]:
        """Up to ``num_steps`` batches of outputs from an adapter's data in one call; returns
        (batches run, outputs)."""
        if data.streamed:
            done, outputs = self.run_stream(data.iterator, num_steps)
            return int(done), outputs
        return num_steps, self.run_arrays(data.x, first_step, num_steps, data.batch_size)

    def run_arrays(self, x: Any, first_step: int, num_steps: int, batch_size: int) -> Any:
        key = ("arrays",) + signature_key(x)
        if key not in self._cache:
            def chunk(x, first_step, num_steps, batch_size):
                self.trace_counts["predict"] += 1
                n = tf.shape(tf.nest.flatten(x)[0])[0]

                def rows(start: tf.Tensor, end: tf.Tensor) -> Any:
                    return tf.nest.map_structure(lambda t: t[start:end], x)

                def batches(i: tf.Tensor) -> tuple:
                    start = (first_step + i) * batch_size
                    return tf.constant(True), rows(start, tf.minimum(start + batch_size, n))
                template = self._predict_batch(rows(0, 0))
                return self._collect(batches, num_steps, template)[1]
            self._cache[key] = tf.function(chunk, input_signature=[batch_spec(x)] + [SCALAR] * 3,
                                           autograph=False)
        return self._cache[key](x, first_step, num_steps, batch_size)

    def run_stream(self, iterator: Any, num_steps: int) -> tuple[tf.Tensor, Any]:
        key = ("stream", str(iterator.element_spec))
        if key not in self._cache:
            def chunk(iterator, num_steps):
                self.trace_counts["predict"] += 1
                spec = unpack_batch(tf.nest.map_structure(_empty, iterator.element_spec))[0]
                template = self._predict_batch(spec)

                def batches(i: tf.Tensor) -> tuple:
                    element = iterator.get_next_as_optional()
                    value = tf.cond(element.has_value(), lambda: element.get_value(),
                                    lambda: tf.nest.map_structure(_empty,
                                                                  iterator.element_spec))
                    return element.has_value(), unpack_batch(value)[0]
                return self._collect(batches, num_steps, template, may_run_out=True)
            self._cache[key] = tf.function(chunk, autograph=False)
        return self._cache[key](iterator, tf.constant(num_steps, tf.int32))
