"""Model and compile configurations as plain JSON data, rebuilt only through registries.

Every class or function named in a file is looked up in minikeras's own tables (layers,
activations, initializers, regularizers, losses, metrics, optimizers), or in the
``custom_objects`` dict the caller passes explicitly. Nothing is imported by name.
"""
from __future__ import annotations

from typing import Any

from minikeras import layers as layers_module
from minikeras import losses, metrics, optimizers
from minikeras._registry import CUSTOM, find_custom, registered_name, serialize_or_custom
from minikeras.layers.layer import Layer

# Model classes register themselves here when `minikeras.models` is imported (saving comes
# before models in the import chain, so it cannot import them).
MODEL_CLASSES: dict[str, type] = {}


def register_model_class(cls: type) -> type:
    """Makes a built-in model class loadable by name (used by `minikeras.models`)."""
    MODEL_CLASSES[cls.__name__] = cls
    return cls


def layer_registry() -> dict[str, type]:
    """Every built-in layer class exported by `minikeras.layers`, and the model classes."""
    table = {name: getattr(layers_module, name) for name in layers_module.__all__}
    table = {name: obj for name, obj in table.items()
             if isinstance(obj, type) and issubclass(obj, Layer) and obj is not Layer}
    return {**table, **MODEL_CLASSES}


# ---- architecture ------------------------------------------------------------------------------
def model_config(model: Any) -> dict:
    """The architecture of a Sequential (nested ones included) as JSON-ready data."""
    return {"class_name": "Sequential", "config": {
        "name": model.name, "trainable": model.trainable,
        "build_input_shape": None if model.input_spec_shape is None
        else list(model.input_spec_shape),
        "layers": [model_config(l) if type(l).__name__ == "Sequential"
                   else {"class_name": registered_name(type(l)), "config": l.get_config()}
                   for l in model.layers]}}


