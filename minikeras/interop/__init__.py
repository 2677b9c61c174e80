"""Convert between minikeras and keras models (keras is imported only when these are called).

    keras_model = minikeras.interop.to_keras(model)     # same weights, same predictions
    model = minikeras.interop.from_keras(keras_model)   # for the layers minikeras has

Sequential and functional models of Dense, Activation, Dropout, Flatten, Softmax, Conv1D/2D and
their transposes, the pooling layers, Reshape, Permute, RepeatVector, Identity, ZeroPadding1D/2D,
UpSampling1D/2D, Cropping1D/2D, UnitNormalization, Embedding, LSTM, GRU, SimpleRNN,
the normalization and preprocessing layers (BatchNormalization with its moving statistics,
Normalization given or adapted, CategoryEncoding, Discretization), the activation and noise
layers and the merging layers (and nested Sequentials, and operation nodes such as ``x * 2``
or ``ops.concatenate`` between layers) convert with their weights,
activations, Dense L1/L2/L1L2 regularizers, Dropout seeds and `trainable` flags. A setting
the other library cannot reproduce is refused, never dropped: the whole model is checked first,
and one ValueError lists every offending layer (name, class and reasons) before anything is
created.
"""
from __future__ import annotations

import json
from typing import Any

import tensorflow as tf

from minikeras import layers
from minikeras._naming import to_snake_case
from minikeras.interop._common import (
    _CARRIED,
    _KERAS_IGNORED,
    _KERAS_OFF,
    _MIXED_TRAINABLE,
    _convert_args,
    _describe,
    _factory,
    _finalize_keras,
    _raise_problems,
    _report,
    _Spec,
    _value_from_keras,
    _value_to_keras,
)
from minikeras.layers.operations import FUNCTIONS, UNARY, Operation, fill_arguments
from minikeras.layers.symbolic import SymbolicTensor
from minikeras.models.functional import Functional
from minikeras.models.sequential import Sequential
from minikeras.saving.config import _build_functional, _WeightBudget
from minikeras.saving.keras_ops import from_keras_entry, is_keras_operation

# ---- minikeras -> keras ---------------------------------------------------------------------

def _keras_sequential(keras: Any, sublayers: list, name: str, trainable: bool) -> Any:
    """A keras Sequential; when frozen, its layers are frozen too (as minikeras trains them).

    keras's constructor flag alone leaves a nested model's layers trainable; its setter
    freezes them.
    """
    model = keras.Sequential(sublayers, name=name)
    if not trainable:
        model.trainable = False
    return model


def _keras_spec(layer: Any, keras: Any, problems: list[str]) -> _Spec | None:
    """The keras counterpart of a minikeras layer, or None after recording why there is none."""
    if isinstance(layer, Functional):
        return _keras_functional_spec(layer, keras, problems)
    if type(layer) is Sequential:
        inner = [_keras_spec(l, keras, problems) for l in layer.layers]
        return _Spec(_keras_sequential, {"keras": keras, "sublayers": inner,
                                         "name": layer.name, "trainable": bool(layer.trainable)})
    kind = type(layer).__name__
    if kind not in _CARRIED or type(layer) is not getattr(layers, kind):
        _report(layer, ["no keras counterpart"], problems)
        return None
    kwargs, reasons = _convert_args(layer, lambda arg, v: _value_to_keras(arg, v, keras))
    _report(layer, reasons, problems)
    return _Spec(_factory(getattr(keras.layers, kind)), kwargs)


def _keras_functional_spec(model: Functional, keras: Any, problems: list[str]) -> _Spec:
    """A keras functional model replaying ``model``'s calls on the keras counterparts of its
    layers (checked now, created by `make`)."""
    specs = {id(l): _keras_spec(l, keras, problems) for l in model.layers
             if not isinstance(l, layers.InputLayer)}

    def build() -> Any:
        made = {key: spec.make() for key, spec in specs.items()}
        tensors: dict[int, Any] = {}
        for layer in model.layers:
            if isinstance(layer, layers.InputLayer):
                t = layer._inbound_nodes[0].outputs
                tensors[id(t)] = keras.Input(shape=layer.shape, batch_size=layer.batch_size,
                                             dtype=layer.input_dtype.name, name=layer.name)
        for node in model._nodes:
            if isinstance(node.layer, layers.InputLayer):
                continue
            args, rest, kwargs = tf.nest.map_structure(
                lambda t: tensors[id(t)] if isinstance(t, SymbolicTensor) else t,
                (node.inputs, tuple(node.args), node.kwargs))
            if isinstance(node.layer, Operation):
                out = _keras_operation(node.layer, args, keras)
            else:
                out = made[id(node.layer)](args, *rest, **kwargs)
            for t, v in zip(node.flat_outputs, tf.nest.flatten(out)):
                tensors[id(t)] = v
        result = keras.Model(tf.nest.map_structure(lambda t: tensors[id(t)],
                                                   model._inputs_struct),
                             tf.nest.map_structure(lambda t: tensors[id(t)],
                                                   model._outputs_struct), name=model.name)
        if not model.trainable:
            result.trainable = False
        return result

    return _Spec(build, {})


