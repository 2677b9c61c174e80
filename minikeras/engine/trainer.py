"""compile, fit, evaluate and predict: the training loop, read top-down.

    fit:  check data (data.py) -> split validation -> tensors on the device
          -> per epoch: a shuffled order drawn in the graph -> chunks of compiled steps
             (steps.py) -> optimizer -> callbacks with the running logs -> validation
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

from minikeras import losses as losses_module
from minikeras import metrics as metrics_module
from minikeras import optimizers as optimizers_module
from minikeras.callbacks import Callback, CallbackList, History, ProgbarLogger
from minikeras.callbacks.progbar import resolve_verbose
from minikeras.engine import data as data_module
from minikeras.engine.steps import CompiledSteps
from minikeras.utils.random import draw_seed


def _to_floats(logs: dict[str, tf.Tensor]) -> dict[str, float]:
    return {k: float(v) for k, v in logs.items()}


class Trainer:
    """Mixin giving a model compile, fit, evaluate and predict (used by `Sequential`)."""

    def _init_trainer(self) -> None:
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history: History | None = None
        self._metric_ids: list = []
        self._steps: CompiledSteps | None = None
        self._predict_steps: CompiledSteps | None = None
        self._shuffle_generator: tf.random.Generator | None = None
        self._order_fn = None
        self.steps_per_execution = 1

    # ---- compile ----------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None,
                metrics: Sequence[Any] | None = None, weighted_metrics: Sequence[Any] | None = None,
                steps_per_execution: int = 1, jit_compile: bool = False) -> None:
        """Configures the model for training.

        Args:
          optimizer: An optimizer name or instance. Default "rmsprop" (as keras).
          loss: A loss name, `Loss` instance or function ``f(y_true, y_pred)``.
          metrics: Metric names or instances; ``"accuracy"`` is resolved from the shapes of the
            targets and outputs as keras does. They ignore sample weights (as keras).
          weighted_metrics: Metrics that are weighted by ``sample_weight``.
          steps_per_execution: Batches run per compiled call. Default 1.
          jit_compile: Whether to compile the step with XLA. Default False.
        """
        if loss is None:
            raise ValueError("compile() needs a `loss`, e.g. loss='mse'. Received: loss=None")
        optimizer = optimizers_module.get(optimizer)
        loss = losses_module.get(loss)
        metrics = self._check_metric_list(metrics, "metrics")
        weighted_metrics = self._check_metric_list(weighted_metrics, "weighted_metrics")
        data_module.check_positive_int(steps_per_execution, "steps_per_execution")
        if not isinstance(jit_compile, bool):
            raise ValueError(f"Expected `jit_compile` to be a bool. Received: {jit_compile!r}")
        self.optimizer, self.loss = optimizer, loss
        self._metric_ids = [(m, False) for m in metrics] + [(m, True) for m in weighted_metrics]
        self.steps_per_execution = int(steps_per_execution)
        self.jit_compile = jit_compile
        self._steps = None
        self.compiled = True

    @staticmethod
    def _check_metric_list(metrics: Any, arg: str) -> list:
        if metrics is None:
            return []
        if not isinstance(metrics, (list, tuple)):
            raise TypeError(
                f"Expected `{arg}` to be a list, e.g. {arg}=['accuracy']. Received: {metrics!r}")
        for m in metrics:  # unknown names fail now, not at the first fit
            if isinstance(m, str) and m not in ("accuracy", "acc", "crossentropy", "ce"):
                metrics_module.get(m)
        return list(metrics)

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise ValueError(
                f"You must call compile() before {what}(). Example: "
                "model.compile(optimizer='sgd', loss='mse')")

    def _compiled_steps(self, y: np.ndarray) -> CompiledSteps:
        """Builds the step functions on first use, resolving metrics from the data's shapes."""
        if self._steps is None:
            out_shape = self.compute_output_shape(self.input_spec_shape)
            entries, seen = [], set()
            for identifier, weighted in self._metric_ids:
                metric = metrics_module.get_for_compile(identifier, y.shape, out_shape)
                name = metric.name
                if name in seen:  # keras's naming of duplicates
                    name = f"weighted_{name}" if weighted else name
                    base, k = name, 1
                    while name in seen:
                        name, k = f"{base}_{k}", k + 1
                seen.add(name)
                entries.append((name, metric, weighted))
            self._steps = CompiledSteps(self, self.loss, self.optimizer,
                                        metrics_module.Mean(name="loss"), entries,
                                        jit_compile=self.jit_compile)
        return self._steps

    @property
    def metrics_names(self) -> list[str]:
        steps = self._steps
        return ["loss"] + ([name for name, _, _ in steps.metrics] if steps else [])

    # ---- data ---------------------------------------------------------------------------------
    def _prepare(self, x: Any, y: Any, sample_weight: Any = None, require_y: bool = True,
                 input_shape: tuple | None = None):
        """Checks data against the model (or ``input_shape`` before it is built) and the loss."""
        arrays, y_raw = data_module.check_arrays(x, y, sample_weight, require_y=require_y)
        received = (None,) + tuple(arrays.x.shape[1:])
        expected = self.input_spec_shape if self.built else input_shape
        if expected is not None:
            self._check_input_shape(tf.TensorShape(received), expected)
        if y_raw is not None and self.compiled:
            self.loss.check_targets(y_raw, self.compute_output_shape(expected or received))
        return arrays, received

    def _epoch_order(self, n: int, shuffle: bool) -> tf.Tensor:
        """A permutation of range(n), drawn in the graph; a new one every epoch when shuffling."""
        if not shuffle:
            return tf.range(n, dtype=tf.int32)
        if self._shuffle_generator is None:
            with tf.init_scope():
                self._shuffle_generator = tf.random.Generator.from_seed(draw_seed())
        if self._order_fn is None:
            generator = self._shuffle_generator

            @tf.function(input_signature=[tf.TensorSpec((), tf.int32)])
            def order(n):
                seed = generator.make_seeds(1)[:, 0]
                return tf.random.experimental.stateless_shuffle(tf.range(n), seed=seed)
            self._order_fn = order
        return self._order_fn(tf.constant(n, tf.int32))

    # ---- fit ----------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int | str = "auto", callbacks: Sequence[Callback] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            initial_epoch: int = 0, sample_weight: Any = None) -> History:
        """Trains the model for ``epochs`` passes over the data; returns a `History`.

        Each epoch reports the running mean of the batch losses (weighted by batch size) and of
        the metrics of the predictions made before each update, as keras does; this is not the
        loss of the end-of-epoch model. With ``shuffle=True`` every epoch gets a new order,
        drawn from a generator seeded through `utils.set_random_seed` (keras repeats one order
        when a global seed is set).

        Args:
          x, y: Arrays (NumPy, tf.Tensor or nested lists) with the same number of samples.
          batch_size: Default 32.
          epochs: Index of the last epoch (training runs ``initial_epoch .. epochs-1``).
          verbose: "auto" (1 when interactive, else 2), 0 silent, 1 live bar, 2 line per epoch.
          callbacks: List of `Callback`s.
          validation_split: Fraction of the last rows (taken before shuffling) held out.
          validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``.
          shuffle: Whether to shuffle the training rows every epoch. Default True.
          initial_epoch: Epoch to start from. Default 0.
          sample_weight: Optional per-sample weights.
        """
        self._require_compiled("fit")
        batch_size = data_module.check_positive_int(32 if batch_size is None else batch_size,
                                                    "batch_size")
        epochs = data_module.check_positive_int(epochs, "epochs")
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or \
                not 0 <= initial_epoch < epochs:
            raise ValueError(
                f"Expected `initial_epoch` to be an integer in [0, epochs={epochs}). "
                f"Received: initial_epoch={initial_epoch!r}")
        verbose = resolve_verbose(verbose)
        if not isinstance(shuffle, bool):
            raise TypeError(f"Expected `shuffle` to be a bool. Received: shuffle={shuffle!r}")
        arrays, input_shape = self._prepare(x, y, sample_weight)
        train, val = data_module.split_validation(arrays, validation_split)
        if validation_data is not None:
            if val is not None:
                raise ValueError("Pass either `validation_split` or `validation_data`, not both.")
            vx, vy, vsw = data_module.unpack_validation_data(validation_data)
            val, _ = self._prepare(vx, vy, vsw, input_shape=input_shape)
        if not self.built:
            self.build(input_shape)

        steps = self._compiled_steps(train.y)
        tx, ty, tsw = train.to_tensors()
        n = len(train)
        steps_per_epoch = math.ceil(n / batch_size)
        self.history = History()
        cbs = self._callback_list(callbacks, verbose, epochs=epochs, steps=steps_per_epoch)
        self.stop_training = False
        cbs.call("on_train_begin", None)
        logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            steps.reset_metrics()
            cbs.call("on_epoch_begin", epoch, None)
            order = self._epoch_order(n, shuffle)
            logs = self._run_chunks(steps.train_chunk, (tx, ty, tsw, order), steps_per_epoch,
                                    batch_size, cbs, "train")
            if val is not None:
                val_logs = self._evaluate_arrays(val, batch_size, cbs, in_fit=True)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        cbs.call("on_train_end", logs)
        return self.history

    def _callback_list(self, callbacks, verbose: int, **params: Any) -> CallbackList:
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(ProgbarLogger(verbose))
        if params.get("epochs") is not None:
            cbs.append(self.history)
        return CallbackList(cbs, self, {"verbose": verbose, **params})

    def _run_chunks(self, chunk_fn, args: tuple, num_steps: int, batch_size: int,
                    cbs: CallbackList, mode: str) -> dict[str, float]:
        """Runs ``num_steps`` steps in calls of ``steps_per_execution``; hooks fire per call."""
        per_call = self.steps_per_execution
        logs: dict[str, float] = {}
        for first in range(0, num_steps, per_call):
            count = min(per_call, num_steps - first)
            cbs.call(f"on_{mode}_batch_begin", first, None)
            logs = _to_floats(chunk_fn(*args, first, count, batch_size))
            cbs.call(f"on_{mode}_batch_end", first + count - 1, logs)
        return logs

    # ---- evaluate -----------------------------------------------------------------------------
    def _evaluate_arrays(self, arrays: data_module.Arrays, batch_size: int, cbs: CallbackList,
                         in_fit: bool = False) -> dict[str, float]:
        steps = self._compiled_steps(arrays.y)
        x, y, sw = arrays.to_tensors()
        num_steps = math.ceil(len(arrays) / batch_size)
        steps.reset_metrics()
        cbs.call("on_test_begin", None)
        logs = self._run_chunks(steps.test_chunk, (x, y, sw, tf.range(len(arrays))), num_steps,
                                batch_size, cbs, "test")
        cbs.call("on_test_end", logs)
        return logs

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: int | str = "auto", sample_weight: Any = None,
                 callbacks: Sequence[Callback] | None = None,
                 return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Returns the loss and metrics of the model on ``(x, y)``, in batches of ``batch_size``.

        Returns a scalar loss when there are no metrics, else ``[loss, *metrics]``, or a dict
        with ``return_dict=True``.
        """
        self._require_compiled("evaluate")
        batch_size = data_module.check_positive_int(32 if batch_size is None else batch_size,
                                                    "batch_size")
        verbose = resolve_verbose(verbose)
        arrays, input_shape = self._prepare(x, y, sample_weight)
        if not self.built:
            self.build(input_shape)
        cbs = self._callback_list(callbacks, 1 if verbose == 1 else 0,
                                  steps=math.ceil(len(arrays) / batch_size))
        logs = self._evaluate_arrays(arrays, batch_size, cbs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ---- predict ------------------------------------------------------------------------------
    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = "auto",
                callbacks: Sequence[Callback] | None = None) -> np.ndarray:
        """Returns the model's outputs for ``x`` as a NumPy array, computed in batches."""
        batch_size = data_module.check_positive_int(32 if batch_size is None else batch_size,
                                                    "batch_size")
        verbose = resolve_verbose(verbose)
        arrays, input_shape = self._prepare(x, None, require_y=False)
        if not self.built:
            self.build(input_shape)
        if self._predict_steps is None:
            self._predict_steps = CompiledSteps(self, None, None, None, [])
        num_steps = math.ceil(len(arrays) / batch_size)
        cbs = self._callback_list(callbacks, 1 if verbose == 1 else 0, steps=num_steps)
        tx = tf.constant(arrays.x)
        cbs.call("on_predict_begin", None)
        outputs = []
        for first in range(0, num_steps, self.steps_per_execution):
            count = min(self.steps_per_execution, num_steps - first)
            cbs.call("on_predict_batch_begin", first, None)
            outputs.append(self._predict_steps.predict_chunk(tx, first, count, batch_size))
            cbs.call("on_predict_batch_end", first + count - 1, None)
        cbs.call("on_predict_end", None)
        return np.concatenate([o.numpy() for o in outputs], axis=0)
