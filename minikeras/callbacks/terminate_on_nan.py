"""TerminateOnNaN: stop training when the loss becomes NaN or infinite."""
from __future__ import annotations

import math

from minikeras.callbacks.callback import Callback
from minikeras.callbacks.messages import print_msg


class TerminateOnNaN(Callback):
    """Stops training when the training loss is NaN or infinite.

    The check runs at the end of every compiled call. The logged loss is the running mean of
    the epoch's batch losses, so a NaN or inf in any batch of the call shows in it. With
    several steps per compiled call (``steps_per_execution``), training therefore stops at the
    end of the call that met the bad batch, not right after that batch. The callback does not
    ask the fit loop for per-batch calls, so it never slows training.

    Args:
      raise_error: False (default) stops gracefully with ``model.stop_training = True``, so
        every callback's ``on_train_end`` still runs; True raises a RuntimeError at once.

    Example:
      >>> from minikeras.callbacks import TerminateOnNaN
      >>> import numpy as np
      >>> import minikeras as keras
      >>> x = np.linspace(-1, 1, 64, dtype="float32").reshape(32, 2)
      >>> y = x.sum(axis=1, keepdims=True)
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer="sgd", loss="mse")
      >>> history = model.fit(x, y, verbose=0, epochs=10, callbacks=[TerminateOnNaN()])
    """

    needs_batch_hooks = False  # the running-mean loss of each compiled call is enough

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                               "Terminating training immediately.")
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
