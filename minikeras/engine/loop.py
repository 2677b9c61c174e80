"""The loop over compiled chunks: how many steps a call runs, timing them, one pass over the
data, and several whole epochs per call when nothing has to run between epochs.

A mixin of `Trainer` (trainer.py), which owns the public compile/fit/evaluate/predict; these
methods read its ``steps_per_execution``, ``fit_state``, ``stop_training`` and interrupt state.
"""
from __future__ import annotations

import functools
import time
import warnings
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from minikeras.callbacks import CallbackList
from minikeras.engine.adapters import ArrayAdapter
from minikeras.engine.steps import CompiledSteps

# "auto" steps_per_execution aims for compiled calls of about this many seconds: long enough
# to make Python's per-call overhead vanish, short enough to keep progress bars live.
AUTO_CALL_SECONDS = 0.2


class ChunkLoop:
    """Runs passes of compiled steps in chunks sized for ``steps_per_execution``."""

    def _chunk_size(self, cbs: CallbackList, kind: str = "train") -> int:
        if kind != "train" and tf.distribute.has_strategy():
            # Evaluation and prediction steps have no merge point between replicas, and the
            # same collective in consecutive loop iterations could pair across iterations:
            # one step per call keeps the replicas in lockstep.
            return 1
        if self.steps_per_execution != "auto":
            return int(self.steps_per_execution)
        if cbs.needs_batch_hooks:
            return 1
        return self._auto_steps["train" if kind == "train" else "test"]  # predict sizes as test

    def _timed(self, steps: CompiledSteps, kind: str,
               call: Callable[[], tuple]) -> tuple[int, np.ndarray]:
        """Runs ``call() -> (steps run, logs tensor)``; returns them with the logs on the host.

        A call that did not trace tells how long a step takes; "auto" then sizes the next
        calls of this ``kind`` to about `AUTO_CALL_SECONDS`.
        """
        traces, start = sum(steps.trace_counts.values()), time.perf_counter()
        done, values = call()
        values = values.numpy()
        if done and sum(steps.trace_counts.values()) == traces:
            per_step = (time.perf_counter() - start) / done
            self._auto_steps[kind] = int(min(max(AUTO_CALL_SECONDS / per_step, 1), 1 << 20))
        return done, values

    def _run_epoch(self, steps: CompiledSteps, adapter: Any, kind: str, cbs: CallbackList,
                   first_step: int = 0) -> tuple[dict[str, float], int]:
        """Runs one pass of ``kind`` ("train" or "test"); returns the logs and steps run.

        A resumed epoch starts at ``first_step`` with the metric states it was saved with.
        """
        total, step, logs = adapter.steps_per_epoch, first_step, {}
        reset = first_step == 0
        while total is None or step < total:
            count = self._chunk_size(cbs, kind)
            if total is not None:
                count = min(count, total - step)
            cbs.call(f"on_{kind}_batch_begin", step, None)
            done, values = self._timed(steps, kind,
                                       lambda: adapter.run(steps, kind, step, count, reset))
            if done == 0:
                break
            reset = False
            step += done
            if kind == "train":
                self.fit_state.step = step
            logs = dict(zip(steps.log_names, map(float, values)))
            cbs.call(f"on_{kind}_batch_end", step - 1, logs)
            if done < count or (kind == "train" and self.stop_training) or \
                    (self._interrupt is not None and self._interrupt.requested):
                break
        return logs, step

    def _fit_epoch_groups(self, steps: CompiledSteps, train: ArrayAdapter, shuffle: bool,
                          first_epoch: int, epochs: int,
                          cbs: CallbackList) -> tuple[int, dict[str, float]]:
        """With nothing to run between epochs, runs several whole epochs per compiled call
        (sized like "auto" chunks); History gets every epoch's logs. Returns where it stopped.
        """
        generator = self._ensure_shuffle_generator() if shuffle else None
        epoch, logs = first_epoch, {}
        while epoch < epochs and not self.stop_training and not self._interrupt.requested:
            group = max(1, min(epochs - epoch, self._auto_steps["train"] // train.steps_per_epoch))
            run = functools.partial(steps.run_array_epochs, train.x, train.y, train.sw,
                                    generator, group, train.batch_size)
            start = time.perf_counter()
            _, values = self._timed(steps, "train", lambda: (group * train.steps_per_epoch, run()))
            self.fit_state.epoch_seconds = (time.perf_counter() - start) / group
            for e in range(group):
                self.fit_state.epoch, self.fit_state.step = epoch + e, train.steps_per_epoch
                cbs.call("on_epoch_begin", epoch + e, None)
                logs = dict(zip(steps.log_names, map(float, values[e])))
                cbs.call("on_epoch_end", epoch + e, logs)
            epoch += group
        self.fit_state.epoch_seconds = None
        if self._interrupt.requested:
            warnings.warn(f"Training interrupted (Ctrl-C) after epoch {epoch}; returning the "
                          "History so far.")
        return (epochs if self.stop_training or self._interrupt.requested else epoch), logs

    def _evaluate(self, steps: CompiledSteps, adapter: Any, cbs: CallbackList) -> dict[str, float]:
        cbs.call("on_test_begin", None)
        logs, _ = self._run_epoch(steps, adapter, "test", cbs)
        cbs.call("on_test_end", logs)
        return logs
