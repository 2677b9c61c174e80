"""Loss functions tracked as metrics: a running weighted mean of the per-sample loss.

Unlike the `Loss` objects, these call the loss *functions* directly, as keras does: no
``(n,)`` -> ``(n, 1)`` expansion for the crossentropies (keras rejects those shapes here).
"""
from __future__ import annotations

from minikeras.losses import functions as F
from minikeras.metrics.metric import MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of ``mean((y_true - y_pred)**2, axis=-1)``."""

    def __init__(self, name: str = "mean_squared_error"):
        super().__init__(F.mean_squared_error, name=name)

    def get_config(self) -> dict:
        return {"name": self.name}


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of ``mean(|y_true - y_pred|, axis=-1)``."""

    def __init__(self, name: str = "mean_absolute_error"):
        super().__init__(F.mean_absolute_error, name=name)

    def get_config(self) -> dict:
        return {"name": self.name}


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.binary_crossentropy`; takes ``logits=`` too.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      label_smoothing: Float in [0, 1]; targets become ``y * (1 - s) + s / 2``. Default 0.
    """

    def __init__(self, name: str = "binary_crossentropy", from_logits: bool = False,
                 label_smoothing: float = 0):
        super().__init__(F.binary_crossentropy, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.categorical_crossentropy`; takes ``logits=`` too.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      label_smoothing: Float in [0, 1]; targets become ``y * (1 - s) + s / num_classes``.
        Default 0.
      axis: The class axis. Default -1.
    """

    def __init__(self, name: str = "categorical_crossentropy", from_logits: bool = False,
                 label_smoothing: float = 0, axis: int = -1):
        super().__init__(F.categorical_crossentropy, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.sparse_categorical_crossentropy`; takes ``logits=``.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      ignore_class: Not supported; must be None.
      axis: Must be -1 (the last axis), as keras on TensorFlow.
    """

    def __init__(self, name: str = "sparse_categorical_crossentropy", from_logits: bool = False,
                 ignore_class: int | None = None, axis: int = -1):
        if ignore_class is not None:
            raise NotImplementedError(
                f"minikeras does not support `ignore_class`. Received: ignore_class={ignore_class}"
            )
        super().__init__(F.sparse_categorical_crossentropy, name=name, from_logits=from_logits,
                         axis=axis)
        self.from_logits, self.axis = from_logits, axis

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits, "axis": self.axis}
