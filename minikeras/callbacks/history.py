"""History: records every epoch's logs; fit returns it."""
from __future__ import annotations

from minikeras.callbacks.callback import Callback


class History(Callback):
    """Collects ``history[name] = [value per epoch]`` and ``epoch = [epoch indices]``.

    Example:
      >>> history = model.fit(x, y, epochs=3)
      >>> history.history["loss"]   # three floats
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
