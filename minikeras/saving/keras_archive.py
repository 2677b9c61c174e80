"""keras's ``.keras`` files: the zip keras 3 writes with ``model.save``, written and read safely.

    metadata.json      {"keras_version": ..., "date_saved": ...}
    config.json        the model as keras serializes it: module, class_name, config,
                       build_config and compile_config of every object
    model.weights.h5   the weights in keras's HDF5 layout (`h5_weights.py`), and the optimizer
                       state under ``optimizer/vars`` (iterations, learning rate, slots)

So ``model.save("model.keras")`` in a keras script works unchanged, keras loads what minikeras
writes, and minikeras loads what keras writes for the layers it has. Reading is as safe as the
minikeras format: only these three members are accepted, the JSON is resolved through
minikeras's registries and ``custom_objects`` only (a ``Lambda`` or unknown class is refused,
never imported), and the HDF5 part is read by `h5_weights`'s checked reader. Shuffle and
Dropout generator states are not part of keras's format: for a bitwise-exact resume use the
``.minikeras`` format.
"""
from __future__ import annotations

import datetime
import io
import json
import os
import warnings
import zipfile
from typing import Any

import numpy as np

from minikeras.saving import compile_config as compile_module
from minikeras.saving import config as config_module
from minikeras.saving import h5_weights, keras_ops
from minikeras.saving.archive import MAX_CONFIG_BYTES, FileFormatError, atomic_write

SUFFIX = ".keras"
KERAS_VERSION = "3.15.1"  # the keras release whose format this writes (constraints.txt)
MEMBERS = ("metadata.json", "config.json", "model.weights.h5")
MAX_WEIGHTS_BYTES = 2**34
_MODULES = (("keras.layers", "minikeras.layers"), ("keras.initializers", "minikeras.initializers"),
            ("keras.regularizers", "minikeras.regularizers"),
            ("keras.constraints", "minikeras.constraints"),
            ("keras.optimizers.schedules", "minikeras.optimizers.schedules"),
            ("keras.optimizers", "minikeras.optimizers"), ("keras.losses", "minikeras.losses"),
            ("keras.metrics", "minikeras.metrics"))
_MODEL_CLASSES = ("Sequential", "Functional", "Model")
_PREFER = {"loss": "keras.losses", "metrics": "keras.metrics", "weighted_metrics": "keras.metrics",
           "optimizer": "keras.optimizers"}
# keras options minikeras does not have, at the values that mean "not used": dropped on reading
_KERAS_ONLY_DEFAULTS = {"quantization_config": None, "lora_rank": None, "lora_alpha": None,
                        "run_eagerly": False}


def is_keras_file(filepath: Any) -> bool:
    return isinstance(filepath, (str, os.PathLike)) and \
        os.fspath(filepath).lower().endswith(SUFFIX)


def _module_of(class_name: str, prefer: str | None = None) -> str | None:
    """The keras module of a built-in class (``prefer`` first: a metric and a loss may share a
    name, e.g. MeanSquaredError)."""
    import importlib

    if class_name == "Functional":
        return "keras.src.models.functional"  # where keras's own files say it lives
    if class_name in _MODEL_CLASSES:
        return "keras"
    for keras_module, ours in sorted(_MODULES, key=lambda pair: pair[0] != prefer):
        module = importlib.import_module(ours)
        if class_name in (getattr(module, "__all__", None) or dir(module)):
            return keras_module
    return None


def _as_keras(value: Any, prefer: str | None = None) -> Any:
    """Our config with keras's serialization keys: every ``{"class_name", "config"}`` object
    gets its ``module`` and ``registered_name`` (symbolic-tensor records stay as they are)."""
    if isinstance(value, list):
        return [_as_keras(v, prefer) for v in value]
    if not isinstance(value, dict):
        return value
    name = value.get("class_name")
    if name == "LossFunctionWrapper" and isinstance(value.get("config", {}).get("fn"), str):
        return value["config"]["fn"]  # a loss given by name: keras stores the name
    out = {k: _as_keras(v, prefer) for k, v in value.items()}
    if isinstance(name, str) and "config" in value and name not in (
            "__keras_tensor__", "__slice__", "__ellipsis__"):
        out.setdefault("module", _module_of(name, prefer))
        out.setdefault("registered_name", "Functional" if name == "Functional" else None)
    return out


