"""Model and compile configurations as plain JSON data, rebuilt only through registries.

Every class or function named in a file is looked up in minikeras's own tables (layers,
activations, initializers, regularizers, losses, metrics, optimizers), or in the
``custom_objects`` dict the caller passes explicitly. Nothing is imported by name.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import layers as layers_module
from minikeras._registry import CUSTOM, find_custom, registered_name
from minikeras.layers.layer import Layer
from minikeras.layers.operations import Operation
from minikeras.layers.symbolic import SymbolicTensor

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


KERAS_TENSOR = "__keras_tensor__"


def functional_config(model: Any) -> dict:
    """keras's layout of a functional model: ``{"name", "trainable", "layers": [{"class_name",
    "name", "config", "inbound_nodes": [{"args": [...], "kwargs": {...}}]}], "input_layers",
    "output_layers"}``. A tensor is referenced as ``[layer name, node index, tensor index]``
    (inside a node, as keras's ``{"class_name": "__keras_tensor__", "config": {"shape",
    "dtype", "keras_history"}}``), node indices counting only this model's calls of the layer.
    Inputs and outputs keep their structure (one reference, a list, or a dict)."""
    node_ids = {id(n) for n in model._nodes}
    node_index: dict[int, int] = {}
    for layer in model.operations:
        own = [n for n in layer._inbound_nodes if id(n) in node_ids]
        node_index.update({id(n): i for i, n in enumerate(own)})

    stands_for = getattr(model, "_stands_for", {})  # inputs of a sliced graph

    def history(t: SymbolicTensor) -> list:
        t = stands_for.get(id(t), t)
        return [t.node.layer.name, node_index[id(t.node)], t.index]

    def serialize(value: Any, what: str) -> Any:
        if isinstance(value, SymbolicTensor):
            return {"class_name": KERAS_TENSOR, "config": {
                "shape": list(value.shape), "dtype": value.dtype,
                "keras_history": history(value)}}
        if isinstance(value, dict):
            return {str(k): serialize(v, what) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [serialize(v, what) for v in value]
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise ValueError(f"{what} is {value!r}, which cannot be written as JSON; call the "
                         "layer with JSON-able keyword arguments to save the model whole")

    def structure(value: Any) -> Any:
        return tf.nest.map_structure(history, value)

    entries = []
    for layer in model.operations:
        nodes = [n for n in layer._inbound_nodes if id(n) in node_ids]
        entry = layer_config(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [] if type(layer).__name__ == "InputLayer" else [
            {"args": [serialize(v, f"an input of layer '{layer.name}'")
                      for v in (n.inputs, *n.args)],
             "kwargs": {str(k): serialize(v, f"keyword argument {k!r} of layer "
                                               f"'{layer.name}'")
                        for k, v in n.kwargs.items()}}
            for n in nodes]
        entries.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": entries,
            "input_layers": structure(model._inputs_struct),
            "output_layers": structure(model._outputs_struct)}


def model_to_json(model: Any, **kwargs: Any) -> str:
    """keras's ``model.to_json()``: the architecture as a JSON string."""
    return json.dumps(model_config(model), **kwargs)


def _check_dict(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object, found {type(value).__name__}")
    return value


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


def _tensor_ref(value: Any, what: str) -> tuple[str, int, int]:
    """``[layer name, node index, tensor index]`` checked, from a reference or a keras tensor
    entry."""
    if isinstance(value, dict) and value.get("class_name") == KERAS_TENSOR:
        value = _check_dict(value.get("config"), f"{what}'s config").get("keras_history")
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value[1:])):
        raise ValueError(f"{what} {value!r} is not a reference [layer name, node index, "
                         "tensor index]")
    return value[0], value[1], value[2]


def _is_ref(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)


