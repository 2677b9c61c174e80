"""The global dtype policy: always ``"float32"`` in minikeras."""
from __future__ import annotations

from typing import Any

from keras_adapter._forward import Missing, MissingNameError


def dtype_policy() -> str:
    """The global policy's name."""
    return "float32"


def set_dtype_policy(policy: Any) -> None:
    """Accepts float32 only."""
    name = getattr(policy, "name", policy)
    if name != "float32":
        raise MissingNameError(f"minikeras computes in float32 only (dtype policy {name!r})")


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return Missing(f"keras.dtype_policies.dtype_policy.{name}")