def _check_dict(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object, found {type(value).__name__}")
    return value


def build_model(config: Any, custom_objects: dict | None = None,
                weight_shapes: list[tuple] | None = None) -> Any:
    """Rebuilds a model from `model_config` data. Raises ValueError on anything unknown.

    With ``weight_shapes`` (the shapes of the arrays a file holds), the shapes the architecture
    implies are checked against them before any variable is created: a hostile file cannot make
    the loader allocate more than the file itself holds.
    """
    config = _check_dict(config, "the model entry")
    registry = layer_registry()
    custom_objects = dict(custom_objects or {})

    def build(entry: Any, top: bool = False) -> Layer:
        entry = _check_dict(entry, "a layer entry")
        class_name = entry.get("class_name")
        cls = registry.get(class_name) if isinstance(class_name, str) else None
        if cls is None:
            cls = find_custom(class_name, custom_objects)
            if not (isinstance(cls, type) and issubclass(cls, Layer)):
                raise ValueError(
                    f"unknown layer class {class_name!r}; known: {', '.join(sorted(registry))} "
                    "(pass custom layers in custom_objects)")
        kwargs = dict(_check_dict(entry.get("config", {}), f"the config of {class_name}"))
        if cls is registry["Sequential"]:
            inner = kwargs.pop("layers", [])
            shape = kwargs.pop("build_input_shape", None)
            if not isinstance(inner, list):
                raise ValueError("a Sequential's 'layers' must be a list")
            model = cls([build(e) for e in inner], **kwargs)
            if top and shape is not None and not model.built:  # nested ones build with it
                if not isinstance(shape, list) or len(shape) < 2 or not all(
                        d is None or (isinstance(d, int) and d > 0) for d in shape):
                    raise ValueError(f"build_input_shape {shape!r} is not a list of sizes")
                if weight_shapes is not None:
                    _check_weight_shapes(model.weight_shapes(tuple(shape)), weight_shapes)
                model.build(tuple(shape))
            return model
        if isinstance(kwargs.get("activation"), str) and kwargs["activation"] in custom_objects:
            kwargs["activation"] = custom_objects[kwargs["activation"]]
        for key, value in kwargs.items():  # custom initializers, regularizers, ...
            if isinstance(value, dict) and CUSTOM in value:
                kwargs[key] = _custom(value, custom_objects, f"{key} of {class_name}")
        if "shape" in kwargs and isinstance(kwargs["shape"], list):
            kwargs["shape"] = tuple(kwargs["shape"])
        return cls(**kwargs)

    try:
        return build(config, top=True)
    except (TypeError, KeyError, AttributeError) as err:  # bad keyword arguments and the like
        raise ValueError(f"the architecture cannot be rebuilt: {type(err).__name__}: {err}") \
            from None


def _check_weight_shapes(expected: list[tuple[str, tuple]] | None, found: list[tuple]) -> None:
    if expected is None:
        return  # a custom layer that cannot tell: it was passed in custom_objects, so trusted
    for i, (name, shape) in enumerate(expected):
        if i >= len(found):
            raise ValueError(f"the architecture needs a weight {name} of shape {shape}, but the "
                             f"file holds only {len(found)} weight arrays")
        if tuple(shape) != tuple(found[i]):
            raise ValueError(f"the architecture's weight {name} has shape {tuple(shape)}, the "
                             f"file's array {i} has shape {tuple(found[i])}")
    if len(found) != len(expected):
        raise ValueError(f"the file holds {len(found)} weight arrays, the architecture "
                         f"has {len(expected)}")


def _custom(entry: dict, custom_objects: dict, what: str) -> Any:
    """The object a ``{"__custom__": name[, "config"]}`` entry names, from ``custom_objects``
    or the registered objects (`saving.register_keras_serializable`) only: a class is rebuilt
    from the saved config, anything else is used as it is."""
    name = entry[CUSTOM]
    obj = find_custom(name, custom_objects)  # custom_objects, then registered names
    if obj is None:
        raise ValueError(f"the {what} is a custom object {name!r}; pass it in "
                         f"custom_objects={{{name!r}: ...}} or register it with "
                         "minikeras.saving.register_keras_serializable")
    if isinstance(obj, type):
        config = _check_dict(entry.get("config") or {}, f"the config of {name}")
        from_config = getattr(obj, "from_config", None)
        return from_config(config) if callable(from_config) else obj(**config)
    return obj


# ---- compile configuration ---------------------------------------------------------------------
def _serialize_or_name(obj: Any, serialize: Any) -> Any:
    return obj if isinstance(obj, str) else serialize_or_custom(obj, serialize)


def compile_config(model: Any) -> dict | None:
    if not model.compiled:
        return None
    return {
        "optimizer": optimizers.serialize(model.optimizer),
        "loss": _serialize_or_name(model.loss, losses.serialize),
        "metrics": [_serialize_or_name(m, metrics.serialize)
                    for m in model.compile_arguments["metrics"]],
        "weighted_metrics": [_serialize_or_name(m, metrics.serialize)
                             for m in model.compile_arguments["weighted_metrics"]],
        "steps_per_execution": model.steps_per_execution,
        "jit_compile": model.jit_compile,
    }


def _resolve(entry: Any, custom_objects: dict, deserialize: Any, what: str) -> Any:
    if isinstance(entry, str):
        found = find_custom(entry, custom_objects)
        return entry if found is None else found
    entry = _check_dict(entry, f"a {what} entry")
    if CUSTOM in entry:
        return _custom(entry, custom_objects, what)
    return deserialize(entry)


def compile_model(model: Any, config: Any, custom_objects: dict | None = None) -> None:
    """Compiles ``model`` from `compile_config` data."""
    config = _check_dict(config, "the compile entry")
    custom_objects = dict(custom_objects or {})
    try:
        optimizer = optimizers.get(_check_dict(config.get("optimizer"), "the optimizer entry"))
        loss = _resolve(config.get("loss"), custom_objects, losses.get, "loss")
        metric_lists = []
        for key in ("metrics", "weighted_metrics"):
            entries = config.get(key, [])
            if not isinstance(entries, list):
                raise ValueError(f"'{key}' must be a list")
            metric_lists.append([_resolve(e, custom_objects, metrics.get, "metric")
                                 for e in entries])
        model.compile(optimizer=optimizer, loss=loss, metrics=metric_lists[0],
                      weighted_metrics=metric_lists[1],
                      steps_per_execution=config.get("steps_per_execution", "auto"),
                      jit_compile=config.get("jit_compile", "auto"))
    except (TypeError, KeyError, AttributeError) as err:
        raise ValueError(f"the compile configuration is invalid: {type(err).__name__}: {err}") \
            from None