def _build_functional(cls: type, config: dict, build: Any, budget: _WeightBudget) -> Any:
    """Recreates every layer of a `functional_config`, then replays its calls in order (a call
    waits until the tensors it takes exist), as keras's ``functional_from_config``."""
    name = config.get("name")
    entries = config.get("layers")
    if not isinstance(entries, list):
        raise ValueError(f"the 'layers' of functional model {name!r} must be a list")
    layers: dict[str, Layer] = {}
    pending: dict[str, list] = {}
    order: list[str] = []
    for entry in entries:
        entry = _check_dict(entry, "a layer entry")
        layer_name = entry.get("name", _check_dict(entry.get("config", {}), "a config")
                               .get("name"))
        if not isinstance(layer_name, str):
            raise ValueError(f"a layer entry of functional model {name!r} has no name")
        if layer_name in layers:
            raise ValueError(f"functional model {name!r} has two layers named {layer_name!r}")
        nodes = entry.get("inbound_nodes", [])
        if not isinstance(nodes, list):
            raise ValueError(f"the 'inbound_nodes' of layer {layer_name!r} must be a list")
        layer = build(entry)
        if layer.name != layer_name:
            raise ValueError(f"layer entry {layer_name!r} builds a layer named {layer.name!r}")
        layers[layer_name] = layer
        pending[layer_name] = [_check_dict(_legacy_node(n), f"a node of layer {layer_name!r}")
                               for n in nodes]
        order.append(layer_name)
    made: dict[str, list] = {}  # layer name -> the flat outputs of each of its calls so far
    for layer_name, layer in layers.items():
        if type(layer).__name__ == "InputLayer":
            if pending[layer_name]:
                raise ValueError(f"input layer {layer_name!r} cannot have inbound nodes")
            made[layer_name] = [[layer._inbound_nodes[0].outputs]]
        else:
            made[layer_name] = []

    def check_ref(ref: tuple, what: str) -> None:
        layer_name, node, tensor = ref
        if layer_name not in layers:
            raise ValueError(f"Invalid Functional model configuration. Missing node: "
                             f"{layer_name} ({what} references layer {layer_name!r}, which is "
                             f"not in functional model {name!r})")
        count = len(pending[layer_name]) + len(made[layer_name])
        if node >= count:
            raise ValueError(f"{what} references call {node} of layer {layer_name!r}, which "
                             f"has only {count} call(s) in the model")

    def available(ref: tuple) -> bool:
        layer_name, node, _ = ref
        return node < len(made[layer_name])

    def tensor(ref: tuple, what: str) -> SymbolicTensor:
        layer_name, node, index = ref
        outputs = made[layer_name][node]
        if index >= len(outputs):
            raise ValueError(f"{what} references output {index} of layer {layer_name!r}, "
                             f"which has {len(outputs)} output(s)")
        return outputs[index]

    def refs_in(value: Any, what: str) -> list[tuple]:
        if isinstance(value, dict) and value.get("class_name") == KERAS_TENSOR:
            return [_tensor_ref(value, what)]
        if isinstance(value, dict):
            return [r for v in value.values() for r in refs_in(v, what)]
        if isinstance(value, list):
            return [r for v in value for r in refs_in(v, what)]
        return []

    def replace(value: Any, what: str) -> Any:
        if isinstance(value, dict) and value.get("class_name") == KERAS_TENSOR:
            return tensor(_tensor_ref(value, what), what)
        if isinstance(value, dict):
            return {k: replace(v, what) for k, v in value.items()}
        if isinstance(value, list):
            return [replace(v, what) for v in value]
        return value

    # every reference must name a layer and a call that exist, before anything is called
    for layer_name in order:
        for i, node in enumerate(pending[layer_name]):
            what = f"call {i} of layer {layer_name!r}"
            for ref in refs_in([node.get("args"), node.get("kwargs")], what):
                check_ref(ref, what)
    progress = True
    while progress and any(pending.values()):
        progress = False
        for layer_name in order:
            while pending[layer_name]:
                node = pending[layer_name][0]
                what = f"call {len(made[layer_name])} of layer {layer_name!r}"
                args, kwargs = node.get("args", []), node.get("kwargs", {})
                if not isinstance(args, list) or not args:
                    raise ValueError(f"{what} must have at least one positional argument "
                                     f"(the inputs). Received: {args!r}")
                kwargs = _check_dict(kwargs, f"the kwargs of {what}")
                if not all(available(r) for r in refs_in([args, kwargs], what)):
                    break
                inputs = replace(args[0], what)
                layer = layers[layer_name]
                budget.claim(layer, _shapes_of(inputs))
                rest = [replace(a, what) for a in args[1:]]
                outputs = layer(inputs, *rest, **replace(kwargs, what))
                made[layer_name].append(_flatten(outputs))
                pending[layer_name].pop(0)
                progress = True
    stuck = [n for n in order if pending[n]]
    if stuck:
        raise ValueError(
            f"Functional model {name!r} either has loops or disconnected nodes: the calls of "
            f"layers {stuck} wait on each other (a cycle)")

    def structure(value: Any, what: str) -> Any:
        if _is_ref(value):
            ref = _tensor_ref(value, what)
            check_ref(ref, what)
            if not available(ref):
                raise ValueError(f"{what} {list(ref)} is never computed")
            return tensor(ref, what)
        if isinstance(value, dict):
            return {k: structure(v, what) for k, v in value.items()}
        if isinstance(value, (list, tuple)) and value:
            return type(value)(structure(v, what) for v in value)
        raise ValueError(f"{what} of functional model {name!r} must be references "
                         f"[layer name, node index, tensor index]. Received: {value!r}")

    inputs = structure(config.get("input_layers"), "input_layers")
    outputs = structure(config.get("output_layers"), "output_layers")
    extra = {k: v for k, v in config.items()
             if k not in ("name", "layers", "input_layers", "output_layers")}
    return cls(inputs, outputs, name=name, **extra)


def _legacy_node(node: Any) -> Any:
    """keras 2's node ``[[layer name, node index, tensor index, kwargs], ...]`` as keras 3's
    ``{"args": [...], "kwargs": {...}}``; anything else is returned as it is."""
    if not (isinstance(node, list) and node and all(
            isinstance(e, list) and len(e) in (3, 4) and isinstance(e[0], str) for e in node)):
        return node
    refs = [{"class_name": KERAS_TENSOR, "config": {"keras_history": e[:3]}} for e in node]
    kwargs = node[0][3] if len(node[0]) == 4 else {}
    return {"args": [refs[0] if len(refs) == 1 else refs], "kwargs": kwargs}


def _flatten(outputs: Any) -> list:
    return tf.nest.flatten(outputs)


def _shapes_of(inputs: Any) -> Any:
    return tf.nest.map_structure(
        lambda t: t.shape if isinstance(t, SymbolicTensor) else t, inputs)


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
