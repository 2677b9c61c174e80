"""The compiled steps: one training, test or prediction step, and chunks of many steps per call.

A chunk is one `tf.function` call that runs ``num_steps`` batches in an in-graph loop: the data
stay as tensors on the device, each batch is gathered from an index permutation, and the Python
overhead of a call is paid once per chunk instead of once per batch. Functions are traced once
per data signature: the batch dimension is None, and the step count, first step and batch size
are tensors, so a partial last batch, a new chunk length or a new learning rate never retrace.
"""
from __future__ import annotations

import collections
from typing import Any, Callable

import tensorflow as tf


def _spec(t: tf.Tensor) -> tf.TensorSpec:
    return tf.TensorSpec((None,) + tuple(t.shape[1:]), t.dtype)


class CompiledSteps:
    """Builds and caches the compiled functions of one compiled model.

    Args:
      model: The model (a callable with ``call_with_logits`` and ``losses``).
      loss: A `minikeras.losses.Loss`.
      optimizer: A `minikeras.optimizers.Optimizer`.
      loss_tracker: A `metrics.Mean` tracking the loss weighted by batch size.
      metrics: ``(log name, metric, weighted)`` triples; only weighted metrics receive the
        sample weights (keras's ``metrics`` versus ``weighted_metrics``).
    """

    def __init__(self, model: Any, loss: Any, optimizer: Any, loss_tracker: Any,
                 metrics: list, jit_compile: bool = False):
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.loss_tracker = loss_tracker
        self.metrics = metrics
        self.jit_compile = jit_compile
        self.trace_counts: collections.Counter = collections.Counter()
        self._cache: dict[tuple, Callable] = {}

    # ---- single steps (Python, traced inside the chunk functions) --------------------------
    def _compute_loss(self, x: tf.Tensor, y: tf.Tensor, sw: tf.Tensor, training: bool):
        y_pred, logits = self.model.call_with_logits(x, training=training)
        total, count = self.loss.sum_and_count(y, y_pred, sample_weight=sw, logits=logits)
        loss = total / count
        penalties = self.model.losses
        if penalties:
            loss = loss + tf.add_n(penalties)
        return loss, y_pred

    def _update_metrics(self, loss: tf.Tensor, x: tf.Tensor, y: tf.Tensor, y_pred: tf.Tensor,
                        sw: tf.Tensor) -> None:
        self.loss_tracker.update_state(loss, sample_weight=tf.cast(tf.shape(x)[0], tf.float32))
        for _, metric, weighted in self.metrics:
            metric.update_state(y, y_pred, sample_weight=sw if weighted else None)

    def train_step(self, x: tf.Tensor, y: tf.Tensor, sw: tf.Tensor) -> None:
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            loss, y_pred = self._compute_loss(x, y, sw, training=True)
        grads = tape.gradient(loss, variables)
        self.optimizer.apply(grads, variables)
        self._update_metrics(loss, x, y, y_pred, sw)

    def test_step(self, x: tf.Tensor, y: tf.Tensor, sw: tf.Tensor) -> None:
        loss, y_pred = self._compute_loss(x, y, sw, training=False)
        self._update_metrics(loss, x, y, y_pred, sw)

    def logs(self) -> dict[str, tf.Tensor]:
        out = {"loss": self.loss_tracker.result()}
        for name, metric, _ in self.metrics:
            out[name] = metric.result()
        return out

    # ---- chunks ---------------------------------------------------------------------------
    def _batch_indices(self, order: tf.Tensor, step: tf.Tensor, batch_size: tf.Tensor):
        start = step * batch_size
        return order[start:tf.minimum(start + batch_size, tf.shape(order)[0])]

    def _make_chunk(self, kind: str, step: Callable, x: tf.Tensor, y: tf.Tensor,
                    sw: tf.Tensor) -> Callable:
        def chunk(x, y, sw, order, first_step, num_steps, batch_size):
            self.trace_counts[kind] += 1  # runs only while tracing
            for i in tf.range(num_steps):
                idx = self._batch_indices(order, first_step + i, batch_size)
                step(tf.gather(x, idx), tf.gather(y, idx), tf.gather(sw, idx))
            return self.logs()

        scalar = tf.TensorSpec((), tf.int32)
        signature = [_spec(x), _spec(y), _spec(sw), tf.TensorSpec((None,), tf.int32),
                     scalar, scalar, scalar]
        return tf.function(chunk, input_signature=signature)

    def _cached(self, kind: str, make: Callable, *tensors: tf.Tensor) -> Callable:
        key = (kind,) + tuple((tuple(t.shape[1:]), t.dtype) for t in tensors)
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def train_chunk(self, x, y, sw, order, first_step: int, num_steps: int, batch_size: int):
        """Runs training steps ``first_step .. first_step + num_steps - 1`` of an epoch."""
        fn = self._cached("train", lambda: self._make_chunk("train", self.train_step, x, y, sw),
                          x, y, sw)
        return fn(x, y, sw, order, first_step, num_steps, batch_size)

    def test_chunk(self, x, y, sw, order, first_step: int, num_steps: int, batch_size: int):
        """Accumulates loss and metrics over test steps ``first_step ..`` (no updates)."""
        fn = self._cached("test", lambda: self._make_chunk("test", self.test_step, x, y, sw),
                          x, y, sw)
        return fn(x, y, sw, order, first_step, num_steps, batch_size)

    def predict_chunk(self, x: tf.Tensor, first_step: int, num_steps: int, batch_size: int):
        """Returns the model's outputs for batches ``first_step ..``, concatenated."""
        def make():
            def chunk(x, first_step, num_steps, batch_size):
                self.trace_counts["predict"] += 1
                n = tf.shape(x)[0]
                outputs = tf.TensorArray(tf.float32, size=num_steps, infer_shape=False)
                for i in tf.range(num_steps):
                    start = (first_step + i) * batch_size
                    batch = x[start:tf.minimum(start + batch_size, n)]
                    outputs = outputs.write(i, self.model(batch, training=False))
                return outputs.concat()

            scalar = tf.TensorSpec((), tf.int32)
            return tf.function(chunk, input_signature=[_spec(x), scalar, scalar, scalar])

        return self._cached("predict", make, x)(x, first_step, num_steps, batch_size)

    def reset_metrics(self) -> None:
        self.loss_tracker.reset_state()
        for _, metric, _ in self.metrics:
            metric.reset_state()
