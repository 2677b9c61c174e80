"""ReduceLROnPlateau: multiply the learning rate by ``factor`` when a quantity stops improving."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from minikeras._validation import non_negative_int
from minikeras.callbacks.messages import print_msg
from minikeras.callbacks.monitor import (
    MonitorCallback,
    check_settable_learning_rate,
    learning_rate_value,
)


class ReduceLROnPlateau(MonitorCallback):
    """Reduces the learning rate after ``patience`` epochs without improvement (keras rules).

    At every epoch end (``wait`` and ``cooldown_counter`` start at 0)::

        logs["learning_rate"] = lr             # so History and CSVLogger record it
        if cooldown_counter > 0: cooldown_counter -= 1; wait = 0
        if improves(current, best):            # current ± min_delta beats best (or best None)
            best = current; wait = 0
        elif cooldown_counter == 0:
            wait += 1
            if wait >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr); cooldown_counter = cooldown; wait = 0

    The learning rate is assigned to the optimizer's variable, so it never retraces the
    compiled step. An optimizer whose learning rate can't be set (one built with a
    `LearningRateSchedule`) is refused with a TypeError when training begins.

    Args:
      monitor: Quantity to watch. Default "val_loss".
      factor: New rate = rate * factor; must be < 1. Default 0.1.
      patience: Epochs without improvement before reducing. Default 10.
      verbose: 1 prints each reduction. Default 0.
      mode: "auto", "min" or "max" (see `MonitorCallback`).
      min_delta: Smallest change counted as an improvement. Default 1e-4.
      cooldown: Epochs after a reduction during which no new reduction is counted. Default 0.
      min_lr: Lower bound on the learning rate. Default 0.

    Example:
      >>> from minikeras.callbacks import ReduceLROnPlateau
      >>> import numpy as np
      >>> import minikeras as keras
      >>> x = np.linspace(-1, 1, 64, dtype="float32").reshape(32, 2)
      >>> y = x.sum(axis=1, keepdims=True)
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer="sgd", loss="mse")
      >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=1e-3)
      >>> history = model.fit(x, y, verbose=0, validation_split=0.2, epochs=50, callbacks=[reduce])
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0):
        super().__init__(monitor, mode, min_delta=min_delta)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor!r}")
        if isinstance(min_lr, bool) or not isinstance(min_lr, numbers.Real) or min_lr < 0:
            raise ValueError(f"Expected `min_lr` to be a non-negative number. "
                             f"Received: min_lr={min_lr!r}")
        self.factor = float(factor)
        self.min_lr = float(min_lr)
        self.patience = non_negative_int(patience, "patience")
        self.cooldown = non_negative_int(cooldown, "cooldown")
        self.verbose = verbose
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        """True while the epochs of ``cooldown`` after a reduction are still running."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        check_settable_learning_rate(self)
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = {} if logs is None else logs
        optimizer = self.model.optimizer
        logs["learning_rate"] = learning_rate_value(optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: {','.join(logs)}.",
                          stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(optimizer, epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, optimizer, epoch: int) -> bool:
        old_lr = learning_rate_value(optimizer)
        if old_lr <= np.float32(self.min_lr):  # float32: the variable may round min_lr up
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                      f"{new_lr}.")
        return True
