"""compile, fit, evaluate and predict: what a model adds to a layer to be trained.

The life of one ``fit`` call, each step in one place:

    fit (here)           checks the arguments; turns x, y into adapters (engine/inputs.py ->
                         data.py -> adapters.py); builds the compiled steps once
      -> Runner.fit      epochs, chunks of steps, every callback hook (engine/runner.py)
        -> steps.run     one compiled call: batches gathered in the graph, forward, loss,
                         gradients, optimizer.apply, metric updates (engine/steps.py)
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation
from minikeras import losses as losses_module
from minikeras import optimizers as optimizers_module
from minikeras.callbacks import Callback, CallbackList, History, ProgbarLogger, callback_list
from minikeras.callbacks.progbar import resolve_verbose
from minikeras.engine.batch_step import BatchStep, overrides
from minikeras.engine.compile_utils import (
    check_metric_list,
    check_strategy,
    output_losses,
    per_output,
    resolve_jit_compile,
    resolve_outputs,
    split_structure_losses,
)
from minikeras.engine.inputs import batch_shapes, check_fit_args, fit_adapters, make_adapter
from minikeras.engine.predict_steps import PredictSteps
from minikeras.engine.runner import ChunkSizer, Runner, epochs_share_calls
from minikeras.engine.state import TrainingState
from minikeras.engine.steps import CompiledSteps
from minikeras.models.step_api import StepAPI, is_crossentropy_alias


def in_strategy_scope(method):
    """Runs a Trainer method inside the scope of the strategy the model was compiled under."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._scope():
            return method(self, *args, **kwargs)
    return wrapper


