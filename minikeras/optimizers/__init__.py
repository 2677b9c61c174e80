"""Optimizers, written by hand: update maths as pure functions, classes holding the state."""
from __future__ import annotations

from typing import Any

from minikeras._registry import lookup
from minikeras.optimizers.optimizer import Optimizer
from minikeras.optimizers.sgd import SGD, sgd_step

_CLASSES = {"SGD": SGD}
_NAMES = {"sgd": SGD, **_CLASSES}


def get(identifier: Any) -> Optimizer:
    """Returns an optimizer from a name (``"sgd"``), a config dict, or an Optimizer instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return lookup(identifier, _NAMES, "optimizer")()
    if isinstance(identifier, dict):
        cls = lookup(identifier.get("class_name"), _CLASSES, "optimizer")
        return cls.from_config(identifier.get("config", {}))
    raise TypeError(
        "Could not interpret optimizer identifier: expected a name, a config dict or an "
        f"Optimizer. Received: {identifier!r}")


def serialize(optimizer: Optimizer) -> dict:
    name = type(optimizer).__name__
    lookup(name, _CLASSES, "optimizer")
    return {"class_name": name, "config": optimizer.get_config()}


__all__ = ["Optimizer", "SGD", "get", "serialize", "sgd_step"]
