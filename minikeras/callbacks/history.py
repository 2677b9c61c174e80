"""History: records every epoch's logs; fit returns it."""
from __future__ import annotations

from minikeras.callbacks.callback import Callback


class History(Callback):
    """Collects ``history[name] = [value per epoch]`` and ``epoch = [epoch indices]``.

    Example:
      >>> import numpy as np
      >>> import minikeras as keras
      >>> x = np.linspace(-1, 1, 64, dtype="float32").reshape(32, 2)
      >>> y = x.sum(axis=1, keepdims=True)
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer="sgd", loss="mse")
      >>> history = model.fit(x, y, epochs=3, verbose=0)   # fit returns its History
      >>> len(history.history["loss"]), history.epoch
      (3, [0, 1, 2])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
