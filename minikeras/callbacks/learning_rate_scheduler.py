"""LearningRateScheduler: set the learning rate at the start of every epoch from a function."""
from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable

from minikeras.callbacks.callback import Callback
from minikeras.callbacks.messages import print_msg
from minikeras.callbacks.monitor import check_settable_learning_rate, learning_rate_value


def _takes_two_args(fn: Callable) -> bool:
    """Whether ``fn`` can be called as ``fn(epoch, lr)`` (else keras's older ``fn(epoch)``)."""
    try:
        inspect.signature(fn).bind(0, 0.0)
        return True
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins): assume the current API
        return True


class LearningRateScheduler(Callback):
    """At each epoch's start sets ``optimizer.learning_rate = schedule(epoch, current_lr)``.

    ``epoch`` counts from 0 (and includes ``initial_epoch``). A schedule taking only ``epoch``
    is also accepted, as in keras. At each epoch's end the rate in use is added to the logs as
    ``logs["learning_rate"]``, so History and CSVLogger record it. Setting the rate assigns the
    optimizer's variable and never retraces the compiled step.

    Args:
      schedule: ``f(epoch: int, lr: float) -> float`` (a non-negative finite number).
      verbose: 1 prints the rate set at each epoch. Default 0.

    Example:
      >>> from minikeras.callbacks import LearningRateScheduler
      >>> import numpy as np
      >>> import minikeras as keras
      >>> x = np.linspace(-1, 1, 64, dtype="float32").reshape(32, 2)
      >>> y = x.sum(axis=1, keepdims=True)
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer="sgd", loss="mse")
      >>> def halve_after_ten(epoch, lr):
      ...     return lr if epoch < 10 else lr * 0.5
      >>> history = model.fit(x, y, epochs=15, verbose=0,
      ...                     callbacks=[LearningRateScheduler(halve_after_ten)])
      >>> round(float(model.optimizer.learning_rate), 7)   # 0.01 halved five times
      0.0003125
    """

    def __init__(self, schedule: Callable, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"Expected `schedule` to be a function f(epoch, lr) -> lr. "
                            f"Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._two_args = _takes_two_args(schedule)

    def on_train_begin(self, logs=None):
        check_settable_learning_rate(self)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if self._two_args:
            lr = self.schedule(epoch, learning_rate_value(optimizer))
        else:
            lr = self.schedule(epoch)
        if hasattr(lr, "numpy") and getattr(lr, "shape", None) == ():
            lr = lr.numpy()  # a scalar tensor
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise ValueError(f"The output of the `schedule` function should be a float. "
                             f"Got: {lr!r} at epoch {epoch}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = learning_rate_value(self.model.optimizer)
