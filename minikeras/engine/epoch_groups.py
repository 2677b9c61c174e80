"""Epoch groups: several whole training epochs, with their validation passes, in one call.

Used by fit when nothing needs to act between epochs (no callbacks), so that small models do
not pay a compiled call per epoch, nor one per validation pass. A mixin of `CompiledSteps`
(steps.py), whose per-batch steps, static-shape loops and cache it uses.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras.engine.graph_blocks import SCALAR, batch_spec, shuffled_order, signature_key


class EpochGroups:
    """`CompiledSteps`'s functions that run whole epochs (see the module docstring)."""

    def run_array_epochs(self, x, y, sw, generator: tf.random.Generator | None,
                         num_epochs: int, batch_size: int, weighted: bool = False,
                         validation: Any = None, first_epoch: int = 0,
                         validation_freq: int = 1) -> tuple[tf.Tensor, tf.Tensor]:
        """Runs ``num_epochs`` whole training epochs in one call; returns each epoch's train
        logs and validation logs (zeros for an epoch that did not validate).

        Used when nothing needs to act between epochs (no callbacks), so that small models do
        not pay a compiled call per epoch, nor one per validation pass. Each epoch resets the
        metrics and draws its order from ``generator`` exactly as the epoch-by-epoch path
        does, then, after every ``validation_freq``-th epoch of the fit (counted from epoch 0
        at ``first_epoch``), runs a test pass over ``validation`` (an `ArrayAdapter` in memory)
        as `evaluate` does: the results are identical.
        """
        y = () if y is None else y
        val = None if validation is None else (
            validation.x, () if validation.y is None else validation.y, validation.sw)
        signature = (weighted,) + signature_key(x, y, sw)
        shapes = [self._shape_key("train", batch_size, sw, signature)]
        key = ("train", "epochs", generator is None) + shapes[0] + signature
        if val is not None:
            val_signature = (validation.weighted,) + signature_key(*val)
            shapes.append(self._shape_key("test", validation.batch_size, validation.sw,
                                          val_signature))
            key += ("validation",) + shapes[1] + val_signature
        if key not in self._cache:
            self._cache[key] = self._epochs_function(
                x, y, sw, generator, weighted, validation, val, shapes)
        if val is None:
            val = ((), (), tf.zeros((0,)))
            extra = (0, 0, 1)
        else:
            extra = (validation.batch_size, validation.steps_per_epoch, validation_freq)
        return self._cache[key](x, y, sw, num_epochs, batch_size, *val, first_epoch, *extra)

    def _epochs_function(self, x, y, sw, generator, weighted, validation, val,
                         shapes) -> Callable:
        """The compiled function behind `run_array_epochs` for one data signature."""
        step = self._step_fn("train", weighted)
        self.batch.prepare("train", step, batch_spec(x), batch_spec(y), batch_spec(sw))
        static = self._static_batches("train", weighted, step, shapes[0])
        test_step = test_static = None
        if validation is not None:
            test_step = self._step_fn("test", validation.weighted)
            self.batch.prepare("test", test_step, *map(batch_spec, val))
            test_static = self._static_batches("test", validation.weighted, test_step,
                                               shapes[1])
        val_names = self.batch.log_names("test") if validation is not None else []

        def epochs(x, y, sw, num_epochs, batch_size, vx, vy, vsw, first_epoch, val_batch,
                   val_steps, freq):
            self.trace_counts["train_epochs"] += 1
            n = tf.shape(sw)[0]
            steps_per_epoch = (n + batch_size - 1) // batch_size

            def validate() -> tf.Tensor:
                self.batch.reset()
                self._steps_over(test_step, test_static, vx, vy, vsw, tf.range(tf.shape(vsw)[0]),
                                 tf.constant(0), val_steps, val_batch)
                return self.batch.logs("test")

            def epoch(e: tf.Tensor, logs: tf.TensorArray, val_logs: tf.TensorArray) -> tuple:
                self.batch.reset()
                order = tf.range(n) if generator is None else shuffled_order(generator, n)
                self._steps_over(step, static, x, y, sw, order, tf.constant(0), steps_per_epoch,
                                 batch_size)
                train_logs = self.batch.logs("train")
                if validation is None:
                    checked = tf.zeros((0,))
                else:
                    with tf.control_dependencies([train_logs]):
                        checked = tf.cond(tf.equal((first_epoch + e + 1) % freq, 0), validate,
                                          lambda: tf.zeros((len(val_names),)))
                return e + 1, logs.write(e, train_logs), val_logs.write(e, checked)
            _, logs, val_logs = tf.while_loop(
                lambda e, *_: e < num_epochs, epoch,
                [tf.constant(0), tf.TensorArray(tf.float32, num_epochs),
                 tf.TensorArray(tf.float32, num_epochs)])
            return logs.stack(), val_logs.stack()
        val_specs = ([(), (), tf.TensorSpec((0,))] if validation is None
                     else list(map(batch_spec, val)))
        return tf.function(epochs, input_signature=[
            batch_spec(x), batch_spec(y), batch_spec(sw), SCALAR, SCALAR, *val_specs,
            SCALAR, SCALAR, SCALAR, SCALAR], autograph=False)
