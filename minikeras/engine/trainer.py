"""compile, fit, evaluate and predict: the training loop, read top-down.

    fit:  check the data (inputs.py, data.py) -> an adapter holding it on the device (adapters.py)
          -> per epoch: a shuffled order drawn in the graph -> chunks of compiled steps sized
             by loop.py (steps.py: forward, loss, gradients, optimizer) -> callbacks with
             running logs -> validation at the end of the epoch
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

from minikeras import losses as losses_module
from minikeras import metrics as metrics_module
from minikeras import optimizers as optimizers_module
from minikeras.callbacks import Callback, CallbackList, History, ProgbarLogger
from minikeras.callbacks.progbar import resolve_verbose
from minikeras.engine import data as data_module
from minikeras.engine.adapters import ArrayAdapter
from minikeras.engine.compile_utils import check_metric_list, check_strategy, resolve_metrics
from minikeras.engine.control import (FitState, InterruptGuard, in_strategy_scope,
                                      resolve_jit_compile)
from minikeras.engine.inputs import check_fit_args, fit_adapters, make_adapter
from minikeras.engine.loop import ChunkLoop
from minikeras.engine.steps import CompiledSteps, PredictSteps, shuffled_order
from minikeras.utils.random import draw_seed


class Trainer(ChunkLoop):
    """Mixin giving a model compile, fit, evaluate and predict (used by `Sequential`)."""

    def _init_trainer(self) -> None:
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history: History | None = None
        self.steps_per_execution: int | str = "auto"
        self.jit_compile = False
        self._metric_ids: list = []
        self._steps: CompiledSteps | None = None
        self._predict_steps: PredictSteps | None = None
        self._shuffle_generator: tf.random.Generator | None = None
        self._order_fn = None
        # steps per call for "auto", by kind; a forward-only step is faster than a training one
        self._auto_steps = {"train": 1, "test": 1}
        self._strategy = None
        self._compiled_in_scope = False
        self._interrupt = None
        self._resume: FitState | None = None
        self.fit_state: FitState | None = None

    # ---- compile ----------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None,
                metrics: Sequence[Any] | None = None, weighted_metrics: Sequence[Any] | None = None,
                steps_per_execution: int | str = "auto", jit_compile: bool | str = "auto") -> None:
        """Configures the model for training.

        Args:
          optimizer: An optimizer name or instance. Default "rmsprop" (as keras).
          loss: A loss name, `Loss` instance or function ``f(y_true, y_pred)``.
          metrics: Metric names or instances, unweighted; ``"accuracy"`` is resolved from the
            shapes of targets and outputs as keras does.
          weighted_metrics: Metrics weighted by ``sample_weight``.
          steps_per_execution: Batches per compiled call. ``"auto"`` (default) sizes calls to
            about 0.2 s and falls back to 1 when a callback has per-batch hooks; an int fixes
            it (with 1, per-batch hooks fire every batch).
          jit_compile: Compile the step with XLA: True, False, or "auto" (default: on only when
            a GPU is visible).
        """
        if loss is None:
            raise ValueError("compile() needs a `loss`, e.g. loss='mse'. Received: loss=None")
        optimizer = optimizers_module.get(optimizer)
        loss = losses_module.get(loss)
        metrics = check_metric_list(metrics, "metrics")
        weighted_metrics = check_metric_list(weighted_metrics, "weighted_metrics")
        if steps_per_execution != "auto":
            data_module.check_positive_int(steps_per_execution, "steps_per_execution")
        jit = resolve_jit_compile(jit_compile)
        strategy = tf.distribute.get_strategy()
        check_strategy(strategy, list(self.weights) + [optimizer.iterations])
        if tf.distribute.has_strategy() and jit_compile == "auto":
            jit = False  # XLA inside strategy.run is not worth its cost here (as keras)
        self._strategy = strategy
        self._compiled_in_scope = tf.distribute.has_strategy()
        self.optimizer, self.loss = optimizer, loss
        self._metric_ids = [(m, False) for m in metrics] + [(m, True) for m in weighted_metrics]
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit
        self._steps = None
        self.compiled = True

    def _scope(self):
        """Enters the strategy the model was compiled under (a no-op without one)."""
        strategy = getattr(self, "_strategy", None)
        current = tf.distribute.get_strategy()
        if strategy is None:
            return current.scope()
        if tf.distribute.has_strategy() and current is not strategy:
            where = (f"compiled under {type(strategy).__name__}" if self._compiled_in_scope
                     else "built and compiled outside any strategy scope")
            raise ValueError(
                f"This model was {where} but is used inside {type(current).__name__}'s "
                "scope. Create and compile the model inside the scope of the strategy that "
                "trains it.")
        return strategy.scope()

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise ValueError(
                f"You must call compile() before {what}(). Example: "
                "model.compile(optimizer='sgd', loss='mse')")

    def _forget_compiled_functions(self) -> None:
        """Called when the layers change: the traced steps belong to the old structure."""
        self._steps = self._predict_steps = None

    def _compiled_steps(self, y_shape: tuple) -> CompiledSteps:
        """Builds the step functions on first use, resolving metrics from the data's shapes."""
        if self._steps is None:
            if self.optimizer.built and not self.optimizer.knows(self.trainable_variables):
                raise ValueError(
                    "The model's layers changed after its optimizer was built (by fit); its "
                    "state belongs to the old weights. Call compile() again before fit().")
            out_shape = self.compute_output_shape(self.input_spec_shape)
            entries = resolve_metrics(self._metric_ids, y_shape, out_shape)
            # Slots are made eagerly: variables created while tracing would force a retrace.
            self.optimizer.build(self.trainable_variables)
            self._steps = CompiledSteps(self, self.loss, self.optimizer,
                                        metrics_module.Mean(name="loss"), entries,
                                        jit_compile=self.jit_compile, strategy=self._strategy)
        return self._steps

    @property
    def metrics_names(self) -> list[str]:
        return self._steps.log_names if self._steps else ["loss"]

    @property
    def metrics(self) -> list:
        """The compiled metric objects (the loss tracker first), once fit or evaluate ran."""
        if self._steps is None:
            return []
        return [self._steps.loss_tracker] + [m for _, m, _ in self._steps.metrics]

    @property
    def trace_counts(self) -> dict[str, int]:
        """How many times each compiled function was traced (for tests and curiosity)."""
        counts: dict[str, int] = {}
        for steps in (self._steps, self._predict_steps):
            if steps is not None:
                counts.update(steps.trace_counts)
        return counts

    # ---- data ---------------------------------------------------------------------------------
    def _ensure_shuffle_generator(self) -> tf.random.Generator:
        """The generator of shuffle orders, seeded from Python's random on first use."""
        if self._shuffle_generator is None:
            with tf.init_scope():
                self._shuffle_generator = tf.random.Generator.from_seed(draw_seed())
        return self._shuffle_generator

    def _epoch_order(self, n: int) -> tf.Tensor:
        """A permutation of range(n), drawn in the graph: new every epoch, reproducible."""
        self._ensure_shuffle_generator()
        if self._order_fn is None:
            generator = self._shuffle_generator

            self._order_fn = tf.function(lambda n: shuffled_order(generator, n),
                                         input_signature=[tf.TensorSpec((), tf.int32)])
        return self._order_fn(tf.constant(n, tf.int32))

    # ---- fit ----------------------------------------------------------------------------------
    @in_strategy_scope
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int | str = "auto", callbacks: Sequence[Callback] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            initial_epoch: int = 0, sample_weight: Any = None, class_weight: dict | None = None,
            steps_per_epoch: int | None = None, validation_freq: int = 1) -> History:
        """Trains the model for ``epochs`` passes over the data; returns a `History`.

        Each epoch reports the running mean of the batch losses (weighted by batch size) and of
        the metrics of the predictions made before each update, as keras does; this is not the
        loss of the end-of-epoch model. With ``shuffle=True`` every epoch gets a new order,
        drawn from a generator seeded through `utils.set_random_seed` (keras repeats one order
        when a global seed is set).

        Args:
          x, y: Arrays (NumPy, tf.Tensor or nested lists) with the same number of samples; or
            x a `tf.data.Dataset` / generator of ``(x, y[, sample_weight])`` batches, y None.
          batch_size: Default 32 (arrays only).
          epochs: Index of the last epoch (training runs ``initial_epoch .. epochs-1``).
          verbose: "auto" (1 when interactive, else 2), 0 silent, 1 live bar, 2 line per epoch.
          callbacks: List of `Callback`s.
          validation_split: Fraction of the last rows (taken before shuffling) held out.
          validation_data: ``(x_val, y_val[, sample_weight_val])`` or a dataset.
          shuffle: Whether to shuffle the rows of in-memory arrays every epoch. Default True.
          initial_epoch: Epoch to start from. Default 0.
          sample_weight: Optional per-sample weights (arrays only).
          class_weight: Optional ``{class index: weight}``, turned into sample weights; every
            class in y must be listed (arrays only; not together with sample_weight).
          steps_per_epoch: Batches per epoch for a dataset or generator of unknown length.
          validation_freq: Validate every this many epochs. Default 1.

        Ctrl-C stops training cleanly after the current compiled call: callbacks'
        ``on_train_end`` run, a warning is shown, and the History so far is returned.
        """
        self._require_compiled("fit")
        epochs, validation_freq = check_fit_args(epochs, initial_epoch, steps_per_epoch,
                                                 validation_freq, shuffle)
        verbose = resolve_verbose(verbose)

        train, val = fit_adapters(self, x, y, sample_weight, class_weight, batch_size,
                                  steps_per_epoch, validation_split, validation_data)
        if not self.built:
            self.build((None,) + train.feature_shape)

        steps = self._compiled_steps(train.y_shape)
        self.history = History()
        cbs = self._callbacks(callbacks, verbose, epochs=epochs, steps=train.steps_per_epoch)
        self.stop_training = False
        self.fit_state = FitState(epoch=initial_epoch, step=0, adapter=train, steps=steps)
        if shuffle:
            self._ensure_shuffle_generator()
        with InterruptGuard() as interrupt:
            self._interrupt = interrupt
            cbs.call("on_train_begin", None)
            # A callback (BackupAndRestore) may have restored a run in progress.
            resume, self._resume = self._resume, None
            first_epoch = resume.epoch if resume else initial_epoch
            logs: dict[str, float] = {}
            # Several epochs per call when nothing needs to run between them: no callbacks but
            # the History and at most a line per epoch (verbose=2, the "auto" of scripts).
            if (not callbacks and verbose != 1 and val is None and resume is None
                    and isinstance(train, ArrayAdapter) and self.steps_per_execution == "auto"):
                first_epoch, logs = self._fit_epoch_groups(steps, train, shuffle, first_epoch,
                                                           epochs, cbs)
            for epoch in range(first_epoch, epochs):
                resuming = resume is not None and epoch == resume.epoch
                self.fit_state.epoch, self.fit_state.step = epoch, 0
                cbs.call("on_epoch_begin", epoch, None)
                if resuming and resume.order is not None:
                    train.order = resume.order  # the interrupted epoch's own order
                else:
                    train.begin_epoch(self._epoch_order if shuffle else None)
                logs, done = self._run_epoch(steps, train, "train", cbs,
                                             first_step=resume.step if resuming else 0)
                if interrupt.requested:
                    warnings.warn(f"Training interrupted (Ctrl-C) in epoch {epoch + 1} after "
                                  f"{done} step(s) of it; returning the History so far.")
                    break
                if done == 0:
                    warnings.warn("Your input ran out of data; interrupting training. Make sure "
                                  "the dataset or generator can give steps_per_epoch * epochs "
                                  "batches.")
                    break
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val.begin_epoch()
                    val_logs = self._evaluate(steps, val, cbs)
                    if interrupt.requested:  # partial validation logs must not reach callbacks
                        warnings.warn(f"Training interrupted (Ctrl-C) during the validation of "
                                      f"epoch {epoch + 1}; returning the History so far.")
                        break
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                cbs.call("on_epoch_end", epoch, logs)
                if self.stop_training:
                    break
            self._interrupt = None
            self.fit_state.interrupted = interrupt.requested
            cbs.call("on_train_end", logs)
        return self.history

    def _callbacks(self, callbacks, verbose: int, **params: Any) -> CallbackList:
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(ProgbarLogger(verbose))
        if params.get("epochs") is not None:
            cbs.append(self.history)
        return CallbackList(cbs, self, {"verbose": verbose, **params})

    # ---- evaluate -----------------------------------------------------------------------------
    @in_strategy_scope
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: int | str = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: Sequence[Callback] | None = None,
                 return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Returns the loss and metrics of the model on ``(x, y)``, in batches of ``batch_size``.

        Returns a scalar loss when there are no metrics, else ``[loss, *metrics]``, or a dict
        with ``return_dict=True``.
        """
        self._require_compiled("evaluate")
        verbose = resolve_verbose(verbose)
        adapter = make_adapter(self, x, y, sample_weight, batch_size, steps)
        if not self.built:
            self.build((None,) + adapter.feature_shape)
        cbs = self._callbacks(callbacks, verbose, steps=adapter.steps_per_epoch)
        adapter.begin_epoch()
        logs = self._evaluate(self._compiled_steps(adapter.y_shape), adapter, cbs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ---- predict ------------------------------------------------------------------------------
    @in_strategy_scope
    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = "auto",
                steps: int | None = None,
                callbacks: Sequence[Callback] | None = None) -> np.ndarray:
        """Returns the model's outputs for ``x`` as a NumPy array, computed in batches.

        Input that fits in one batch is run eagerly, so predicting a handful of samples costs
        about as much as calling the model.
        """
        verbose = resolve_verbose(verbose)
        adapter = make_adapter(self, x, None, None, batch_size, steps, require_y=False)
        if not self.built:
            self.build((None,) + adapter.feature_shape)
        cbs = self._callbacks(callbacks, verbose, steps=adapter.steps_per_epoch)
        cbs.call("on_predict_begin", None)
        if isinstance(adapter, ArrayAdapter) and adapter.steps_per_epoch == 1 \
                and not tf.distribute.has_strategy():
            cbs.call("on_predict_batch_begin", 0, None)
            out = self(adapter.x, training=False).numpy()
            cbs.call("on_predict_batch_end", 0, None)
            cbs.call("on_predict_end", None)
            return out
        if self._predict_steps is None:
            self._predict_steps = PredictSteps(self)
        adapter.begin_epoch()
        outputs, step, total = [], 0, adapter.steps_per_epoch
        while total is None or step < total:
            count = self._chunk_size(cbs, "predict")
            count = count if total is None else min(count, total - step)
            cbs.call("on_predict_batch_begin", step, None)
            done, out = adapter.predict(self._predict_steps, step, count)
            if done == 0:
                break
            outputs.append(out.numpy())
            step += done
            cbs.call("on_predict_batch_end", step - 1, None)
            if done < count:
                break
        cbs.call("on_predict_end", None)
        if not outputs:
            raise ValueError("predict() received no batches from its input.")
        return np.concatenate(outputs, axis=0)
