"""Functional models: a graph of layer calls from symbolic inputs to outputs.

    inputs = Input(shape=(4,))
    hidden = Dense(8, activation="relu")(inputs)
    outputs = Dense(1)(hidden)
    model = Model(inputs, outputs)

Calling layers on symbolic tensors recorded `Node`s (layers/symbolic.py). `Functional` walks
them back from the outputs, checks that every path reaches a given input, orders the nodes as
keras does (deepest first, ties in the order they were met), and replays them on real tensors
in `call`. Inputs and outputs may be one tensor, a list or a dict; a layer may be called more
than once (shared), and a model may be called like a layer.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras._registry import registered_name
from minikeras.layers.core import InputLayer
from minikeras.layers.layer import Layer
from minikeras.layers.operations import Operation
from minikeras.layers.symbolic import Node, SymbolicTensor
from minikeras.models.functional_inputs import flat_paths, match_inputs, standardize
from minikeras.models.model import Model
from minikeras.saving.config import (
    build_model,
    functional_config,
    model_config,
    model_to_json,
    register_model_class,
)


def _check_tensors(structure: Any, what: str) -> list[SymbolicTensor]:
    flat = tf.nest.flatten(structure)
    if not flat:
        raise ValueError(f"A functional Model needs at least one tensor in `{what}`.")
    for t in flat:
        if not isinstance(t, SymbolicTensor):
            raise ValueError(
                f"All `{what}` values must be KerasTensors (minikeras's symbolic tensors, "
                f"from `Input(...)` and layers called on them). Received: {what}={structure} "
                f"including invalid value {t!r} of type {type(t)}")
    return flat


def order_nodes(inputs: list[SymbolicTensor], outputs: list[SymbolicTensor],
                paths: list[str] | None = None) -> list[Node]:
    """The nodes between ``inputs`` and ``outputs``, deepest first (keras's order).

    Raises ValueError when an output (at ``paths``, keras's dotted paths in the outputs'
    structure) depends on a tensor that is not among the inputs.
    """
    input_ids = {id(t) for t in inputs}
    seen: dict[int, Node] = {}
    finished: list[Node] = []
    first_met: dict[int, int] = {}

    def visit(tensor: SymbolicTensor, path: tuple) -> None:
        node = tensor.node
        layer = node.layer
        first_met.setdefault(id(layer), len(first_met))
        if id(tensor) in input_ids:
            if id(node) not in seen:
                seen[id(node)] = node
                finished.append(node)
            return
        if isinstance(layer, InputLayer):
            raise ValueError(
                f"Graph disconnected: cannot obtain value for tensor {tensor!r} at layer "
                f"'{layer.name}': it is an input of the graph but not among the Model's "
                f"`inputs` ({[t.name for t in inputs]}). Path: {' <- '.join(path)}")
        if id(node) in seen:
            return
        seen[id(node)] = node
        for parent in node.flat_inputs:
            visit(parent, path + (parent.node.layer.name,))
        finished.append(node)

    for t, path in zip(outputs, paths or [None] * len(outputs)):
        try:
            visit(t, (t.node.layer.name,))
        except ValueError as err:
            if path is None:
                raise
            raise ValueError(f"Output with path `{path}` is not connected to `inputs`. "
                             f"{err}") from None
    for t in inputs:
        if id(t.node) not in seen:
            seen[id(t.node)] = t.node
            finished.insert(0, t.node)
            first_met.setdefault(id(t.node.layer), len(first_met))
    depth: dict[int, int] = {}
    for node in reversed(finished):  # outputs first: a parent is one deeper than its child
        d = depth.setdefault(id(node), 0)
        for parent in node.parents:
            if id(parent) in seen:
                depth[id(parent)] = max(depth.get(id(parent), 0), d + 1)
    return sorted(finished, key=lambda n: (-depth[id(n)], first_met[id(n.layer)]))


@register_model_class
class Functional(Model):
    """A model defined by its inputs and outputs: ``Model(inputs, outputs, name=None)``.

    Args:
      inputs: A symbolic tensor from `Input`, or a list or dict of them.
      outputs: The symbolic tensor(s) computed from them: one, a list or a dict.
      name: Optional name.
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True, **kwargs: Any):
        flat_inputs = _check_tensors(inputs, "inputs")
        flat_outputs = _check_tensors(outputs, "outputs")
        # A tensor from inside a graph as an input: the graph from there on (keras clones
        # it): a new input stands for the tensor, and the layer that made it is left out.
        stands_for: dict[int, SymbolicTensor] = {}  # id(tensor) -> the new input's tensor
        for t in flat_inputs:
            if not isinstance(t.node.layer, InputLayer):
                new = InputLayer(batch_shape=t.shape, dtype=t.dtype)._inbound_nodes[0].outputs
                stands_for[id(t)] = new
        paths = flat_paths(outputs)
        nodes = order_nodes(flat_inputs, flat_outputs, paths)
        replaced = {id(t.node): stands_for[id(t)].node for t in flat_inputs
                    if id(t) in stands_for}
        nodes = [replaced.get(id(n), n) for n in nodes]
        layers: list[Layer] = []
        for node in nodes:
            if not any(node.layer is layer for layer in layers):
                layers.append(node.layer)
        names = [layer.name for layer in layers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"All layer names should be unique. The model has duplicate layer "
                             f"names: {duplicates}")
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._stands_for = stands_for  # for the replay and the config of a sliced graph
        self._graph_inputs = list(flat_inputs)  # the tensors the graph's nodes read
        flat_inputs = [stands_for.get(id(t), t) for t in flat_inputs]
        inputs = tf.nest.pack_sequence_as(inputs, flat_inputs)
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self._flat_inputs, self._flat_outputs = flat_inputs, flat_outputs
        self._nodes = nodes
        self._model_layers = layers
        self.built = True
        if len(flat_inputs) == 1:
            self.input_spec_shape = flat_inputs[0].shape

    # ---- structure ----------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """Every layer of the graph, input layers included, deepest first (as keras);
        operations (``x + y``...) are in `operations` only."""
        return [layer for layer in self._model_layers if not isinstance(layer, Operation)]

    @layers.setter
    def layers(self, _: Any) -> None:
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. "
                             "Please use another name.")

    @property
    def operations(self) -> list[Layer]:
        """The layers and operations of the graph, in the order they run (keras's name)."""
        return list(self._model_layers)

    _operations = operations

    def _direct_sublayers(self) -> list[Layer]:
        return [layer for layer in self._model_layers if not isinstance(layer, InputLayer)]

    @property
    def inputs(self) -> list[SymbolicTensor]:
        """The model's symbolic inputs, as a flat list."""
        return list(self._flat_inputs)

    @property
    def outputs(self) -> list[SymbolicTensor]:
        """The model's symbolic outputs, as a flat list."""
        return list(self._flat_outputs)

    @property
    def input(self) -> Any:
        """The symbolic inputs in the structure they were given (keras)."""
        return self._inputs_struct

    @property
    def output(self) -> Any:
        """The symbolic outputs in the structure they were given (keras)."""
        return self._outputs_struct

    @property
    def input_shape(self) -> Any:
        """The inputs' shapes (one shape for a single input), batch dimension first."""
        shapes = tf.nest.map_structure(lambda t: t.shape, self._inputs_struct)
        return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        """The outputs' shapes (one shape for a single output), batch dimension first."""
        shapes = tf.nest.map_structure(lambda t: t.shape, self._outputs_struct)
        return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes

    @property
    def input_names(self) -> list[str]:
        """The names of the input layers, in the order of `inputs`."""
        return [t.node.layer.name for t in self._flat_inputs]

    @property
    def output_names(self) -> list[str]:
        """Names of the outputs: the dict's keys, else the layers that produce them."""
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t.node.layer.name for t in self._flat_outputs]

    def build(self, input_shape: Any = None) -> None:
        self.built = True  # built from its inputs when it was made

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tf.nest.map_structure(lambda t: t.shape, self._outputs_struct)

    # ---- calling ------------------------------------------------------------------------
    def _flatten_inputs(self, inputs: Any) -> list:
        """The values given for each input, in the order of `inputs` (keras's matching by
        position, name or key; see `functional_inputs`)."""
        return standardize(self, match_inputs(self, inputs))

    def _check_input_shape(self, shape: tf.TensorShape, expected: tuple | None = None) -> None:
        if expected is None:
            return  # each input is checked in call, after keras's rank adjustment
        super()._check_input_shape(shape, expected)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        flat = self._flatten_inputs(inputs)
        values = {id(t): v for t, v in zip(self._graph_inputs, flat)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args, rest, kwargs = tf.nest.map_structure(
                lambda t: values[id(t)] if isinstance(t, SymbolicTensor) else t,
                (node.inputs, node.args, dict(node.kwargs)))
            if training is not None:  # the model's own flag wins over one recorded (keras)
                kwargs["training"] = training
            out = node.layer(args, *rest, **kwargs)
            for t, v in zip(node.flat_outputs, tf.nest.flatten(out)):
                values[id(t)] = v
        out = tf.nest.pack_sequence_as(self._outputs_struct,
                                       [values[id(t)] for t in self._flat_outputs])
        return out[0] if isinstance(out, (list, tuple)) and len(out) == 1 else out  # keras

    # ---- configuration ------------------------------------------------------------------
    def get_config(self) -> dict:
        """keras's layout: every layer's class and config with the calls that feed it
        (``inbound_nodes``: tensors referenced as ``[layer name, node index, tensor
        index]``), and the ``input_layers`` and ``output_layers`` in their structure."""
        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Functional:
        """Rebuilds the graph of `get_config`; classes resolve only through minikeras's
        registries and ``custom_objects``. Raises ValueError naming any unknown class,
        missing layer or call, or cycle."""
        return Model.from_config.__func__(cls, config, custom_objects)

    def to_json(self, **kwargs: Any) -> str:
        """The architecture as a JSON string (`minikeras.models.model_from_json` reads it)."""
        return model_to_json(self, **kwargs)


def clone_model(model: Model, custom_objects: dict | None = None) -> Model:
    """A new model of the same architecture (keras's ``clone_model``): Sequential or
    functional, nested models included, with new, freshly initialized weights and no
    compile state.

    The model's own layer classes (custom ones included) are used as they are; custom
    activations, initializers and the like are found in ``custom_objects``, as for loading.
    """
    if not isinstance(model, Model):
        raise ValueError(f"Expected a minikeras Model to clone. Received: {model!r}")
    classes = {registered_name(type(layer)): type(layer)
               for layer in [model] + model._flatten_sublayers()}
    clone = build_model(model_config(model), {**classes, **(custom_objects or {})})
    if not clone.built and model.built and model.input_spec_shape is not None:
        clone.build(model.input_spec_shape)
    return clone
