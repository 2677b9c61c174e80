"""What both directions of `minikeras.interop` share: the table of layer classes and the
arguments conversion carries, the options refused or ignored, deferred construction
(`_Spec`), and the conversion of single argument values."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from minikeras import activations, regularizers

# The layer classes both libraries have (same class name), with the constructor arguments
# conversion carries; each is read from the same-named attribute on either side.
_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
         "groups", "activation", "use_bias", "kernel_regularizer", "bias_regularizer")
_RNN = ("units", "activation", "use_bias", "kernel_regularizer", "recurrent_regularizer",
        "bias_regularizer", "return_sequences", "return_state", "go_backwards", "unroll")
_CARRIED = {
    "Dense": ("units", "activation", "use_bias", "kernel_regularizer", "bias_regularizer"),
    "Activation": ("activation",),
    "Dropout": ("rate", "seed"),
    "Flatten": ("data_format",),
    "Softmax": ("axis",),
    **{f"Conv{d}D": _CONV for d in (1, 2)},
    **{f"{kind}Pooling{d}D": ("pool_size", "strides", "padding", "data_format")
       for kind in ("Max", "Average") for d in (1, 2)},
    **{f"Global{kind}Pooling{d}D": ("data_format", "keepdims")
       for kind in ("Max", "Average") for d in (1, 2)},
    "Reshape": ("target_shape",), "Permute": ("dims",), "RepeatVector": ("n",), "Identity": (),
    "ZeroPadding2D": ("padding", "data_format"),
    "UpSampling2D": ("size", "data_format", "interpolation"),
    "Embedding": ("input_dim", "output_dim", "embeddings_regularizer", "mask_zero"),
    "LayerNormalization": ("axis", "epsilon", "center", "scale", "beta_regularizer",
                           "gamma_regularizer", "rms_scaling"),
    "GroupNormalization": ("groups", "axis", "epsilon", "center", "scale", "beta_regularizer",
                           "gamma_regularizer"),
    "Rescaling": ("scale", "offset"),
    "BatchNormalization": ("axis", "momentum", "epsilon", "center", "scale", "beta_regularizer",
                           "gamma_regularizer", "synchronized", "renorm", "renorm_clipping",
                           "renorm_momentum"),
    "Normalization": ("axis", "mean", "variance", "invert"),
    "CategoryEncoding": ("num_tokens", "output_mode", "sparse"),
    "Discretization": ("bin_boundaries", "num_bins", "epsilon", "output_mode", "sparse"),
    "ReLU": ("max_value", "negative_slope", "threshold"), "LeakyReLU": ("negative_slope",),
    "ELU": ("alpha",), "PReLU": ("alpha_regularizer", "shared_axes"),
    "GaussianNoise": ("stddev", "seed"), "GaussianDropout": ("rate", "seed"),
    "AlphaDropout": ("rate", "noise_shape", "seed"), "ActivityRegularization": ("l1", "l2"),
    **{kind: () for kind in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")},
    "Concatenate": ("axis",), "Dot": ("axes", "normalize"),
    "SpatialDropout1D": ("rate", "seed"), "SpatialDropout2D": ("rate", "data_format", "seed"),
    **{f"Conv{d}DTranspose": tuple(a for a in _CONV if a != "groups") + ("output_padding",)
       for d in (1, 2)},
    "UpSampling1D": ("size",), "ZeroPadding1D": ("padding", "data_format"),
    "Cropping1D": ("cropping",), "Cropping2D": ("cropping", "data_format"),
    "UnitNormalization": ("axis",),
    **{kind: _RNN + extra for kind, extra in (
        ("LSTM", ("recurrent_activation", "unit_forget_bias")),
        ("GRU", ("recurrent_activation", "reset_after")), ("SimpleRNN", ()))},
}
# Carried arguments read from another attribute than their name: keras's Normalization keeps
# the given statistics in `input_mean`/`input_variance` (its `mean` is the broadcast tensor).
_ATTRIBUTES = {("Normalization", "mean"): "input_mean",
               ("Normalization", "variance"): "input_variance"}
# Layers made from their config (an adapted Discretization has num_bins and bin_boundaries,
# which its constructor refuses together), and layers whose weights are partly trainable by
# design (BatchNormalization's moving statistics).
_FROM_CONFIG = ("Discretization",)
# Layers without weights whose keras constructor takes no `trainable` (it is moot for them).
_NO_TRAINABLE_ARG = ("Discretization", "SpatialDropout1D", "SpatialDropout2D")
_MIXED_TRAINABLE = ("BatchNormalization",)
_REGULARIZERS = ("L1", "L2", "L1L2")  # matched by exact class; their factors are copied
# Options of those keras layers that minikeras lacks, with the value that means "not used".
# from_keras refuses every other option it neither carries nor ignores (e.g. lora_rank).
_KERAS_OFF = {"kernel_constraint": None, "bias_constraint": None, "quantization_config": None,
              "noise_shape": None, "activity_regularizer": None, "embeddings_constraint": None,
              "beta_constraint": None, "gamma_constraint": None, "alpha_constraint": None,
              # recurrent layers' options minikeras lacks (see minikeras/layers/recurrent.py)
              "recurrent_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0,
              "seed": None, "stateful": False, "zero_output_for_mask": False}
# keras config entries needing no counterpart (initializers only matter before weights are set;
# dtype is checked through the layer's dtype policy).
_KERAS_IGNORED = ("name", "trainable", "dtype", "kernel_initializer", "bias_initializer",
                  "embeddings_initializer", "beta_initializer", "gamma_initializer",
                  "alpha_initializer", "moving_mean_initializer", "moving_variance_initializer",
                  "recurrent_initializer")


class _Unsupported(Exception):
    """One reason a layer cannot be converted; reasons are collected, then reported together."""


@dataclasses.dataclass
class _Spec:
    """An object to create once the whole model has been checked: ``factory(**kwargs)``."""

    factory: Callable[..., Any]
    kwargs: dict[str, Any]

    def make(self) -> Any:
        """Creates the object, first creating any `_Spec` among (or listed in) its kwargs."""
        def make(value: Any) -> Any:
            if isinstance(value, list):
                return [make(v) for v in value]
            return value.make() if isinstance(value, _Spec) else value
        return self.factory(**{k: make(v) for k, v in self.kwargs.items()})


def _describe(value: Any) -> str:
    """A keras config value for a message: ``MaxNorm(max_value=2, axis=0)`` for an object."""
    if isinstance(value, dict) and "class_name" in value:
        config = value.get("config") or {}
        if not isinstance(config, dict):  # a function: {"class_name": "function", "config": name}
            return f"{value['class_name']} {config!r}"
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{value['class_name']}({args})"
    return repr(value)


def _factor(value: Any) -> float:
    """A keras penalty factor as a float. keras keeps L1's as a float32 tensor; it is read back
    as the shortest decimal that rounds to it in float32 (0.01, not 0.009999999776)."""
    if isinstance(value, (int, float)):
        return float(value)
    return float(str(np.float32(value)))


def _convert_args(layer: Any, convert: Callable[[str, Any], Any]) -> tuple[dict, list[str]]:
    """The other library's constructor kwargs for `layer`, and the reasons any cannot be made."""
    kwargs: dict[str, Any] = {"name": layer.name, "trainable": bool(layer.trainable)}
    reasons = []
    kind = type(layer).__name__
    for arg in _CARRIED[kind]:
        try:
            kwargs[arg] = convert(arg, getattr(layer, _ATTRIBUTES.get((kind, arg), arg)))
        except _Unsupported as e:
            reasons.append(str(e))
    return kwargs, reasons


