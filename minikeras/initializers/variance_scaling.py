"""Variance scaling: one core, and the Glorot, He and LeCun schemes as thin named variants."""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.initializers.base import RandomInitializer, standardize_dtype, standardize_shape
from minikeras.initializers.random_initializers import uniform

# Standard deviation of N(0, 1) truncated to [-2, 2]:
#   sqrt(1 - 2 * 2 * phi(2) / (Phi(2) - Phi(-2))) = 0.87962566103423978,
# with phi, Phi the standard normal pdf and cdf. Dividing by it makes the *truncated* draw
# have the intended standard deviation.
_TRUNCATED_STD_OF_UNIT_NORMAL = 0.87962566103423978

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def compute_fans(shape: Sequence[int], input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> tuple[int, int]:
    """Returns `(fan_in, fan_out)` of a weight shape, as keras computes them.

    With both `input_axes` and `output_axes`: the products of those dimensions (e.g. a
    `(dim, heads, key_dim)` projection: ``input_axes=[0], output_axes=[1, 2]``). Otherwise by
    rank: 0: (1, 1); 1: (n, n); 2 `(in, out)`: (in, out); > 2, a convolution kernel
    `(*spatial, in, out)`: (in * r, out * r) with r the product of the spatial dims.

    Example:
      >>> from minikeras.initializers import compute_fans
      >>> compute_fans((3, 3, 16, 32))
      (144, 288)
      >>> compute_fans((512, 8, 64), input_axes=[0], output_axes=[1, 2])
      (512, 512)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        bad = [a for a in (*input_axes, *output_axes) if not -len(shape) <= a < len(shape)]
        if bad:
            raise ValueError(f"Expected `input_axes` and `output_axes` to be axes of the weight "
                             f"shape {shape}. Received: input_axes={input_axes}, "
                             f"output_axes={output_axes}")
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = 1
    for dim in shape[:-2]:
        receptive_field *= dim
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


def _check_axes(axes: Any, arg: str) -> list[int] | None:
    if axes is None:
        return None
    if isinstance(axes, (str, bytes)) or not isinstance(axes, Sequence) or not all(
            isinstance(a, int) and not isinstance(a, bool) for a in axes):
        raise ValueError(f"Expected `{arg}` to be None or a list of integers (axes). "
                         f"Received: {arg}={axes!r}")
    return list(axes)


class VarianceScaling(RandomInitializer):
    """Draws with a variance of `scale / fan`, where fan depends on the shape.

    ::

        fan = fan_in | fan_out | (fan_in + fan_out) / 2          # by `mode`
        s = scale / max(1, fan)
        truncated_normal:   TruncatedNormal(0, sqrt(s) / 0.8796...)   # std after the cut: sqrt(s)
        untruncated_normal: Normal(0, sqrt(s))
        uniform:            Uniform(-sqrt(3 s), sqrt(3 s))

    Args:
      scale: Positive scaling factor. Default 1.0.
      mode: "fan_in" (default), "fan_out" or "fan_avg".
      distribution: "truncated_normal" (default; "normal" is accepted for it),
        "untruncated_normal" or "uniform" (case-insensitive).
      seed: An integer, a `minikeras.random.SeedGenerator`, or None (default) to draw one
        from Python's `random` now.
      input_axes: Optional list of axes whose dimensions multiply into fan_in (with
        ``output_axes``; see `compute_fans`). Default None.
      output_axes: Optional list of axes whose dimensions multiply into fan_out (with
        ``input_axes``). Default None.

    Example:
      >>> from minikeras.initializers import VarianceScaling
      >>> VarianceScaling(2.0, "fan_in", "uniform", seed=0)((4, 3)).shape
      TensorShape([4, 3])
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: Any = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ):
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not scale > 0:
            raise ValueError(  # keras's wording
                f"Argument `scale` must be positive float. Received: scale={scale!r}"
            )
        if mode not in _MODES:
            raise ValueError(  # keras's wording
                f"Invalid `mode` argument: {mode!r}. Please use one of {_MODES}. "
                f"Received: mode={mode!r}"
            )
        name = distribution.lower() if isinstance(distribution, str) else distribution
        if name == "normal":
            name = "truncated_normal"
        if name not in _DISTRIBUTIONS:
            raise ValueError(  # keras's wording
                f"Invalid `distribution` argument: {distribution!r}. "
                f"Please use one of {_DISTRIBUTIONS} (or 'normal'). "
                f"Received: distribution={distribution!r}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = name
        self.input_axes = _check_axes(input_axes, "input_axes")
        self.output_axes = _check_axes(output_axes, "output_axes")
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        shape = standardize_shape(shape)
        dtype = standardize_dtype(dtype, floating=True)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, fan[self.mode])
        seed = self.stateless_seed()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_STD_OF_UNIT_NORMAL
            return tf.random.stateless_truncated_normal(
                shape, seed=seed, mean=0.0, stddev=stddev, dtype=dtype
            )
        if self.distribution == "untruncated_normal":
            return tf.random.stateless_normal(
                shape, seed=seed, mean=0.0, stddev=math.sqrt(scale), dtype=dtype
            )
        limit = math.sqrt(3.0 * scale)
        return uniform(shape, -limit, limit, seed, dtype)

    def get_config(self) -> dict:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            **super().get_config(),
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed by the class."""

    _SCALE: float
    _MODE: str
    _DISTRIBUTION: str

    def __init__(self, seed: Any = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        super().__init__(self._SCALE, self._MODE, self._DISTRIBUTION, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict:
        return {**RandomInitializer.get_config(self), "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_NamedVarianceScaling):
    """Glorot (Xavier) uniform: Uniform(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).

    Dense's default kernel initializer (Glorot & Bengio, 2010).

    Args:
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import GlorotUniform
      >>> GlorotUniform(seed=0)((4, 3)).shape
      TensorShape([4, 3])
    """

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_avg", "uniform"


class GlorotNormal(_NamedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with std sqrt(2 / (fan_in + fan_out)).

    Args:
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import GlorotNormal
      >>> GlorotNormal(seed=0)((4, 3)).shape
      TensorShape([4, 3])
    """

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_avg", "truncated_normal"


class HeNormal(_NamedVarianceScaling):
    """He normal: truncated normal with std sqrt(2 / fan_in) (He et al., 2015), for ReLU nets.

    Args:
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import HeNormal
      >>> HeNormal(seed=0)((4, 3)).shape
      TensorShape([4, 3])
    """

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


class HeUniform(_NamedVarianceScaling):
    """He uniform: Uniform(-limit, limit), limit = sqrt(6 / fan_in).

    Args:
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import HeUniform
      >>> HeUniform(seed=0)((4, 3)).shape
      TensorShape([4, 3])
    """

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "uniform"


class LecunNormal(_NamedVarianceScaling):
    """LeCun normal: truncated normal with std sqrt(1 / fan_in), as SELU nets need.

    Args:
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import LecunNormal
      >>> LecunNormal(seed=0)((4, 3)).shape
      TensorShape([4, 3])
    """

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "truncated_normal"


class LecunUniform(_NamedVarianceScaling):
    """LeCun uniform: Uniform(-limit, limit), limit = sqrt(3 / fan_in).

    Args:
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import LecunUniform
      >>> LecunUniform(seed=0)((4, 3)).shape
      TensorShape([4, 3])
    """

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "uniform"
