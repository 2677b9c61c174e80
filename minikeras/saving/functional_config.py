"""Functional models in keras's config layout: written from the graph, and rebuilt from it.

A functional model's config lists every layer (class, config, and the calls that feed it,
``inbound_nodes``) and its ``input_layers``/``output_layers``; tensors are referenced as
``[layer name, node index, tensor index]``. Rebuilding creates every layer, then replays the
calls in order (a call waits until the tensors it takes exist), checking every reference
first; keras 2's node lists are read too. Used by `saving/config.py`.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras.layers.layer import Layer
from minikeras.layers.symbolic import SymbolicTensor


def _check_dict(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object, found {type(value).__name__}")
    return value


KERAS_TENSOR = "__keras_tensor__"


def functional_config(model: Any, layer_config: Any) -> dict:
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


def _build_functional(cls: type, config: dict, build: Any, budget: Any) -> Any:
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
