"""Learning-rate schedules: callables ``schedule(step) -> float32 tensor`` (keras's values).

Pass one as any optimizer's ``learning_rate``; the optimizer evaluates it at its
``iterations`` inside the compiled step (no retracing). Each schedule has
``get_config``/``from_config``; `serialize` and `deserialize` resolve class names only through
this module's registry (`register` adds your own), never by import path.

Every formula keeps keras's operation order, so the values are keras's bit for bit::

    ExponentialDecay:   lr0 * rate ** (step / decay_steps)              (floor with staircase)
    InverseTimeDecay:   lr0 / (1 + rate * step / decay_steps)           (floor with staircase)
    PolynomialDecay:    (lr0 - end) * (1 - min(step, N) / N) ** power + end
    CosineDecay:        linear warmup to warmup_target, then
                        target * ((1 - alpha) * 0.5 * (1 + cos(pi * step / N)) + alpha)
    PiecewiseConstantDecay: values[i] for boundaries[i-1] < step <= boundaries[i]
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras._registry import lookup
from minikeras.optimizers.learning_rate_variable import LearningRateVariable

F32 = tf.float32


def _check_number(name: str, value: Any) -> float:
    if isinstance(value, LearningRateVariable):  # keras accepts `optimizer.learning_rate`
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(value):
        raise ValueError(f"Argument `{name}` must be a finite float. Received: {name}={value!r}")
    return value


def _check_steps(name: str, value: Any) -> Any:
    _check_number(name, value)
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")
    return value


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.optimizers.schedules import LearningRateSchedule
      >>> class Halving(LearningRateSchedule):
      ...     def __init__(self, lr): self.lr = lr
      ...     def __call__(self, step): return self.lr * 0.5 ** tf.cast(step // 100, tf.float32)
      ...     def get_config(self): return {"lr": self.lr}
    """

    def __call__(self, step: Any) -> tf.Tensor:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`__call__(self, step)`.")

    def get_config(self) -> dict:
        """The constructor's arguments as a JSON-friendly dict (saved with the optimizer);
        a subclass must override it to be saved."""
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable.")

    @classmethod
    def from_config(cls, config: dict) -> LearningRateSchedule:
        """The schedule ``cls(**config)``: the inverse of `get_config`."""
        return cls(**config)


def _step(step: Any) -> tf.Tensor:
    return tf.cast(step, F32)


class _RatioDecay(LearningRateSchedule):
    """Shared by the schedules of ``step / decay_steps`` (floored when ``staircase``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool, name: str):
        self.initial_learning_rate = _check_number("initial_learning_rate",
                                                   initial_learning_rate)
        self.decay_steps = _check_steps("decay_steps", decay_steps)
        self.decay_rate = _check_number("decay_rate", decay_rate)
        self.staircase = staircase
        self.name = name

    def _progress(self, step: Any) -> tf.Tensor:
        p = _step(step) / tf.cast(self.decay_steps, F32)
        return tf.floor(p) if self.staircase else p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RatioDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``.

    Args:
      initial_learning_rate: Float.
      decay_steps: Positive number.
      decay_rate: Float.
      staircase: Bool. Default False.
      name: Default "ExponentialDecay".
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step: Any) -> tf.Tensor:
        lr0 = tf.constant(self.initial_learning_rate, F32)
        return lr0 * tf.pow(tf.constant(self.decay_rate, F32), self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary.

    Args:
      boundaries: Strictly increasing numbers (compared in the step's dtype, as keras).
      values: One more number than boundaries.
      name: Default "PiecewiseConstant".
    """

    def __init__(self, boundaries: Sequence[float], values: Sequence[float],
                 name: str = "PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        for i, b in enumerate(boundaries):
            _check_number(f"boundaries[{i}]", b)
        for i, v in enumerate(values):
            _check_number(f"values[{i}]", v)
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"`boundaries` must be strictly increasing. Received: {boundaries}")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> tf.Tensor:
        step = tf.convert_to_tensor(step)
        boundaries = tf.cast(tf.constant(self.boundaries), step.dtype)
        index = tf.reduce_sum(tf.cast(step > boundaries, tf.int32))  # boundaries below step
        return tf.gather(tf.constant(self.values, F32), index)

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(_RatioDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is floored.

    Args:
      initial_learning_rate: Float.
      decay_steps: Positive number.
      decay_rate: Float.
      staircase: Bool. Default False.
      name: Default "InverseTimeDecay".
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step: Any) -> tf.Tensor:
        denominator = 1.0 + tf.constant(self.decay_rate, F32) * self._progress(step)
        return tf.constant(self.initial_learning_rate, F32) / denominator


