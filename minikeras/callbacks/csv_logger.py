"""CSVLogger: write every epoch's logs as a row of a CSV file."""
from __future__ import annotations

import collections.abc
import csv
import os

import numpy as np

from minikeras.callbacks.callback import Callback


def _cell(value):
    """A log value as keras writes it: strings and scalars as is, sequences as "[a, b]"."""
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value
    if isinstance(value, collections.abc.Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Streams epoch results to a CSV file, as keras writes it.

    The header is ``epoch`` followed by the first epoch's log keys, sorted. When the first
    epoch has no ``val_`` keys (no validation, or ``validation_freq > 1``), a ``val_`` column is
    added for every key and filled with ``NA`` in epochs without validation, so later
    validated epochs fit the same columns. Keys that appear after the first epoch (other than
    those) are not written. Each row is flushed at once.

    Args:
      filename: Path of the CSV file.
      separator: Column separator. Default ",".
      append: True appends to an existing file (the header is written only if it is empty);
        False (default) overwrites it.

    Example:
      >>> from minikeras.callbacks import CSVLogger
      >>> import numpy as np
      >>> import minikeras as keras
      >>> x = np.linspace(-1, 1, 64, dtype="float32").reshape(32, 2)
      >>> y = x.sum(axis=1, keepdims=True)
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer="sgd", loss="mse")
      >>> history = model.fit(x, y, verbose=0, epochs=5, callbacks=[CSVLogger("training.log")])
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"Expected `separator` to be a one-character string. "
                             f"Received: separator={separator!r}")
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self.writer = None
        self.csv_file = None
        self.append_header = True

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            mode = "a"
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not f.readline()
        self._close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self.writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        self._close()
        self.writer = None

    def _close(self) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
