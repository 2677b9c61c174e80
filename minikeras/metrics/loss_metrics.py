"""Loss functions tracked as metrics: a running weighted mean of the per-sample loss.

Unlike the `Loss` objects, these call the loss *functions* directly, as keras does: no
``(n,)`` -> ``(n, 1)`` expansion for the crossentropies (keras rejects those shapes here).
"""
from __future__ import annotations

from minikeras.losses import functions as F
from minikeras.metrics.metric import MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of ``mean((y_true - y_pred)**2, axis=-1)``."""

    def __init__(self, name="mean_squared_error"):
        super().__init__(F.mean_squared_error, name=name)

    def get_config(self):
        return {"name": self.name}


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of ``mean(|y_true - y_pred|, axis=-1)``."""

    def __init__(self, name="mean_absolute_error"):
        super().__init__(F.mean_absolute_error, name=name)

    def get_config(self):
        return {"name": self.name}


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.binary_crossentropy`; takes ``logits=`` too."""

    def __init__(self, name="binary_crossentropy", from_logits=False, label_smoothing=0):
        super().__init__(F.binary_crossentropy, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.categorical_crossentropy`; takes ``logits=`` too."""

    def __init__(self, name="categorical_crossentropy", from_logits=False, label_smoothing=0,
                 axis=-1):
        super().__init__(F.categorical_crossentropy, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.sparse_categorical_crossentropy`; takes ``logits=``.

    ``ignore_class`` is not supported (must be None).
    """

    def __init__(self, name="sparse_categorical_crossentropy", from_logits=False,
                 ignore_class=None, axis=-1):
        if ignore_class is not None:
            raise NotImplementedError(
                f"minikeras does not support `ignore_class`. Received: ignore_class={ignore_class}"
            )
        super().__init__(F.sparse_categorical_crossentropy, name=name, from_logits=from_logits,
                         axis=axis)
        self.from_logits, self.axis = from_logits, axis

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits, "axis": self.axis}