def _keras_operation(op: Operation, inputs: Any, keras: Any) -> Any:
    """An `Operation` node replayed with keras.ops on keras tensors (same names, snake-cased
    for the operator ops: "TrueDivide" is keras.ops.true_divide)."""
    if op.op == "GetItem":
        return inputs[op.key]
    if op.op in FUNCTIONS:
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        fn = getattr(keras.ops, op.op.rpartition(".")[2])
        return fn(*fill_arguments(op.arguments["args"], tensors),
                  **fill_arguments(op.arguments["kwargs"], tensors))
    fn = getattr(keras.ops, to_snake_case(op.op))
    return fn(inputs) if op.op in UNARY else fn(*inputs)


def to_keras(model: Sequential) -> Any:
    """Builds an equivalent keras model (Sequential or functional) with the same weights and
    training settings.

    Raises:
      ValueError: If the model is not built, or listing every layer that keras cannot
        reproduce exactly (unknown layer class, custom activation or regularizer).
    """
    import keras

    if not model.built:
        raise ValueError(f"Model '{model.name}' must be built before conversion.")
    problems: list[str] = []
    spec = _keras_spec(model, keras, problems)
    _raise_problems(problems, f"model '{model.name}' to keras")
    if isinstance(model, Functional):
        result = spec.make()
        _copy_weights(model.layers, result.layers, model.name)
        _finalize_keras(result)
        return result
    input_shape = tuple(model.input_spec_shape[1:])
    spec.kwargs["sublayers"].insert(0, _Spec(keras.Input, {"shape": input_shape}))
    result = spec.make()
    result.set_weights(model.get_weights())
    _finalize_keras(result)
    return result


# ---- keras -> minikeras ---------------------------------------------------------------------

def _keras_dtype_reasons(layer: Any) -> list[str]:
    """A reason if the keras layer does not compute in float32 (mixed or quantized policies)."""
    policy = layer.dtype_policy.name
    return [] if policy == "float32" else [f"dtype policy {policy!r} is not supported "
                                            "(minikeras computes in float32)"]


def _keras_trains(layer: Any, reasons: list[str], container: bool = False) -> bool:
    """Whether keras trains a nested layer's weights. keras goes by each weight's own flag (a
    Sequential made with trainable=False still trains its layers when nested), so minikeras's
    flag follows the weights; a layer (not container) training only some of them is refused."""
    flags = {bool(w.trainable) for w in layer.weights}
    if len(flags) > 1 and not container:
        reasons.append("only some of its weights are trainable")
    return any(flags) if flags else bool(layer.trainable)


def _minikeras_spec(layer: Any, keras: Any, problems: list[str]) -> _Spec | None:
    """The minikeras counterpart of a keras layer, or None after recording why there is none."""
    if _is_keras_functional(layer, keras):
        return _minikeras_functional_spec(layer, keras, problems)
    if type(layer) is keras.Sequential:
        reasons = _keras_dtype_reasons(layer)
        trainable = _keras_trains(layer, reasons, container=True)
        _report(layer, reasons, problems)
        inner = [_minikeras_spec(l, keras, problems) for l in layer.layers]
        return _Spec(Sequential, {"layers": inner, "name": layer.name, "trainable": trainable})
    kind = type(layer).__name__
    if kind not in _CARRIED or type(layer) is not getattr(keras.layers, kind, None):
        _report(layer, ["no minikeras counterpart"], problems)
        return None
    kwargs, reasons = _convert_args(layer, lambda arg, v: _value_from_keras(arg, v, keras, kind))
    reasons += _keras_dtype_reasons(layer)
    kwargs["trainable"] = (bool(layer.trainable) if kind in _MIXED_TRAINABLE
                           else _keras_trains(layer, reasons))
    try:
        config = layer.get_config()
    except Exception as e:  # e.g. a lambda constraint that keras cannot serialize
        config = {}
        reasons.append(f"its config cannot be read ({type(e).__name__}: {e})")
    for key, value in config.items():
        if key in kwargs or key in _KERAS_IGNORED:
            continue
        if key not in _KERAS_OFF or value != _KERAS_OFF[key]:
            reasons.append(f"{key}={_describe(value)} is not supported")
    _report(layer, reasons, problems)
    return _Spec(_factory(getattr(layers, kind)), kwargs)


