"""Saving and loading: one safe zip file per model (see `archive.py` for the format).

    model.save("model.minikeras")                 # architecture + weights + optimizer + RNG
    model.save("model.keras")                     # keras 3's zip (keras_archive.py)
    model = minikeras.models.load_model("model.minikeras")   # compiled, ready to continue
    model.save_weights("w.minikeras"); model.load_weights("w.minikeras")
    model.save_weights("w.weights.h5")            # keras 3's HDF5 weights layout (h5_weights.py)

A loaded model continues training exactly as if it had never been saved: weights, optimizer
slots and step count, and the random generators of shuffling and Dropout are all restored.
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.saving import archive, keras_archive
from minikeras.saving import compile_config as compile_module
from minikeras.saving import config as config_module
from minikeras.saving.archive import FileFormatError
from minikeras.saving.h5_weights import is_weights_h5, load_weights_h5, save_weights_h5
from minikeras.saving.paths import check_save_path
from minikeras.saving.registration import (
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)


def random_generators(model: Any) -> tuple[tf.random.Generator | None, list[tf.random.Generator]]:
    """The model's shuffling generator (None before the first fit) and its Dropout generators."""
    layers = [model] + model._flatten_sublayers()
    dropout = [layer.generator for layer in layers
               if isinstance(getattr(layer, "generator", None), tf.random.Generator)]
    state = model.training_state
    return (state.shuffle_generator if state.has_shuffle_generator else None), dropout


def _rng_arrays(model: Any) -> tuple[dict, list[np.ndarray]]:
    shuffle, dropout = random_generators(model)
    states = ([shuffle.state.numpy()] if shuffle is not None else []) + \
        [g.state.numpy() for g in dropout]
    return {"shuffle": shuffle is not None, "dropout": len(dropout)}, states


def save_model(model: Any, filepath: str) -> None:
    """Writes the model (architecture, compile configuration, weights, optimizer state and
    random-generator states) to one zip file at exactly ``filepath``, atomically.

    Raises ValueError, before anything is written, for an empty or folder path, a suffix of
    another format (see `paths.check_save_path`) or an unbuilt model.
    """
    filepath = check_save_path(filepath, "save")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built yet, so it has no weights to save. "
                         "Build it, or fit it once, first.")
    if keras_archive.is_keras_file(filepath):
        keras_archive.save_keras(model, filepath)
        return
    rng_info, rng_states = _rng_arrays(model)
    optimizer = model.optimizer if model.compiled else None
    document = {"kind": "model", "model": config_module.model_config(model),
                "compile": compile_module.compile_config(model),
                "optimizer_built": bool(optimizer is not None and optimizer.built),
                "rng": rng_info}
    arrays = {"weights": model.get_weights(),
              "optimizer": [v.numpy() for v in optimizer.variables] if optimizer else [],
              "rng": rng_states}
    archive.write_archive(filepath, document, arrays)


def check_saveable(model: Any) -> None:
    """Raises ValueError now if `save_model` would fail later, e.g. for an optimizer whose
    learning rate is a plain callable (only schedules have a config)."""
    try:
        json.dumps({"model": config_module.model_config(model),
                    "compile": compile_module.compile_config(model)}, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Model '{model.name}' cannot be saved whole: {err} Save weights only, "
                         "or use a schedule from minikeras.optimizers.schedules.") from None


def save_weights(model: Any, filepath: str) -> None:
    """Writes only the weights (in `get_weights` order) to a zip file at ``filepath``, or in
    keras 3's HDF5 layout when ``filepath`` ends in ``.weights.h5`` (keras can load it).

    The path is checked as for `save_model`, before anything is written.
    """
    filepath = check_save_path(filepath, "save_weights")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built yet, so it has no weights to save.")
    if is_weights_h5(filepath):
        save_weights_h5(model, filepath)
        return
    archive.write_archive(filepath, {"kind": "weights",
                                     "weight_shapes": [list(w.shape) for w in model.weights]},
                          {"weights": model.get_weights()})


def load_weights(model: Any, filepath: str) -> None:
    """Sets the model's weights from a weights or model file (keras's ``.weights.h5`` too);
    checks every shape first.

    Raises ValueError naming the file, the layer and the shapes when the file holds another
    architecture; the model's weights are then untouched.
    """
    if keras_archive.is_keras_file(filepath):  # a whole keras model's file: its weights
        if not model.built:
            raise ValueError(f"Cannot load weights from '{os.fspath(filepath)}' into model "
                             f"'{model.name}' before it is built: build it first.")
        keras_archive.load_keras_weights(model, os.fspath(filepath))
        return
    h5 = is_weights_h5(filepath)
    document, arrays = (None, {}) if h5 else archive.read_archive(filepath)
    if not model.built:
        raise ValueError(f"Cannot load weights from '{os.fspath(filepath)}' into model "
                         f"'{model.name}' before it is built: build it (or call it on data) "
                         "first.")
    if h5:
        load_weights_h5(model, filepath)
        return
    try:
        model.set_weights(arrays["weights"])
    except ValueError as err:
        raise FileFormatError(os.fspath(filepath), f"it does not fit this model: {err}") from None


