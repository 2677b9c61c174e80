"""`PyDataset` (keras's `Sequence`): batches produced by Python code, fed to `fit`.

    class Batches(PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, index):
            rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
            return self.x[rows], self.y[rows]

    model.fit(Batches(x, y, 32), epochs=5)

`fit`, `evaluate` and `predict` read the batches in order, once per epoch, and call
`on_epoch_end` after each pass (the last batch is read first, so shuffling indices there is
safe). minikeras reads batches in the training process: ``workers`` and
``use_multiprocessing`` are accepted and ignored, as keras ignores them without a pool.
"""
from __future__ import annotations

from typing import Any


class PyDataset:
    """Base class of Python batch producers: implement ``__len__`` and ``__getitem__``.

    Args (keras's, accepted for compatibility): workers=1, use_multiprocessing=False,
    max_queue_size=10.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__`: the number "
                                  "of batches in an epoch.")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(index)`: "
                                  "batch number `index`, as (x, y) or (x, y, sample_weight).")

    def __iter__(self) -> Any:
        """The batches of one epoch, in order (so `Normalization.adapt` and loops take it)."""
        for index in range(len(self)):
            yield self[index]

    @property
    def num_batches(self) -> int:
        """The number of batches in an epoch (`len`)."""
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called before each pass over the batches."""

    def on_epoch_end(self) -> None:
        """Called after each pass over the batches (e.g. to reshuffle)."""


Sequence = PyDataset  # keras 2's name