def _is_keras_functional(model: Any, keras: Any) -> bool:
    from keras.src.models.functional import Functional as KerasFunctional
    return type(model) is KerasFunctional


def _minikeras_functional_spec(keras_model: Any, keras: Any, problems: list[str]) -> _Spec:
    """A minikeras functional model with the counterparts of ``keras_model``'s layers, wired as
    keras's config records the calls (checked now, created by `make`)."""
    config = json.loads(keras_model.to_json())["config"]
    specs: dict[str, _Spec | None] = {}
    for layer in keras_model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            reasons = [] if not getattr(layer, "sparse", False) else ["sparse inputs"]
            _report(layer, reasons, problems)
            specs[layer.name] = _Spec(layers.InputLayer, {
                "batch_shape": list(layer.batch_shape), "dtype": layer.dtype,
                "name": layer.name})
        else:
            specs[layer.name] = _minikeras_spec(layer, keras, problems)
    for i, entry in enumerate(config["layers"]):
        if is_keras_operation(entry):  # an op between layers: ops.concatenate, x * 2...
            try:
                config["layers"][i] = entry = from_keras_entry(entry)
            except (ValueError, TypeError, KeyError) as err:
                problems.append(f"'{entry['name']}': {err}")
                continue
            specs[entry["name"]] = _Spec(Operation, dict(entry["config"]))
            continue
        for node in entry.get("inbound_nodes", []):
            # keras records `training` of the symbolic call but a model's own training flag
            # overrides it when the model runs; an unset mask is nothing to convert
            extra = {k: v for k, v in node.get("kwargs", {}).items()
                     if k != "training" and not (k == "mask" and v is None)}
            if extra:
                problems.append(f"'{entry['name']}' is called with keyword arguments {extra} "
                                "that minikeras does not convert")
            node["kwargs"] = {}

    def build() -> Functional:
        made = {name: spec.make() for name, spec in specs.items()}
        graph = {k: config[k] for k in ("name", "layers", "input_layers", "output_layers")}
        model = _build_functional(Functional, graph, lambda entry: made[entry["name"]],
                                  _WeightBudget(None))
        if not keras_model.trainable:
            model.trainable = False
        return model

    return _Spec(build, {})


def _copy_weights(source: list, target: list, name: str) -> None:
    """Copies weights layer by layer (the two models list their layers in the same order)."""
    if [l.name for l in source] != [l.name for l in target]:
        raise ValueError(f"Cannot convert model '{name}': the converted layers "
                         f"{[l.name for l in target]} differ from {[l.name for l in source]}")
    for a, b in zip(source, target):
        if a.weights:
            b.set_weights(a.get_weights())


def from_keras(keras_model: Any) -> Sequential:
    """Builds a minikeras `Sequential` from a keras Sequential of Dense, Activation, Dropout,
    Flatten, Softmax (and nested Sequential) layers, with the same weights and training settings.

    Raises:
      ValueError: If the model is not a built keras Sequential, or listing every layer that
        minikeras cannot reproduce exactly (layer class, option, activation, regularizer, dtype).
    """
    import keras

    if not isinstance(keras_model, keras.Sequential) and not _is_keras_functional(
            keras_model, keras):
        raise ValueError(f"from_keras converts keras Sequential and functional models; "
                         f"received {type(keras_model).__name__}.")
    if not keras_model.built:
        raise ValueError("Build the keras model (give it an Input) before converting it.")
    problems: list[str] = []
    spec = _minikeras_spec(keras_model, keras, problems)
    _raise_problems(problems, f"keras model '{keras_model.name}' to minikeras")
    if _is_keras_functional(keras_model, keras):
        model = spec.make()
        _copy_weights(keras_model.layers, model.layers, keras_model.name)
        return model
    spec.kwargs["trainable"] = bool(keras_model.trainable)  # keras's fit honours the model's own
    model = spec.make()
    model.build((None,) + tuple(keras_model.input_shape[1:]))
    model.set_weights(keras_model.get_weights())
    return model
