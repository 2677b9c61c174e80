"""The Optimizer base class: learning rate, step count, per-variable slots, clipping, decay.

The update maths of each optimizer is a pure function of tensors (``sgd_step``, ``adam_step``,
...); a subclass only says which slots it needs and applies that function in `update_step`.
One step of `apply`, in keras's order::

    drop pairs whose gradient is None
    clip the gradients (clipnorm, global_clipnorm or clipvalue; see clipping.py)
    lr = current_learning_rate()              # a float variable, or schedule(iterations)
    w -= w * weight_decay * lr                # every variable, before any update
    update_step(g, w, lr)                     # every variable
    iterations += 1
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation
from minikeras._naming import to_snake_case, unique_name
from minikeras.optimizers import clipping, schedules
from minikeras.optimizers.arguments import (  # noqa: F401 - check_* are imported from here
    check_bool,
    check_float,
    check_learning_rate,
    optional_positive,
    plain_learning_rate,
    takes_step,
)
from minikeras.optimizers.learning_rate_variable import LearningRateVariable

# keras config keys minikeras does not implement, with the values that leave them inactive:
# a keras config carrying exactly these values loads; any other value is an error.
_KERAS_ONLY_DEFAULTS = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                        "loss_scale_factor": None, "gradient_accumulation_steps": None}


def _container(variable: tf.Variable) -> tf.Variable:
    """The variable itself, or for one device's copy under tf.distribute its container."""
    container = getattr(variable, "_distributed_container", None)
    if container is None:  # resource variables carry it on their handle
        container = getattr(getattr(variable, "handle", None), "_distributed_container", None)
    return container() if container is not None else variable


