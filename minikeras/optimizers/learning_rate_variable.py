"""`optimizer.learning_rate` as keras returns it: a variable object with keras's interface.

keras's optimizers hold a float learning rate in a ``keras.Variable``; scripts and keras's own
tests read it as ``lr.value`` (a property: the backend variable), ``lr.numpy()``,
``float(lr)``, ``np.asarray(lr)``, use it in arithmetic (``lr * 0.5``, ``lr - 0.1``), pass it
to TensorFlow ops, and assign it (``lr.assign(0.1)``). `LearningRateVariable` is that interface
around the float32 ``tf.Variable`` the optimizer owns (``.value``); the optimizer's compiled
steps and its `variables` list use the ``tf.Variable`` itself.

    >>> opt = SGD(0.1)
    >>> float(opt.learning_rate), opt.learning_rate.value.numpy()
    (0.10000000149011612, 0.1)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf


def _tensor(value: Any) -> Any:
    return value.value if isinstance(value, LearningRateVariable) else value


class LearningRateVariable:
    """keras.Variable's interface over a scalar float32 ``tf.Variable`` (see module doc)."""

    __hash__ = None  # as keras.Variable: == is elementwise, so not hashable

    def __init__(self, variable: tf.Variable, path: str):
        self._variable = variable
        self._path = path

    # ---- keras.Variable's attributes ------------------------------------------------------
    @property
    def value(self) -> tf.Variable:
        """The backend variable (a property, as keras's ``Variable.value``)."""
        return self._variable

    @property
    def name(self) -> str:
        return "learning_rate"

    @property
    def path(self) -> str:
        return self._path

    @property
    def dtype(self) -> str:
        return self._variable.dtype.name

    @property
    def shape(self) -> tuple:
        return ()

    @property
    def ndim(self) -> int:
        return 0

    @property
    def trainable(self) -> bool:
        return False

    def numpy(self) -> np.ndarray:
        return self._variable.numpy()

    def assign(self, value: Any) -> Any:
        """Sets the learning rate (no retracing: compiled steps read the variable)."""
        self._variable.assign(_tensor(value))
        return value

    def assign_add(self, value: Any) -> Any:
        self._variable.assign_add(_tensor(value))
        return value

    def assign_sub(self, value: Any) -> Any:
        self._variable.assign_sub(_tensor(value))
        return value

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape=(), dtype={self.dtype}, "
                f"value={self._variable.numpy()}>")

    # ---- conversions ----------------------------------------------------------------------
    def __float__(self) -> float:
        return float(self._variable.numpy())

    def __int__(self) -> int:
        return int(self._variable.numpy())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self._variable.numpy(), dtype=dtype)

    def __bool__(self) -> bool:
        raise TypeError("A Keras Variable cannot be used as a boolean.")

    def __round__(self, ndigits: int | None = None) -> float:
        return round(float(self), ndigits)

    # ---- arithmetic and comparisons: on the variable's value, as keras ---------------------
    def __neg__(self) -> tf.Tensor:
        return -self._variable

    def __pos__(self) -> tf.Variable:
        return self._variable

    def __abs__(self) -> tf.Tensor:
        return abs(self._variable)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return tf.equal(self._variable, _tensor(other))

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return tf.not_equal(self._variable, _tensor(other))


def _binary(name: str) -> Any:
    def method(self: LearningRateVariable, other: Any) -> Any:
        return getattr(self._variable, name)(_tensor(other))
    method.__name__ = name
    return method


for _name in ("__lt__", "__le__", "__gt__", "__ge__", "__add__", "__radd__", "__sub__",
              "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__", "__floordiv__",
              "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__"):
    setattr(LearningRateVariable, _name, _binary(_name))


def _convert(value: LearningRateVariable, dtype: Any = None, name: Any = None,
             as_ref: bool = False) -> tf.Tensor:
    return tf.convert_to_tensor(value.value, dtype=dtype, name=name)


tf.register_tensor_conversion_function(LearningRateVariable, _convert)
