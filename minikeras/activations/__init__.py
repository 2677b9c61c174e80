"""Activation functions, with the names, signatures and defaults of `keras.activations`.

Every function takes a tensor (or anything `tf.convert_to_tensor` accepts) and returns a
tensor of the same shape and floating dtype; integer inputs are computed in float32. Each is
the TensorFlow op keras's TF backend uses, so the results equal keras's.

`get(identifier)` resolves what users write in `Dense(..., activation=...)`: a name, a
callable, or None (linear). `serialize`/`deserialize` turn a built-in activation into its name
and back, never importing or evaluating anything the name spells.

As in keras, the outputs of `sigmoid` and `softmax` remember their logits, so crossentropy
losses on a model ending in them are computed from the logits; minikeras does it explicitly,
through `minikeras._logits.record_logits` (nothing is attached to tensors).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minikeras import _registry
from minikeras.activations.basic import (
    _KIND,
    elu,
    exponential,
    gelu,
    hard_sigmoid,
    leaky_relu,
    linear,
    log_softmax,
    relu,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    tanh,
)
from minikeras.activations.more import (
    celu,
    glu,
    hard_shrink,
    hard_silu,
    hard_tanh,
    log_sigmoid,
    mish,
    relu6,
    soft_shrink,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    tanh_shrink,
    threshold,
)

_ACTIVATIONS: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (
        linear, sigmoid, tanh, relu, softmax, elu, selu, softplus, softsign,
        silu, gelu, leaky_relu, hard_sigmoid, exponential, log_softmax,
        relu6, celu, glu, squareplus, soft_shrink, hard_shrink, tanh_shrink, sparse_plus,
        sparse_sigmoid, hard_silu, hard_tanh, mish, log_sigmoid, sparsemax, threshold,
    )
}
_ACTIVATIONS["swish"] = silu
_ACTIVATIONS["hard_swish"] = hard_silu
swish, hard_swish = silu, hard_silu


def get(identifier: Any) -> Callable:
    """Returns the activation function an identifier names.

    Args:
      identifier: None (means `linear`), a name such as ``"relu"``, or a callable
        (returned as is).

    Returns:
      A callable.

    Raises:
      ValueError: For an unknown name; the message lists the valid names.
      TypeError: For anything that is neither None, a string nor a callable.

    Example:
      >>> from minikeras.activations import get, relu
      >>> get("relu") is relu
      True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return _registry.lookup(identifier, _ACTIVATIONS, _KIND)
    return _registry.check_callable(identifier, _KIND)


def serialize(activation: Callable) -> str:
    """Returns the registered name of a built-in activation (``silu`` for `swish`).

    Raises:
      ValueError: If `activation` is not one of this module's functions.

    Example:
      >>> from minikeras.activations import serialize, relu
      >>> serialize(relu)
      'relu'
    """
    for name, fn in _ACTIVATIONS.items():
        if fn is activation:
            return name
    raise ValueError(
        f"Cannot serialize activation {activation!r}: only the built-in activations "
        f"({', '.join(sorted(_ACTIVATIONS))}) have a name. Custom callables cannot be "
        "saved by name."
    )


def deserialize(name: str) -> Callable:
    """Returns the built-in activation registered under `name` (strings only).

    Raises:
      TypeError: If `name` is not a string.
      ValueError: If it is not a registered name.

    Example:
      >>> from minikeras.activations import deserialize, gelu
      >>> deserialize("gelu") is gelu
      True
    """
    if not isinstance(name, str):
        raise TypeError(
            f"Expected an activation name (a string). Received: {name!r} "
            f"of type {type(name).__name__}"
        )
    return _registry.lookup(name, _ACTIVATIONS, _KIND)


__all__ = [*sorted(_ACTIVATIONS), "get", "serialize", "deserialize"]
