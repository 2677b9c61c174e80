"""Compiled prediction: many batches of model outputs per call, on one device or several."""
from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras.engine.steps import SCALAR, batch_spec, replica_bounds, unpack_batch


class PredictSteps:
    """Compiled prediction over in-memory tensors or a dataset, many batches per call."""

    def __init__(self, model: Any):
        self.model = model
        self.strategy = tf.distribute.get_strategy()
        self.distributed = tf.distribute.has_strategy()
        self.trace_counts: collections.Counter = collections.Counter()
        self._cache: dict[tuple, Callable] = {}

    def _predict_batch(self, batch: tf.Tensor) -> tf.Tensor:
        """The model's outputs for a global batch; under a strategy each replica computes its
        slice (possibly empty) and an all-reduce puts the slices together in order."""
        if not self.distributed:
            return self.model(batch)
        replicas = self.strategy.num_replicas_in_sync

        def replica(batch):  # each fills its rows of a zero output; the sum is the whole output
            size = tf.shape(batch)[0]
            start, end = replica_bounds(replicas, size)
            out = self.model(batch[start:end])
            rest = tf.zeros([tf.rank(out) - 1, 2], tf.int32)
            full = tf.pad(out, tf.concat([[[start, size - end]], rest], axis=0))
            return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, full)

        result = self.strategy.run(replica, args=(batch,))
        return self.strategy.experimental_local_results(result)[0]

    def run(self, data: Any, first_step: int, num_steps: int) -> tuple[int, tf.Tensor]:
        """Up to ``num_steps`` batches of outputs from an adapter's data in one call; returns
        (batches run, outputs)."""
        if data.streamed:
            done, outputs = self.run_stream(data.iterator, num_steps)
            return int(done), outputs
        return num_steps, self.run_arrays(data.x, first_step, num_steps, data.batch_size)

    def run_arrays(self, x: tf.Tensor, first_step: int, num_steps: int,
                   batch_size: int) -> tf.Tensor:
        key = ("arrays", tuple(x.shape[1:]), x.dtype)
        if key not in self._cache:
            def chunk(x, first_step, num_steps, batch_size):
                self.trace_counts["predict"] += 1
                n = tf.shape(x)[0]
                outputs = tf.TensorArray(tf.float32, size=num_steps, infer_shape=False)
                for i in tf.range(num_steps):
                    start = (first_step + i) * batch_size
                    outputs = outputs.write(
                        i, self._predict_batch(x[start:tf.minimum(start + batch_size, n)]))
                return outputs.concat()
            self._cache[key] = tf.function(chunk, input_signature=[batch_spec(x)] + [SCALAR] * 3)
        return self._cache[key](x, first_step, num_steps, batch_size)

    def run_stream(self, iterator: Any, num_steps: int) -> tuple[tf.Tensor, tf.Tensor]:
        key = ("stream", str(iterator.element_spec))
        if key not in self._cache:
            def chunk(iterator, num_steps):
                self.trace_counts["predict"] += 1
                outputs = tf.TensorArray(tf.float32, size=0, dynamic_size=True, infer_shape=False)
                done = tf.constant(0)
                for _ in tf.range(num_steps):
                    element = iterator.get_next_as_optional()
                    if not element.has_value():
                        break
                    outputs = outputs.write(
                        done, self._predict_batch(unpack_batch(element.get_value())[0]))
                    done += 1
                return done, outputs.concat()
            self._cache[key] = tf.function(chunk)
        return self._cache[key](iterator, tf.constant(num_steps, tf.int32))
