"""Optimizers, written by hand: update maths as pure functions, classes holding the state.

    Optimizer (keras defaults)                                      pure update    module
    SGD(learning_rate=0.01, momentum=0.0, nesterov=False)           sgd_step       sgd.py
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
         amsgrad=False)                                             adam_step      adam.py
    AdamW(learning_rate=0.001, weight_decay=0.004, ...as Adam)      adam_step      adamw.py
    RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
            centered=False)                                         rmsprop_step   rmsprop.py
    Adagrad(learning_rate=0.001, initial_accumulator_value=0.1,
            epsilon=1e-7)                                           adagrad_step   adagrad.py
    Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
                                                                    nadam_step     nadam.py
    Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
                                                                    adamax_step    adamax.py
    Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)           adadelta_step  adadelta.py
    Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99)              lion_step      lion.py
    Ftrl(learning_rate=0.001, learning_rate_power=-0.5,
         initial_accumulator_value=0.1, l1/l2/l2_shrinkage
         regularization strengths 0.0, beta=0.0)                    ftrl_step      ftrl.py

Every optimizer also takes ``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``
and ``name`` (see `Optimizer`), and a learning rate that may be a float, a
`schedules.LearningRateSchedule` or a callable of the step.
"""
from __future__ import annotations

from typing import Any

from minikeras._registry import lookup, serialize_registered
from minikeras.optimizers import schedules
from minikeras.optimizers.adadelta import Adadelta, adadelta_step
from minikeras.optimizers.adagrad import Adagrad, adagrad_step
from minikeras.optimizers.adam import Adam, adam_step
from minikeras.optimizers.adamax import Adamax, adamax_step
from minikeras.optimizers.adamw import AdamW
from minikeras.optimizers.ftrl import Ftrl, ftrl_step
from minikeras.optimizers.lion import Lion, lion_step
from minikeras.optimizers.nadam import Nadam, nadam_step
from minikeras.optimizers.optimizer import Optimizer
from minikeras.optimizers.rmsprop import RMSprop, rmsprop_step
from minikeras.optimizers.sgd import SGD, sgd_step

# Names resolve case-insensitively, as keras's: "adam", "Adam" and "ADAM" are Adam.
_NAMES = {cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Nadam,
                                                 Adamax, Adadelta, Lion, Ftrl)}


def _class_for(name: Any) -> type:
    if isinstance(name, str) and name.lower() in _NAMES:
        return _NAMES[name.lower()]
    return lookup(name, _NAMES, "optimizer")  # raises, listing the valid names


def get(identifier: Any) -> Optimizer:
    """Returns an optimizer from a name (``"adam"``), a config dict (`serialize`'s form), or
    an Optimizer instance (returned as is). Names take their keras defaults. None gives
    None, as keras."""
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _class_for(identifier)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(
        "Could not interpret optimizer identifier: expected a name, a config dict or an "
        f"Optimizer. Received: {identifier!r}")


def serialize(optimizer: Optimizer) -> dict:
    """``{"class_name": "Adam", "config": optimizer.get_config()}``."""
    return serialize_registered(optimizer, {c.__name__: c for c in _NAMES.values()},
                                "optimizer")


def deserialize(config: dict) -> Optimizer:
    """Rebuilds an optimizer from `serialize`'s dict; the class is looked up by name only."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Expected a dict with keys 'class_name' and 'config'. Received: "
                         f"{config!r}")  # the wording of every other deserialize (_registry)
    return _class_for(config["class_name"]).from_config(dict(config.get("config") or {}))


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Nadam", "Adamax",
           "Adadelta", "Lion", "Ftrl", "schedules", "get", "serialize", "deserialize",
           "sgd_step", "adam_step", "rmsprop_step", "adagrad_step", "nadam_step", "adamax_step",
           "adadelta_step", "lion_step", "ftrl_step"]