class Trainer(StepAPI):
    """Mixin giving a model compile, fit, evaluate and predict (used by `Sequential`)."""

    def _init_trainer(self) -> None:
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history: History | None = None
        self.steps_per_execution: int | str = "auto"
        self.jit_compile = False
        self.compile_arguments: dict = {}
        self.training_state = TrainingState()
        self._chunk_sizer = ChunkSizer()
        self._steps: CompiledSteps | None = None
        self._predict_steps: PredictSteps | None = None
        self._strategy = None
        self._compiled_in_scope = False

    # ---- compile ----------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None,
                steps_per_execution: int | str = "auto", jit_compile: bool | str = "auto") -> None:
        """Configures the model for training.

        Args:
          optimizer: An optimizer name or instance. Default "rmsprop" (as keras).
          loss: A loss name, `Loss` instance or function ``f(y_true, y_pred)``; for a model
            with several outputs, one for all, a list (one per output) or a dict keyed by
            output name. None only for a model whose own `train_step` computes its loss.
          loss_weights: Optional factors of each output's loss in the total (list or dict).
          metrics: Metric names or instances, unweighted; ``"accuracy"`` is resolved from the
            shapes of targets and outputs as keras does. Several outputs: a list with one
            entry (a metric or a list) per output, or a dict keyed by output name.
          weighted_metrics: Metrics weighted by ``sample_weight``, given the same way.
          steps_per_execution: Batches per compiled call. ``"auto"`` (default) sizes calls to
            about 0.2 s and falls back to 1 when a callback has per-batch hooks; an int fixes
            it (with 1, per-batch hooks fire every batch).
          jit_compile: Compile the step with XLA: True, False, or "auto" (default: on only when
            a GPU is visible).
        """
        optimizer = optimizers_module.get(optimizer)
        names = self._output_names()
        per, _, whole = split_structure_losses(loss, loss_weights,
                                               getattr(self, "_outputs_struct", None))
        for given in per_output(per, names, "loss") + [[fn for fn, _ in whole]]:
            for one in output_losses(given):  # unknown names fail now
                if not is_crossentropy_alias(one):
                    losses_module.to_loss(one)
        for arg, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value is not None and not isinstance(value, (list, tuple, dict)):
                raise TypeError(f"Expected `{arg}` to be a list (or, for a model with several "
                                f"outputs, a list per output or a dict), e.g. {arg}=['accuracy']."
                                f" Received: {value!r}")
            for entry in per_output(value, names, arg, []):
                check_metric_list(entry if isinstance(entry, (list, tuple)) or entry is None
                                  else [entry], arg)
        if steps_per_execution != "auto":
            _validation.positive_int(steps_per_execution, "steps_per_execution")
        jit = resolve_jit_compile(jit_compile)
        strategy = tf.distribute.get_strategy()
        check_strategy(strategy, list(self.weights) + [optimizer.iterations])
        if tf.distribute.has_strategy() and jit_compile == "auto":
            jit = False  # XLA inside strategy.run is not worth its cost here (as keras)
        self._strategy = strategy
        self._compiled_in_scope = tf.distribute.has_strategy()
        self.optimizer = optimizer
        single = loss is not None and len(names) == 1 and not isinstance(loss, (list, tuple, dict))
        self.loss = losses_module.to_loss(loss) if single and not is_crossentropy_alias(loss) \
            else loss
        self.compile_arguments = {"loss": loss, "loss_weights": loss_weights,
                                  "metrics": metrics or [],
                                  "weighted_metrics": weighted_metrics or []}
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit
        self._steps = None
        self.compiled = True

    @property
    def distribute_strategy(self) -> Any:
        """The `tf.distribute` strategy the model was compiled under (keras's name), or the
        default strategy."""
        return self._strategy or tf.distribute.get_strategy()

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

    def _output_names(self) -> list[str]:
        """One name per model output, in the order of the flattened outputs: a dict's keys
        (sorted, as `tf.nest` flattens them), else the output layers' names ("output" for a
        single one)."""
        struct = getattr(self, "_outputs_struct", None)
        if isinstance(struct, dict):
            return sorted(struct)
        names = getattr(self, "output_names", None)
        return list(names) if names else ["output"]

    def _input_names(self) -> list[str] | None:
        """The keys by which fit's data names the inputs of a model with several, in the order
        of the flattened inputs: a dict's keys (sorted, as `tf.nest` flattens them), else the
        input layers' names."""
        struct = getattr(self, "_inputs_struct", None)
        if isinstance(struct, dict) and len(struct) > 1 and not any(
                isinstance(v, (dict, list, tuple)) for v in struct.values()):
            return sorted(struct)
        names = getattr(self, "input_names", None)
        return list(names) if names and len(names) > 1 else None

    def _data_inputs(self, x: Any) -> Any:
        """The model's input structure for fit's tuple of input tensors (in the order of
        `_input_names`): a model of named inputs gets its dict back, and an input absent from
        a dict (an optional one given as None) is None again."""
        struct = getattr(self, "_inputs_struct", None)
        names = self._input_names()
        if isinstance(x, dict) and names and set(x) < set(names):
            x = tuple(x.get(name) for name in names)
        if isinstance(x, tuple) and isinstance(struct, dict) and \
                self._input_names() == sorted(struct) and len(x) == len(struct):
            return dict(zip(sorted(struct), x))
        return x

    def _compiled_steps(self, y_shape: Any) -> CompiledSteps:
        """Builds the step functions on first use, resolving losses and metrics per output
        from the data's shapes."""
        if self._steps is None:
            if self.optimizer.built and not self.optimizer.knows(self.trainable_variables):
                raise ValueError(
                    "The model's layers changed after its optimizer was built (by fit); its "
                    "state belongs to the old weights. Call compile() again before fit().")
            names = self._output_names()
            if self.compile_arguments["loss"] is None and not overrides(self, "train_step"):
                raise ValueError("No loss found. You may have forgotten to provide a `loss` "
                                 "argument in the `compile()` method.")
            out_shapes = [self.compute_output_shape(self.input_spec_shape)] if len(names) == 1 \
                else [tuple(t.shape) for t in self.outputs]
            y_shapes = [y_shape] if len(names) == 1 else list(y_shape or [None] * len(names))
            args = self.compile_arguments
            struct = getattr(self, "_outputs_struct", None)
            loss, loss_weights, whole = split_structure_losses(args["loss"],
                                                               args["loss_weights"], struct)
            outputs, entries = resolve_outputs(loss, loss_weights,
                                               args["metrics"], args["weighted_metrics"], names,
                                               y_shapes, out_shapes,
                                               losses_module.get_for_compile,
                                               isinstance(getattr(self, "_outputs_struct",
                                                                  None), dict))
            if len(outputs) == 1:
                self.loss = outputs[0][1]  # "crossentropy" is resolved now that shapes are known
            # Slots are made eagerly: variables created while tracing would force a retrace.
            self.optimizer.build(self.trainable_variables)
            whole = [("_".join(names), losses_module.to_loss(fn), weight) for fn, weight in whole]
            batch = BatchStep(self, outputs, self.optimizer, entries,
                              self._strategy or tf.distribute.get_strategy(), whole)
            self._steps = CompiledSteps(batch, jit_compile=self.jit_compile)
        return self._steps

    @property
    def metrics_names(self) -> list[str]:
        return self._steps.log_names if self._steps else ["loss"]

    @property
    def metrics(self) -> list:
        """The compiled metric objects (the loss tracker first, once fit or evaluate ran),
        then the metrics the model and its layers hold as attributes."""
        compiled = self._steps.batch.tracked if self._steps is not None else []
        own = [m for layer in [self] + self._flatten_sublayers()
               for m in getattr(layer, "_tracked_metrics", [])]
        return compiled + [m for m in own if not any(m is c for c in compiled)]

    @property
    def trace_counts(self) -> dict[str, int]:
        """How many times each compiled function was traced (for tests and curiosity)."""
        counts: dict[str, int] = {}
        for steps in (self._steps, self._predict_steps):
            if steps is not None:
                counts.update(steps.trace_counts)
        return counts

    def _runner(self, compiled: Any, callbacks: Any, verbose: int, **params: Any) -> Runner:
        cbs = callback_list(callbacks)
        if verbose:
            cbs.append(ProgbarLogger(verbose))
        if params.get("epochs") is not None:
            cbs.append(self.history)
        cbs = CallbackList(cbs, self, {"verbose": verbose, **params})
        return Runner(self, compiled, cbs, self._chunk_sizer, self.steps_per_execution,
                      self.training_state)

    # ---- fit ----------------------------------------------------------------------------------
    @in_strategy_scope
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int | str = "auto", callbacks: Sequence[Callback] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            initial_epoch: int = 0, sample_weight: Any = None, class_weight: dict | None = None,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int = 1) -> History:
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
          callbacks: A `Callback` or a list of them.
          validation_split: Fraction of the last rows (taken before shuffling) held out.
          validation_data: ``(x_val, y_val[, sample_weight_val])`` or a dataset.
          shuffle: Whether to shuffle the rows of in-memory arrays every epoch. Default True.
          initial_epoch: Epoch to start from. Default 0.
          sample_weight: Optional per-sample weights (arrays only).
          class_weight: Optional ``{class index: weight}``, turned into sample weights; every
            class in y must be listed (arrays only; not together with sample_weight).
          steps_per_epoch: Batches per epoch for a dataset or generator of unknown length.
          validation_steps: Batches of a validation dataset to evaluate (default: all).
          validation_batch_size: Batch size of validation arrays (default: batch_size).
          validation_freq: Validate every this many epochs. Default 1.

        Ctrl-C stops training cleanly after the current compiled call: callbacks'
        ``on_train_end`` run, a warning is shown, and the History so far is returned.
        """
        self._require_compiled("fit")
        epochs, validation_freq = check_fit_args(epochs, initial_epoch, steps_per_epoch,
                                                 validation_freq, shuffle)
        verbose = resolve_verbose(verbose)
        user_callbacks = callback_list(callbacks)
        if validation_steps is not None:
            _validation.positive_int(validation_steps, "validation_steps")
        train, val = fit_adapters(self, x, y, sample_weight, class_weight, batch_size,
                                  steps_per_epoch, validation_split, validation_data, shuffle,
                                  validation_steps)
        if val is not None and not val.streamed and validation_batch_size is not None:
            val.batch_size = min(_validation.positive_int(
                validation_batch_size, "validation_batch_size"), val.n)
            val.steps_per_epoch = -(-val.n // val.batch_size)
        if not self.built:
            self.build(batch_shapes(train.feature_shape))
        steps = self._compiled_steps(train.y_shape)
        self.history = History()
        runner = self._runner(steps, user_callbacks, verbose, epochs=epochs,
                              steps=train.steps_per_epoch)
        self.stop_training = False
        state = self.training_state
        state.epoch, state.step, state.steps_per_epoch = initial_epoch, 0, train.steps_per_epoch
        order_fn = steps.order_function(state.shuffle_generator) if shuffle else None
        group = functools.partial(epochs_share_calls, user_callbacks, verbose, val,
                                  data=train, steps_per_execution=self.steps_per_execution)
        runner.fit(train, val, epochs, initial_epoch, validation_freq, order_fn, group)
        return self.history

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
        data = make_adapter(self, x, y, sample_weight, batch_size, steps)
        if not self.built:
            self.build(batch_shapes(data.feature_shape))
        runner = self._runner(self._compiled_steps(data.y_shape), callbacks, verbose,
                              steps=data.steps_per_epoch)
        logs = runner.evaluate(data)
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
        data = make_adapter(self, x, None, None, batch_size, steps, require_y=False)
        if not self.built:
            self.build(batch_shapes(data.feature_shape))
        if self._predict_steps is None:
            self._predict_steps = PredictSteps(self)
        runner = self._runner(self._predict_steps, callbacks, verbose,
                              steps=data.steps_per_epoch)
        if not data.streamed and data.steps_per_epoch == 1 and not tf.distribute.has_strategy():
            return runner.predict_eagerly(data)
        return runner.predict(data)
