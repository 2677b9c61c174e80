"""The runner: fit's epochs, evaluate's pass and predict's pass, in chunks of compiled steps.

Every callback hook is fired from this file. One loop (`Runner._chunks`) serves training,
testing and prediction: it asks the chunk size, fires the batch-begin hook, runs one compiled
call (steps.py) on the adapter's data (adapters.py), fires the batch-end hook with the running
logs, and stops at the end of the data, on ``model.stop_training`` or on Ctrl-C.

When nothing has to run between epochs (`epochs_share_calls`), several whole epochs, with their
validation passes, run in one compiled call, and the epoch hooks then fire in order for each.
"""
from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.engine.state import InterruptGuard, TrainingState, warn_interrupted

# "auto" steps_per_execution aims for compiled calls of about this many seconds: long enough
# to make Python's per-call overhead vanish, short enough to keep progress bars live.
AUTO_CALL_SECONDS = 0.2


class ChunkSizer:
    """How many steps one compiled call runs: a fixed ``steps_per_execution``, or "auto",
    sized from the measured time of earlier calls of the same kind (train, or test/predict)."""

    def __init__(self) -> None:
        self.auto_steps = {"train": 1, "test": 1}

    def size(self, steps_per_execution: int | str, kind: str, needs_batch_hooks: bool) -> int:
        if kind != "train" and tf.distribute.has_strategy():
            # Evaluation and prediction steps have no merge point between replicas, and the
            # same collective in consecutive loop iterations could pair across iterations:
            # one step per call keeps the replicas in lockstep.
            return 1
        if steps_per_execution != "auto":
            return int(steps_per_execution)
        return 1 if needs_batch_hooks else self.auto_steps[_kind(kind)]

    def timed(self, trace_count: Callable[[], int], kind: str,
              call: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
        """Runs ``call() -> (steps run, result)``; a call that did not trace tells how long a
        step takes, and "auto" sizes the next calls of this kind to `AUTO_CALL_SECONDS`."""
        traces, start = trace_count(), time.perf_counter()
        done, result = call()
        result = tf.nest.map_structure(lambda t: t.numpy(), result)
        if done and trace_count() == traces:
            per_step = (time.perf_counter() - start) / done
            self.auto_steps[_kind(kind)] = int(min(max(AUTO_CALL_SECONDS / per_step, 1), 1 << 20))
        return done, result


def _kind(kind: str) -> str:
    return "train" if kind == "train" else "test"  # predict sizes as test


def epochs_share_calls(user_callbacks: list, verbose: int, validation: Any, resuming: bool,
                       data: Any, steps_per_execution: int | str) -> bool:
    """Whether several epochs can run in one compiled call: nothing runs between epochs (no
    callbacks but the History, at most a line per epoch), a fresh start, training and
    validation data in memory, and "auto" sizing. Under tf.distribute, validation keeps its
    one-step calls (see `ChunkSizer.size`), so epochs with validation run one by one."""
    validation_fits = validation is None or (not validation.streamed
                                             and not tf.distribute.has_strategy())
    return (not user_callbacks and verbose != 1 and not resuming and not data.streamed
            and validation_fits and steps_per_execution == "auto")


class Runner:
    """Runs passes of one compiled model over adapters.

    Args:
      model: The model (its ``stop_training`` flag is read after every chunk).
      steps: Its `CompiledSteps` (train/test) or `PredictSteps`.
      callbacks: A `CallbackList`.
      sizer: The model's `ChunkSizer`.
      steps_per_execution: "auto" or an int.
      state: The model's `TrainingState` (updated as training proceeds).
    """

    def __init__(self, model: Any, steps: Any, callbacks: Any, sizer: ChunkSizer,
                 steps_per_execution: int | str, state: TrainingState | None = None):
        self.model, self.steps, self.callbacks = model, steps, callbacks
        self.sizer, self.steps_per_execution = sizer, steps_per_execution
        self.state = state
        self.interrupt: InterruptGuard | None = None

    def _stopped(self) -> bool:
        return self.interrupt is not None and self.interrupt.requested

    # ---- the one chunk loop ---------------------------------------------------------------
    def _chunks(self, kind: str, data: Any, run: Callable[[int, int, bool], tuple[int, Any]],
                first_step: int = 0) -> Iterator[tuple[int, Any]]:
        """Yields ``(steps done so far, result of the chunk)`` for each compiled call."""
        total, step, reset = data.steps_per_epoch, first_step, first_step == 0
        trace_count = lambda: sum(self.steps.trace_counts.values())  # noqa: E731
        while total is None or step < total:
            count = self.sizer.size(self.steps_per_execution, kind,
                                    self.callbacks.needs_batch_hooks)
            if total is not None:
                count = min(count, total - step)
            self.callbacks.call(f"on_{kind}_batch_begin", step, {})
            done, result = self.sizer.timed(trace_count, kind,
                                            functools.partial(run, step, count, reset))
            if done == 0:
                return
            reset, step = False, step + done
            if kind == "train":
                self.state.step = step
            yield step, result
            if done < count or self._stopped() or (kind == "train"
                                                   and self.model.stop_training):
                return

    def _logs_pass(self, kind: str, data: Any, first_step: int = 0) -> tuple[dict, int]:
        """One pass of "train" or "test" steps; returns the last running logs and steps run."""
        logs, step = {}, first_step
        run = lambda first, count, reset: self.steps.run(kind, data, first, count,  # noqa: E731
                                                         reset)
        for step, values in self._chunks(kind, data, run, first_step):
            logs = dict(zip(self.steps.log_names_for(kind), map(float, values)))
            self.callbacks.call(f"on_{kind}_batch_end", step - 1, logs)
        return logs, step

    # ---- evaluate and predict -------------------------------------------------------------
    def evaluate(self, data: Any) -> dict[str, float]:
        """One test pass over ``data``, between ``on_test_begin`` and ``on_test_end``."""
        self.callbacks.call("on_test_begin", {})
        data.begin_epoch()
        logs, _ = self._logs_pass("test", data)
        self.callbacks.call("on_test_end", logs)
        return logs

    def predict_eagerly(self, data: Any) -> np.ndarray:
        """Outputs for data that fit in one batch: one plain call of the model, which costs
        less than a compiled call would."""
        self.callbacks.call("on_predict_begin", {})
        self.callbacks.call("on_predict_batch_begin", 0, {})
        out = tf.nest.map_structure(lambda t: t.numpy(), self.model(
            self.model._data_inputs(data.x), training=False))
        self.callbacks.call("on_predict_batch_end", 0, {"outputs": out})
        self.callbacks.call("on_predict_end", {})
        return out

    def predict(self, data: Any) -> np.ndarray:
        """The model's outputs for every batch of ``data``, concatenated."""
        self.callbacks.call("on_predict_begin", {})
        data.begin_epoch()
        outputs = []
        for step, out in self._chunks("predict", data, lambda first, count, reset:
                                      self.steps.run(data, first, count)):
            outputs.append(out)
            self.callbacks.call("on_predict_batch_end", step - 1, {"outputs": out})
        self.callbacks.call("on_predict_end", {})
        if not outputs:
            raise ValueError("predict() received no batches from its input.")
        return tf.nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    # ---- fit ------------------------------------------------------------------------------
    def fit(self, train: Any, validation: Any, epochs: int, initial_epoch: int,
            validation_freq: int, order_fn: Callable[[int], tf.Tensor] | None,
            group_epochs: Callable[[bool], bool]) -> None:
        """Trains for epochs ``initial_epoch .. epochs - 1`` (or from a resume point a callback
        set in ``on_train_begin``). ``group_epochs(resuming)`` says whether epochs may share
        compiled calls; ``order_fn(n)`` draws an epoch's order (None: no shuffling)."""
        cbs, state = self.callbacks, self.state
        with InterruptGuard() as self.interrupt:
            cbs.call("on_train_begin", {})
            resume, state.resume = state.resume, None
            epoch, logs = (resume.epoch if resume else initial_epoch), {}
            if group_epochs(resume is not None):
                epoch, logs = self._epoch_groups(train, order_fn, epoch, epochs, validation,
                                                 validation_freq)
            while epoch < epochs and not self._stopped() and not self.model.stop_training:
                resuming = resume is not None and epoch == resume.epoch
                state.epoch, state.step = epoch, 0
                cbs.call("on_epoch_begin", epoch, {})
                if resuming and resume.order is not None:
                    train.order = resume.order  # the interrupted epoch's own order
                else:
                    train.begin_epoch(order_fn)
                state.order = None if train.streamed else train.order
                logs, done = self._logs_pass("train", train, resume.step if resuming else 0)
                if self._stopped():
                    warn_interrupted(epoch, steps_done=done)
                    break
                if done == 0:
                    warnings.warn("Your input ran out of data; interrupting training. Make "
                                  "sure the dataset or generator can give steps_per_epoch * "
                                  "epochs batches.", stacklevel=3)
                    break
                if validation is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self.evaluate(validation)
                    if self._stopped():  # partial validation logs must not reach callbacks
                        warn_interrupted(epoch, during="validation")
                        break
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                cbs.call("on_epoch_end", epoch, logs)
                epoch += 1
            state.interrupted = self._stopped()
            cbs.call("on_train_end", logs)
        self.interrupt = None

    def _epoch_groups(self, train: Any, order_fn: Any, epoch: int, epochs: int,
                      validation: Any, validation_freq: int) -> tuple[int, dict[str, float]]:
        """Runs several whole epochs, and their validation passes, per compiled call (sized
        like "auto" chunks), then fires each epoch's hooks in order with its own logs.
        Returns where it stopped."""
        state, logs, per_epoch = self.state, {}, train.steps_per_epoch
        shuffle = order_fn is not None
        trace_count = lambda: sum(self.steps.trace_counts.values())  # noqa: E731
        while epoch < epochs and not self.model.stop_training and not self._stopped():
            group = max(1, min(epochs - epoch, self.sizer.auto_steps["train"] // per_epoch))
            start = time.perf_counter()
            def run_group(group: int = group, first: int = epoch) -> tuple[int, tuple]:
                generator = state.shuffle_generator if shuffle else None
                return group * per_epoch, self.steps.run_array_epochs(
                    train.x, train.y, train.sw, generator, group, train.batch_size,
                    train.weighted, validation, first, validation_freq)
            _, (values, val_values) = self.sizer.timed(trace_count, "train", run_group)
            state.epoch_seconds = (time.perf_counter() - start) / group
            # known once traced (a model's own test_step names its logs)
            val_names = [f"val_{k}" for k in self.steps.log_names_for("test")]
            for e in range(group):
                state.epoch, state.step = epoch + e, per_epoch
                self.callbacks.call("on_epoch_begin", epoch + e, {})
                logs = dict(zip(self.steps.log_names, map(float, values[e])))
                if validation is not None and (epoch + e + 1) % validation_freq == 0:
                    logs.update(zip(val_names, map(float, val_values[e])))
                self.callbacks.call("on_epoch_end", epoch + e, logs)
            epoch += group
        state.epoch_seconds = None
        if self._stopped():
            warn_interrupted(epoch)
        return (epochs if self.model.stop_training or self._stopped() else epoch), logs
