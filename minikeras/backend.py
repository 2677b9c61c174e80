"""keras's `backend` and `config` helpers that scripts call: floatx, epsilon, clear_session.

minikeras computes in float32 on TensorFlow, with channels-last images by default; these
functions report that (and refuse to change it) rather than silently ignoring a request.

Example:
  >>> from minikeras import backend
  >>> backend.floatx(), backend.epsilon()
  ('float32', 1e-07)
"""
from __future__ import annotations

import gc

from minikeras import _naming

_EPSILON = 1e-7


def floatx() -> str:
    """The default float type of weights and computations: always ``"float32"``."""
    return "float32"


def set_floatx(value: str) -> None:
    """Accepts only ``"float32"`` (minikeras computes in float32); anything else is a
    ValueError rather than a silently ignored request."""
    if value != "float32":
        raise ValueError(f"minikeras computes in float32 only. Received: floatx={value!r}")


def epsilon() -> float:
    """The fuzz factor keras adds to avoid divisions by zero: 1e-7."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor reported by `epsilon` (losses and metrics use keras's 1e-7)."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """``"channels_last"``, the default ``data_format`` of convolution and pooling layers."""
    return "channels_last"


def backend() -> str:
    """The backend minikeras runs on: ``"tensorflow"``."""
    return "tensorflow"


def clear_session() -> None:
    """Resets the automatic names of layers and optimizers (``dense``, ``dense_1``... start
    over), as keras's `clear_session` does, and frees unreferenced objects."""
    _naming.reset_names()
    gc.collect()
