"""compile's checks and resolutions: metric lists, metric names, XLA, strategy consistency."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import metrics as metrics_module

_SPECIAL_METRICS = ("accuracy", "acc", "crossentropy", "ce")


def check_metric_list(metrics: Any, arg: str) -> list:
    """Checks a ``metrics=`` list; unknown names fail at compile, not at the first fit."""
    if metrics is None:
        return []
    if not isinstance(metrics, (list, tuple)):
        raise TypeError(
            f"Expected `{arg}` to be a list, e.g. {arg}=['accuracy']. Received: {metrics!r}")
    for m in metrics:
        if isinstance(m, str) and m not in _SPECIAL_METRICS:
            metrics_module.get(m)
    return list(metrics)


def resolve_metrics(metric_ids: list, y_shape: tuple, out_shape: tuple) -> list:
    """``(identifier, weighted)`` pairs -> ``(log name, metric, weighted)`` triples.

    "accuracy" is resolved from the shapes as keras does; duplicate names get keras's
    ``weighted_`` prefix or a ``_1`` suffix.
    """
    entries, seen = [], set()
    for identifier, weighted in metric_ids:
        metric = metrics_module.get_for_compile(identifier, y_shape, out_shape)
        name = metric.name
        if name in seen:
            name = f"weighted_{name}" if weighted else name
            base, k = name, 1
            while name in seen:
                name, k = f"{base}_{k}", k + 1
        seen.add(name)
        entries.append((name, metric, weighted))
    return entries


def resolve_jit_compile(jit_compile: bool | str) -> bool:
    """``"auto"`` turns XLA on only when a GPU is visible (on CPU it gains little; see docs)."""
    if jit_compile == "auto":
        return bool(tf.config.list_logical_devices("GPU"))
    if not isinstance(jit_compile, bool):
        raise ValueError(
            f"Expected `jit_compile` to be True, False or 'auto'. Received: {jit_compile!r}")
    return jit_compile


def check_strategy(strategy: Any, variables: list) -> None:
    """Variables must all belong to the strategy in force (or all to none)."""
    distributed = tf.distribute.has_strategy()
    name = type(strategy).__name__
    for var in variables:
        if isinstance(var, tf.distribute.DistributedValues) != distributed:
            where = f"inside {name}.scope()" if distributed else "outside any strategy scope"
            raise ValueError(
                f"Variable '{var.name}' was created "
                f"{'outside' if distributed else 'inside'} a tf.distribute strategy scope, "
                f"but compile() runs {where}. Build and compile the model (and create its "
                "optimizer) inside the same `with strategy.scope():` block.")
