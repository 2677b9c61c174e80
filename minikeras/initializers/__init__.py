"""Weight initializers, with the names and seeding of `keras.initializers`.

`get(identifier)` resolves what users write in `Dense(..., kernel_initializer=...)`: a name
("glorot_uniform", "GlorotUniform", and keras's aliases such as "normal"), an initializer, a
``{"class_name": ..., "config": ...}`` dict, or any callable ``f(shape, dtype)``.

Names and dicts resolve only through the table below: nothing is imported or evaluated by name.
"""
from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _registry
from minikeras.initializers.base import (
    Initializer,
    RandomInitializer,
    standardize_dtype,
    standardize_shape,
)
from minikeras.initializers.constant import Constant, Identity, Ones, Zeros
from minikeras.initializers.random_initializers import (
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
)
from minikeras.initializers.variance_scaling import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    VarianceScaling,
    compute_fans,
)

_KIND = "initializer"

_CLASSES = (
    Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal,
    LecunUniform, Orthogonal,
)


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# As keras: every class under its own name and in snake_case, plus keras's aliases.
_INITIALIZERS: dict[str, type[Initializer]] = {}
for _cls in _CLASSES:
    _INITIALIZERS[_cls.__name__] = _cls
    _INITIALIZERS[_snake_case(_cls.__name__)] = _cls
del _cls
_INITIALIZERS.update(
    {
        "zero": Zeros,
        "one": Ones,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
    }
)


def _from_values(values: Any) -> Any:
    """keras's initializer for a tensor or array: the values themselves, for that shape only."""
    values = tf.convert_to_tensor(values)

    def initialize_fn(shape: Any, dtype: Any = None) -> tf.Tensor:
        if tuple(standardize_shape(shape)) != tuple(values.shape):
            raise ValueError(f"Expected `shape` to be {tuple(values.shape)} for direct tensor as "
                             f"initializer. Received shape={tuple(shape)}")
        return tf.cast(values, standardize_dtype(dtype or tf.float32))

    return initialize_fn


def get(identifier: Any) -> Any:
    """Returns the initializer an identifier describes.

    Args:
      identifier: None (returns None, as keras), a tensor or NumPy array (an initializer
        returning those values, for that shape only), a name (a new instance with default
        arguments is returned), an
        `Initializer` (returned as is), an `Initializer` subclass (instantiated), a dict
        ``{"class_name": name, "config": {...}}`` (built with `from_config`), or any other
        callable ``f(shape, dtype)`` (returned as is).

    Raises:
      ValueError: For an unknown name or a bad dict; the message lists the valid names.
      TypeError: For anything else.

    Example:
      >>> from minikeras.initializers import get
      >>> get("he_normal")
      HeNormal(seed=None, input_axes=None, output_axes=None)
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return _registry.lookup(identifier, _INITIALIZERS, _KIND)()
    if isinstance(identifier, (tf.Tensor, tf.Variable, np.ndarray, np.generic)):
        return _from_values(identifier)
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier) and not inspect.isclass(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret {_KIND} identifier: {identifier!r} of type "
        f"{type(identifier).__name__}. Expected a name (one of: "
        f"{', '.join(sorted(_INITIALIZERS))}), an Initializer, a config dict or a callable."
    )


def serialize(initializer: Initializer) -> dict:
    """Returns ``{"class_name": ..., "config": ...}`` for a built-in initializer.

    Example:
      >>> from minikeras.initializers import serialize, Constant
      >>> serialize(Constant(2.0))
      {'class_name': 'Constant', 'config': {'value': 2.0}}
    """
    cls = type(initializer)
    if _INITIALIZERS.get(cls.__name__) is not cls:
        raise ValueError(
            f"Cannot serialize {initializer!r}: only the built-in initializers "
            f"({', '.join(c.__name__ for c in _CLASSES)}) can be saved by name."
        )
    return {"class_name": cls.__name__, "config": initializer.get_config()}


def deserialize(config: dict) -> Initializer:
    """Builds a built-in initializer from ``{"class_name": ..., "config": {...}}``.

    keras's own serialized form (with "module" and "registered_name" keys) is accepted too;
    the class is looked up by name in the built-in table only.

    Example:
      >>> from minikeras.initializers import deserialize
      >>> deserialize({"class_name": "Constant", "config": {"value": 2.0}})
      Constant(value=2.0)
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Expected a dict with a 'class_name' key and an optional 'config' dict. "
            f"Received: {config!r}"
        )
    cls = _registry.lookup(config["class_name"], _INITIALIZERS, _KIND)
    arguments = config.get("config") or {}
    if not isinstance(arguments, dict):
        raise ValueError(f"Expected 'config' to be a dict. Received: {arguments!r}")
    try:
        return cls.from_config(arguments)
    except TypeError as error:
        raise ValueError(f"Invalid config for {cls.__name__}: {arguments!r} ({error})") from None


__all__ = [
    "Initializer", "RandomInitializer", *(c.__name__ for c in _CLASSES),
    "compute_fans", "get", "serialize", "deserialize",
]

# keras's other names for the same classes (keras.initializers.he_normal is HeNormal)
constant, zeros, ones, identity = Constant, Zeros, Ones, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, \
    HeUniform
lecun_normal, lecun_uniform = LecunNormal, LecunUniform
OrthogonalInitializer, IdentityInitializer = Orthogonal, Identity
__all__ += ["constant", "zeros", "ones", "identity", "random_normal", "random_uniform",
            "truncated_normal", "variance_scaling", "orthogonal", "glorot_normal",
            "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform",
            "OrthogonalInitializer", "IdentityInitializer"]
