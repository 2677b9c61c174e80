"""Model and compile configurations as plain JSON data, rebuilt only through registries.

Every class or function named in a file is looked up in minikeras's own tables (layers,
activations, initializers, regularizers, losses, metrics, optimizers), or in the
``custom_objects`` dict the caller passes explicitly. Nothing is imported by name.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from minikeras import layers as layers_module
from minikeras._registry import CUSTOM, find_custom, registered_name
from minikeras.layers.layer import Layer
from minikeras.layers.operations import Operation
from minikeras.saving.functional_config import (  # noqa: F401 - interop imports them here
    KERAS_TENSOR,
    _build_functional,
    _check_dict,
)
from minikeras.saving.functional_config import functional_config as _functional_config

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
    return {**table, "Operation": Operation, **MODEL_CLASSES}


# ---- architecture ------------------------------------------------------------------------------
def _is_model(obj: Any, class_name: str) -> bool:
    cls = MODEL_CLASSES.get(class_name)
    return cls is not None and isinstance(obj, cls)


def model_config(model: Any) -> dict:
    """The architecture of a Sequential or functional model (nested ones included) as
    JSON-ready data: ``{"class_name": ..., "config": ...}``."""
    if _is_model(model, "Functional"):
        return {"class_name": "Functional", "config": functional_config(model)}
    if not _is_model(model, "Sequential"):
        if type(model).get_config is not Layer.get_config:  # a subclass with its own config
            return {"class_name": registered_name(type(model)), "config": model.get_config(),
                    "build_input_shape": None if model.input_spec_shape is None
                    else list(model.input_spec_shape)}
        raise ValueError(
            f"Model '{model.name}' of class {type(model).__name__} has no architecture "
            "config: only Sequential and functional models (Model(inputs, outputs)) can be "
            "saved whole unless their class defines get_config() (and is registered with "
            "minikeras.saving.register_keras_serializable or passed in custom_objects when "
            "loading). Save its weights with save_weights(), or write it as a functional "
            "model.")
    return {"class_name": "Sequential", "config": {
        "name": model.name, "trainable": model.trainable,
        "build_input_shape": None if model.input_spec_shape is None
        else list(model.input_spec_shape),
        "layers": [layer_config(l) for l in model.layers]}}


def layer_config(layer: Any) -> dict:
    """``{"class_name", "config"}`` of one layer; nested models give their architecture."""
    if _is_model(layer, "Functional") or _is_model(layer, "Sequential"):
        return model_config(layer)
    return {"class_name": registered_name(type(layer)), "config": layer.get_config()}


def functional_config(model: Any) -> dict:
    """keras's layout of a functional model (see `saving/functional_config.py`)."""
    return _functional_config(model, layer_config)


def model_to_json(model: Any, **kwargs: Any) -> str:
    """keras's ``model.to_json()``: the architecture as a JSON string."""
    return json.dumps(model_config(model), **kwargs)