class PolynomialDecay(LearningRateSchedule):
    """``(lr0 - end) * (1 - s / N) ** power + end`` with ``s = min(step, N)``.

    With ``cycle=True``, N is the first multiple of `decay_steps` at or above the step
    (``decay_steps`` itself at step 0) and the step is not capped.

    Args:
      initial_learning_rate: Float.
      decay_steps: Positive number (N).
      end_learning_rate: Float. Default 0.0001.
      power: Float. Default 1.0.
      cycle: Bool. Default False.
      name: Default "PolynomialDecay".
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay"):
        self.initial_learning_rate = _check_number("initial_learning_rate",
                                                   initial_learning_rate)
        self.decay_steps = _check_steps("decay_steps", decay_steps)
        self.end_learning_rate = _check_number("end_learning_rate", end_learning_rate)
        self.power = _check_number("power", power)
        self.cycle = cycle
        self.name = name

    def __call__(self, step: Any) -> tf.Tensor:
        lr0 = tf.constant(self.initial_learning_rate, F32)
        end = tf.constant(self.end_learning_rate, F32)
        step = _step(step)
        n = tf.cast(self.decay_steps, F32)
        if self.cycle:
            n = n * tf.where(tf.equal(step, 0.0), 1.0, tf.math.ceil(step / n))
        else:
            step = tf.minimum(step, n)
        p = step / n
        return (lr0 - end) * tf.pow(1 - p, tf.constant(self.power, F32)) + end

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay, after an optional linear warmup.

    Without `warmup_target`: ``lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * s / N)) + alpha)``
    with ``s = min(step, N)``. With it: for ``step < warmup_steps`` the rate goes linearly
    from ``lr0`` to ``warmup_target``; then the same cosine from ``warmup_target``, over
    ``step - warmup_steps``.

    Args:
      initial_learning_rate: Float.
      decay_steps: Positive number (N).
      alpha: Final rate as a fraction of the starting one. Default 0.0.
      name: Default "CosineDecay".
      warmup_target: Optional float: the rate reached at the end of warmup.
      warmup_steps: Non-negative number. Default 0.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0):
        self.initial_learning_rate = _check_number("initial_learning_rate",
                                                   initial_learning_rate)
        self.decay_steps = _check_steps("decay_steps", decay_steps)
        self.alpha = _check_number("alpha", alpha)
        self.name = name
        self.warmup_target = None if warmup_target is None else _check_number(
            "warmup_target", warmup_target)
        if _check_number("warmup_steps", warmup_steps) < 0:
            raise ValueError(f"Argument `warmup_steps` must be >= 0. "
                             f"Received: warmup_steps={warmup_steps}")
        self.warmup_steps = warmup_steps

    def _decay(self, step: tf.Tensor, n: tf.Tensor, start: tf.Tensor) -> tf.Tensor:
        cosine = 0.5 * (1.0 + tf.cos(tf.constant(math.pi, F32) * (step / n)))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: Any) -> tf.Tensor:
        lr0 = tf.constant(self.initial_learning_rate, F32)
        n = tf.cast(self.decay_steps, F32)
        step = _step(step)
        if self.warmup_target is None:
            return self._decay(tf.minimum(step, n), n, lr0)
        target = tf.constant(self.warmup_target, F32)
        warmup = tf.cast(self.warmup_steps, F32)
        step = tf.minimum(step, n + warmup)
        return tf.cond(step < warmup,
                       lambda: (target - lr0) * (step / warmup) + lr0,
                       lambda: self._decay(step - warmup, n, target))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


_REGISTRY: dict[str, type] = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, InverseTimeDecay, PolynomialDecay, CosineDecay)}


def register(cls: type) -> type:
    """Adds a `LearningRateSchedule` subclass to the registry `deserialize` resolves from
    (usable as a class decorator). Its class name is its serialized name."""
    if not (isinstance(cls, type) and issubclass(cls, LearningRateSchedule)):
        raise TypeError(f"Only LearningRateSchedule subclasses can be registered. "
                        f"Received: {cls!r}")
    existing = _REGISTRY.get(cls.__name__)
    if existing is not None and existing is not cls:
        raise ValueError(f"A different schedule is already registered as '{cls.__name__}'.")
    _REGISTRY[cls.__name__] = cls
    return cls


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{"class_name": ..., "config": schedule.get_config()}`` for a registered schedule."""
    name = type(schedule).__name__
    if _REGISTRY.get(name) is not type(schedule):
        raise ValueError(f"Schedule class '{name}' is not registered; decorate it with "
                         "`minikeras.optimizers.schedules.register` to serialize it.")
    return {"class_name": name, "config": schedule.get_config()}


def deserialize(config: dict) -> LearningRateSchedule:
    """Rebuilds a schedule from `serialize`'s dict, looking the class up in the registry."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError("Expected a dict {'class_name': ..., 'config': {...}}. "
                        f"Received: {config!r}")
    cls = lookup(config["class_name"], _REGISTRY, "learning rate schedule")
    return cls.from_config(dict(config.get("config", {})))


__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "InverseTimeDecay", "PolynomialDecay", "CosineDecay", "register", "serialize",
           "deserialize"]
