"""ModelCheckpoint: save the model or its weights every epoch (or every N batches)."""
from __future__ import annotations

import os
import warnings

from minikeras.callbacks.messages import print_msg
from minikeras.callbacks.monitor import MonitorCallback
from minikeras.saving import check_saveable
from minikeras.saving.paths import check_suffix
from minikeras.utils.distribution import is_chief


class ModelCheckpoint(MonitorCallback):
    """Saves the model with ``model.save(path)`` (or ``model.save_weights(path)``) as training goes.

    ``filepath`` may hold ``str.format`` fields filled from the epoch's logs: ``{epoch}``
    (counted from 1, as keras), any logged name such as ``{val_loss:.2f}``, and with a batch
    ``save_freq`` ``{batch}`` (from 1). Missing directories are created. With
    ``save_best_only`` a file is written only when ``monitor`` improves on the best so far
    (``mode`` as in `EarlyStopping`); if ``monitor`` is not logged it warns and saves.

    Args:
      filepath: Path or format string of the file to write.
      monitor: Quantity for ``save_best_only``. Default "val_loss".
      verbose: 1 prints a line per save. Default 0.
      save_best_only: Save only when ``monitor`` improves. Default False.
      save_weights_only: Call ``model.save_weights`` instead of ``model.save``. Default False.
      mode: "auto", "min" or "max".
      save_freq: "epoch" (default) or an integer: save every that many batches. With several
        steps per compiled call it saves at the end of the call that reaches the count (the
        fit loop runs one step per call under ``steps_per_execution="auto"``). The logs are
        then the epoch's running means so far.
      initial_value_threshold: Best value to beat before the first save with
        ``save_best_only``. Default None.

    Example:
      >>> from minikeras.callbacks import ModelCheckpoint
      >>> import numpy as np
      >>> import minikeras as keras
      >>> x = np.linspace(-1, 1, 64, dtype="float32").reshape(32, 2)
      >>> y = x.sum(axis=1, keepdims=True)
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer="sgd", loss="mse")
      >>> checkpoint = ModelCheckpoint("ckpt/model-{epoch:02d}-{val_loss:.2f}.minikeras",
      ...                              save_best_only=True)
      >>> history = model.fit(x, y, verbose=0, validation_split=0.2, epochs=10, callbacks=[checkpoint])
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: int | str = "epoch",
                 initial_value_threshold: float | None = None):
        super().__init__(monitor, mode, initial_value_threshold)
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are "
                             "'epoch' or positive integer values")
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._current_epoch = 0
        self._batches_since_save = 0
        self._last_batch_seen = None

    @property
    def needs_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"

    def on_train_begin(self, logs=None):
        saver = "save_weights" if self.save_weights_only else "save"
        if not callable(getattr(self.model, saver, None)):
            raise TypeError(f"ModelCheckpoint needs `model.{saver}(filepath)`; "
                            f"{type(self.model).__name__} has none.")
        if getattr(getattr(type(self.model), saver), "__module__", "").startswith("minikeras."):
            check_suffix(self.filepath, saver)  # refused by minikeras's own save: fail now
        if not self.save_weights_only:
            check_saveable(self.model)  # fail before training, not after the first epoch

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        """Counts the steps since the last save; ``batch`` jumps when a call runs several."""
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch: batches count from 0 again
        else:
            added = batch - self._last_batch_seen
        self._batches_since_save += added
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            return True
        return False

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError) as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {error!r}. Available fields: {sorted(fields)}") from None

    def _should_save(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                          f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs or {}
        filepath = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if not is_chief(getattr(self.model, "distribute_strategy", None)):
            return  # under a multi-worker strategy only the chief writes
        if os.path.isdir(filepath):
            raise IsADirectoryError("Please specify a non-directory filepath for "
                                    f"ModelCheckpoint. Filepath used is an existing directory: "
                                    f"{filepath}")
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")