def build_model(config: Any, custom_objects: dict | None = None,
                weight_shapes: list[tuple] | None = None,
                functional_class: type | None = None) -> Any:
    """Rebuilds a model from `model_config` data. Raises ValueError on anything unknown.

    With ``weight_shapes`` (the shapes of the arrays a file holds), the shapes the architecture
    implies are checked against them before any variable is created: a hostile file cannot make
    the loader allocate more than the file itself holds.
    """
    config = _check_dict(config, "the model entry")
    registry = layer_registry()
    custom_objects = dict(custom_objects or {})
    budget = _WeightBudget(weight_shapes)

    def layer_class(class_name: Any) -> type:
        cls = registry.get(class_name) if isinstance(class_name, str) else None
        if cls is None:
            cls = find_custom(class_name, custom_objects)
            if not (isinstance(cls, type) and issubclass(cls, Layer)):
                raise ValueError(
                    f"unknown layer class {class_name!r}; known: {', '.join(sorted(registry))} "
                    "(pass custom layers in custom_objects)")
        return cls

    def build(entry: Any, top: bool = False) -> Layer:
        entry = _check_dict(entry, "a layer entry")
        class_name = entry.get("class_name")
        cls = layer_class(class_name)
        kwargs = dict(_check_dict(entry.get("config", {}), f"the config of {class_name}"))
        if cls is registry["Sequential"]:
            inner = kwargs.pop("layers", [])
            shape = kwargs.pop("build_input_shape", None)
            if not isinstance(inner, list):
                raise ValueError("a Sequential's 'layers' must be a list")
            model = cls([build(e) for e in inner], **kwargs)
            if top and shape is not None and not model.built:  # nested ones build with it
                shape = _check_shape(shape)
                if weight_shapes is not None:
                    _check_weight_shapes(model.weight_shapes(shape), weight_shapes)
                model.build(shape)
            return model
        if "Functional" in registry and cls is registry["Functional"]:
            # the top model may be a subclass of Functional (its own from_config)
            return _build_functional(functional_class if top and functional_class else cls,
                                     kwargs, build, budget)
        if top and "build_input_shape" in entry:
            # a subclassed model with its own config (its class is registered or custom)
            shape = entry.get("build_input_shape")
            model = cls.from_config(kwargs)
            if shape is not None and not model.built:
                shape = _check_shape(shape)
                if weight_shapes is not None:
                    _check_weight_shapes(model.weight_shapes(shape), weight_shapes)
                model.build(shape)
            return model
        if isinstance(kwargs.get("activation"), str) and kwargs["activation"] in custom_objects:
            kwargs["activation"] = custom_objects[kwargs["activation"]]
        for key, value in kwargs.items():  # custom initializers, regularizers, ...
            if isinstance(value, dict) and CUSTOM in value:
                kwargs[key] = _custom(value, custom_objects, f"{key} of {class_name}")
        if class_name == "InputLayer" and "batch_input_shape" in kwargs and \
                "batch_shape" not in kwargs:  # keras 2's configs
            kwargs["batch_shape"] = kwargs.pop("batch_input_shape")
        if "shape" in kwargs and isinstance(kwargs["shape"], list):
            kwargs["shape"] = tuple(kwargs["shape"])
        if getattr(cls.from_config, "__func__", None) is not Layer.from_config.__func__:
            # a class with its own from_config is rebuilt by it, as keras does (an adapted
            # Discretization's config holds num_bins and bin_boundaries, which its
            # constructor refuses together)
            return cls.from_config(kwargs)
        return cls(**kwargs)

    try:
        model = build(config, top=True)
    except (TypeError, KeyError, AttributeError) as err:  # bad keyword arguments and the like
        raise ValueError(f"the architecture cannot be rebuilt: {type(err).__name__}: {err}") \
            from None
    if weight_shapes is not None and budget.used:
        _check_weight_shapes([(w.name.split(":")[0], tuple(w.shape)) for w in model.weights],
                             weight_shapes)
    return model


def _check_shape(shape: Any) -> tuple:
    if not isinstance(shape, list) or len(shape) < 2 or not all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0)
            for d in shape):
        raise ValueError(f"build_input_shape {shape!r} is not a list of sizes")
    return tuple(shape)


class _WeightBudget:
    """While a functional model is rebuilt, the weights each layer is about to create are
    counted against the arrays the file holds (their number and scalars), before the layer
    builds; the exact shapes are compared once the model stands."""

    def __init__(self, found: list[tuple] | None):
        self.found = found
        self.used = False
        self.count = 0
        self.scalars = 0
        if found is not None:
            self.max_count = len(found)
            self.max_scalars = sum(int(np.prod(s, dtype=np.float64)) for s in found)

    def claim(self, layer: Layer, input_shape: Any) -> None:
        if self.found is None or layer.built:
            return
        self.used = True
        try:
            shapes = layer.weight_shapes(input_shape)
        except (TypeError, ValueError, IndexError):
            shapes = None  # it cannot tell for this input: building will check the input
        if shapes is None:
            return  # a custom layer given in custom_objects: trusted, as for Sequential
        for name, shape in shapes:
            self.count += 1
            self.scalars += int(np.prod(shape, dtype=np.float64))
            if self.count > self.max_count or self.scalars > self.max_scalars:
                raise ValueError(
                    f"layer '{layer.name}' would create weight {name} of shape {tuple(shape)}, "
                    f"more than the file holds ({self.max_count} weight arrays)")


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