def load_model(filepath: str, custom_objects: dict | None = None, compile: bool = True) -> Any:
    """Rebuilds a model saved with `save_model`, compiled and ready to continue training.

    Classes and functions are resolved only through minikeras's registries and the explicit
    ``custom_objects``; nothing in the file can run code.

    Raises:
      OSError: the file is missing or unreadable.
      ValueError: the file is broken, hostile, or describes unknown objects (names the file).
    """
    path = os.fspath(filepath)
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"Expected `custom_objects` to be a dict. Received: {custom_objects!r}")
    if is_weights_h5(path):
        raise FileFormatError(path, "a '.weights.h5' file holds weights only; build a model of "
                                    "the same architecture and call model.load_weights() on it")
    if keras_archive.is_keras_file(path):
        try:
            return keras_archive.load_keras(path, custom_objects, compile)
        except FileFormatError:
            raise
        except (ValueError, RecursionError, OverflowError, MemoryError) as err:
            raise FileFormatError(path, (str(err).splitlines() or [""])[0]) from None
    document, arrays = archive.read_archive(path)
    if document.get("kind") != "model":
        raise FileFormatError(path, "it holds weights only; use model.load_weights() on a model "
                                    "of the same architecture")
    try:
        model = config_module.build_model(document.get("model"), custom_objects,
                                          [a.shape for a in arrays["weights"]])
        if not model.built:
            raise ValueError("the saved model was not built")
        model.set_weights(arrays["weights"])
        if compile and document.get("compile") is not None:
            compile_module.compile_model(model, document["compile"], custom_objects)
            _restore_optimizer(model, document, arrays["optimizer"])
        _restore_rng(model, document.get("rng"), arrays["rng"])
    except FileFormatError:
        raise
    except (ValueError, RecursionError, OverflowError, MemoryError, tf.errors.OpError) as err:
        # ValueError from the checks; the rest from absurd sizes or nesting in a hostile file
        detail = str(err) if isinstance(err, ValueError) else f"{type(err).__name__}: {err}"
        raise FileFormatError(path, detail.splitlines()[0] if detail else detail) from None
    return model


def _assign_all(variables: list, values: list[np.ndarray], what: str) -> None:
    if len(variables) != len(values):
        raise ValueError(f"the file has {len(values)} {what} arrays, the model needs "
                         f"{len(variables)}")
    for var, value in zip(variables, values):
        if tuple(value.shape) != tuple(var.shape):
            raise ValueError(f"{what} array for '{var.name}' has shape {value.shape}, expected "
                             f"{tuple(var.shape)}")
    for var, value in zip(variables, values):
        var.assign(value.astype(var.dtype.as_numpy_dtype))


def _restore_optimizer(model: Any, document: dict, values: list[np.ndarray]) -> None:
    if document.get("optimizer_built"):
        model.optimizer.build(model.trainable_variables)
    _assign_all(list(model.optimizer.variables), values, "optimizer")


def _restore_rng(model: Any, info: Any, states: list[np.ndarray]) -> None:
    if not isinstance(info, dict):
        raise ValueError("the 'rng' entry is malformed")
    _, dropout = random_generators(model)
    generators = list(dropout)
    if info.get("shuffle"):
        with tf.init_scope():
            model.training_state.shuffle_generator = tf.random.Generator.from_seed(0)
        generators.insert(0, model.training_state.shuffle_generator)
    _assign_all([g.state for g in generators], states, "random-generator")


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """Rebuilds an (uncompiled, freshly initialized) model from ``model.to_json()``.

    Classes resolve only through minikeras's registries and ``custom_objects``; nothing in
    the text can run code. Raises ValueError for bad JSON or an unknown or broken architecture.
    """
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"Expected a JSON string. Received: {type(json_string).__name__}")
    if len(json_string) > archive.MAX_CONFIG_BYTES:
        raise ValueError(f"the JSON text is larger than {archive.MAX_CONFIG_BYTES} bytes")
    try:
        config = json.loads(json_string)
    except (ValueError, RecursionError) as err:
        raise ValueError(f"model_from_json received text that is not JSON: {err}") from None
    try:
        return config_module.build_model(config, custom_objects)
    except RecursionError as err:
        raise ValueError(f"the architecture is nested too deeply: {err}") from None


__all__ = ["FileFormatError", "check_saveable", "get_custom_objects", "get_registered_name",
           "get_registered_object", "load_model", "load_weights", "model_from_json",
           "random_generators", "register_keras_serializable", "save_model", "save_weights"]