def _from_keras(value: Any) -> Any:
    """keras's serialization read back to ours: a ``DTypePolicy`` becomes its dtype name."""
    if isinstance(value, list):
        return [_from_keras(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and \
            isinstance(value.get("config"), dict):
        return value["config"].get("name")
    out = {k: _from_keras(v) for k, v in value.items()
           if k != "shared_object_id" and not (k in _KERAS_ONLY_DEFAULTS
                                               and v is _KERAS_ONLY_DEFAULTS[k])}
    if value.get("class_name") in _MODEL_CLASSES and isinstance(out.get("config"), dict) and \
            out["config"].get("dtype") in ("float32", None):
        out["config"] = {k: v for k, v in out["config"].items() if k != "dtype"}  # a model's
    return out  # dtype policy: minikeras computes in float32


def keras_document(model: Any) -> dict:
    """The model as keras's ``config.json`` holds it."""
    document = _as_keras(keras_ops.map_entries(config_module.model_config(model),
                                               keras_ops.is_our_operation,
                                               keras_ops.to_keras_entry))
    shape = getattr(model, "input_spec_shape", None)
    if shape is not None:
        document["build_config"] = {"input_shape": list(shape)}
    compiled = compile_module.compile_config(model)
    if compiled is not None:
        if isinstance(model.compile_arguments.get("loss"), str):
            compiled["loss"] = model.compile_arguments["loss"]  # as given, as keras keeps it
        if compiled.get("steps_per_execution") == "auto":
            compiled["steps_per_execution"] = 1  # keras's compile takes an int
        document["compile_config"] = {key: _as_keras(value, _PREFER.get(key))
                                      for key, value in compiled.items()}
    return document


def save_keras(model: Any, filepath: str) -> None:
    """Writes ``model`` to ``filepath`` as keras's ``.keras`` zip, atomically."""
    import h5py

    weights = io.BytesIO()
    with h5py.File(weights, "w") as h5:
        h5_weights.write_weights(h5, model)
        optimizer = model.optimizer if model.compiled else None
        if optimizer is not None and optimizer.built:
            group = h5.require_group("optimizer/vars")
            group.attrs["name"] = optimizer.name
            for i, var in enumerate(optimizer.variables):
                group.create_dataset(str(i), data=np.asarray(var.numpy()))
    metadata = {"keras_version": KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    members = {"metadata.json": json.dumps(metadata).encode(),
               "config.json": json.dumps(keras_document(model)).encode(),
               "model.weights.h5": weights.getvalue()}

    def write(f: Any) -> None:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    atomic_write(filepath, write)


def _read_members(path: str) -> dict[str, bytes]:
    with open(path, "rb") as raw:  # OSError for a missing or unreadable file
        try:
            archive = zipfile.ZipFile(raw)
        except zipfile.BadZipFile:
            raise FileFormatError(path, "it is not a zip file (a '.keras' file is keras's zip "
                                        "format)") from None
        with archive:
            infos = {info.filename: info for info in archive.infolist()}
            unknown = sorted(set(infos) - set(MEMBERS))
            if unknown:
                raise FileFormatError(path, f"it holds members minikeras does not read: "
                                            f"{unknown[:3]} (keras assets of layers minikeras "
                                            "does not have?)")
            for name in ("config.json", "model.weights.h5"):
                if name not in infos:
                    raise FileFormatError(path, f"it has no '{name}'")
            limits = {"config.json": MAX_CONFIG_BYTES, "metadata.json": MAX_CONFIG_BYTES,
                      "model.weights.h5": MAX_WEIGHTS_BYTES}
            for name, info in infos.items():
                if info.file_size > limits[name]:
                    raise FileFormatError(path, f"'{name}' is larger than {limits[name]} bytes")
            try:
                return {name: archive.read(name) for name in infos}
            except (zipfile.BadZipFile, OSError, EOFError) as err:
                raise FileFormatError(path, f"it is damaged ({err})") from None


def load_keras(path: str, custom_objects: dict | None, compile: bool) -> Any:
    """The model of a ``.keras`` file, with its weights (and compiled with its optimizer state
    when ``compile``)."""
    members = _read_members(path)
    try:
        document = _from_keras(json.loads(members["config.json"]))
    except (ValueError, RecursionError) as err:
        raise FileFormatError(path, f"its config.json is not JSON: {err}") from None
    if not isinstance(document, dict):
        raise FileFormatError(path, "its config.json does not describe a model")
    compiled = document.pop("compile_config", None)
    try:
        document = keras_ops.map_entries(document, keras_ops.is_keras_operation,
                                         keras_ops.from_keras_entry)
    except (ValueError, TypeError, KeyError) as err:
        raise FileFormatError(path, f"an operation node cannot be read: {err}") from None
    model = config_module.build_model(document, custom_objects)
    if not model.built:
        build = document.get("build_config") or {}
        if isinstance(build.get("input_shape"), list):
            model.build(tuple(build["input_shape"]))
    h5_weights.read_weights(model, io.BytesIO(members["model.weights.h5"]), path)
    if compile and isinstance(compiled, dict) and compiled.get("optimizer") is not None:
        compile_module.compile_model(model, compiled, custom_objects)
        _restore_optimizer(model, members["model.weights.h5"], path)
    return model


def load_keras_weights(model: Any, path: str) -> None:
    """Sets a built ``model``'s weights from the weights of a ``.keras`` file."""
    members = _read_members(path)
    h5_weights.read_weights(model, io.BytesIO(members["model.weights.h5"]), path)


def _restore_optimizer(model: Any, weights: bytes, path: str) -> None:
    """The optimizer state keras keeps under ``optimizer/vars``, if it fits (else a warning
    and a fresh optimizer, as keras does)."""
    import h5py

    with h5py.File(io.BytesIO(weights), "r") as h5:
        datasets = h5_weights._datasets(h5, path)
        names = sorted((n for n in datasets if n.startswith("optimizer/vars/")),
                       key=h5_weights._index_key)
        if not names:
            return
        optimizer = model.optimizer
        optimizer.build(model.trainable_variables)
        variables = list(optimizer.variables)
        shapes_fit = len(names) == len(variables) and all(
            tuple(datasets[n].shape) == tuple(v.shape) for n, v in zip(names, variables))
        if not shapes_fit:
            warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}', because "
                          f"it has {len(variables)} variables whereas the saved optimizer has "
                          f"{len(names)} variables.", stacklevel=3)
            return
        for name, var in zip(names, variables):
            var.assign(np.asarray(datasets[name][()]).astype(var.dtype.as_numpy_dtype))
