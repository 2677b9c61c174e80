"""From what the user passes to fit, evaluate and predict to adapters, checked against the model.

Everything here runs on the host before any state changes: a wrong shape, length, dtype or
argument raises a ValueError/TypeError naming it, and the model is left as it was.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation
from minikeras import losses as losses_module
from minikeras.engine import data as data_module
from minikeras.engine.adapters import ArrayAdapter, StreamAdapter, is_stream
from minikeras.engine.batch_step import overrides
from minikeras.engine.compile_utils import output_losses, per_output, split_structure_losses


def make_adapter(model: Any, x: Any, y: Any, sample_weight: Any, batch_size: int | None,
                 steps: int | None = None, require_y: bool = True,
                 expected_features: tuple | None = None,
                 arrays: data_module.Arrays | None = None,
                 shuffle: bool = False) -> ArrayAdapter | StreamAdapter:
    """Checks ``x, y, sample_weight`` against ``model`` and its loss; wraps them in an adapter.

    ``arrays`` are rows already checked (fit's training rows after a validation split);
    ``expected_features`` is the feature shape an unbuilt model will get (validation data).
    """
    if has_own_step(model):
        require_y = False  # a model's own step takes whatever the data holds (keras)
    if is_stream(x):
        for arg, value in (("y", y), ("sample_weight", sample_weight),
                           ("batch_size", batch_size)):
            if value is not None:
                raise ValueError(
                    f"`{arg}` must be None when x is a dataset or generator (the batches "
                    f"carry it). Received: {arg}={value!r}")
        adapter = StreamAdapter(x, steps, shuffle)
        if require_y and adapter.y_shape is None:
            raise ValueError("Expected dataset elements (x, y) or (x, y, sample_weight), "
                             "but they hold x only.")
        y_raw = None
    else:
        if steps is not None:
            raise ValueError("`steps_per_epoch`/`steps` apply to datasets and generators; "
                             "with arrays use batch_size and epochs.")
        batch_size = _validation.positive_int(
            32 if batch_size is None else batch_size, "batch_size")
        if arrays is None:
            x = expand_single_feature(model, x)
            arrays, y_raw = data_module.check_arrays(x, y, sample_weight, require_y=require_y,
                                                     **io_names(model, x))
        else:
            y_raw = arrays.y
        adapter = ArrayAdapter(arrays, batch_size)
    if isinstance(adapter.feature_shape, tuple) and all(
            isinstance(d, (int, type(None))) for d in adapter.feature_shape):
        expected = tuple(model.input_spec_shape[1:]) if model.built and \
            model.input_spec_shape is not None else expected_features
        if adapter.feature_shape == () and expected:
            raise ValueError(
                f"Expected `x` to have rank {len(expected) + 1}, shaped (samples, "
                f"{', '.join(map(str, expected))}), as the model's input is. Received an array "
                f"of shape ({getattr(adapter, 'n', None)},). For a single feature use "
                f"x.reshape(-1, 1).")
        if expected is not None:
            model._check_input_shape(tf.TensorShape((None,) + adapter.feature_shape),
                                     (None,) + expected)
        if y_raw is not None and model.compiled and not isinstance(y_raw, tuple) and \
                hasattr(model.loss, "check_targets"):
            model.loss.check_targets(
                y_raw, model.compute_output_shape((None,) + (expected or adapter.feature_shape)))
    elif getattr(model, "inputs", None) is not None:
        shapes = adapter.feature_shape
        if isinstance(shapes, dict):  # some optional input is None: absent from the dict
            shapes = [shapes.get(name) for name in model._input_names() or []]
        for tensor, shape in zip(model.inputs, shapes):
            if shape is not None:
                model.get_layer(tensor.node.layer.name)._check_input_shape(
                    tf.TensorShape((None,) + shape), tensor.shape)
    if isinstance(y_raw, tuple) and model.compiled:
        names = model._output_names()
        args = model.compile_arguments
        per, _, _ = split_structure_losses(args["loss"], args["loss_weights"],
                                           getattr(model, "_outputs_struct", None))
        losses = per_output(per, names, "loss")
        for given, target, output in zip(losses, y_raw, model.outputs):
            for loss in output_losses(given):
                if hasattr(losses_module.to_loss(loss), "check_targets"):
                    losses_module.to_loss(loss).check_targets(target, output.shape)
    return adapter


def has_own_step(model: Any) -> bool:
    """Whether ``model`` overrides keras's ``train_step`` or ``test_step``."""
    return overrides(model, "train_step") or overrides(model, "test_step")


def expand_single_feature(model: Any, x: Any) -> Any:
    """keras's input adjustments: ``[x]`` for a functional model with one input is ``x``; a
    1-D ``x`` for a model whose input is one feature, ``(None, 1)``, is a column (a 1-D x for
    any other model stays an error)."""
    _check_no_missing_input(model, x)
    struct = getattr(model, "_inputs_struct", None)
    if isinstance(struct, dict) and isinstance(x, list) and len(struct) > 1:
        # keras matches the list by position, with its warning
        shapes = [f"Tensor(shape={np.shape(v)})" for v in x]
        warnings.warn("The structure of `inputs` doesn't match the expected structure.\n"
                      f"Expected: { {k: t.name for k, t in struct.items()} }\n"
                      f"Received: inputs={shapes}", stacklevel=4)
    if isinstance(x, (list, tuple)) and len(x) == 1 and _is_array(x[0]) and \
            getattr(model, "inputs", None) is not None and len(model.inputs) == 1:
        x = x[0]
    spec = model.input_spec_shape if model.built else None
    if spec is not None and len(spec) == 2 and spec[1] == 1 and not isinstance(
            x, (dict, tuple)) and np.ndim(x) == 1:
        return np.reshape(np.asarray(x), (-1, 1))
    return x


def _check_no_missing_input(model: Any, x: Any) -> None:
    """None given for an input that is not optional: keras's error, before any work."""
    inputs = getattr(model, "inputs", None)
    if inputs is None or not isinstance(x, (list, tuple, dict)):
        return
    if isinstance(x, dict):
        given = [x.get(name, 0) for name in model._input_names() or [t.name for t in inputs]]
    else:
        given = list(x)
    for tensor, value in zip(inputs, given):
        if value is None and not getattr(tensor.node.layer, "optional", False):
            raise ValueError(f"The input '{tensor.name}' is not optional, but None was "
                             "passed. Please provide a valid tensor.")


def _is_array(value: Any) -> bool:
    return isinstance(value, (np.ndarray, tf.Tensor, tf.Variable))


def io_names(model: Any, x: Any = None) -> dict:
    """The input and output names of a model with several (None for a single one), which
    decide whether a list given as x or y holds one array per input/output. A model without
    declared inputs (subclassed) takes a list or tuple of several arrays as several inputs,
    as keras does; nested lists of numbers stay one array."""
    x_names = model._input_names()
    if x_names is None and getattr(model, "inputs", None) is None and isinstance(
            x, (list, tuple)) and len(x) > 1 and all(_is_array(v) for v in x):
        x_names = [str(i) for i in range(len(x))]
    return {"x_names": x_names, "y_names": (
        model._output_names() if len(model._output_names()) > 1 else None)}


def batch_shapes(feature_shape: Any) -> Any:
    """``(None,) + shape`` for one input's feature shape, or for each of several."""
    if isinstance(feature_shape, tuple) and all(
            d is None or isinstance(d, int) for d in feature_shape):
        return (None,) + feature_shape
    return [batch_shapes(s) for s in feature_shape]


def check_fit_args(epochs: Any, initial_epoch: Any, steps_per_epoch: Any, validation_freq: Any,
                   shuffle: Any) -> tuple[int, int]:
    """Checks fit's counting arguments; returns ``(epochs, validation_freq)`` as ints."""
    epochs = _validation.positive_int(epochs, "epochs")
    if not _validation.is_int(initial_epoch) or not 0 <= initial_epoch < epochs:
        raise ValueError(
            f"Expected `initial_epoch` to be an integer in [0, epochs={epochs}). "
            f"Received: initial_epoch={initial_epoch!r}")
    if steps_per_epoch is not None:
        _validation.positive_int(steps_per_epoch, "steps_per_epoch")
    if not isinstance(shuffle, bool):
        raise TypeError(f"Expected `shuffle` to be a bool. Received: shuffle={shuffle!r}")
    return epochs, _validation.positive_int(validation_freq, "validation_freq")


def fit_adapters(model: Any, x: Any, y: Any, sample_weight: Any, class_weight: dict | None,
                 batch_size: int | None, steps_per_epoch: int | None, validation_split: float,
                 validation_data: Any, shuffle: bool = False,
                 validation_steps: int | None = None) -> tuple[Any, Any]:
    """fit's training and validation adapters (validation None when there is none).

    ``validation_split`` holds out the last rows before any shuffling, as keras does;
    ``class_weight`` becomes per-sample weights.
    """
    train_arrays = val = None
    if class_weight is not None:
        if sample_weight is not None or is_stream(x):
            raise ValueError("`class_weight` works with array inputs and no `sample_weight`; "
                             "combine the weights into `sample_weight` instead.")
    if not is_stream(x):
        x = expand_single_feature(model, x)
        arrays, _ = data_module.check_arrays(x, y, sample_weight,
                                             require_y=not has_own_step(model),
                                             **io_names(model, x))
        train_arrays, val_arrays = data_module.split_validation(arrays, validation_split)
        if class_weight is not None:  # training rows only: keras's validation is unweighted
            train_arrays.sample_weight = data_module.class_weight_to_sample_weight(
                train_arrays.y, class_weight)
        if val_arrays is not None:
            val = ArrayAdapter(val_arrays, batch_size or 32)
    elif validation_split:
        raise ValueError("`validation_split` needs array inputs; with a dataset pass "
                         "`validation_data`.")
    train = make_adapter(model, x, y, sample_weight, batch_size, steps_per_epoch,
                         arrays=train_arrays, shuffle=shuffle)
    if validation_data is not None:
        if val is not None:
            raise ValueError("Pass either `validation_split` or `validation_data`, not both.")
        if is_stream(validation_data):
            vx, vy, vsw, vbs = validation_data, None, None, None
        else:
            (vx, vy, vsw), vbs = data_module.unpack_validation_data(validation_data), \
                (batch_size or 32)
        val = make_adapter(model, vx, vy, vsw, vbs, steps=validation_steps if is_stream(vx)
                           else None, expected_features=train.feature_shape)
    return train, val
