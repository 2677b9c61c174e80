"""What a functional model does with the inputs it is called on, as keras's ``Functional``:
match them to the model's inputs (by position, by name, or by the keys of a dict, nested or
not), warn when their structure differs from the model's, and adjust a rank off by one
trailing 1 (``(n, 3, 1)`` for ``(None, 3)``, or ``(n, 3)`` for ``(None, 3, 1)``)."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.layers.symbolic import SymbolicTensor


def flat_paths(struct: Any) -> list[str]:
    """keras's dotted path of each leaf of ``struct``, in `tf.nest.flatten` order
    (``"0.foo"`` for ``[{"foo": x}]``, ``""`` for a single leaf)."""
    if isinstance(struct, dict):
        items = [(str(k), struct[k]) for k in sorted(struct)]
    elif isinstance(struct, (list, tuple)):
        items = [(str(i), v) for i, v in enumerate(struct)]
    else:
        return [""]
    return [f"{key}.{sub}" if sub else key for key, value in items for sub in flat_paths(value)]


def _is_number_list(value: Any) -> bool:
    """A (nested) Python list of numbers: one array, not several inputs."""
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_is_number_list(v) for v in value)
    return isinstance(value, (bool, int, float, np.number))


def _names(struct: Any) -> Any:
    return tf.nest.map_structure(lambda t: t.name, struct)


def _described(inputs: Any) -> Any:
    return tf.nest.map_structure(
        lambda x: "None" if x is None else f"Tensor(shape={tuple(np.shape(x))})"
        if not isinstance(x, SymbolicTensor) else f"Tensor(shape={x.shape})", inputs)


def _same_structure(a: Any, b: Any) -> bool:
    try:
        tf.nest.assert_same_structure(a, b, check_types=False)
    except (ValueError, TypeError):
        return False
    return True


def _prune(inputs: Any, struct: Any) -> Any:
    """The entries of dict ``inputs`` that ``struct`` (a dict, maybe nested) has."""
    if isinstance(struct, dict) and isinstance(inputs, dict):
        return {k: _prune(inputs[k], v) for k, v in struct.items() if k in inputs}
    return inputs


def _mismatch(struct: Any, inputs: Any) -> str:
    return ("The structure of `inputs` doesn't match the expected structure.\n"
            f"Expected: {_names(struct)}\nReceived: inputs={_described(inputs)}")


def _warn_once(model: Any, message: str) -> None:
    """keras's structure warning, once per model (not again when the call is traced)."""
    if not getattr(model, "_warned_inputs_structure", False):
        object.__setattr__(model, "_warned_inputs_structure", True)
        warnings.warn(message, stacklevel=4)


def match_inputs(model: Any, inputs: Any) -> list:
    """The values given for each of ``model.inputs`` (flat, in `tf.nest` order); raises
    ValueError naming what does not match, and warns (as keras) when a structure that still
    matches by position differs from the model's."""
    struct, count = model._inputs_struct, len(model._flat_inputs)
    if _is_number_list(inputs):
        inputs = np.asarray(inputs)
    several = isinstance(inputs, (list, tuple))
    if isinstance(struct, dict):
        if isinstance(inputs, dict):
            missing = [k for k in struct if k not in inputs]
            if missing:
                raise ValueError(f"Model '{model.name}' expects named input(s) with keys "
                                 f"{sorted(struct)}. Missing: {missing}. Received keys "
                                 f"{sorted(inputs)}.")
            if not _same_structure(inputs, struct):
                _warn_once(model, _mismatch(struct, inputs))
            inputs = _prune(inputs, struct)
        elif several and len(inputs) == count:
            if list(struct) != sorted(struct):  # the order of a list would be ambiguous
                raise ValueError(_mismatch(struct, inputs))
            if isinstance(inputs, list):  # fit's tuples in the order of `inputs` are fine
                _warn_once(model, _mismatch(struct, inputs))
        elif count > 1 or several:
            raise ValueError(f"Model '{model.name}' expects named input(s) with keys "
                             f"{sorted(struct)}. Received: {_described(inputs)}")
    elif isinstance(inputs, dict):
        names = [t.name for t in model._flat_inputs]
        if isinstance(struct, SymbolicTensor) and struct.name in inputs:
            inputs = inputs[struct.name]
        elif isinstance(struct, (list, tuple)) and set(names) <= set(inputs) and all(
                isinstance(t, SymbolicTensor) for t in struct):
            inputs = [inputs[n] for n in names]
        else:
            raise ValueError(_mismatch(struct, inputs))
    elif isinstance(struct, SymbolicTensor) and several and len(inputs) == 1:
        inputs = inputs[0]  # [x] for a model of one input
    flat = tf.nest.flatten(inputs)
    if len(flat) != count:
        raise ValueError(f"Model '{model.name}' expects {count} input(s), but it received "
                         f"{len(flat)} input tensors.")
    return flat


def standardize(model: Any, flat: list) -> list:
    """Each value checked against its input (None only for an optional one; the rank
    adjusted as keras does; the shape checked)."""
    out = []
    paths = flat_paths(model._inputs_struct)
    for x, tensor, path in zip(flat, model._flat_inputs, paths):
        if x is None:
            if not getattr(tensor.node.layer, "optional", False):
                raise ValueError(f"The input '{tensor.name}' is not optional, but None was "
                                 "passed. Please provide a valid tensor.")
            out.append(None)
            continue
        if not isinstance(x, (tf.Tensor, tf.Variable)):
            x = tf.convert_to_tensor(x)
        rank, ref = x.shape.rank, tensor.shape
        if rank == len(ref) + 1 and x.shape[-1] == 1:
            x = tf.squeeze(x, axis=-1)
        elif rank == len(ref) - 1 and ref[-1] == 1:
            x = tf.expand_dims(x, axis=-1)
        elif rank != len(ref):
            raise ValueError(
                f"Invalid input shape for input {x.shape} with name '{tensor.name}' and path "
                f"'{path}'. Expected shape {ref}, but input has incompatible shape "
                f"{tuple(x.shape.as_list())}")
        model._check_input_shape(x.shape, ref)
        out.append(x)
    return out
