"""keras.src.dtype_policies: minikeras's only policy is float32 (test plumbing).

keras's tests save and restore the global policy around each test; that works here.
Any other policy (mixed precision, float16, quantized) raises `MissingNameError`.
"""
from __future__ import annotations

from typing import Any

from keras_adapter._forward import lookup
from keras_adapter.dtype_policies import dtype_policy

__all__ = ["dtype_policy"]


def __getattr__(name: str) -> Any:
    return lookup(__name__, name, [])
