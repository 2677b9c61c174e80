"""keras's per-batch API: the steps fit runs (override them to customize training), the loss
and metrics they compute, and training, testing or predicting on one batch.

    class MyModel(Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            return self.compute_metrics(x, y, y_pred)

A model's own `train_step`/`test_step` runs inside the same compiled loop as the built-in
ones (engine/batch_step.py), many steps per call.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras._logits import current_logits


def is_crossentropy_alias(loss: Any) -> bool:
    """keras's compile resolves "crossentropy"/"ce" from the shapes of targets and outputs."""
    return isinstance(loss, str) and loss.lower() in ("crossentropy", "ce")


def _unpack(data: Any) -> tuple[Any, Any, Any]:
    """keras's ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if not isinstance(data, tuple):
        return data, None, None
    return (tuple(data) + (None, None))[:3]


class StepAPI:
    """Mixin of `Trainer`: keras's step methods and the ``*_on_batch`` methods."""

    def train_step(self, data: Any) -> dict:
        """One built-in training step on ``data`` = ``(x, y[, sample_weight])``; returns the
        running logs. Override it to customize fit (it runs inside the compiled loop)."""
        x, y, sw = _unpack(data)
        self._steps.batch.builtin("train", x, y, sw)
        return self._current_logs()

    def test_step(self, data: Any) -> dict:
        """One built-in test step; returns the running logs. Override to customize evaluate."""
        x, y, sw = _unpack(data)
        self._steps.batch.builtin("test", x, y, sw)
        return self._current_logs()

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> tf.Tensor:
        """The compiled loss of ``y_pred`` against ``y`` (each output's, weighted) plus the
        model's `losses`, as keras computes it; for use in a custom `train_step`."""
        batch = self._steps.batch
        sw = sample_weight if sample_weight is not None else tf.ones(
            tf.shape(tf.nest.flatten(y_pred)[0])[:1])
        total, _ = batch.output_losses(y, y_pred, sw, current_logits)
        penalties = self.losses
        if penalties:  # counted once in all under tf.distribute: each replica adds its share
            total = total + tf.add_n(penalties) / batch.replicas
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict:
        """Updates the compiled metrics with a batch; returns every metric's result."""
        flat_y, flat_pred = tf.nest.flatten(y), tf.nest.flatten(y_pred)
        for _, metric, weighted, index in self._steps.batch.metrics:
            metric.update_state(flat_y[index], flat_pred[index],
                                sample_weight=sample_weight if weighted else None)
        return self._current_logs()

    def _current_logs(self) -> dict:
        return {m.name: m.result() for m in self.metrics}


    # ---- one batch --------------------------------------------------------------------------
    def _on_batch(self, kind: str, x: Any, y: Any, sample_weight: Any, class_weight: Any,
                  return_dict: bool) -> Any:
        from minikeras.engine.inputs import batch_shapes, fit_adapters
        self._require_compiled(f"{kind}_on_batch")
        with self._scope():
            data, _ = fit_adapters(self, x, y, sample_weight, class_weight, 1 << 62, None, 0.0,
                                   None)  # the whole batch is one step
            if not self.built:
                self.build(batch_shapes(data.feature_shape))
            steps = self._compiled_steps(data.y_shape)
            data.begin_epoch()
            _, values = steps.run(kind, data, 0, 1, True)
        logs = dict(zip(steps.log_names_for(kind), map(float, values.numpy())))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False) -> Any:
        """One training step on exactly this batch; returns its loss (and metrics) as keras:
        a scalar without metrics, else a list, or a dict with ``return_dict=True``."""
        return self._on_batch("train", x, y, sample_weight, class_weight, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        """The loss (and metrics) of this batch, without updating anything."""
        return self._on_batch("test", x, y, sample_weight, None, return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs for this batch, as NumPy arrays: one plain call of the model."""
        return tf.nest.map_structure(lambda t: np.asarray(t), self(x, training=False))
