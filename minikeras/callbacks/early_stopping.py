"""EarlyStopping: stop training when a monitored quantity stops improving."""
from __future__ import annotations

import warnings

from minikeras._validation import non_negative_int
from minikeras.callbacks.messages import print_msg
from minikeras.callbacks.monitor import MonitorCallback, compiled_metrics


class EarlyStopping(MonitorCallback):
    """Stops training once ``monitor`` has not improved for ``patience`` epochs (keras 3 rules).

    At the end of every epoch from ``start_from_epoch`` on, with ``wait`` counting monitored
    epochs since the last counted improvement::

        wait += 1
        if improves(current, best):            # current ± min_delta beats best (or best None)
            best = current
            if baseline is None or improves(current, baseline):
                wait = 0
        elif wait >= patience and epoch > 0:
            model.stop_training = True

    So with a ``baseline``, epochs that beat the best but not the baseline still count towards
    ``patience``, and training stops at the first non-improving epoch once they add up.

    Args:
      monitor: Quantity to watch. Default "val_loss".
      min_delta: Smallest change counted as an improvement. Default 0.
      patience: Epochs without improvement before stopping. Default 0.
      verbose: 1 prints when it stops and when it restores weights. Default 0.
      mode: "auto" (from the name; see `MonitorCallback`), "min" or "max".
      baseline: Value the monitored quantity must beat to reset the patience. Default None.
      restore_best_weights: At the end of training (stopped early or not), set the model's
        weights to those of the best epoch. Default False.
      start_from_epoch: Epochs to wait before monitoring (warm-up). Default 0.

    Example:
      >>> from minikeras.callbacks import EarlyStopping
      >>> import numpy as np
      >>> import minikeras as keras
      >>> x = np.linspace(-1, 1, 64, dtype="float32").reshape(32, 2)
      >>> y = x.sum(axis=1, keepdims=True)
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer="sgd", loss="mse")
      >>> stop = EarlyStopping(monitor="loss", patience=3)
      >>> history = model.fit(x, y, verbose=0, epochs=100, callbacks=[stop])
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = non_negative_int(patience, "patience")
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = non_negative_int(start_from_epoch, "start_from_epoch")
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        # Reset so one instance can serve several fit calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None
        self._check_monitor()

    def _check_monitor(self) -> None:
        """Refuses, before any epoch trains, a ``monitor`` the model will never log.

        The names are known once fit has built the compiled steps (before ``on_train_begin``):
        the loss and compiled metrics (``model.metrics``), their ``val_`` forms, and
        ``learning_rate`` (logged by the learning-rate callbacks). With ``mode="auto"`` any
        other name is a ValueError (its direction could not be resolved at the first epoch
        end either); with an explicit mode
        another callback may log it, so it is left to the warning at each epoch end (keras).
        """
        names = [metric.name for metric in compiled_metrics(self.model)]
        if not names:
            return  # the compiled steps do not exist (not in fit): nothing to check against
        known = names + [f"val_{n}" for n in names] + ["learning_rate"]
        if self.monitor in known:
            if self.mode == "auto":
                self.monitor_op = None
                self._set_monitor_op()
            return
        if self.mode == "auto":  # with an explicit mode another callback may log the name
            raise ValueError(
                f"EarlyStopping received monitor={self.monitor!r}, which this model does not "
                f"log. Available: {', '.join(known)}. (A quantity logged by another callback "
                "needs mode='min' or mode='max'.)")

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(f"Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value in ``logs``; None, with a warning, when it is missing."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}", stacklevel=2)
        return value
