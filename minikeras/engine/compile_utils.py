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


def per_output(value: Any, names: list[str], arg: str, default: Any = None) -> list:
    """``value`` given once, as a list (one per output) or a dict keyed by output name, as
    one entry per output in ``names`` order (``default`` for outputs a dict leaves out)."""
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return [default if value is None else value] * len(names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"`{arg}` names outputs {unknown} that the model does not have; "
                             f"its outputs are {names}.")
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"`{arg}` has {len(value)} entries, but the model has "
                             f"{len(names)} outputs {names}. Pass one per output, or a dict.")
        return list(value)
    return [value] * len(names)


def resolve_outputs(losses: Any, loss_weights: Any, metrics: Any, weighted_metrics: Any,
                    names: list[str], y_shapes: list[tuple], out_shapes: list[tuple],
                    get_loss: Any) -> tuple[list, list]:
    """compile's per-output configuration for a model with outputs ``names``.

    Returns ``[(output name, Loss or None, weight)]`` and ``[(log name, metric, weighted,
    output index)]``. With one output the logs are named as keras names them (``accuracy``);
    with several, prefixed by the output's name (``out_1_accuracy``), and keras's
    ``weighted_`` prefix or ``_1`` suffix keeps names unique.
    """
    multi = len(names) > 1
    loss_list = [None if loss is None else get_loss(loss, y_shapes[i], out_shapes[i])
                 for i, loss in enumerate(per_output(losses, names, "loss"))]
    weights = per_output(loss_weights, names, "loss_weights")
    entries, seen = [], {"loss"} | {f"{n}_loss" for n in names}
    for weighted, given in ((False, metrics), (True, weighted_metrics)):
        for index, metric_ids in enumerate(per_output(given, names, "metrics", [])):
            if metric_ids is not None and not isinstance(metric_ids, (list, tuple)):
                metric_ids = [metric_ids]  # one metric for this output
            for identifier in check_metric_list(metric_ids, "metrics"):
                metric = metrics_module.get_for_compile(identifier, y_shapes[index],
                                                        out_shapes[index])
                name = f"{names[index]}_{metric.name}" if multi else metric.name
                if name in seen:
                    name = f"weighted_{name}" if weighted else name
                    base, k = name, 1
                    while name in seen:
                        name, k = f"{base}_{k}", k + 1
                seen.add(name)
                entries.append((name, metric, weighted, index))
    return list(zip(names, loss_list, weights)), entries


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
