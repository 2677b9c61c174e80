"""keras's automatic config of a custom layer that defines no `get_config`.

keras records the arguments a layer was constructed with when they are all plain values
(strings, numbers, booleans, None, and lists/dicts of them); `Layer.get_config` then returns
them, so ``CustomDense(10)`` saves and reloads without a `get_config` of its own. Layers of
minikeras itself write their configs explicitly and are not recorded.
"""
from __future__ import annotations

import inspect
from typing import Any

_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return isinstance(value, _PLAIN)


def record(cls: type, args: tuple, kwargs: dict) -> dict | None:
    """The constructor arguments of ``cls(*args, **kwargs)`` by name, when all are plain and
    the class is not one of minikeras's; else None."""
    if cls.__module__.startswith("minikeras."):
        return None
    try:
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None
    config: dict[str, Any] = {}
    for i, (name, value) in enumerate(bound.arguments.items()):
        kind = bound.signature.parameters[name].kind
        if i == 0:
            continue  # self
        if kind is inspect.Parameter.VAR_POSITIONAL:
            if value:
                return None
        elif kind is inspect.Parameter.VAR_KEYWORD:
            config.update(value)
        else:
            config[name] = value
    return config if _plain(config) else None


def config_of(layer: Any, base: dict) -> dict:
    """``base`` (the Layer's own entries) with the recorded arguments; entries the
    constructor cannot take are left out when it has no ``**kwargs``."""
    config = {**base, **layer._auto_config}
    parameters = inspect.signature(type(layer).__init__).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        config = {k: v for k, v in config.items() if k in parameters}
    return config