def _factory(cls: type) -> Callable[..., Any]:
    """What makes a layer of ``cls`` from carried kwargs: its constructor, or its
    ``from_config`` for the classes in `_FROM_CONFIG`; ``trainable`` is left out for the
    classes in `_NO_TRAINABLE_ARG`."""
    make = cls.from_config if cls.__name__ in _FROM_CONFIG else lambda config: cls(**config)
    if cls.__name__ in _NO_TRAINABLE_ARG:
        return lambda **kwargs: make({k: v for k, v in kwargs.items() if k != "trainable"})
    return lambda **kwargs: make(kwargs)


def _finalize_keras(model: Any) -> None:
    """keras's adapted Normalization layers read copies of their statistics made by
    `finalize_state`; after weights are set, each one refreshes them."""
    for layer in getattr(model, "layers", []):
        _finalize_keras(layer)
        if type(layer).__name__ == "Normalization" and layer.input_mean is None:
            layer.finalize_state()


def _report(layer: Any, reasons: list[str], problems: list[str]) -> None:
    """Records a layer's reasons, if any, as one line: ``'name' (Class): reason; reason``."""
    if reasons:
        problems.append(f"'{layer.name}' ({type(layer).__name__}): {'; '.join(reasons)}")


def _raise_problems(problems: list[str], what: str) -> None:
    """Raises one ValueError listing every problem, if there are any."""
    if problems:
        raise ValueError(f"Cannot convert {what}; these layers have no exact counterpart:\n"
                         + "\n".join(f"  - {p}" for p in problems))


def _value_to_keras(arg: str, value: Any, keras: Any) -> Any:
    """The keras constructor value for a minikeras layer attribute."""
    if arg in ("activation", "recurrent_activation"):
        try:
            return activations.serialize(value)
        except ValueError:
            raise _Unsupported(f"custom activation {value!r} has no keras counterpart by "
                               "name") from None
    if arg.endswith("_regularizer") and value is not None:
        kind = type(value).__name__
        if kind not in _REGULARIZERS or type(value) is not getattr(regularizers, kind):
            raise _Unsupported(f"{arg}={value!r} is not an L1, L2 or L1L2 regularizer")
        return _Spec(getattr(keras.regularizers, kind), value.get_config())
    if arg == "mask_zero" and value:
        raise _Unsupported("mask_zero=True (keras propagates the mask to later layers, "
                           "minikeras does not)")
    return value


def _value_from_keras(arg: str, value: Any, keras: Any, kind: str = "") -> Any:
    """The minikeras constructor value for a keras layer attribute."""
    if arg in ("activation", "recurrent_activation"):
        name = getattr(value, "__name__", None)
        try:
            if keras.activations.get(name) is value:
                return activations.get(name)
        except (ValueError, TypeError):
            pass
        raise _Unsupported(f"activation {name or value!r} has no minikeras counterpart")
    if arg.endswith("_regularizer") and value is not None:
        kind = type(value).__name__
        if kind not in _REGULARIZERS or type(value) is not getattr(keras.regularizers, kind):
            raise _Unsupported(f"{arg} of class {kind} is not an L1, L2 or L1L2 regularizer")
        return _Spec(getattr(regularizers, kind),
                     {k: _factor(getattr(value, k)) for k in value.get_config()})
    if arg == "mask_zero" and value:
        raise _Unsupported("mask_zero=True (keras propagates the mask to later layers, "
                           "minikeras does not)")
    if arg == "rate" and value >= 1:
        raise _Unsupported(f"rate={value!r} (minikeras Dropout needs rate < 1)")
    if arg == "axis" and kind == "Softmax" and (
            isinstance(value, bool) or not isinstance(value, int)):
        raise _Unsupported(f"axis={value!r} (minikeras Softmax takes one integer axis)")
    return value