class Optimizer(tf.Module):
    """Base optimizer: `apply(grads, variables)` clips, decays and calls `update_step`.

    A float learning rate lives in a float32 `tf.Variable`, so changing it (``opt.learning_rate
    = 0.1``) never retraces a compiled training step. A `LearningRateSchedule` (or any callable
    of the step) is evaluated at ``iterations`` inside the step instead. ``iterations`` counts
    applied steps.

    Args:
      learning_rate: Non-negative float, a `schedules.LearningRateSchedule`, or a callable
        ``f(step) -> learning rate``.
      weight_decay: Optional non-negative float: before each update ``w -= w * wd * lr``
        (decoupled decay, keras's form) on every variable not excluded with
        `exclude_from_weight_decay`.
      clipnorm: Optional positive float: each gradient is clipped to this L2 norm.
      clipvalue: Optional positive float: each gradient element is clipped to
        ``[-clipvalue, clipvalue]``.
      global_clipnorm: Optional positive float: all gradients are scaled together so that
        their joint L2 norm is at most this. At most one of the three clipping arguments.
      name: Optional name. Default: the snake_case class name made unique, as keras
        (``adam``, ``adam_1``, ...).
    """

    def __init__(self, learning_rate: Any, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None):
        # keras's auto-naming: snake_case class name, made unique (adam, adam_1, ...)
        super().__init__(name=name or unique_name(to_snake_case(type(self).__name__)))
        given = sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm))
        if given > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}")
        self.clipnorm = optional_positive("clipnorm", clipnorm)
        self.clipvalue = optional_positive("clipvalue", clipvalue)
        self.global_clipnorm = optional_positive("global_clipnorm", global_clipnorm)
        self.weight_decay = None if weight_decay is None else check_float(
            "weight_decay", weight_decay, 0.0, high_open=True)
        self._learning_rate: tf.Variable | None = None
        self._learning_rate_view: LearningRateVariable | None = None
        self._schedule: Callable | None = None
        self._schedule_takes_step = True
        with tf.init_scope():
            self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name="iterations")
        self._set_learning_rate(learning_rate)
        self._slots: dict[str, list[tf.Variable]] = {}
        self._index: dict[Any, int] = {}
        self._decay_excluded: set = set()
        self._decay_excluded_pattern: re.Pattern | None = None
        self.built = False

    # ---- learning rate --------------------------------------------------------------------
    def _set_learning_rate(self, value: Any) -> None:
        if isinstance(value, schedules.LearningRateSchedule) or (
                callable(value) and not _validation.is_real(value)):
            self._schedule, self._learning_rate = value, None
            self._learning_rate_view = None
            self._schedule_takes_step = isinstance(
                value, schedules.LearningRateSchedule) or takes_step(value)
            return
        with tf.init_scope():
            self._learning_rate = tf.Variable(check_learning_rate(plain_learning_rate(value)),
                                              dtype=tf.float32, trainable=False,
                                              name="learning_rate")
        self._learning_rate_view = LearningRateVariable(self._learning_rate,
                                                        f"{self.name}/learning_rate")

    def current_learning_rate(self) -> tf.Tensor:
        """The learning rate of the next step, a float32 scalar tensor.

        The variable's value, or the schedule evaluated at ``iterations`` (read in the
        compiled step, so a schedule never retraces).
        """
        if self._schedule is None:
            return tf.identity(self._learning_rate)
        value = self._schedule(self.iterations) if self._schedule_takes_step else \
            self._schedule()
        return tf.cast(value, tf.float32)

    @property
    def learning_rate(self) -> LearningRateVariable | tf.Tensor:
        """The learning rate as keras returns it: for a float rate, a `LearningRateVariable`
        (keras.Variable's interface: ``.value`` is the ``tf.Variable``, ``float()``,
        ``.numpy()``, ``.assign()``, arithmetic); with a schedule, its current value."""
        if self._schedule is None:
            return self._learning_rate_view
        return self.current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        is_schedule = isinstance(value, schedules.LearningRateSchedule) or (
            callable(value) and not _validation.is_real(value))
        if is_schedule:
            if self.built:
                raise TypeError(
                    "A learning rate schedule can only be set before the optimizer is built "
                    "(compiled steps already read the learning-rate variable). Create the "
                    "optimizer with `learning_rate=schedule` instead.")
            self._set_learning_rate(value)
            return
        if self._schedule is not None:
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object (or a "
                "callable) as its `learning_rate` constructor argument, hence its learning "
                "rate is not settable. If you need the learning rate to be settable, you "
                "should instantiate the optimizer with a float `learning_rate` argument.")
        self._learning_rate.assign(check_learning_rate(plain_learning_rate(value)))

    # ---- slots ----------------------------------------------------------------------------
    def slot_groups(self) -> Sequence[Sequence[str]]:
        """The slots this optimizer keeps, as groups of names (keras's variable order).

        Within a group the slots are interleaved per model variable (for Adam's
        ``("momentum", "velocity")``: m0, v0, m1, v1, ...); groups follow each other.
        """
        return ()

    def slot_names(self) -> list[str]:
        """Every slot name of `slot_groups`, in order."""
        return [name for group in self.slot_groups() for name in group]

    def slot_initial_value(self, name: str) -> float:
        """The value a slot starts from (zero unless a subclass says otherwise)."""
        return 0.0

    def build(self, var_list: Sequence[tf.Variable]) -> None:
        """Creates every slot for every variable (eagerly, even when called while tracing)."""
        if self.built:
            return
        var_list = list(var_list)
        with tf.init_scope():
            for name in self.slot_names():
                start = self.slot_initial_value(name)
                self._slots[name] = [
                    tf.Variable(tf.fill(tf.shape(v), tf.cast(start, v.dtype)), trainable=False,
                                name=f"{v.name.split(':')[0]}_{name}") for v in var_list]
            self.build_extra_state(var_list)
        self._index = {v.ref(): i for i, v in enumerate(var_list)}
        self.built = True

    def build_extra_state(self, var_list: Sequence[tf.Variable]) -> None:
        """Creates state that is not per variable (Nadam's ``u_product``), eagerly in `build`.
        The default has none."""

    def extra_state(self) -> list[tf.Variable]:
        """State that is not per variable, listed after the slots in `variables` (keras's
        order). The default has none."""
        return []

    def before_updates(self) -> None:
        """Runs once per step before the per-variable updates (after clipping and reading the
        learning rate), in the cross-replica context under tf.distribute. Default: nothing."""

    def knows(self, var_list: Sequence[tf.Variable]) -> bool:
        """Whether the slots were built for exactly these variables."""
        return self.built and len(var_list) == len(self._index) and all(
            v.ref() in self._index for v in var_list)

    def slot(self, variable: tf.Variable, name: str) -> tf.Variable:
        """The slot ``name`` (``"momentum"``, ``"velocity"``...) kept for ``variable``."""
        # Under tf.distribute, update functions receive one device's copy of a variable; its
        # container is the variable the slots were built for.
        return self._slots[name][self._index[_container(variable).ref()]]

    @property
    def variables(self) -> list[tf.Variable]:
        """All state in a fixed order: iterations, the learning-rate variable (absent with a
        schedule), then the slots as keras orders them (see `slot_groups`)."""
        out = [self.iterations]
        if self._learning_rate is not None:
            out.append(self._learning_rate)
        for group in self.slot_groups():
            lists = [self._slots.get(name, []) for name in group]
            for per_variable in zip(*lists):
                out.extend(per_variable)
        return out + (self.extra_state() if self.built else [])

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Assigns `variables` from arrays in the same order (keras's `set_weights`); all
        shapes are checked before anything is assigned."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`.")
        variables, weights = self.variables, list(weights)
        if len(weights) != len(variables):
            raise ValueError(f"Expected {len(variables)} weights for optimizer '{self.name}'. "
                             f"Received {len(weights)} weights.")
        for variable, weight in zip(variables, weights):
            if tuple(variable.shape) != tuple(np.shape(weight)):
                raise ValueError(
                    f"Optimizer variable {variable.name} has shape {tuple(variable.shape)} not "
                    f"compatible with provided weight shape {tuple(np.shape(weight))}.")
        for variable, weight in zip(variables, weights):
            variable.assign(weight)

    # ---- weight decay ---------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list: Sequence[tf.Variable] | None = None,
                                  var_names: Sequence[str] | None = None) -> None:
        """Exempts variables from weight decay: those in `var_list`, and those whose name
        contains any string of `var_names` (e.g. ``["bias"]``). Call before `build`."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before "
                             "the optimizer is built.")
        self._decay_excluded = {v.ref() for v in var_list or ()}
        self._decay_excluded_pattern = (
            re.compile("|".join(sorted(set(var_names)))) if var_names else None)

    def _use_weight_decay(self, variable: tf.Variable) -> bool:
        variable = _container(variable)
        if variable.ref() in self._decay_excluded:
            return False
        pattern = self._decay_excluded_pattern
        return pattern is None or pattern.search(variable.name) is None

    # ---- applying -------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, tf.Variable]]) -> tf.Variable:
        """Applies one step to ``(gradient, variable)`` pairs; returns ``iterations``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self.iterations

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[tf.Variable]) -> None:
        """Applies one step. Pairs with a None gradient are skipped (with keras's warning)."""
        grads, trainable_variables = list(grads), list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Expected as many gradients as variables. Received {len(grads)} gradients for "
                f"{len(trainable_variables)} variables.")
        if not grads:  # keras: nothing to do, not even a step count
            return
        self.build(trainable_variables)
        for var in trainable_variables:
            if var.ref() not in self._index:
                raise ValueError(
                    f"Variable '{var.name}' was not among the variables this optimizer was "
                    "built for. Use a new optimizer for a new set of variables.")
        pairs = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable: "
                             f"{[v.name for v in trainable_variables]}.")
        if len(pairs) < len(grads):
            missing = [v.name for g, v in zip(grads, trainable_variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing "
                          "the loss.", stacklevel=2)
        grads = self.clip_gradients([tf.convert_to_tensor(g) for g, _ in pairs])
        variables = [v for _, v in pairs]
        lr = self.current_learning_rate()
        replica = tf.distribute.get_replica_context()
        if tf.distribute.has_strategy() and replica is not None:
            # In a replica of a tf.distribute strategy: the gradients are already all-reduced
            # (the same on every replica), so each device applies the same update to its copy.
            replica.merge_call(self._apply_distributed, args=(grads, variables, lr))
        else:
            self.before_updates()
            for grad, var in zip(grads, variables):
                self._update_one(var, grad, lr)
            self.iterations.assign_add(1)

    def _update_one(self, var: tf.Variable, grad: tf.Tensor, lr: tf.Tensor) -> None:
        """Weight decay (if any), then the optimizer's update, for one variable."""
        if self.weight_decay is not None and self._use_weight_decay(var):
            wd = tf.cast(self.weight_decay, var.dtype)
            var.assign_sub(var * wd * tf.cast(lr, var.dtype))
        self.update_step(tf.cast(grad, var.dtype), var, tf.cast(lr, var.dtype))
        constraint = getattr(_container(var), "constraint", None)
        if constraint is not None:  # keras projects the weight after its update
            var.assign(constraint(var))

    def _apply_distributed(self, strategy: Any, grads: list, variables: list, lr: Any) -> None:
        self.before_updates()
        for grad, var in zip(grads, variables):
            strategy.extended.update(var, self._update_one, args=(grad, lr), group=False)
        self.iterations.assign_add(1)

    def clip_gradients(self, grads: list[tf.Tensor]) -> list[tf.Tensor]:
        """Applies whichever of clipnorm, global_clipnorm, clipvalue was set (keras's order)."""
        if self.clipnorm is not None:
            return [clipping.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            return clipping.clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue is not None:
            return [clipping.clip_by_value(g, self.clipvalue) for g in grads]
        return grads

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        """Updates ``variable`` (and its slots) in place for one ``gradient``; every
        optimizer implements it with its pure update function (`sgd_step`, `adam_step`...).
        Called after clipping, with the step's learning rate."""
        raise NotImplementedError

    # ---- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments; a schedule as ``{"class_name", "config"}``."""
        if self._schedule is None:
            learning_rate: Any = float(self._learning_rate.numpy())
        elif isinstance(self._schedule, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(self._schedule)
        else:
            raise TypeError(
                "This optimizer's learning rate is a plain callable, which has no config. "
                "Write it as a `LearningRateSchedule` subclass with `get_config` and register "
                "it with `minikeras.optimizers.schedules.register` to make it serializable.")
        return {"name": self.name, "learning_rate": learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config: dict) -> Optimizer:
        """Rebuilds an optimizer from `get_config()` (also accepts keras's config keys when
        they hold their inactive defaults, e.g. ``use_ema=False``)."""
        config = dict(config)
        for key, default in _KERAS_ONLY_DEFAULTS.items():
            if key in config:
                value = config.pop(key)
                if value != default:
                    raise ValueError(
                        f"minikeras optimizers do not implement `{key}`. Received: "
                        f"{key}={value!r} (only {default!r} is accepted).")
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)
