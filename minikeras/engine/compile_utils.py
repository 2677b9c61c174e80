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


class PathError(KeyError, ValueError):
    """keras's KeyError for a `loss` dict key that names no output (also a ValueError, as
    minikeras raises for bad arguments)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def check_output_keys(value: Any, names: list[str], arg: str, dict_outputs: bool) -> None:
    """A dict ``value`` of `loss`/`metrics` names only outputs the model has (checked when
    fit builds its steps, as keras)."""
    if not isinstance(value, dict):
        return
    unknown = [k for k in value if k not in names]
    if not unknown:
        return
    if arg == "loss" and dict_outputs:
        raise PathError(f"The path: ('{unknown[0]}',) in the `loss` argument, can't be found "
                        "in either the model's output (`y_pred`) or in the labels (`y_true`).")
    if arg == "loss":
        raise ValueError(f"Expected keys {names} in loss dict, but found "
                         f"loss.keys()={list(value)}")
    raise ValueError(f"Invalid `{arg}`. `{arg}` should contain metrics objects and either be "
                     "a dict or a list matching the output names of the functional model "
                     f"{names}. Unknown output names: {unknown}. Received: {arg}={value}")


def per_output(value: Any, names: list[str], arg: str, default: Any = None) -> list:
    """``value`` given once, as a list (one per output) or a dict keyed by output name, as
    one entry per output in ``names`` order (``default`` for outputs a dict leaves out;
    keys naming no output are left to `check_output_keys`)."""
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return [default if value is None else value] * len(names)
    if isinstance(value, dict):
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"`{arg}` has {len(value)} entries, but the model has "
                             f"{len(names)} outputs {names}. Pass one per output, or a dict.")
        return list(value)
    return [value] * len(names)


def output_losses(value: Any) -> list:
    """One output's loss entry as a list of losses: keras accepts a loss, or a list of
    losses for the output (summed)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None]
    return [value]


class SummedLoss:
    """Several losses of one output, summed (each reduced over the same samples)."""

    def __init__(self, losses: list):
        self.losses = losses
        self.reduction = losses[0].reduction
        self.name = losses[0].name

    def sum_and_count(self, y_true: Any, y_pred: Any, **kwargs: Any) -> tuple:
        results = [loss.sum_and_count(y_true, y_pred, **kwargs) for loss in self.losses]
        return tf.add_n([r[0] for r in results]), results[0][1]


def split_structure_losses(loss: Any, loss_weights: Any, outputs_struct: Any) -> tuple:
    """keras's reading of a `loss` list whose type is not the outputs' (a list for tuple or
    dict outputs...) and that holds a nested entry: each entry is for the whole output
    structure; a plain loss gets the structures of targets and outputs, a nested entry gives
    the per-output losses. Returns ``(per-output loss, its weights, [(loss, weight)] for the
    whole structure)``; anything else is returned as it is, with no structure losses."""
    nested = [isinstance(e, (list, tuple, dict)) for e in loss] if isinstance(
        loss, (list, tuple)) else []
    if not any(nested) or isinstance(outputs_struct, type(loss)) or not isinstance(
            outputs_struct, (list, tuple, dict)):
        return loss, loss_weights, []
    weights = list(loss_weights) if isinstance(loss_weights, (list, tuple)) else \
        [None] * len(loss)
    per_output, per_weights, whole = None, None, []
    for entry, is_nested, weight in zip(loss, nested, weights):
        if is_nested:
            per_output, per_weights = entry, weight
        elif entry is not None:
            whole.append((entry, weight))
    return per_output, per_weights, whole


def resolve_outputs(losses: Any, loss_weights: Any, metrics: Any, weighted_metrics: Any,
                    names: list[str], y_shapes: list[tuple], out_shapes: list[tuple],
                    get_loss: Any, dict_outputs: bool = False) -> tuple[list, list]:
    """compile's per-output configuration for a model with outputs ``names``.

    Returns ``[(output name, Loss or None, weight)]`` and ``[(log name, metric, weighted,
    output index)]``. With one output the logs are named as keras names them (``accuracy``);
    with several, prefixed by the output's name (``out_1_accuracy``). A metric given in both
    ``metrics`` and ``weighted_metrics`` is logged twice, the weighted one with keras's
    ``weighted_`` prefix after the output's (``out_1_weighted_accuracy``).
    """
    check_output_keys(losses, names, "loss", dict_outputs)
    check_output_keys(metrics, names, "metrics", dict_outputs)
    check_output_keys(weighted_metrics, names, "weighted_metrics", dict_outputs)
    multi = len(names) > 1
    loss_list = []
    for i, given in enumerate(per_output(losses, names, "loss")):
        resolved = [get_loss(loss, y_shapes[i], out_shapes[i]) for loss in output_losses(given)]
        loss_list.append(None if not resolved else resolved[0] if len(resolved) == 1
                         else SummedLoss(resolved))
    weights = per_output(loss_weights, names, "loss_weights")
    entries, seen = [], {"loss"} | {f"{n}_loss" for n in names}
    for weighted, given in ((False, metrics), (True, weighted_metrics)):
        for index, metric_ids in enumerate(per_output(given, names, "metrics", [])):
            if metric_ids is not None and not isinstance(metric_ids, (list, tuple)):
                metric_ids = [metric_ids]  # one metric for this output
            for identifier in check_metric_list(metric_ids, "metrics"):
                metric = metrics_module.get_for_compile(identifier, y_shapes[index],
                                                        out_shapes[index])
                prefix = f"{names[index]}_" if multi else ""
                name = f"{prefix}{metric.name}"
                if name in seen and weighted:
                    name = f"{prefix}weighted_{metric.name}"
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
