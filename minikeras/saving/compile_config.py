"""Compile configurations as plain JSON data: the optimizer, losses, metrics and weights a
model was compiled with, rebuilt only through minikeras's registries (and an explicit
``custom_objects``)."""
from __future__ import annotations

from typing import Any

from minikeras import losses, metrics, optimizers
from minikeras._registry import CUSTOM, find_custom, serialize_or_custom
from minikeras.saving.config import _check_dict, _custom


def _serialize_or_name(obj: Any, serialize: Any) -> Any:
    """A name stays a name; an object is serialized; a list (one entry per output or several
    metrics) or a dict keyed by output name keeps its structure."""
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return {str(k): _serialize_or_name(v, serialize) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_serialize_or_name(v, serialize) for v in obj]
    return serialize_or_custom(obj, serialize)


def compile_config(model: Any) -> dict | None:
    if not model.compiled:
        return None
    arguments = model.compile_arguments
    loss = arguments.get("loss") if isinstance(arguments.get("loss"), (list, tuple, dict)) \
        else model.loss
    loss_weights = arguments.get("loss_weights")
    if isinstance(loss_weights, tuple):
        loss_weights = list(loss_weights)
    return {
        "optimizer": optimizers.serialize(model.optimizer),
        "loss": _serialize_or_name(loss, losses.serialize),
        "loss_weights": loss_weights if not isinstance(loss_weights, dict)
        else {str(k): v for k, v in loss_weights.items()},
        "metrics": _serialize_or_name(list(arguments["metrics"]) if isinstance(
            arguments["metrics"], tuple) else arguments["metrics"], metrics.serialize),
        "weighted_metrics": _serialize_or_name(list(arguments["weighted_metrics"]) if isinstance(
            arguments["weighted_metrics"], tuple) else arguments["weighted_metrics"],
            metrics.serialize),
        "steps_per_execution": model.steps_per_execution,
        "jit_compile": model.jit_compile,
    }


def _resolve(entry: Any, custom_objects: dict, deserialize: Any, what: str,
             depth: int = 0) -> Any:
    """The object (or name) of one `_serialize_or_name` entry; lists and per-output dicts
    resolve entry by entry."""
    if entry is None:
        return None
    if isinstance(entry, str):
        found = find_custom(entry, custom_objects)
        return entry if found is None else found
    if isinstance(entry, list) and depth < 2:
        return [_resolve(e, custom_objects, deserialize, what, depth + 1) for e in entry]
    entry = _check_dict(entry, f"a {what} entry")
    if CUSTOM in entry:
        return _custom(entry, custom_objects, what)
    if "class_name" in entry or depth >= 2:
        return deserialize(entry)
    return {k: _resolve(v, custom_objects, deserialize, what, 2 if depth else 1)
            for k, v in entry.items()}


def _check_loss_weights(value: Any) -> Any:
    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if value is None or number(value):
        return value
    if isinstance(value, list) and all(number(v) for v in value):
        return value
    if isinstance(value, dict) and all(number(v) for v in value.values()):
        return value
    raise ValueError(f"'loss_weights' must be numbers (one, a list or a dict). "
                     f"Received: {value!r}")


def compile_model(model: Any, config: Any, custom_objects: dict | None = None) -> None:
    """Compiles ``model`` from `compile_config` data."""
    config = _check_dict(config, "the compile entry")
    custom_objects = dict(custom_objects or {})
    try:
        optimizer = optimizers.get(_check_dict(config.get("optimizer"), "the optimizer entry"))
        loss = _resolve(config.get("loss"), custom_objects, losses.to_loss, "loss", 1)
        metric_lists = []
        for key in ("metrics", "weighted_metrics"):
            entries = config.get(key, [])
            if entries is not None and not isinstance(entries, (list, dict)):
                raise ValueError(f"'{key}' must be a list or a dict")
            metric_lists.append(_resolve(entries, custom_objects, metrics.get, "metric"))
        model.compile(optimizer=optimizer, loss=loss,
                      loss_weights=_check_loss_weights(config.get("loss_weights")),
                      metrics=metric_lists[0], weighted_metrics=metric_lists[1],
                      steps_per_execution=config.get("steps_per_execution", "auto"),
                      jit_compile=config.get("jit_compile", "auto"))
    except (TypeError, KeyError, AttributeError) as err:
        raise ValueError(f"the compile configuration is invalid: {type(err).__name__}: {err}") \
            from None
